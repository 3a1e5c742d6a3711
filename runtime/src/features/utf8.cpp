// UTF-8 decoding (strict; see ffnlp/features.h and decode_utf8_inline).
#include "features/utf8.h"

namespace ffnlp {

size_t decode_utf8(const uint8_t* s, size_t n, uint32_t* code_point) {
  if (n == 0) {  // contract says n > 0; be safe anyway: no read, no progress
    *code_point = kReplacementChar;
    return 0;
  }
  return detail::decode_utf8_inline(s, n, code_point);
}

bool is_valid_utf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (s[i] == 0) return false;
    uint32_t cp = 0;
    const size_t used = detail::decode_utf8_inline(s + i, n - i, &cp);
    if (cp == kReplacementChar && used == 1) return false;
    i += used;
  }
  return true;
}

}  // namespace ffnlp
