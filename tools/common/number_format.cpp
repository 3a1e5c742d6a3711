#include "tools/common/number_format.h"

#include <cmath>
#include <cstdio>

namespace ffnlp {
namespace tools {
namespace {

constexpr uint64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

}  // namespace

void append_uint(std::string& out, uint64_t value) {
  char digits[20];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out.push_back(digits[--n]);
}

void append_fixed(std::string& out, float value, int decimals) {
  if (decimals < 0) decimals = 0;
  if (decimals > 8) decimals = 8;
  const double v = value;
  if (!(std::fabs(v) < 1e9)) {  // also NaN
    char buf[64];
    const int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    if (n > 0) out.append(buf, static_cast<size_t>(n) < sizeof buf ? static_cast<size_t>(n) : sizeof buf - 1);
    return;
  }
  // Exact product (24 + 19 significant bits at most), rounded half to even.
  const uint64_t units = static_cast<uint64_t>(std::rint(std::fabs(v) * static_cast<double>(kPow10[decimals])));
  if (std::signbit(v)) out.push_back('-');
  append_uint(out, units / kPow10[decimals]);
  if (decimals == 0) return;
  out.push_back('.');
  uint64_t fraction = units % kPow10[decimals];
  char digits[8];
  for (int i = decimals - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  out.append(digits, static_cast<size_t>(decimals));
}

}  // namespace tools
}  // namespace ffnlp
