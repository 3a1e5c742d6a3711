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

#include "ffnlp/toolkit.h"
#include "file/byte_order.h"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#elif defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace ffnlp {

#if defined(__ARM_NEON) && defined(__aarch64__)
// The product as its own rounded value: GCC fuses vaddq_f32(a, vmulq_f32(b,
// c)) into one fmla even with -ffp-contract=off; an empty asm statement that
// "changes" the product keeps the multiply and the add apart, so the NEON
// paths round exactly like the reference (and like torch's dequantize).
inline float32x4_t separate_rounding(float32x4_t product) {
#if defined(__GNUC__) || defined(__clang__)
  __asm__("" : "+w"(product));
#endif
  return product;
}
#endif

// acc[j] += (q[j] - zero_point) * scale, j < dims: dequantization fused into
// accumulation; no float copy of the table is ever made. Bit-identical to the
// reference ((q - zero_point) is exact in float; one multiply, one add). Inline
// (below): it runs once per feature occurrence.
inline void accumulate_q8_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims);

// For r in rows[0 .. n), in that order: acc[j] += (q[r * dims + j] -
// zero_point) * scale_r, scale_r the r-th little-endian f32 of `scales`. The
// same float operations in the same order as n calls of accumulate_q8_row,
// so bit-identical; faster because the sums stay in registers and the rows'
// loads do not wait for each other (they are prefetched a few rows ahead).
// AVX2 when the CPU has it (no FMA: one multiply, one add, as the reference).
void accumulate_q8_rows(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                        const uint32_t* rows, uint32_t n, float* acc);

// One channel's part of accumulate_q8_rows_group: accumulate_q8_rows's
// arguments (bits 8), those of accumulate_q4_rows (bits 4: a q4_row or
// q4_row_bf16 table) or of accumulate_q3_rows (bits 3: q3_row_bf16).
struct Q8RowsJob {
  const uint8_t* q;
  const uint8_t* scales;
  int32_t zero_point;
  uint32_t dims;
  const uint32_t* rows;
  uint32_t n;
  float* acc;  // disjoint from every other job's acc
  uint32_t bits = 8;         // 8, 4 or 3: the table's values (a 16-wide row is 2 * bits bytes)
  uint32_t scale_bytes = 4;  // 4: f32 scales; 2: bfloat16 (q4_row_bf16 and q3_row_bf16)
};

// accumulate_q8_rows for each of jobs[0 .. count): bit for bit the same sums
// (each job's rows still added one after the other in order). With AVX2, up
// to four jobs of 16 dims run interleaved: four independent chains of adds
// instead of one, and four rows' loads in flight.
void accumulate_q8_rows_group(const Q8RowsJob* jobs, uint32_t count);

// acc[j] += (v[j] - zero_point) * scale for a q4_row row (dtype 5): v[j] the
// j-th 4-bit value of the packed bytes q (ffnlp/toolkit.h's q4_at). The same
// float operations as accumulate_q8_row on the unpacked values, so
// bit-identical to the reference. accumulate_q4_row16: dims 16 (8 bytes),
// language ID's table width, always inlined.
inline void accumulate_q4_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims);

// accumulate_q4_row for rows[0 .. n) of a q4_row table, in order; the
// 16-wide rows with the sums in registers (AVX2 or SSE2). Bit for bit n
// calls of accumulate_q4_row. scale_bytes 2: the scales are bfloat16
// (q4_row_bf16), each read as the float it is.
void accumulate_q4_rows(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                        const uint32_t* rows, uint32_t n, float* acc, uint32_t scale_bytes = 4);

// acc[j] += (v[j] - zero_point) * scale for a q3_row_bf16 row (dtype 7):
// v[j] the j-th 3-bit value of the packed bytes q (ffnlp/toolkit.h's q3_at).
// The same float operations as accumulate_q8_row on the unpacked values, so
// bit-identical to the reference. accumulate_q3_row16: dims 16 (6 bytes),
// always inlined.
inline void accumulate_q3_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims);

