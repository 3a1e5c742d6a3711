// The integer kernel of 8-bit dense layers with an integer zero point
// (q8_row): the input vector is quantized once per call to int16, each
// output row is an exact integer dot product, and one float step scales it.
//
//   act_scale = max_i |in[i]| / 32767           (0 for an all-zero input)
//   a[i]      = round(in[i] * (32767 / max))    int16, |a[i]| <= 32767
//   dot[o]    = sum_i (q[o, i] - zero_point) * a[i]   exact integer
//   out[o]    = (row_scale[o] * act_scale) * float(dot[o]) + bias[o]
//
// The last line is three float operations in that order (no fused
// multiply-add), and float(dot) is the correctly rounded conversion of an
// exact integer, so every code path (scalar, SSE2, AVX2, NEON) gives the same
// bits: only the order of integer additions differs between them. On x86-64
// the paths are AVX-512 VNNI (512-bit vpdpwssd; with VBMI2 only the columns
// of non-zero activations when few are), AVX2 (vpmovzxbw, vpmaddwd, vpaddd) and
// SSE2, chosen per call by what the CPU has.
//
// No overflow: |q - zero_point| <= 255 (zero_point in [0, 255]; 128 for
// q8_row, so <= 128) and |a| <= 32767, so one product is at most
// 255 * 32767 = 8,355,585 in magnitude and 256 of them, 2,139,029,760, stay
// below 2^31 - 1 = 2,147,483,647. The kernels sum int32 over blocks of at
// most kIntBlock = 256 columns (with zero_point 128 up to 512 would fit) and
// add the block sums in int64: exact for any input length.
//
// Against the float-dequantizing kernel (dense_q8 in kernels.h, which stays
// as the reference the tolerance tests compare with): the only new error is
// rounding each activation to 1/65534 of the largest one; docs/PERFORMANCE.md
// states the measured differences on the shipped model and
// tests/runtime/test_dense_q8_int.cpp bounds them.
//
// Inputs holding NaN or an infinity give NaN outputs (the caller's finiteness
// check then reports them, as it did with the float kernel). Inputs whose
// largest magnitude is below kTinyInput count as all-zero (their share of
// any output is below 2^-96 times the weights), so the quantization scale
// never underflows.
#ifndef FFNLP_NETWORK_DENSE_Q8_INT_H_
#define FFNLP_NETWORK_DENSE_Q8_INT_H_

#include <cstddef>
#include <cstdint>

#include "file/byte_order.h"

namespace ffnlp {

constexpr uint32_t kIntBlock = 256;
// The sparse path (AVX-512 VBMI2): inputs of at most kSparseMaxIn columns
// with at most kSparseMaxNonzero non-zero activations multiply only those.
constexpr uint32_t kSparseMaxIn = 128;
constexpr uint32_t kSparseMaxNonzero = 64;
constexpr float kTinyInput = 1.2621774e-29f;  // 2^-96

// Quantizes in[0 .. n) into a[0 .. n); returns act_scale (0 for all-zero or
// tiny input, NaN when an input value is not finite; a is then all zero).
float quantize_activations(const float* in, uint32_t n, int16_t* a);

// out[o] for o < out_count from already quantized activations (see above).
// q (out_count, in_count) uint8 row-major, scales and bias little-endian f32.
void dense_q8_int(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                  const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);

// quantize_activations, then dense_q8_int: a q8_row layer. `a` is scratch of
// in_count int16 values (network/scratch.h, region `quantized`).
void dense_q8_int_layer(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                        const float* in, uint32_t in_count, int16_t* a, float* out, uint32_t out_count);

// Which path dense_q8_int takes on this CPU ("avx512-vnni", "avx2", "sse2",
// "neon", "scalar"), for the benchmark's report.
const char* dense_q8_int_path();

// The code paths behind dense_q8_int, for tests and the benchmark. A path not
// compiled in, or that this CPU cannot run, returns false and does nothing.
// The one float step every 8-bit integer path ends with (q8_row and q8_col
// alike): same operations, same order, so the same bits from the same exact
// integer dot product.
inline float q8_int_finish(const uint8_t* scales, const uint8_t* bias, uint32_t o, float act_scale, int64_t dot) {
  const float c = read_f32(scales + 4 * static_cast<size_t>(o)) * act_scale;
  return c * static_cast<float>(dot) + read_f32(bias + 4 * static_cast<size_t>(o));
}

namespace paths {
void dense_q8_int_scalar(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                         const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
bool dense_q8_int_sse2(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                       const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
bool dense_q8_int_avx2(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                       const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
bool dense_q8_int_avx512_vnni(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                              const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
// Only the columns with a non-zero activation (vpcompress, vpermt2b); false,
// nothing written, when the CPU cannot run it or the input does not qualify
// (see kSparseMaxIn). dense_q8_int tries it first.
bool dense_q8_int_avx512_sparse(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                                const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
bool dense_q8_int_avx512_sparse_usable();  // this CPU runs it
// AVX2: inputs of a multiple of 32 columns (at most kIntBlock), mostly zero
// activations; per row and 32 columns one load, and vpshufb picks the weights
// of up to 8 non-zero columns per 16 (more: two picks). False, nothing
// written, when the CPU cannot run it or the input does not qualify (not a
// multiple of 32, more than 256 columns, more than 7 picks per 4 windows).
bool dense_q8_int_avx2_sparse(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                              const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
bool dense_q8_int_neon(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                       const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
float quantize_activations_scalar(const float* in, uint32_t n, int16_t* a);
float quantize_activations_sse2_or_scalar(const float* in, uint32_t n, int16_t* a);
bool quantize_activations_avx512(const float* in, uint32_t n, int16_t* a, float* act_scale);
bool quantize_activations_avx2(const float* in, uint32_t n, int16_t* a, float* act_scale);
}  // namespace paths

namespace reference {
// The definition: plain loops, int64 sums.
float quantize_activations(const float* in, uint32_t n, int16_t* a);
void dense_q8_int(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                  const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count);
}  // namespace reference

}  // namespace ffnlp

#endif  // FFNLP_NETWORK_DENSE_Q8_INT_H_
