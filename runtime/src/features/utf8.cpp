// UTF-8 decoding (strict; see text_features.h and decode_utf8_inline).
#include "features/text_features.h"

namespace ffnlp {

size_t decode_utf8(const uint8_t* s, size_t n, uint32_t* code_point) {
  if (n == 0) {  // contract says n > 0; be safe anyway: no read, no progress
    *code_point = kReplacementChar;
    return 0;
  }
  return detail::decode_utf8_inline(s, n, code_point);
}

}  // namespace ffnlp
