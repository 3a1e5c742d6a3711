// JSON string literals from arbitrary bytes: the result is always valid
// JSON and valid UTF-8, whatever the input.
//
// - Valid UTF-8 is copied as it is (U+2028 and U+2029 included, which JSON
//   allows).
// - '"' and '\\' are escaped; control characters U+0000-U+001F (NUL
//   included) and U+007F are written as \b \f \n \r \t or \u00XX, so nothing
//   is cut at a NUL byte.
// - Each ill-formed UTF-8 sequence (a stray continuation byte, a truncated
//   sequence, an overlong form, a surrogate, a value above U+10FFFF, bytes
//   C0 C1 F5-FF) becomes one U+FFFD REPLACEMENT CHARACTER per maximal
//   subpart, the substitution Unicode recommends (Unicode 15, section 3.9)
//   and WHATWG's decoder uses. A decoder of the output sees the same
//   characters as a strict UTF-8 decoder of the input that replaces errors.
#pragma once

#include <cstddef>
#include <string>

namespace ffnlp {
namespace tools {

// Appends "..." (with the quotes) to `out`.
void append_json_string(std::string& out, const char* data, size_t size);

// Length of the well-formed UTF-8 sequence at `p` (1-4), or 0 when the
// bytes there are ill-formed; `*bad` then receives the length of the
// maximal subpart to replace (1-3). `n` >= 1 bytes are available.
size_t utf8_sequence_length(const unsigned char* p, size_t n, size_t* bad);

}  // namespace tools
}  // namespace ffnlp
