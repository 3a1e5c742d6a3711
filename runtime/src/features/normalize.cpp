// Character classes and simple lowercasing, from the generated tables
// (text_tables.cpp; policy documented in tools/text_tables/gen_text_tables.py).
//
// to_lower is Unicode's simple lowercase mapping (as Python's str.lower() for
// every code point whose lowercase is a single code point) for all scripts,
// plus: U+0130 (I with dot) -> U+0069 'i' and final sigma U+03C2 -> U+03C3.
// No locale-dependent casing: 'I' -> 'i' always (no Turkish dotless i).
#include "features/unicode.h"

namespace ffnlp {

uint32_t to_lower(uint32_t code_point) {
  if (code_point >= detail::kCharTableLimit) return code_point;
  return detail::lower_from_info(code_point, detail::char_info(code_point));
}

NormalizedChar normalize_char(uint32_t code_point, bool lowercase) {
  const uint32_t info = detail::char_info(code_point);
  const auto cls = static_cast<CharClass>(info & detail::kInfoClassMask);
  if (lowercase && cls == CharClass::kLetter && code_point < detail::kCharTableLimit) {
    code_point = detail::lower_from_info(code_point, info);
  }
  return NormalizedChar{code_point, cls};
}

}  // namespace ffnlp