// accumulate_q3_row for rows[0 .. n) of a q3_row_bf16 table (bfloat16
// scales), in order; the 16-wide rows with the sums in registers (AVX2 or
// SSE2). Bit for bit n calls of accumulate_q3_row.
void accumulate_q3_rows(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                        const uint32_t* rows, uint32_t n, float* acc);

// acc[j] += row[j] for a little-endian f32 row. Bit-identical to the reference.
inline void accumulate_f32_row(const uint8_t* row, float* acc, uint32_t dims);

// acc[j] += (float(q[j]) - zero_point) * scale: a q8_row_fzp row (dtype 3,
// PyTorch's per_channel_affine_float_qparams), each value computed exactly
// as torch's dequantize() does (float subtract, float multiply, no fused
// multiply-add), then added. Bit-identical to the reference.
inline void accumulate_q8f_row(const uint8_t* q, float scale, float zero_point, float* acc, uint32_t dims);

// out[o] = bias[o] + sum_i weights[o, i] * in[i]; weights (out, in) row-major,
// weights and bias little-endian f32 in the model bytes.
void dense(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
           uint32_t out_count);

// 8-bit dense layer, dequantized inside the kernel (no float copy of the
// weights): out[o] = bias[o] + scale[o] * sum_i (q[o, i] - zp[o]) * in[i].
// Inference uses it for q8_row_fzp layers; q8_row layers take the integer
// kernel (dense_q8_int.h), and this one (its reference loop) stays as the
// float baseline the integer kernel's tolerance is measured against.
// q (out, in) uint8 row-major, scale[o] little-endian f32, zp[o] the row's
// f32 zero point from row_zero_points (q8_row_fzp) or, when that is null,
// `zero_point` (q8_row's integer zero point).
void dense_q8(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
              const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count);

void relu(float* values, uint32_t count);

// values[i] += the i-th little-endian f32 of `bytes` (a stored vector such
// as the log prior). One add each: bit-identical to the plain loop.
void add_f32_values(const uint8_t* bytes, float* values, uint32_t count);

// In place; subtracts the maximum first so large logits cannot overflow.
// The optimised kernel uses a polynomial exp (relative error < 2e-7 over the
// range softmax uses; arguments below -87 give 0 or a value below 1e-37).
void softmax(float* values, uint32_t count);

// The largest of values[0 .. count), count >= 1.
float max_value(const float* values, uint32_t count);

// sum_i exp(values[i] - max), the softmax normaliser, with the same exp as
// softmax() (max >= every value).
float sum_exp(const float* values, uint32_t count, float max);

// False when any value is NaN or infinite.
bool all_finite(const float* values, uint32_t count);

// The index of the first largest value of values[0 .. count), count >= 1
// (no NaN: callers check all_finite first).
uint32_t argmax(const float* values, uint32_t count);

// The index of the first value equal to `value`, or count when none is.
uint32_t first_index_of(const float* values, uint32_t count, float value);

// add_f32_values(bytes, values, count) (nothing added when bytes is null),
// all_finite and max_value in one pass: false when a value is not finite,
// else true with the largest value in *max (count >= 1). The values are
// add_f32_values's bit for bit; *max equals max_value's.
bool add_finite_max(const uint8_t* bytes, float* values, uint32_t count, float* max);

// Which code path the optimised kernels take on this CPU, e.g. "avx2+fma",
// "sse2", "neon", "scalar" (for the benchmark's report).
const char* kernel_path();

