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

// Quantizes one row of `count` finite floats with zero point b (0..255).
// Quantized values run from 1 to 255 (0 only as the zero point itself), so
// there are 255 - b steps above b for positive values and b - 1 below it for
// negative ones, and the scale is the smallest that fits both sides:
//   scale = max(max(row+) / (255 - b), max(row-) / (b - 1))
//   (0 for an all-zero row; a side without values does not count)
//   q[j]  = round(row[j] / scale + b)
// With b = 128 this is the paper's max|row| / 127, bit for bit. Every value
// then reads back within scale / 2, nothing clips. A row whose values have a
// sign the zero point has no room for (positive values with b = 255,
// negative ones with b <= 1) cannot be represented: zero_point_fits() says
// so; quantize_row() then clamps that side to b. Returns the scale. The
// caller checks finiteness (with a message naming the tensor, row and
// column); non-finite input gives an unspecified row here.
float quantize_row(const float* row, size_t count, uint32_t zero_point, Rounding rounding,
                   uint8_t* q);

// False when the row holds positive values and b = 255, or negative values
// and b <= 1 (or b > 255).
bool zero_point_fits(const float* row, size_t count, uint32_t zero_point);

// (q - zero_point) * scale
inline float dequantize(uint8_t q, float scale, uint32_t zero_point) {
  return static_cast<float>(static_cast<int32_t>(q) - static_cast<int32_t>(zero_point)) * scale;
}

}  // namespace ffnlp

#endif  // FFNLP_QUANTIZE_H_
