// One step of the loops that read a text for features (extract_loop in
// features/extract.h, the AVX2 extraction, the word-key walker): at byte i,
// either a span the clean-up skips (kCleanup; `laughter`: text.cleanup = 2)
// or the next character,
// decoded (invalid bytes are U+FFFD) with its Unicode class entry.
#ifndef FFNLP_FEATURES_TEXT_WALK_H_
#define FFNLP_FEATURES_TEXT_WALK_H_

#include <cstddef>
#include <cstdint>

#include "features/cleanup.h"
#include "features/unicode.h"
#include "features/utf8.h"

namespace ffnlp {
namespace detail {

// false: a span without language was skipped (*i is past it; it separates
// words); true: *cp and *info are the character at the old *i, *i is past it.
// *token_start: *i begins a whitespace-delimited token (kCleanup only).
template <bool kCleanup>
inline bool next_char(const uint8_t* text, size_t end, size_t* i, bool* token_start, bool laughter, uint32_t* cp,
                      uint32_t* info) {
  uint32_t c = text[*i];
  if (kCleanup) {
    if (*token_start || c == '<' || c == '&') {
      const size_t skip_to = skip_span(text, *i, end, *token_start, laughter);
      if (skip_to > *i) {
        *i = skip_to;
        *token_start = true;
        return false;
      }
    }
    *token_start = is_ascii_space(static_cast<uint8_t>(c));
  }
  if (c < 0x80) {
    *info = kCharBlocks[c];
    ++*i;
  } else {
    *i += decode_utf8_inline(text + *i, end - *i, &c);
    *info = char_info(c);
  }
  *cp = c;
  return true;
}

}  // namespace detail
}  // namespace ffnlp

#endif  // FFNLP_FEATURES_TEXT_WALK_H_