// The individual code paths behind dense() and the softmax exp, for tests
// and the benchmark. A path that is not compiled in, or that this CPU cannot
// run, returns false and does nothing.
namespace paths {
bool dense_neon(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
                uint32_t out_count);  // AArch64: 4 lanes x 4 accumulators, FMA
void dense_q8_portable(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
                       const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count);
bool dense_q8_sse2(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
                   const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count);
bool dense_q8_avx2(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
                   const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count);
bool dense_q8_neon(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
                   const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count);
void dense_portable(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
                    uint32_t out_count);  // 8 partial sums, plain C++
bool dense_sse2(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
                uint32_t out_count);  // 4 rows x 4 lanes
bool dense_avx2(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
                uint32_t out_count);  // 8 rows x 8 lanes, FMA
bool dense_q8_avx2_one_row(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
                           const uint8_t* bias, const float* in, uint32_t in_count, float* out,
                           uint32_t out_count);  // the former AVX2 kernel, one row at a time (bench, tests)
void accumulate_q8_rows_sse2_or_scalar(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                                       const uint32_t* rows, uint32_t n, float* acc);
bool accumulate_q8_rows_avx2(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                             const uint32_t* rows, uint32_t n, float* acc);
bool accumulate_q8_rows_group_avx2(const Q8RowsJob* jobs, uint32_t count);
void accumulate_q4_rows_sse2_or_scalar(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                                       const uint32_t* rows, uint32_t n, float* acc, uint32_t scale_bytes = 4);
bool accumulate_q4_rows_avx2(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                             const uint32_t* rows, uint32_t n, float* acc, uint32_t scale_bytes = 4);
void accumulate_q3_rows_sse2_or_scalar(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                                       const uint32_t* rows, uint32_t n, float* acc);
bool accumulate_q3_rows_avx2(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                             const uint32_t* rows, uint32_t n, float* acc);
void accumulate_q8_rows_group_sse2_or_scalar(const Q8RowsJob* jobs, uint32_t count);  // one job at a time
bool accumulate_q8_rows_group_avx512(const Q8RowsJob* jobs, uint32_t count);  // 16 dims in one register
float sum_exp_sse2_or_scalar(const float* values, uint32_t count, float max);
bool sum_exp_avx2(const float* values, uint32_t count, float max, float* sum);
bool sum_exp_avx512(const float* values, uint32_t count, float max, float* sum);  // bit for bit sum_exp_avx2
bool add_finite_max_avx512(const uint8_t* bytes, float* values, uint32_t count, float* max, bool* finite);
bool add_finite_max_avx2(const uint8_t* bytes, float* values, uint32_t count, float* max, bool* finite);
}  // namespace paths

namespace reference {
void accumulate_q8_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims);
void accumulate_f32_row(const uint8_t* row, float* acc, uint32_t dims);
void accumulate_q8_rows(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                        const uint32_t* rows, uint32_t n, float* acc);
void accumulate_q8f_row(const uint8_t* q, float scale, float zero_point, float* acc, uint32_t dims);
void accumulate_q4_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims);
void accumulate_q3_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims);
void dense(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
           uint32_t out_count);
void dense_q8(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
              const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count);
void relu(float* values, uint32_t count);
void softmax(float* values, uint32_t count);
float max_value(const float* values, uint32_t count);
float sum_exp(const float* values, uint32_t count, float max);
bool all_finite(const float* values, uint32_t count);
uint32_t argmax(const float* values, uint32_t count);
bool add_finite_max(const uint8_t* bytes, float* values, uint32_t count, float* max);
}  // namespace reference

// ---- inline kernels ----------------------------------------------------------

