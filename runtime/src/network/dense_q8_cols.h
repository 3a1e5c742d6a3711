// The integer kernel of dense_q8_int.h for weights stored transposed
// (q8_col, docs/FORMAT.md): qt is (in_count, out_count) uint8 row-major, so
// input i's weights for every output are one contiguous row, and there is one
// f32 scale per output (per column of qt). The arithmetic is dense_q8_int's:
//
//   dot[o] = sum_i (qt[i, o] - zero_point) * a[i]          exact integer
//   out[o] = (scale[o] * act_scale) * float(dot[o]) + bias[o]
//
// so a q8_col layer gives the same bits as the q8_row layer it was
// transposed from. What the layout buys: after a ReLU most activations are
// zero, and each non-zero one adds one contiguous row of weights into the
// outputs' int32 lanes (no gathers, no per-row horizontal sums); the cost
// falls with the number of non-zero activations, whatever out_count is.
#ifndef FFNLP_NETWORK_DENSE_Q8_COLS_H_
#define FFNLP_NETWORK_DENSE_Q8_COLS_H_

#include <cstdint>

namespace ffnlp {

// out[o] for o < out_count from already quantized activations a[0 .. in_count).
void dense_q8_cols(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                   const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);

// quantize_activations (dense_q8_int.h), then dense_q8_cols: a q8_col layer.
void dense_q8_cols_layer(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                         const float* in, uint32_t in_count, int16_t* a, float* out, uint32_t out_count);

namespace paths {
// Plain loops over blocks of outputs, non-zero activations only (any size).
void dense_q8_cols_scalar(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                          const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
// The SIMD paths: the non-zero activations packed in pairs, each pair's two
// weight rows interleaved into int16 pairs and multiplied into int32 lanes
// (pmaddwd; AVX-512: vpermt2b and vpdpwssd). Inputs of at most kIntBlock
// columns (int32 lanes cannot overflow); false, nothing written, when the
// input does not qualify or the CPU cannot run the path.
bool dense_q8_cols_sse2(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                        const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
bool dense_q8_cols_avx2(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                        const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
bool dense_q8_cols_avx512(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                          const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
}  // namespace paths

namespace reference {
// The definition: one output at a time, int64 sums.
void dense_q8_cols(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                   const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
}  // namespace reference

}  // namespace ffnlp

#endif  // FFNLP_NETWORK_DENSE_Q8_COLS_H_
