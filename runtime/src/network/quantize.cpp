#include "network/quantize.h"

#include <cmath>

namespace ffnlp {

float quantize_row(const float* row, size_t count, uint32_t zero_point, Rounding rounding,
                   uint8_t* q) {
  float max_abs = 0.0f;
  for (size_t j = 0; j < count; ++j) max_abs = std::fmax(max_abs, std::fabs(row[j]));
  const int32_t b = static_cast<int32_t>(zero_point);
  if (max_abs == 0.0f || b < 1) {
    for (size_t j = 0; j < count; ++j) q[j] = static_cast<uint8_t>(zero_point);
    return 0.0f;
  }
  // Computed in double so E/s lands exactly on b-1 for the row's maximum and
  // the golden values of the paper's formula are reproduced bit for bit.
  const double scale = static_cast<double>(max_abs) / static_cast<double>(b - 1);
  const float stored_scale = static_cast<float>(scale);
  for (size_t j = 0; j < count; ++j) {
    const double x = static_cast<double>(row[j]) / scale + b;
    double r = rounding == Rounding::kHalfUp ? std::floor(0.5 + x) : std::nearbyint(x);
    if (rounding == Rounding::kHalfEven) {
      // nearbyint follows the current rounding mode; do not depend on it.
      const double fl = std::floor(x);
      const double frac = x - fl;
      if (frac > 0.5) r = fl + 1;
      else if (frac < 0.5) r = fl;
      else r = std::fmod(fl, 2.0) == 0.0 ? fl : fl + 1;
    }
    if (r < 0) r = 0;
    if (r > 255) r = 255;
    q[j] = static_cast<uint8_t>(r);
  }
  return stored_scale;
}

}  // namespace ffnlp
