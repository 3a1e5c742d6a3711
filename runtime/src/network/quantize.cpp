#include "ffnlp/toolkit.h"

#include <cmath>

namespace ffnlp {

namespace {

// Round half to even without depending on the current rounding mode.
double round_half_even(double x) {
  const double fl = std::floor(x);
  const double frac = x - fl;
  if (frac > 0.5) return fl + 1;
  if (frac < 0.5) return fl;
  return std::fmod(fl, 2.0) == 0.0 ? fl : fl + 1;
}

// torch.quantize_per_channel's arithmetic (ATen's quantize_val in builds
// without FBGEMM, checked against Debian's torch 1.13): the inverse scale in
// float32, the product in float32, then nearbyint. Dividing instead
// differs: e = 67.4999986 * s gives 67.5 through the float32 inverse.
// When 1.0f / scale overflows (scale below about 2.9e-39, a row whose
// largest magnitude is below about 3.7e-37) torch converts inf or NaN to an
// integer, which C++ leaves undefined (torch 1.13 on x86-64 writes 0 for
// every byte); such rows are computed here in double instead, as half-up
// does, and keep their values.
double scaled_like_torch(float value, float inverse_scale, double scale) {
  if (std::isinf(inverse_scale)) return static_cast<double>(value) / scale;
  const float product = value * inverse_scale;
  return static_cast<double>(product);
}

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

namespace {

// quantize_row with values 0..top (255 for 8 bits, 15 for 4, 7 for 3). With
// scale_bf16, the scale is rounded up to a bfloat16 (written there) before
// the values are quantized with it.
float quantize_row_to(const float* row, size_t count, uint32_t zero_point, Rounding rounding, int32_t top,
                      uint8_t* q, uint16_t* scale_bf16 = nullptr) {
  if (zero_point > static_cast<uint32_t>(top)) zero_point = static_cast<uint32_t>(top);
  float max_positive, max_negative;
  row_extremes(row, count, &max_positive, &max_negative);
  const int32_t b = static_cast<int32_t>(zero_point);
  const int32_t steps_up = top - b, steps_down = b - 1;
  // Computed in double so E/s lands exactly on a whole number of steps for
  // the row's extreme value, and the golden values of the paper's formula
  // (b = 128: both sides 127 steps) are reproduced bit for bit.
  double scale = 0.0;
  if (max_positive > 0.0f && steps_up > 0) scale = static_cast<double>(max_positive) / steps_up;
  if (max_negative > 0.0f && steps_down > 0) scale = std::fmax(scale, static_cast<double>(max_negative) / steps_down);
  if (scale == 0.0) {
    for (size_t j = 0; j < count; ++j) q[j] = static_cast<uint8_t>(zero_point);
    if (scale_bf16 != nullptr) *scale_bf16 = 0;
    return 0.0f;
  }
  if (scale_bf16 != nullptr) {
    // The float scale, then the bfloat16 at or above it: every value still
    // fits in the zero point's steps.
    float single = static_cast<float>(scale);
    if (static_cast<double>(single) < scale) single = std::nextafter(single, HUGE_VALF);
    *scale_bf16 = bf16_at_least(single);
    scale = static_cast<double>(float_from_bf16(*scale_bf16));
  }
  const float stored_scale = static_cast<float>(scale);
  const float inverse_scale = 1.0f / stored_scale;
  for (size_t j = 0; j < count; ++j) {
    double r;
    if (rounding == Rounding::kHalfUp) {
      r = std::floor(0.5 + (static_cast<double>(row[j]) / scale + b));
    } else {
      r = b + round_half_even(scaled_like_torch(row[j], inverse_scale, scale));
    }
    // Only a side the zero point has no room for gets here (see the header).
    if (r < (b >= 1 ? 1 : 0)) r = b >= 1 ? 1 : 0;
    if (r > top) r = top;
    if (steps_down <= 0 && r < b) r = b;
    if (steps_up <= 0 && r > b) r = b;
    q[j] = static_cast<uint8_t>(r);
  }
  return stored_scale;
}

}  // namespace

float quantize_row(const float* row, size_t count, uint32_t zero_point, Rounding rounding, uint8_t* q) {
  return quantize_row_to(row, count, zero_point, rounding, 255, q);
}

float quantize_row_q4(const float* row, size_t count, uint32_t zero_point, Rounding rounding, uint8_t* q) {
  return quantize_row_to(row, count, zero_point, rounding, 15, q);
}

float quantize_row_q4_bf16(const float* row, size_t count, uint32_t zero_point, Rounding rounding, uint8_t* q,
                           uint16_t* scale_bf16) {
  return quantize_row_to(row, count, zero_point, rounding, 15, q, scale_bf16);
}

float quantize_row_q3_bf16(const float* row, size_t count, uint32_t zero_point, Rounding rounding, uint8_t* q,
                           uint16_t* scale_bf16) {
  return quantize_row_to(row, count, zero_point, rounding, 7, q, scale_bf16);
}

}  // namespace ffnlp
