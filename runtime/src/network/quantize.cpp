#include "ffnlp/toolkit.h"

#include <cmath>

namespace ffnlp {

namespace {

void row_extremes(const float* row, size_t count, float* max_positive, float* max_negative) {
  *max_positive = 0.0f;
  *max_negative = 0.0f;  // the largest magnitude among negative values
  for (size_t j = 0; j < count; ++j) {
    if (row[j] > 0.0f) *max_positive = std::fmax(*max_positive, row[j]);
    if (row[j] < 0.0f) *max_negative = std::fmax(*max_negative, -row[j]);
  }
}

}  // namespace

bool zero_point_fits(const float* row, size_t count, uint32_t zero_point) {
  if (zero_point > 255) return false;
  float max_positive, max_negative;
  row_extremes(row, count, &max_positive, &max_negative);
  if (max_positive > 0.0f && zero_point >= 255) return false;
  if (max_negative > 0.0f && zero_point <= 1) return false;
  return true;
}

float quantize_row(const float* row, size_t count, uint32_t zero_point, Rounding rounding,
                   uint8_t* q) {
  if (zero_point > 255) zero_point = 255;
  float max_positive, max_negative;
  row_extremes(row, count, &max_positive, &max_negative);
  const int32_t b = static_cast<int32_t>(zero_point);
  const int32_t steps_up = 255 - b, steps_down = b - 1;
  // Computed in double so E/s lands exactly on a whole number of steps for
  // the row's extreme value, and the golden values of the paper's formula
  // (b = 128: both sides 127 steps) are reproduced bit for bit.
  double scale = 0.0;
  if (max_positive > 0.0f && steps_up > 0) scale = static_cast<double>(max_positive) / steps_up;
  if (max_negative > 0.0f && steps_down > 0) scale = std::fmax(scale, static_cast<double>(max_negative) / steps_down);
  if (scale == 0.0) {
    for (size_t j = 0; j < count; ++j) q[j] = static_cast<uint8_t>(zero_point);
    return 0.0f;
  }
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
    // Only a side the zero point has no room for gets here (see the header).
    if (r < (b >= 1 ? 1 : 0)) r = b >= 1 ? 1 : 0;
    if (r > 255) r = 255;
    if (steps_down <= 0 && r < b) r = b;
    if (steps_up <= 0 && r > b) r = b;
    q[j] = static_cast<uint8_t>(r);
  }
  return stored_scale;
}

}  // namespace ffnlp