inline void accumulate_q8_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims) {
  uint32_t j = 0;
#if defined(__SSE2__) || defined(_M_X64)
  const __m128 s = _mm_set1_ps(scale);
  const __m128i zp = _mm_set1_epi16(static_cast<int16_t>(zero_point));
  const __m128i zero = _mm_setzero_si128();
  for (; j + 16 <= dims; j += 16) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + j));
    const __m128i lo = _mm_sub_epi16(_mm_unpacklo_epi8(b, zero), zp);
    const __m128i hi = _mm_sub_epi16(_mm_unpackhi_epi8(b, zero), zp);
    const __m128 f0 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(lo, lo), 16));
    const __m128 f1 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(lo, lo), 16));
    const __m128 f2 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(hi, hi), 16));
    const __m128 f3 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(hi, hi), 16));
    _mm_storeu_ps(acc + j, _mm_add_ps(_mm_loadu_ps(acc + j), _mm_mul_ps(f0, s)));
    _mm_storeu_ps(acc + j + 4, _mm_add_ps(_mm_loadu_ps(acc + j + 4), _mm_mul_ps(f1, s)));
    _mm_storeu_ps(acc + j + 8, _mm_add_ps(_mm_loadu_ps(acc + j + 8), _mm_mul_ps(f2, s)));
    _mm_storeu_ps(acc + j + 12, _mm_add_ps(_mm_loadu_ps(acc + j + 12), _mm_mul_ps(f3, s)));
  }
  for (; j + 8 <= dims; j += 8) {
    const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + j));
    const __m128i lo = _mm_sub_epi16(_mm_unpacklo_epi8(b, zero), zp);
    const __m128 f0 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(lo, lo), 16));
    const __m128 f1 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(lo, lo), 16));
    _mm_storeu_ps(acc + j, _mm_add_ps(_mm_loadu_ps(acc + j), _mm_mul_ps(f0, s)));
    _mm_storeu_ps(acc + j + 4, _mm_add_ps(_mm_loadu_ps(acc + j + 4), _mm_mul_ps(f1, s)));
  }
#elif defined(__ARM_NEON) && defined(__aarch64__)
  const float32x4_t s = vdupq_n_f32(scale);
  const int16x8_t zp = vdupq_n_s16(static_cast<int16_t>(zero_point));
  for (; j + 8 <= dims; j += 8) {
    const int16x8_t v = vsubq_s16(vreinterpretq_s16_u16(vmovl_u8(vld1_u8(q + j))), zp);
    const float32x4_t f0 = vcvtq_f32_s32(vmovl_s16(vget_low_s16(v)));
    const float32x4_t f1 = vcvtq_f32_s32(vmovl_s16(vget_high_s16(v)));
    vst1q_f32(acc + j, vaddq_f32(vld1q_f32(acc + j), separate_rounding(vmulq_f32(f0, s))));
    vst1q_f32(acc + j + 4, vaddq_f32(vld1q_f32(acc + j + 4), separate_rounding(vmulq_f32(f1, s))));
  }
#endif
  for (; j < dims; ++j) acc[j] += static_cast<float>(static_cast<int32_t>(q[j]) - zero_point) * scale;
}

#if defined(__GNUC__) || defined(__clang__)
#define FFNLP_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define FFNLP_ALWAYS_INLINE inline
#endif

#if defined(__SSE2__) || defined(_M_X64)
// acc[j] += (b[j] - zero_point) * scale for the 16 bytes of b, j < 16:
// accumulate_q8_row's 16-value step.
FFNLP_ALWAYS_INLINE void accumulate_u8x16(__m128i b, float scale, int32_t zero_point, float* acc) {
  const __m128 s = _mm_set1_ps(scale);
  const __m128i zp = _mm_set1_epi16(static_cast<int16_t>(zero_point));
  const __m128i zero = _mm_setzero_si128();
  const __m128i lo = _mm_sub_epi16(_mm_unpacklo_epi8(b, zero), zp);
  const __m128i hi = _mm_sub_epi16(_mm_unpackhi_epi8(b, zero), zp);
  const __m128 f0 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(lo, lo), 16));
  const __m128 f1 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(lo, lo), 16));
  const __m128 f2 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(hi, hi), 16));
  const __m128 f3 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(hi, hi), 16));
  _mm_storeu_ps(acc, _mm_add_ps(_mm_loadu_ps(acc), _mm_mul_ps(f0, s)));
  _mm_storeu_ps(acc + 4, _mm_add_ps(_mm_loadu_ps(acc + 4), _mm_mul_ps(f1, s)));
  _mm_storeu_ps(acc + 8, _mm_add_ps(_mm_loadu_ps(acc + 8), _mm_mul_ps(f2, s)));
  _mm_storeu_ps(acc + 12, _mm_add_ps(_mm_loadu_ps(acc + 12), _mm_mul_ps(f3, s)));
}
#endif

