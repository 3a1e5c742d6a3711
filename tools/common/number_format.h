// Numbers as text without printf, for output written once per input line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ffnlp {
namespace tools {

// Appends `value` with `decimals` digits after the point (0-8), the same
// characters as printf("%.*f", decimals, (double)value) under the default
// rounding mode: the exact binary value is rounded to the nearest, ties to
// even. Exact because a float has 24 significant bits, so value * 10^d
// (d <= 8) is exact in a double. Values of 10^9 and more, infinities and
// NaN are passed to snprintf.
void append_fixed(std::string& out, float value, int decimals);

// Appends the decimal digits of `value`.
void append_uint(std::string& out, uint64_t value);

}  // namespace tools
}  // namespace ffnlp
