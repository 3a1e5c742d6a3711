// The row-wise 8-bit quantization of embedding tables (docs/QUANTIZATION.md).
// This is the single definition of the formula: the converter quantizes with
// it, the tests check against it, and the runtime's lookup kernel applies its
// inverse, (q - zero_point) * scale.
#ifndef FFNLP_QUANTIZE_H_
#define FFNLP_QUANTIZE_H_

#include <cstddef>
#include <cstdint>

namespace ffnlp {

constexpr uint32_t kDefaultZeroPoint = 128;

enum class Rounding {
  kHalfUp,    // floor(0.5 + x): the paper's formula, our default
  kHalfEven,  // round half to even: what torch.quantize_per_channel does
};

// Quantizes one row of `count` finite floats with zero point b (1..255):
//   scale = max|row| / (b - 1)   (0 for an all-zero row)
//   q[j]  = round(row[j] / scale + b), clamped to [0, 255]
// Returns the scale. The caller checks finiteness (with a message naming the
// tensor, row and column); non-finite input gives an unspecified row here.
float quantize_row(const float* row, size_t count, uint32_t zero_point, Rounding rounding,
                   uint8_t* q);

// (q - zero_point) * scale
inline float dequantize(uint8_t q, float scale, uint32_t zero_point) {
  return static_cast<float>(static_cast<int32_t>(q) - static_cast<int32_t>(zero_point)) * scale;
}

}  // namespace ffnlp

#endif  // FFNLP_QUANTIZE_H_
