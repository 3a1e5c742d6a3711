// The network's arithmetic. Each operation has a plain reference loop
// (namespace reference: the definition, what tests compare against) and the
// kernel inference uses, which may take a SIMD path (SSE2 on x86-64, NEON on
// AArch64, and AVX2+FMA on x86-64 CPUs that have it, chosen per call) and may
// sum in a different order, so results agree with the reference to float
// rounding, not bit for bit. Inputs are validated at load; these functions do
// not check.
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
// The optimised kernel uses a polynomial exp (relative error < 2e-7 over the
// range softmax uses; arguments below -87 give 0 or a value below 1e-37).
void softmax(float* values, uint32_t count);

// Which code path the optimised kernels take on this CPU, e.g. "avx2+fma",
// "sse2", "neon", "scalar" (for the benchmark's report).
const char* kernel_path();

namespace reference {
void accumulate_q8_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims);
void accumulate_f32_row(const uint8_t* row, float* acc, uint32_t dims);
void dense(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
           uint32_t out_count);
void relu(float* values, uint32_t count);
void softmax(float* values, uint32_t count);
}  // namespace reference

}  // namespace ffnlp

#endif  // FFNLP_KERNELS_H_
