// Strict UTF-8 decoding (Unicode Table 3-7, "well-formed byte sequences"),
// inline for the feature loop; decode_utf8() (ffnlp/features.h) is the
// out-of-line form.
#ifndef FFNLP_FEATURES_UTF8_H_
#define FFNLP_FEATURES_UTF8_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/features.h"

namespace ffnlp {
namespace detail {

inline size_t decode_utf8_inline(const uint8_t* s, size_t n, uint32_t* code_point) {
  const uint32_t b0 = s[0];
  if (b0 < 0x80) {
    *code_point = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (n >= 2) {
      const uint32_t b1 = s[1];
      if ((b1 & 0xC0) == 0x80) {
        *code_point = ((b0 & 0x1F) << 6) | (b1 & 0x3F);
        return 2;
      }
    }
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (n >= 3) {
      const uint32_t b1 = s[1], b2 = s[2];
      // E0: A0-BF (no overlongs); ED: 80-9F (no surrogates).
      const uint32_t lo = b0 == 0xE0 ? 0xA0 : 0x80;
      const uint32_t hi = b0 == 0xED ? 0x9F : 0xBF;
      if (b1 >= lo && b1 <= hi && (b2 & 0xC0) == 0x80) {
        *code_point = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
        return 3;
      }
    }
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (n >= 4) {
      const uint32_t b1 = s[1], b2 = s[2], b3 = s[3];
      // F0: 90-BF (no overlongs); F4: 80-8F (<= U+10FFFF).
      const uint32_t lo = b0 == 0xF0 ? 0x90 : 0x80;
      const uint32_t hi = b0 == 0xF4 ? 0x8F : 0xBF;
      if (b1 >= lo && b1 <= hi && (b2 & 0xC0) == 0x80 && (b3 & 0xC0) == 0x80) {
        *code_point =
            ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((b2 & 0x3F) << 6) | (b3 & 0x3F);
        return 4;
      }
    }
  }
  // 80-BF lone continuation, C0/C1 (always overlong), F5-FF, bad or missing
  // continuation bytes: one replacement character per byte.
  *code_point = kReplacementChar;
  return 1;
}

// End of the text to read: all of it, or the last character boundary
// <= max_bytes (a character straddling max_bytes is dropped whole). The
// boundaries are the positions decode_utf8 visits when decoding the whole
// text; a non-continuation byte is always one, so only the (at most 3) bytes
// before max_bytes need a look.
inline size_t text_end(const uint8_t* s, size_t size, uint32_t max_bytes) {
  if (max_bytes == 0 || max_bytes >= size) return size;
  const size_t end = max_bytes;
  for (size_t k = end; k > 0 && end - k < 3;) {
    --k;
    if ((s[k] & 0xC0) != 0x80) {
      uint32_t cp;
      const size_t len = decode_utf8_inline(s + k, size - k, &cp);
      return k + len > end ? k : end;
    }
  }
  return end;
}

// Appends the UTF-8 encoding of cp (< 0x110000, not a surrogate) to out;
// returns the number of bytes (1..4).
inline size_t encode_utf8(uint32_t cp, uint8_t* out) {
  if (cp < 0x80) {
    out[0] = static_cast<uint8_t>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<uint8_t>(0xC0 | (cp >> 6));
    out[1] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<uint8_t>(0xE0 | (cp >> 12));
    out[1] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<uint8_t>(0xF0 | (cp >> 18));
  out[1] = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
  return 4;
}

}  // namespace detail

// True when [s, s + n) is valid UTF-8 without NUL bytes (metadata strings).
bool is_valid_utf8(const uint8_t* s, size_t n);

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_UTF8_H_
