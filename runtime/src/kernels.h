// The network's arithmetic, one plain reference kernel per operation. Inputs
// are validated at load; these functions do not check.
#ifndef FFNLP_KERNELS_H_
#define FFNLP_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace ffnlp {

// acc[j] += (q[j] - zero_point) * scale, j < dims: dequantization fused into
// accumulation; no float copy of the table is ever made.
void accumulate_q8_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims);

// acc[j] += row[j] for a little-endian f32 row.
void accumulate_f32_row(const uint8_t* row, float* acc, uint32_t dims);

// out[o] = bias[o] + sum_i weights[o, i] * in[i]; weights (out, in) row-major,
// weights and bias little-endian f32 in the model bytes.
void dense(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
           uint32_t out_count);

void relu(float* values, uint32_t count);

// In place; subtracts the maximum first so large logits cannot overflow.
void softmax(float* values, uint32_t count);

}  // namespace ffnlp

#endif  // FFNLP_KERNELS_H_