// accumulate_q8_row for the common row width 16, for the per-feature sink:
// always inlined, no loop. Same arithmetic, so bit-identical.
FFNLP_ALWAYS_INLINE void accumulate_q8_row16(const uint8_t* q, float scale, int32_t zero_point, float* acc) {
#if defined(__SSE2__) || defined(_M_X64)
  accumulate_u8x16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)), scale, zero_point, acc);
#else
  accumulate_q8_row(q, scale, zero_point, acc, 16);
#endif
}

#if defined(__SSE2__) || defined(_M_X64)
// 8 packed q4_row bytes -> their 16 values, one per byte, low nibble first.
FFNLP_ALWAYS_INLINE __m128i q4_unpack16(const uint8_t* p) {
  const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  const __m128i mask = _mm_set1_epi8(0x0F);
  return _mm_unpacklo_epi8(_mm_and_si128(b, mask), _mm_and_si128(_mm_srli_epi16(b, 4), mask));
}
#endif

#if defined(__SSE2__) || defined(_M_X64)
// 6 packed q3_row_bf16 bytes -> their 16 values, one per byte. Two 4-byte
// loads inside the row, none past it: bytes 0..3 (values 0..7 in bits
// 0..23; the bits above are dropped by the masks) and bytes 2..5 shifted
// down a byte (values 8..15 in bits 0..23), one in each 64-bit half. Each
// half's 24 bits are then halved three times: 12 bits to each 32-bit
// quarter, 6 to each 16-bit eighth, 3 to each byte.
FFNLP_ALWAYS_INLINE __m128i q3_unpack16(const uint8_t* p) {
  const uint32_t lo = read_u32(p), hi = read_u32(p + 2) >> 8;
  __m128i v = _mm_unpacklo_epi64(_mm_cvtsi32_si128(static_cast<int>(lo)), _mm_cvtsi32_si128(static_cast<int>(hi)));
  v = _mm_or_si128(_mm_and_si128(v, _mm_set1_epi64x(0xFFF)),
                   _mm_and_si128(_mm_slli_epi64(v, 20), _mm_set1_epi64x(0xFFF00000000LL)));
  v = _mm_or_si128(_mm_and_si128(v, _mm_set1_epi32(0x3F)), _mm_and_si128(_mm_slli_epi32(v, 10), _mm_set1_epi32(0x3F0000)));
  return _mm_or_si128(_mm_and_si128(v, _mm_set1_epi16(0x07)), _mm_and_si128(_mm_slli_epi16(v, 5), _mm_set1_epi16(0x0700)));
}
#endif

// Value j of a packed row of Bits (4: q4_row, 3: q3_row_bf16).
template <uint32_t Bits>
FFNLP_ALWAYS_INLINE uint8_t packed_at(const uint8_t* q, uint32_t j) {
  return Bits == 3 ? q3_at(q, j) : q4_at(q, j);
}

// The 16 values of a packed row of Bits (2 * Bits bytes), unpacked one per
// byte, then added as a q8 row: the same float operations.
template <uint32_t Bits>
FFNLP_ALWAYS_INLINE void accumulate_packed_row16(const uint8_t* q, float scale, int32_t zero_point, float* acc) {
#if defined(__SSE2__) || defined(_M_X64)
  accumulate_u8x16(Bits == 3 ? q3_unpack16(q) : q4_unpack16(q), scale, zero_point, acc);
#else
  uint8_t values[16];
  for (uint32_t j = 0; j < 16; ++j) values[j] = packed_at<Bits>(q, j);
  accumulate_q8_row(values, scale, zero_point, acc, 16);
#endif
}

