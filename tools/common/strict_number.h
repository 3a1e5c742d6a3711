// Strict number parsing for command lines and spec files: what is written is
// what is meant. No signs, spaces, base prefixes (0x, 0b), octal, locale, or
// partial reads; leading zeros are refused ("010" is neither ten nor eight).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace ffnlp {
namespace tools {

// One or more ASCII digits, no leading zero unless the number is "0", at
// most UINT64_MAX. False otherwise (*out untouched).
inline bool parse_decimal(const std::string& s, uint64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

// A decimal with an optional binary unit: K, M, G or T (KiB ... TiB, i.e.
// powers of 1024; "KiB", "MiB", "GiB", "TiB" are accepted too), e.g. 512M.
inline bool parse_byte_size(const std::string& s, uint64_t* out) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  uint64_t v = 0;
  if (!parse_decimal(s.substr(0, digits), &v)) return false;
  const std::string unit = s.substr(digits);
  unsigned shift = 0;
  if (unit.empty()) shift = 0;
  else if (unit == "K" || unit == "KiB") shift = 10;
  else if (unit == "M" || unit == "MiB") shift = 20;
  else if (unit == "G" || unit == "GiB") shift = 30;
  else if (unit == "T" || unit == "TiB") shift = 40;
  else return false;
  if (shift != 0 && v > (UINT64_MAX >> shift)) return false;
  *out = v << shift;
  return true;
}

// A plain decimal: digits, optionally '.' and more digits ("30", "0.5",
// "1400000000"); no sign, exponent, hex, "inf" or "nan", no leading zeros
// ("00.5", "010" are refused), at most 30 digits on either side.
inline bool parse_plain_decimal(const std::string& s, double* out) {
  const size_t dot = s.find('.');
  const std::string whole = s.substr(0, dot);
  if (whole.empty() || whole.size() > 30 || (whole.size() > 1 && whole[0] == '0')) return false;
  for (char c : whole) {
    if (c < '0' || c > '9') return false;
  }
  if (dot != std::string::npos) {
    const std::string frac = s.substr(dot + 1);
    if (frac.empty() || frac.size() > 30) return false;
    for (char c : frac) {
      if (c < '0' || c > '9') return false;
    }
  }
  // The syntax is checked; strtod rounds it correctly (the tools never call
  // setlocale, so the decimal point is '.').
  *out = std::strtod(s.c_str(), nullptr);
  return true;
}

// A plain decimal (parse_plain_decimal) of at most 1e9, e.g. a probability
// "0.7" before its range check.
inline bool parse_plain_fraction(const std::string& s, double* out) {
  double v = 0;
  if (!parse_plain_decimal(s, &v) || v > 1e9) return false;
  *out = v;
  return true;
}

}  // namespace tools
}  // namespace ffnlp