// accumulate_q4_row (Bits 4) and accumulate_q3_row (Bits 3): each 16 values
// are 2 * Bits whole bytes.
template <uint32_t Bits>
inline void accumulate_packed_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims) {
  uint32_t j = 0;
  for (; j + 16 <= dims; j += 16) accumulate_packed_row16<Bits>(q + j / 16 * 2 * Bits, scale, zero_point, acc + j);
  for (; j < dims; ++j) acc[j] += static_cast<float>(static_cast<int32_t>(packed_at<Bits>(q, j)) - zero_point) * scale;
}

FFNLP_ALWAYS_INLINE void accumulate_q4_row16(const uint8_t* q, float scale, int32_t zero_point, float* acc) {
  accumulate_packed_row16<4>(q, scale, zero_point, acc);
}
inline void accumulate_q4_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims) {
  accumulate_packed_row<4>(q, scale, zero_point, acc, dims);
}
FFNLP_ALWAYS_INLINE void accumulate_q3_row16(const uint8_t* q, float scale, int32_t zero_point, float* acc) {
  accumulate_packed_row16<3>(q, scale, zero_point, acc);
}
inline void accumulate_q3_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims) {
  accumulate_packed_row<3>(q, scale, zero_point, acc, dims);
}

inline void accumulate_q8f_row(const uint8_t* q, float scale, float zero_point, float* acc, uint32_t dims) {
  uint32_t j = 0;
#if defined(__SSE2__) || defined(_M_X64)
  const __m128 s = _mm_set1_ps(scale);
  const __m128 zp = _mm_set1_ps(zero_point);
  const __m128i zero = _mm_setzero_si128();
  for (; j + 8 <= dims; j += 8) {
    const __m128i b = _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + j)), zero);
    const __m128 f0 = _mm_cvtepi32_ps(_mm_unpacklo_epi16(b, zero));
    const __m128 f1 = _mm_cvtepi32_ps(_mm_unpackhi_epi16(b, zero));
    _mm_storeu_ps(acc + j, _mm_add_ps(_mm_loadu_ps(acc + j), _mm_mul_ps(_mm_sub_ps(f0, zp), s)));
    _mm_storeu_ps(acc + j + 4, _mm_add_ps(_mm_loadu_ps(acc + j + 4), _mm_mul_ps(_mm_sub_ps(f1, zp), s)));
  }
#elif defined(__ARM_NEON) && defined(__aarch64__)
  const float32x4_t s = vdupq_n_f32(scale);
  const float32x4_t zp = vdupq_n_f32(zero_point);
  for (; j + 8 <= dims; j += 8) {
    const uint16x8_t v = vmovl_u8(vld1_u8(q + j));
    const float32x4_t f0 = vcvtq_f32_u32(vmovl_u16(vget_low_u16(v)));
    const float32x4_t f1 = vcvtq_f32_u32(vmovl_u16(vget_high_u16(v)));
    vst1q_f32(acc + j, vaddq_f32(vld1q_f32(acc + j), separate_rounding(vmulq_f32(vsubq_f32(f0, zp), s))));
    vst1q_f32(acc + j + 4, vaddq_f32(vld1q_f32(acc + j + 4), separate_rounding(vmulq_f32(vsubq_f32(f1, zp), s))));
  }
#endif
  for (; j < dims; ++j) {
    const float value = (static_cast<float>(q[j]) - zero_point) * scale;
    acc[j] += value;
  }
}

inline void accumulate_f32_row(const uint8_t* row, float* acc, uint32_t dims) {
  uint32_t j = 0;
#if defined(__SSE2__) || defined(_M_X64)
  for (; j + 4 <= dims; j += 4) {
    _mm_storeu_ps(acc + j, _mm_add_ps(_mm_loadu_ps(acc + j), _mm_loadu_ps(reinterpret_cast<const float*>(row + 4 * j))));
  }
#endif
  for (; j < dims; ++j) acc[j] += read_f32(row + 4 * j);
}

}  // namespace ffnlp

#endif  // FFNLP_KERNELS_H_
