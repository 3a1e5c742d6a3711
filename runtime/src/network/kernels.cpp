#include "network/kernels.h"

#include <cmath>
#include <cstring>

#include "file/byte_order.h"

#if defined(__SSE2__) || defined(_M_X64)
#define FFNLP_SSE2 1
#include <emmintrin.h>
#endif
#if defined(FFNLP_SSE2) && (defined(__GNUC__) || defined(__clang__)) && !defined(FFNLP_NO_AVX2)
#define FFNLP_AVX2 1
#include <immintrin.h>
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
#define FFNLP_NEON 1
#include <arm_neon.h>
#endif

namespace ffnlp {

// ---- reference: the plain loops, the definition of each operation ---------
namespace reference {

void accumulate_q8_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims) {
  for (uint32_t j = 0; j < dims; ++j) acc[j] += static_cast<float>(static_cast<int32_t>(q[j]) - zero_point) * scale;
}

void accumulate_f32_row(const uint8_t* row, float* acc, uint32_t dims) {
  for (uint32_t j = 0; j < dims; ++j) acc[j] += read_f32(row + 4 * j);
}

void accumulate_q8_rows(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                        const uint32_t* rows, uint32_t n, float* acc) {
  for (uint32_t i = 0; i < n; ++i) {
    accumulate_q8_row(q + static_cast<size_t>(rows[i]) * dims, read_f32(scales + 4 * static_cast<size_t>(rows[i])),
                      zero_point, acc, dims);
  }
}

void accumulate_q8f_row(const uint8_t* q, float scale, float zero_point, float* acc, uint32_t dims) {
  for (uint32_t j = 0; j < dims; ++j) acc[j] += (static_cast<float>(q[j]) - zero_point) * scale;
}

void accumulate_q4_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims) {
  for (uint32_t j = 0; j < dims; ++j) acc[j] += static_cast<float>(static_cast<int32_t>(q4_at(q, j)) - zero_point) * scale;
}

void accumulate_q3_row(const uint8_t* q, float scale, int32_t zero_point, float* acc, uint32_t dims) {
  for (uint32_t j = 0; j < dims; ++j) acc[j] += static_cast<float>(static_cast<int32_t>(q3_at(q, j)) - zero_point) * scale;
}

void dense_q8(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
              const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count) {
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = q + static_cast<size_t>(o) * in_count;
    const float zp = row_zero_points != nullptr ? read_f32(row_zero_points + 4 * static_cast<size_t>(o)) : zero_point;
    float sum = 0.0f;
    for (uint32_t i = 0; i < in_count; ++i) sum += (static_cast<float>(w[i]) - zp) * in[i];
    out[o] = read_f32(bias + 4 * static_cast<size_t>(o)) + read_f32(scales + 4 * static_cast<size_t>(o)) * sum;
  }
}

void dense(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
           uint32_t out_count) {
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = weights + static_cast<size_t>(o) * in_count * 4;
    float sum = 0.0f;
    for (uint32_t i = 0; i < in_count; ++i) sum += read_f32(w + 4 * i) * in[i];
    out[o] = read_f32(bias + 4 * static_cast<size_t>(o)) + sum;
  }
}

void relu(float* values, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) values[i] = values[i] > 0.0f ? values[i] : 0.0f;
}

void softmax(float* values, uint32_t count) {
  if (count == 0) return;
  float max_value = values[0];
  for (uint32_t i = 1; i < count; ++i) max_value = values[i] > max_value ? values[i] : max_value;
  float sum = 0.0f;
  for (uint32_t i = 0; i < count; ++i) {
    values[i] = std::exp(values[i] - max_value);
    sum += values[i];
  }
  const float inv = 1.0f / sum;  // sum >= 1: the maximum contributes exp(0)
  for (uint32_t i = 0; i < count; ++i) values[i] *= inv;
}

float max_value(const float* values, uint32_t count) {
  float m = values[0];
  for (uint32_t i = 1; i < count; ++i) m = values[i] > m ? values[i] : m;
  return m;
}

float sum_exp(const float* values, uint32_t count, float max) {
  float sum = 0.0f;
  for (uint32_t i = 0; i < count; ++i) sum += std::exp(values[i] - max);
  return sum;
}

bool all_finite(const float* values, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i])) return false;
  }
  return true;
}

bool add_finite_max(const uint8_t* bytes, float* values, uint32_t count, float* max) {
  if (bytes != nullptr) {
    for (uint32_t i = 0; i < count; ++i) values[i] += read_f32(bytes + 4 * static_cast<size_t>(i));
  }
  if (!all_finite(values, count)) return false;
  *max = max_value(values, count);
  return true;
}

uint32_t argmax(const float* values, uint32_t count) {
  uint32_t best = 0;
  for (uint32_t i = 1; i < count; ++i) best = values[i] > values[best] ? i : best;
  return best;
}

}  // namespace reference

namespace {

#if defined(FFNLP_AVX2)
bool has_avx2_fma() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
#endif

// A q4 or q3 job of accumulate_q8_rows_group (bits 4 or 3) through its SSE2
// (or scalar) batch loop.
void packed_job_sse2_or_scalar(const Q8RowsJob& j) {
  if (j.bits == 3) {
    paths::accumulate_q3_rows_sse2_or_scalar(j.q, j.scales, j.zero_point, j.dims, j.rows, j.n, j.acc);
  } else {
    paths::accumulate_q4_rows_sse2_or_scalar(j.q, j.scales, j.zero_point, j.dims, j.rows, j.n, j.acc, j.scale_bytes);
  }
}

// exp(x) for x <= 0 (softmax after subtracting the maximum), Cephes expf:
// x = n ln2 + r, |r| <= ln2/2, exp(r) = 1 + r + r^2 P(r), then scale by 2^n
// through the exponent bits. x is clamped at -87 (2^n stays a normal float).
constexpr float kExpLow = -87.0f;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f,
                kP3 = 4.1665795894e-2f, kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;

float exp_poly(float x) {
  x = x < kExpLow ? kExpLow : x;
  const float n = std::floor(x * kLog2e + 0.5f);
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;
  float p = kP0;
  p = p * r + kP1;
  p = p * r + kP2;
  p = p * r + kP3;
  p = p * r + kP4;
  p = p * r + kP5;
  const float e = (p * r * r + r) + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float two_n;
  std::memcpy(&two_n, &bits, 4);
  return e * two_n;
}

#if defined(FFNLP_SSE2)
constexpr uint32_t kRowsAhead = 12;  // rows prefetched ahead by accumulate_q8_rows

// dims: a row's bytes; scale_bytes: a scale's (4: f32, 2: bfloat16).
inline void prefetch_one(const uint8_t* q, const uint8_t* scales, uint32_t dims, uint32_t r, uint32_t scale_bytes) {
  _mm_prefetch(reinterpret_cast<const char*>(q + static_cast<size_t>(r) * dims), _MM_HINT_T0);
  _mm_prefetch(reinterpret_cast<const char*>(scales + scale_bytes * static_cast<size_t>(r)), _MM_HINT_T0);
}

// The first kRowsAhead rows of a batch, before its loop starts.
inline void prefetch_first(const uint8_t* q, const uint8_t* scales, uint32_t dims, const uint32_t* rows, uint32_t n,
                           uint32_t scale_bytes = 4) {
  for (uint32_t i = 0; i < n && i < kRowsAhead; ++i) prefetch_one(q, scales, dims, rows[i], scale_bytes);
}

inline void prefetch_row(const uint8_t* q, const uint8_t* scales, uint32_t dims, const uint32_t* rows, uint32_t n,
                         uint32_t i, uint32_t scale_bytes = 4) {
  if (i + kRowsAhead < n) prefetch_one(q, scales, dims, rows[i + kRowsAhead], scale_bytes);
}

// Little-endian f32 from possibly unaligned model bytes (x86 is little-endian).
inline __m128 load4(const uint8_t* p) { return _mm_loadu_ps(reinterpret_cast<const float*>(p)); }

// The columns [from, to) past the last full vector, for four rows at once.
inline __m128 tail4(const uint8_t* w0, const uint8_t* w1, const uint8_t* w2, const uint8_t* w3, const float* in,
                    uint32_t from, uint32_t to) {
  float tail[4] = {0, 0, 0, 0};
  for (uint32_t i = from; i < to; ++i) {
    tail[0] += read_f32(w0 + 4 * i) * in[i];
    tail[1] += read_f32(w1 + 4 * i) * in[i];
    tail[2] += read_f32(w2 + 4 * i) * in[i];
    tail[3] += read_f32(w3 + 4 * i) * in[i];
  }
  return _mm_loadu_ps(tail);
}

inline __m128 hsum4(__m128 a, __m128 b, __m128 c, __m128 d) {  // {sum a, sum b, sum c, sum d}
  const __m128 ab_lo = _mm_unpacklo_ps(a, b), ab_hi = _mm_unpackhi_ps(a, b);
  const __m128 cd_lo = _mm_unpacklo_ps(c, d), cd_hi = _mm_unpackhi_ps(c, d);
  const __m128 ab = _mm_add_ps(ab_lo, ab_hi);  // a0+a2 b0+b2 a1+a3 b1+b3
  const __m128 cd = _mm_add_ps(cd_lo, cd_hi);
  return _mm_add_ps(_mm_movelh_ps(ab, cd), _mm_movehl_ps(cd, ab));
}

inline __m128 exp_poly4(__m128 x) {
  x = _mm_max_ps(x, _mm_set1_ps(kExpLow));
  const __m128 t = _mm_add_ps(_mm_mul_ps(x, _mm_set1_ps(kLog2e)), _mm_set1_ps(0.5f));
  __m128i ni = _mm_cvttps_epi32(t);  // floor: t > -127, truncation rounds up for negatives
  __m128 n = _mm_cvtepi32_ps(ni);
  const __m128 fix = _mm_and_ps(_mm_cmpgt_ps(n, t), _mm_set1_ps(1.0f));
  n = _mm_sub_ps(n, fix);
  ni = _mm_cvttps_epi32(n);
  const __m128 r = _mm_sub_ps(_mm_sub_ps(x, _mm_mul_ps(n, _mm_set1_ps(kLn2Hi))), _mm_mul_ps(n, _mm_set1_ps(kLn2Lo)));
  __m128 p = _mm_set1_ps(kP0);
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kP1));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kP2));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kP3));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kP4));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kP5));
  const __m128 e = _mm_add_ps(_mm_add_ps(_mm_mul_ps(_mm_mul_ps(p, r), r), r), _mm_set1_ps(1.0f));
  const __m128i bits = _mm_slli_epi32(_mm_add_epi32(ni, _mm_set1_epi32(127)), 23);
  return _mm_mul_ps(e, _mm_castsi128_ps(bits));
}
#endif

#if defined(FFNLP_AVX2)
__attribute__((target("avx2,fma"))) inline __m256 load8(const uint8_t* p) {
  return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
}

__attribute__((target("avx2,fma"))) inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) void dense_avx2_fma(const uint8_t* weights, const uint8_t* bias, const float* in,
                                                     uint32_t in_count, float* out, uint32_t out_count) {
  const size_t stride = static_cast<size_t>(in_count) * 4;
  const uint32_t in8 = in_count & ~7u;
  uint32_t o = 0;
  // Eight rows at a time: eight independent FMA chains (enough to cover the
  // FMA latency on two units), and each input vector loaded once per 8 rows.
  for (; o + 8 <= out_count; o += 8) {
    const uint8_t* w = weights + o * stride;
    // Written out by hand: GCC -O2 keeps an accumulator array in memory.
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const uint8_t* w0 = w;
    for (uint32_t i = 0; i < in8; i += 8, w0 += 32) {
      const __m256 x = _mm256_loadu_ps(in + i);
      a0 = _mm256_fmadd_ps(load8(w0), x, a0);
      a1 = _mm256_fmadd_ps(load8(w0 + stride), x, a1);
      a2 = _mm256_fmadd_ps(load8(w0 + 2 * stride), x, a2);
      a3 = _mm256_fmadd_ps(load8(w0 + 3 * stride), x, a3);
      a4 = _mm256_fmadd_ps(load8(w0 + 4 * stride), x, a4);
      a5 = _mm256_fmadd_ps(load8(w0 + 5 * stride), x, a5);
      a6 = _mm256_fmadd_ps(load8(w0 + 6 * stride), x, a6);
      a7 = _mm256_fmadd_ps(load8(w0 + 7 * stride), x, a7);
    }
#define FFNLP_HALVES(v) _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))
    __m128 lo = hsum4(FFNLP_HALVES(a0), FFNLP_HALVES(a1), FFNLP_HALVES(a2), FFNLP_HALVES(a3));
    __m128 hi = hsum4(FFNLP_HALVES(a4), FFNLP_HALVES(a5), FFNLP_HALVES(a6), FFNLP_HALVES(a7));
#undef FFNLP_HALVES
    if (in8 != in_count) {
      float tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      for (int r = 0; r < 8; ++r) {
        for (uint32_t i = in8; i < in_count; ++i) tail[r] += read_f32(w + r * stride + 4 * i) * in[i];
      }
      lo = _mm_add_ps(lo, _mm_loadu_ps(tail));
      hi = _mm_add_ps(hi, _mm_loadu_ps(tail + 4));
    }
    _mm_storeu_ps(out + o, _mm_add_ps(lo, load4(bias + 4 * o)));
    _mm_storeu_ps(out + o + 4, _mm_add_ps(hi, load4(bias + 4 * (o + 4))));
  }
  for (; o + 4 <= out_count; o += 4) {
    const uint8_t* w0 = weights + o * stride;
    const uint8_t* w1 = w0 + stride;
    const uint8_t* w2 = w1 + stride;
    const uint8_t* w3 = w2 + stride;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (uint32_t i = 0; i < in8; i += 8) {
      const __m256 x = _mm256_loadu_ps(in + i);
      a0 = _mm256_fmadd_ps(load8(w0 + 4 * i), x, a0);
      a1 = _mm256_fmadd_ps(load8(w1 + 4 * i), x, a1);
      a2 = _mm256_fmadd_ps(load8(w2 + 4 * i), x, a2);
      a3 = _mm256_fmadd_ps(load8(w3 + 4 * i), x, a3);
    }
    const __m128 lo0 = _mm_add_ps(_mm256_castps256_ps128(a0), _mm256_extractf128_ps(a0, 1));
    const __m128 lo1 = _mm_add_ps(_mm256_castps256_ps128(a1), _mm256_extractf128_ps(a1, 1));
    const __m128 lo2 = _mm_add_ps(_mm256_castps256_ps128(a2), _mm256_extractf128_ps(a2, 1));
    const __m128 lo3 = _mm_add_ps(_mm256_castps256_ps128(a3), _mm256_extractf128_ps(a3, 1));
    __m128 sums = hsum4(lo0, lo1, lo2, lo3);
    if (in8 != in_count) sums = _mm_add_ps(sums, tail4(w0, w1, w2, w3, in, in8, in_count));
    _mm_storeu_ps(out + o, _mm_add_ps(sums, load4(bias + 4 * o)));
  }
  for (; o < out_count; ++o) {
    const uint8_t* w = weights + o * stride;
    __m256 a = _mm256_setzero_ps();
    for (uint32_t i = 0; i < in8; i += 8) a = _mm256_fmadd_ps(load8(w + 4 * i), _mm256_loadu_ps(in + i), a);
    float sum = hsum8(a);
    for (uint32_t i = in8; i < in_count; ++i) sum += read_f32(w + 4 * i) * in[i];
    out[o] = read_f32(bias + 4 * o) + sum;
  }
  _mm256_zeroupper();  // clean upper halves for the SSE code that follows
}

// 8-bit rows, four at a time: per row exactly the arithmetic of
// dense_q8_avx2_fma_one_row below (two 8-lane FMA chains over 16 weights per
// step, halves added, then the pairs as hsum8 adds them, the tail, bias +
// scale * sum), so the results are bit-identical to it; each input vector
// is loaded once per four rows and the four rows' chains overlap.
__attribute__((target("avx2,fma"))) void dense_q8_avx2_fma(const uint8_t* q, const uint8_t* scales,
                                                         const uint8_t* row_zero_points, float zero_point,
                                                         const uint8_t* bias, const float* in, uint32_t in_count,
                                                         float* out, uint32_t out_count) {
  const uint32_t in16 = in_count & ~15u;
  const size_t stride = in_count;
  uint32_t o = 0;
  for (; o + 4 <= out_count; o += 4) {
    const uint8_t* w = q + static_cast<size_t>(o) * stride;
    float zp_value[4];
    for (int r = 0; r < 4; ++r) {
      zp_value[r] = row_zero_points != nullptr ? read_f32(row_zero_points + 4 * static_cast<size_t>(o + r)) : zero_point;
    }
    const __m256 zp0 = _mm256_set1_ps(zp_value[0]), zp1 = _mm256_set1_ps(zp_value[1]);
    const __m256 zp2 = _mm256_set1_ps(zp_value[2]), zp3 = _mm256_set1_ps(zp_value[3]);
    __m256 a0 = _mm256_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
    for (uint32_t i = 0; i < in16; i += 16) {
      const __m256 x0 = _mm256_loadu_ps(in + i), x1 = _mm256_loadu_ps(in + i + 8);
#define FFNLP_Q8_ROW(r, a, b, zp)                                                                               \
  {                                                                                                           \
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + (r) * stride + i));                \
    a = _mm256_fmadd_ps(_mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(v)), zp), x0, a);              \
    b = _mm256_fmadd_ps(_mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(v, 8))), zp), x1, \
                        b);                                                                                   \
  }
      FFNLP_Q8_ROW(0, a0, b0, zp0)
      FFNLP_Q8_ROW(1, a1, b1, zp1)
      FFNLP_Q8_ROW(2, a2, b2, zp2)
      FFNLP_Q8_ROW(3, a3, b3, zp3)
#undef FFNLP_Q8_ROW
    }
#define FFNLP_HALVES(v) _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))
    const __m128 sums = hsum4(FFNLP_HALVES(_mm256_add_ps(a0, b0)), FFNLP_HALVES(_mm256_add_ps(a1, b1)),
                              FFNLP_HALVES(_mm256_add_ps(a2, b2)), FFNLP_HALVES(_mm256_add_ps(a3, b3)));
#undef FFNLP_HALVES
    float sum[4];
    _mm_storeu_ps(sum, sums);
    for (int r = 0; r < 4; ++r) {
      const uint8_t* wr = w + r * stride;
      for (uint32_t i = in16; i < in_count; ++i) sum[r] += (static_cast<float>(wr[i]) - zp_value[r]) * in[i];
      out[o + r] = read_f32(bias + 4 * static_cast<size_t>(o + r)) + read_f32(scales + 4 * static_cast<size_t>(o + r)) * sum[r];
    }
  }
  for (; o < out_count; ++o) {
    const uint8_t* w = q + static_cast<size_t>(o) * stride;
    const float zp_value =
        row_zero_points != nullptr ? read_f32(row_zero_points + 4 * static_cast<size_t>(o)) : zero_point;
    const __m256 zp = _mm256_set1_ps(zp_value);
    __m256 a0 = _mm256_setzero_ps(), a1 = a0;
    for (uint32_t i = 0; i < in16; i += 16) {
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i));
      const __m256 f0 = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b)), zp);
      const __m256 f1 = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(b, 8))), zp);
      a0 = _mm256_fmadd_ps(f0, _mm256_loadu_ps(in + i), a0);
      a1 = _mm256_fmadd_ps(f1, _mm256_loadu_ps(in + i + 8), a1);
    }
    float sum = hsum8(_mm256_add_ps(a0, a1));
    for (uint32_t i = in16; i < in_count; ++i) sum += (static_cast<float>(w[i]) - zp_value) * in[i];
    out[o] = read_f32(bias + 4 * static_cast<size_t>(o)) + read_f32(scales + 4 * static_cast<size_t>(o)) * sum;
  }
  _mm256_zeroupper();
}

// The former kernel, one row at a time: 16 weights per step, widened to two
// vectors of 8 floats, zero point subtracted, multiplied into the input with
// FMA. Kept as the bit-for-bit reference of the four-row kernel above.
__attribute__((target("avx2,fma"))) void dense_q8_avx2_fma_one_row(const uint8_t* q, const uint8_t* scales,
                                                         const uint8_t* row_zero_points, float zero_point,
                                                         const uint8_t* bias, const float* in, uint32_t in_count,
                                                         float* out, uint32_t out_count) {
  const uint32_t in16 = in_count & ~15u;
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = q + static_cast<size_t>(o) * in_count;
    const float zp_value =
        row_zero_points != nullptr ? read_f32(row_zero_points + 4 * static_cast<size_t>(o)) : zero_point;
    const __m256 zp = _mm256_set1_ps(zp_value);
    __m256 a0 = _mm256_setzero_ps(), a1 = a0;
    for (uint32_t i = 0; i < in16; i += 16) {
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i));
      const __m256 f0 = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b)), zp);
      const __m256 f1 = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(b, 8))), zp);
      a0 = _mm256_fmadd_ps(f0, _mm256_loadu_ps(in + i), a0);
      a1 = _mm256_fmadd_ps(f1, _mm256_loadu_ps(in + i + 8), a1);
    }
    float sum = hsum8(_mm256_add_ps(a0, a1));
    for (uint32_t i = in16; i < in_count; ++i) sum += (static_cast<float>(w[i]) - zp_value) * in[i];
    out[o] = read_f32(bias + 4 * static_cast<size_t>(o)) + read_f32(scales + 4 * static_cast<size_t>(o)) * sum;
  }
  _mm256_zeroupper();
}

// 8 bytes -> (q - zero_point) as 8 floats, exact.
__attribute__((target("avx2"))) inline __m256 q8_values8(const uint8_t* p, __m256i zp) {
  const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  return _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_cvtepu8_epi32(b), zp));
}

// accumulate_q8_rows for dims 8 and 16 with the sums in registers; other
// widths row by row (8 lanes, then single values). Rows kAhead ahead are
// prefetched (data and scale).
__attribute__((target("avx2"))) void accumulate_q8_rows_avx2_impl(const uint8_t* q, const uint8_t* scales,
                                                                  int32_t zero_point, uint32_t dims,
                                                                  const uint32_t* rows, uint32_t n, float* acc) {
  prefetch_first(q, scales, dims, rows, n);
  const __m256i zp = _mm256_set1_epi32(zero_point);
  // (Macros: lambdas would not inherit the target attribute.)
#define prefetch(i) prefetch_row(q, scales, dims, rows, n, i)
#define values8(p) q8_values8(p, zp)
  if (dims == 16) {
    __m256 a0 = _mm256_loadu_ps(acc), a1 = _mm256_loadu_ps(acc + 8);
    for (uint32_t i = 0; i < n; ++i) {
      prefetch(i);
      const uint8_t* p = q + static_cast<size_t>(rows[i]) * 16;
      const __m256 s = _mm256_set1_ps(read_f32(scales + 4 * static_cast<size_t>(rows[i])));
      a0 = _mm256_add_ps(a0, _mm256_mul_ps(values8(p), s));
      a1 = _mm256_add_ps(a1, _mm256_mul_ps(values8(p + 8), s));
    }
    _mm256_storeu_ps(acc, a0);
    _mm256_storeu_ps(acc + 8, a1);
  } else if (dims == 8) {
    __m256 a0 = _mm256_loadu_ps(acc);
    for (uint32_t i = 0; i < n; ++i) {
      prefetch(i);
      const __m256 s = _mm256_set1_ps(read_f32(scales + 4 * static_cast<size_t>(rows[i])));
      a0 = _mm256_add_ps(a0, _mm256_mul_ps(values8(q + static_cast<size_t>(rows[i]) * 8), s));
    }
    _mm256_storeu_ps(acc, a0);
  } else {
    for (uint32_t i = 0; i < n; ++i) {
      prefetch(i);
      const uint8_t* p = q + static_cast<size_t>(rows[i]) * dims;
      const float scale = read_f32(scales + 4 * static_cast<size_t>(rows[i]));
      const __m256 s = _mm256_set1_ps(scale);
      uint32_t j = 0;
      for (; j + 8 <= dims; j += 8) {
        _mm256_storeu_ps(acc + j, _mm256_add_ps(_mm256_loadu_ps(acc + j), _mm256_mul_ps(values8(p + j), s)));
      }
      for (; j < dims; ++j) acc[j] += static_cast<float>(static_cast<int32_t>(p[j]) - zero_point) * scale;
    }
  }
#undef prefetch
#undef values8
  _mm256_zeroupper();
}

// The 16 values of a 16-wide q4_row (bits 4, 8 bytes) or q3_row_bf16 row
// (bits 3, 6 bytes) minus the zero point, as two vectors of 8 floats
// (exact). 4 bits: the bytes unpacked, then widened. 3 bits: the row's
// bytes 0..3 (values 0..7 in bits 0..23) and 2..5 (values 8..15 in bits
// 8..31) each broadcast to 8 lanes; each lane shifted left so that its
// value's top bit is bit 31 (AVX2's per-lane shift), then right by 29: the
// values come out as 32-bit lanes directly (two loads, no byte unpacking,
// no mask).
__attribute__((target("avx2"))) inline void packed_values16(uint32_t bits, const uint8_t* row, __m256i zp, __m256* lo,
                                                            __m256* hi) {
  __m256i a, b;
  if (bits == 3) {
    const __m256i up0 = _mm256_setr_epi32(29, 26, 23, 20, 17, 14, 11, 8);  // 29 - 3j: value j at bit 3j
    const __m256i up8 = _mm256_setr_epi32(21, 18, 15, 12, 9, 6, 3, 0);     // value 8 + j at bit 8 + 3j
    a = _mm256_srli_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(static_cast<int>(read_u32(row))), up0), 29);
    b = _mm256_srli_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(static_cast<int>(read_u32(row + 2))), up8), 29);
  } else {
    const __m128i v = q4_unpack16(row);
    a = _mm256_cvtepu8_epi32(v);
    b = _mm256_cvtepu8_epi32(_mm_srli_si128(v, 8));
  }
  *lo = _mm256_cvtepi32_ps(_mm256_sub_epi32(a, zp));
  *hi = _mm256_cvtepi32_ps(_mm256_sub_epi32(b, zp));
}

// accumulate_q4_rows (Bits 4) or accumulate_q3_rows (Bits 3) for 16-wide
// rows, the sums in two registers: per lane accumulate_q4_row's (q3's)
// operations (the value, minus the zero point, converted, times the row's
// scale, added), so the same bits.
template <uint32_t Bits>
__attribute__((target("avx2"))) void accumulate_packed_rows16_avx2_impl(const uint8_t* q, const uint8_t* scales,
                                                                        uint32_t scale_bytes, int32_t zero_point,
                                                                        const uint32_t* rows, uint32_t n, float* acc) {
  constexpr uint32_t kRowBytes = 2 * Bits;
  prefetch_first(q, scales, kRowBytes, rows, n, scale_bytes);
  const __m256i zp = _mm256_set1_epi32(zero_point);
  __m256 a0 = _mm256_loadu_ps(acc), a1 = _mm256_loadu_ps(acc + 8);
  for (uint32_t i = 0; i < n; ++i) {
    prefetch_row(q, scales, kRowBytes, rows, n, i, scale_bytes);
    __m256 lo, hi;
    packed_values16(Bits, q + static_cast<size_t>(rows[i]) * kRowBytes, zp, &lo, &hi);
    const __m256 s = _mm256_set1_ps(read_row_scale(scales, scale_bytes, rows[i]));
    a0 = _mm256_add_ps(a0, _mm256_mul_ps(lo, s));
    a1 = _mm256_add_ps(a1, _mm256_mul_ps(hi, s));
  }
  _mm256_storeu_ps(acc, a0);
  _mm256_storeu_ps(acc + 8, a1);
  _mm256_zeroupper();
}

// One row of a 16-dim job added to lo/hi: the arithmetic of
// accumulate_q8_rows_avx2_impl's dims == 16 loop.
// A q4 or q3 job's row: its 16 values (packed_values16), then the same
// operations.
__attribute__((target("avx2"))) inline void q8_row16_step(const Q8RowsJob& j, uint32_t i, __m256& lo, __m256& hi) {
  const uint32_t r = j.rows[i];
  const __m256i zp = _mm256_set1_epi32(j.zero_point);
  const __m256 s = _mm256_set1_ps(read_row_scale(j.scales, j.scale_bytes, r));
  if (j.bits != 8) {
    __m256 v0, v1;
    packed_values16(j.bits, j.q + static_cast<size_t>(r) * (2 * j.bits), zp, &v0, &v1);
    lo = _mm256_add_ps(lo, _mm256_mul_ps(v0, s));
    hi = _mm256_add_ps(hi, _mm256_mul_ps(v1, s));
    return;
  }
  const uint8_t* p = j.q + static_cast<size_t>(r) * 16;
  lo = _mm256_add_ps(lo, _mm256_mul_ps(q8_values8(p, zp), s));
  hi = _mm256_add_ps(hi, _mm256_mul_ps(q8_values8(p + 8, zp), s));
}

// The first m rows of K (2..4) jobs of 16 dims, interleaved row by row (the
// sums in named registers: arrays of vectors end up on the stack).
template <int K>
__attribute__((target("avx2"))) void q8_rows16_interleaved(const Q8RowsJob* jobs, uint32_t m) {
  const Q8RowsJob j0 = jobs[0], j1 = jobs[1], j2 = jobs[K > 2 ? 2 : 1], j3 = jobs[K > 3 ? 3 : 1];
  __m256 l0 = _mm256_loadu_ps(j0.acc), h0 = _mm256_loadu_ps(j0.acc + 8);
  __m256 l1 = _mm256_loadu_ps(j1.acc), h1 = _mm256_loadu_ps(j1.acc + 8);
  __m256 l2 = _mm256_loadu_ps(j2.acc), h2 = _mm256_loadu_ps(j2.acc + 8);
  __m256 l3 = _mm256_loadu_ps(j3.acc), h3 = _mm256_loadu_ps(j3.acc + 8);
  for (uint32_t i = 0; i < m; ++i) {
    q8_row16_step(j0, i, l0, h0);
    q8_row16_step(j1, i, l1, h1);
    if (K > 2) q8_row16_step(j2, i, l2, h2);
    if (K > 3) q8_row16_step(j3, i, l3, h3);
  }
  _mm256_storeu_ps(j0.acc, l0);
  _mm256_storeu_ps(j0.acc + 8, h0);
  _mm256_storeu_ps(j1.acc, l1);
  _mm256_storeu_ps(j1.acc + 8, h1);
  if (K > 2) {
    _mm256_storeu_ps(j2.acc, l2);
    _mm256_storeu_ps(j2.acc + 8, h2);
  }
  if (K > 3) {
    _mm256_storeu_ps(j3.acc, l3);
    _mm256_storeu_ps(j3.acc + 8, h3);
  }
}

// The scheduler of the group kernels: jobs of 16 dims four (three, two) at a
// time for as many rows as all of them have left, `Rows16::run(live, n, m)`
// summing the first m rows of the n live jobs interleaved; jobs of other
// widths run alone on the way (accumulate_q8_rows_avx2_impl). Inlined into
// each ISA's kernel (no target of its own, so it may be).
template <class Rows16>
__attribute__((always_inline)) inline void schedule_q8_rows16(const Q8RowsJob* jobs, uint32_t count) {
  constexpr uint32_t kWays = 4;
  Q8RowsJob live[kWays];
  uint32_t n_live = 0;
  uint32_t next = 0;
  for (;;) {
    // Fill up to kWays live jobs of 16 dims; others run alone on the way.
    while (n_live < kWays && next < count) {
      const Q8RowsJob& j = jobs[next++];
      if (j.n == 0) continue;
      if (j.dims == 16) {
        live[n_live++] = j;
      } else if (j.bits != 8) {
        packed_job_sse2_or_scalar(j);
      } else {
        accumulate_q8_rows_avx2_impl(j.q, j.scales, j.zero_point, j.dims, j.rows, j.n, j.acc);
      }
    }
    if (n_live == 0) break;
    uint32_t m = live[0].n;
    for (uint32_t k = 1; k < n_live; ++k) m = live[k].n < m ? live[k].n : m;
    Rows16::run(live, n_live, m);
    // Keep the jobs with rows left, in order.
    uint32_t kept = 0;
    for (uint32_t k = 0; k < n_live; ++k) {
      if (live[k].n == m) continue;
      live[kept] = live[k];
      live[kept].rows += m;
      live[kept].n -= m;
      ++kept;
    }
    n_live = kept;
  }
}

struct Rows16Avx2 {
  __attribute__((target("avx2"))) static void run(const Q8RowsJob* live, uint32_t n_live, uint32_t m) {
    switch (n_live) {
      case 4: q8_rows16_interleaved<4>(live, m); break;
      case 3: q8_rows16_interleaved<3>(live, m); break;
      case 2: q8_rows16_interleaved<2>(live, m); break;
      default: {
        const Q8RowsJob& j = live[0];
        if (j.bits == 4) {
          accumulate_packed_rows16_avx2_impl<4>(j.q, j.scales, j.scale_bytes, j.zero_point, j.rows, m, j.acc);
        } else if (j.bits == 3) {
          accumulate_packed_rows16_avx2_impl<3>(j.q, j.scales, j.scale_bytes, j.zero_point, j.rows, m, j.acc);
        } else {
          accumulate_q8_rows_avx2_impl(j.q, j.scales, j.zero_point, 16, j.rows, m, j.acc);
        }
        break;
      }
    }
  }
};

__attribute__((target("avx2"))) void accumulate_q8_rows_group_avx2_impl(const Q8RowsJob* jobs, uint32_t count) {
  schedule_q8_rows16<Rows16Avx2>(jobs, count);
  _mm256_zeroupper();
}

#if !defined(FFNLP_NO_AVX512)
#define FFNLP_ROWS_AVX512 1
bool has_avx512f_rows() { return has_avx2_fma() && __builtin_cpu_supports("avx512f"); }

// One row of a 16-dim job added to acc, all 16 lanes in one register: per
// lane the operations of q8_row16_step (widen, subtract the zero point,
// convert, multiply by the row's scale, add), so the same bits. A q3 row's
// bytes 0..3 go to lanes 0..7 and its bytes 2..5 to lanes 8..15, each lane
// shifted right to its value (packed_values16's way).
__attribute__((target("avx2,avx512f"))) inline __m512 q8_row16_step512(const Q8RowsJob& j, uint32_t i, __m512 acc) {
  const uint32_t r = j.rows[i];
  const uint8_t* row = j.q + static_cast<size_t>(r) * (2 * j.bits);
  // (The masked forms with every lane selected: see exp_poly16.)
  __m512i widened;
  if (j.bits == 3) {
    const __m512i groups = _mm512_mask_set1_epi32(_mm512_set1_epi32(static_cast<int>(read_u32(row))), 0xFF00,
                                                  static_cast<int>(read_u32(row + 2)));
    const __m512i up = _mm512_setr_epi32(29, 26, 23, 20, 17, 14, 11, 8, 21, 18, 15, 12, 9, 6, 3, 0);
    widened = _mm512_maskz_srli_epi32(0xFFFF, _mm512_maskz_sllv_epi32(0xFFFF, groups, up), 29);
  } else {
    const __m128i b = j.bits == 4 ? q4_unpack16(row) : _mm_loadu_si128(reinterpret_cast<const __m128i*>(row));
    widened = _mm512_maskz_cvtepu8_epi32(0xFFFF, b);
  }
  const __m512 v = _mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_sub_epi32(widened, _mm512_set1_epi32(j.zero_point)));
  return _mm512_add_ps(acc, _mm512_mul_ps(v, _mm512_set1_ps(read_row_scale(j.scales, j.scale_bytes, r))));
}

// The first m rows of K (1..4) jobs of 16 dims, interleaved row by row.
template <int K>
__attribute__((target("avx2,avx512f"))) void q8_rows16_interleaved512(const Q8RowsJob* jobs, uint32_t m) {
  const Q8RowsJob j0 = jobs[0], j1 = jobs[K > 1 ? 1 : 0], j2 = jobs[K > 2 ? 2 : 0], j3 = jobs[K > 3 ? 3 : 0];
  __m512 a0 = _mm512_loadu_ps(j0.acc), a1 = _mm512_loadu_ps(j1.acc), a2 = _mm512_loadu_ps(j2.acc),
         a3 = _mm512_loadu_ps(j3.acc);
  for (uint32_t i = 0; i < m; ++i) {
    a0 = q8_row16_step512(j0, i, a0);
    if (K > 1) a1 = q8_row16_step512(j1, i, a1);
    if (K > 2) a2 = q8_row16_step512(j2, i, a2);
    if (K > 3) a3 = q8_row16_step512(j3, i, a3);
  }
  _mm512_storeu_ps(j0.acc, a0);
  if (K > 1) _mm512_storeu_ps(j1.acc, a1);
  if (K > 2) _mm512_storeu_ps(j2.acc, a2);
  if (K > 3) _mm512_storeu_ps(j3.acc, a3);
}

struct Rows16Avx512 {
  __attribute__((target("avx2,avx512f"))) static void run(const Q8RowsJob* live, uint32_t n_live, uint32_t m) {
    switch (n_live) {
      case 4: q8_rows16_interleaved512<4>(live, m); break;
      case 3: q8_rows16_interleaved512<3>(live, m); break;
      case 2: q8_rows16_interleaved512<2>(live, m); break;
      default: q8_rows16_interleaved512<1>(live, m); break;
    }
  }
};

// accumulate_q8_rows_group_avx2_impl with the 16-dim jobs in 512-bit
// registers (other widths take the AVX2 kernel, as there).
__attribute__((target("avx2,avx512f"))) void accumulate_q8_rows_group_avx512_impl(const Q8RowsJob* jobs,
                                                                                  uint32_t count) {
  schedule_q8_rows16<Rows16Avx512>(jobs, count);
  _mm256_zeroupper();
}
#endif
#endif

}  // namespace

namespace paths {

namespace {
inline float row_zp(const uint8_t* row_zero_points, float zero_point, uint32_t o) {
  return row_zero_points != nullptr ? read_f32(row_zero_points + 4 * static_cast<size_t>(o)) : zero_point;
}
inline float finish(const uint8_t* bias, const uint8_t* scales, uint32_t o, float sum) {
  return read_f32(bias + 4 * static_cast<size_t>(o)) + read_f32(scales + 4 * static_cast<size_t>(o)) * sum;
}
}  // namespace

void dense_q8_portable(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
                       const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count) {
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = q + static_cast<size_t>(o) * in_count;
    const float zp = row_zp(row_zero_points, zero_point, o);
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint32_t i = 0;
    for (; i + 4 <= in_count; i += 4) {
      s0 += (static_cast<float>(w[i]) - zp) * in[i];
      s1 += (static_cast<float>(w[i + 1]) - zp) * in[i + 1];
      s2 += (static_cast<float>(w[i + 2]) - zp) * in[i + 2];
      s3 += (static_cast<float>(w[i + 3]) - zp) * in[i + 3];
    }
    for (; i < in_count; ++i) s0 += (static_cast<float>(w[i]) - zp) * in[i];
    out[o] = finish(bias, scales, o, (s0 + s2) + (s1 + s3));
  }
}

bool dense_q8_sse2(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
                   const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_SSE2)
  const __m128i zero = _mm_setzero_si128();
  const uint32_t in16 = in_count & ~15u;
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = q + static_cast<size_t>(o) * in_count;
    const float zp_value = row_zp(row_zero_points, zero_point, o);
    const __m128 zp = _mm_set1_ps(zp_value);
    __m128 a0 = _mm_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (uint32_t i = 0; i < in16; i += 16) {
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i));
      const __m128i lo = _mm_unpacklo_epi8(b, zero), hi = _mm_unpackhi_epi8(b, zero);
      const __m128 f0 = _mm_sub_ps(_mm_cvtepi32_ps(_mm_unpacklo_epi16(lo, zero)), zp);
      const __m128 f1 = _mm_sub_ps(_mm_cvtepi32_ps(_mm_unpackhi_epi16(lo, zero)), zp);
      const __m128 f2 = _mm_sub_ps(_mm_cvtepi32_ps(_mm_unpacklo_epi16(hi, zero)), zp);
      const __m128 f3 = _mm_sub_ps(_mm_cvtepi32_ps(_mm_unpackhi_epi16(hi, zero)), zp);
      a0 = _mm_add_ps(a0, _mm_mul_ps(f0, _mm_loadu_ps(in + i)));
      a1 = _mm_add_ps(a1, _mm_mul_ps(f1, _mm_loadu_ps(in + i + 4)));
      a2 = _mm_add_ps(a2, _mm_mul_ps(f2, _mm_loadu_ps(in + i + 8)));
      a3 = _mm_add_ps(a3, _mm_mul_ps(f3, _mm_loadu_ps(in + i + 12)));
    }
    float lanes[4];
    _mm_storeu_ps(lanes, _mm_add_ps(_mm_add_ps(a0, a2), _mm_add_ps(a1, a3)));
    float sum = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
    for (uint32_t i = in16; i < in_count; ++i) sum += (static_cast<float>(w[i]) - zp_value) * in[i];
    out[o] = finish(bias, scales, o, sum);
  }
  return true;
#else
  (void)q, (void)scales, (void)row_zero_points, (void)zero_point, (void)bias, (void)in, (void)in_count, (void)out,
      (void)out_count;
  return false;
#endif
}

#if defined(FFNLP_SSE2)
// accumulate_q8_row16's arithmetic for 16-wide rows with the sums kept in
// registers; load16(row) gives a row's 16 values, one per byte (a q8_row
// row as it is, a q4_row row unpacked), row_bytes apart.
template <class Load16>
inline void sse2_rows16(const uint8_t* q, const uint8_t* scales, uint32_t scale_bytes, int32_t zero_point,
                        uint32_t row_bytes, const uint32_t* rows, uint32_t n, float* acc, Load16 load16) {
  prefetch_first(q, scales, row_bytes, rows, n, scale_bytes);
  const __m128i zp = _mm_set1_epi16(static_cast<int16_t>(zero_point));
  const __m128i zero = _mm_setzero_si128();
  __m128 a0 = _mm_loadu_ps(acc), a1 = _mm_loadu_ps(acc + 4), a2 = _mm_loadu_ps(acc + 8), a3 = _mm_loadu_ps(acc + 12);
  for (uint32_t i = 0; i < n; ++i) {
    prefetch_row(q, scales, row_bytes, rows, n, i, scale_bytes);
    const __m128 s = _mm_set1_ps(read_row_scale(scales, scale_bytes, rows[i]));
    const __m128i b = load16(q + static_cast<size_t>(rows[i]) * row_bytes);
    const __m128i lo = _mm_sub_epi16(_mm_unpacklo_epi8(b, zero), zp);
    const __m128i hi = _mm_sub_epi16(_mm_unpackhi_epi8(b, zero), zp);
    a0 = _mm_add_ps(a0, _mm_mul_ps(_mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(lo, lo), 16)), s));
    a1 = _mm_add_ps(a1, _mm_mul_ps(_mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(lo, lo), 16)), s));
    a2 = _mm_add_ps(a2, _mm_mul_ps(_mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(hi, hi), 16)), s));
    a3 = _mm_add_ps(a3, _mm_mul_ps(_mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(hi, hi), 16)), s));
  }
  _mm_storeu_ps(acc, a0);
  _mm_storeu_ps(acc + 4, a1);
  _mm_storeu_ps(acc + 8, a2);
  _mm_storeu_ps(acc + 12, a3);
}
#endif

void accumulate_q8_rows_sse2_or_scalar(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                                       const uint32_t* rows, uint32_t n, float* acc) {
#if defined(FFNLP_SSE2)
  if (dims == 16) {
    sse2_rows16(q, scales, 4, zero_point, 16, rows, n, acc,
                [](const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); });
    return;
  }
#endif
  for (uint32_t i = 0; i < n; ++i) {
    accumulate_q8_row(q + static_cast<size_t>(rows[i]) * dims, read_f32(scales + 4 * static_cast<size_t>(rows[i])),
                      zero_point, acc, dims);
  }
}

bool accumulate_q8_rows_avx2(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                             const uint32_t* rows, uint32_t n, float* acc) {
#if defined(FFNLP_AVX2)
  if (has_avx2_fma()) {
    accumulate_q8_rows_avx2_impl(q, scales, zero_point, dims, rows, n, acc);
    return true;
  }
#endif
  (void)q, (void)scales, (void)zero_point, (void)dims, (void)rows, (void)n, (void)acc;
  return false;
}

namespace {
// accumulate_q4_rows_sse2_or_scalar (Bits 4) and
// accumulate_q3_rows_sse2_or_scalar (Bits 3): the 16-wide rows unpacked to
// 16 bytes and summed in registers (SSE2), other widths row by row.
template <uint32_t Bits>
void packed_rows_sse2_or_scalar(const uint8_t* q, const uint8_t* scales, uint32_t scale_bytes, int32_t zero_point,
                                uint32_t dims, const uint32_t* rows, uint32_t n, float* acc) {
#if defined(FFNLP_SSE2)
  if (dims == 16) {
    sse2_rows16(q, scales, scale_bytes, zero_point, 2 * Bits, rows, n, acc,
                [](const uint8_t* p) { return Bits == 3 ? q3_unpack16(p) : q4_unpack16(p); });
    return;
  }
#endif
  const size_t row_bytes = Bits == 3 ? q3_row_bytes(dims) : q4_row_bytes(dims);
  for (uint32_t i = 0; i < n; ++i) {
    accumulate_packed_row<Bits>(q + static_cast<size_t>(rows[i]) * row_bytes, read_row_scale(scales, scale_bytes, rows[i]),
                                zero_point, acc, dims);
  }
}

template <uint32_t Bits>
bool packed_rows_avx2(const uint8_t* q, const uint8_t* scales, uint32_t scale_bytes, int32_t zero_point, uint32_t dims,
                      const uint32_t* rows, uint32_t n, float* acc) {
#if defined(FFNLP_AVX2)
  if (dims == 16 && has_avx2_fma()) {
    accumulate_packed_rows16_avx2_impl<Bits>(q, scales, scale_bytes, zero_point, rows, n, acc);
    return true;
  }
#endif
  (void)q, (void)scales, (void)zero_point, (void)dims, (void)rows, (void)n, (void)acc, (void)scale_bytes;
  return false;
}
}  // namespace

void accumulate_q4_rows_sse2_or_scalar(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                                       const uint32_t* rows, uint32_t n, float* acc, uint32_t scale_bytes) {
  packed_rows_sse2_or_scalar<4>(q, scales, scale_bytes, zero_point, dims, rows, n, acc);
}

bool accumulate_q4_rows_avx2(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                             const uint32_t* rows, uint32_t n, float* acc, uint32_t scale_bytes) {
  return packed_rows_avx2<4>(q, scales, scale_bytes, zero_point, dims, rows, n, acc);
}

void accumulate_q3_rows_sse2_or_scalar(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                                       const uint32_t* rows, uint32_t n, float* acc) {
  packed_rows_sse2_or_scalar<3>(q, scales, 2, zero_point, dims, rows, n, acc);
}

bool accumulate_q3_rows_avx2(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                             const uint32_t* rows, uint32_t n, float* acc) {
  return packed_rows_avx2<3>(q, scales, 2, zero_point, dims, rows, n, acc);
}

void accumulate_q8_rows_group_sse2_or_scalar(const Q8RowsJob* jobs, uint32_t count) {
  for (uint32_t k = 0; k < count; ++k) {
    const Q8RowsJob& j = jobs[k];
    if (j.bits != 8) {
      packed_job_sse2_or_scalar(j);
    } else {
      accumulate_q8_rows_sse2_or_scalar(j.q, j.scales, j.zero_point, j.dims, j.rows, j.n, j.acc);
    }
  }
}

bool accumulate_q8_rows_group_avx512(const Q8RowsJob* jobs, uint32_t count) {
#if defined(FFNLP_ROWS_AVX512)
  if (has_avx512f_rows()) {
    accumulate_q8_rows_group_avx512_impl(jobs, count);
    return true;
  }
#endif
  (void)jobs, (void)count;
  return false;
}

bool accumulate_q8_rows_group_avx2(const Q8RowsJob* jobs, uint32_t count) {
#if defined(FFNLP_AVX2)
  if (has_avx2_fma()) {
    accumulate_q8_rows_group_avx2_impl(jobs, count);
    return true;
  }
#endif
  (void)jobs, (void)count;
  return false;
}

bool dense_q8_avx2_one_row(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
                           const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_AVX2)
  if (has_avx2_fma()) {
    dense_q8_avx2_fma_one_row(q, scales, row_zero_points, zero_point, bias, in, in_count, out, out_count);
    return true;
  }
#endif
  (void)q, (void)scales, (void)row_zero_points, (void)zero_point, (void)bias, (void)in, (void)in_count, (void)out,
      (void)out_count;
  return false;
}

bool dense_q8_avx2(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
                   const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_AVX2)
  if (has_avx2_fma()) {
    dense_q8_avx2_fma(q, scales, row_zero_points, zero_point, bias, in, in_count, out, out_count);
    return true;
  }
#endif
  (void)q, (void)scales, (void)row_zero_points, (void)zero_point, (void)bias, (void)in, (void)in_count, (void)out,
      (void)out_count;
  return false;
}

bool dense_q8_neon(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
                   const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_NEON)
  const uint32_t in16 = in_count & ~15u;
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = q + static_cast<size_t>(o) * in_count;
    const float zp_value = row_zp(row_zero_points, zero_point, o);
    const float32x4_t zp = vdupq_n_f32(zp_value);
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (uint32_t i = 0; i < in16; i += 16) {
      const uint8x16_t b = vld1q_u8(w + i);
      const uint16x8_t lo = vmovl_u8(vget_low_u8(b)), hi = vmovl_u8(vget_high_u8(b));
      a0 = vfmaq_f32(a0, vsubq_f32(vcvtq_f32_u32(vmovl_u16(vget_low_u16(lo))), zp), vld1q_f32(in + i));
      a1 = vfmaq_f32(a1, vsubq_f32(vcvtq_f32_u32(vmovl_u16(vget_high_u16(lo))), zp), vld1q_f32(in + i + 4));
      a2 = vfmaq_f32(a2, vsubq_f32(vcvtq_f32_u32(vmovl_u16(vget_low_u16(hi))), zp), vld1q_f32(in + i + 8));
      a3 = vfmaq_f32(a3, vsubq_f32(vcvtq_f32_u32(vmovl_u16(vget_high_u16(hi))), zp), vld1q_f32(in + i + 12));
    }
    float sum = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a2), vaddq_f32(a1, a3)));
    for (uint32_t i = in16; i < in_count; ++i) sum += (static_cast<float>(w[i]) - zp_value) * in[i];
    out[o] = finish(bias, scales, o, sum);
  }
  return true;
#else
  (void)q, (void)scales, (void)row_zero_points, (void)zero_point, (void)bias, (void)in, (void)in_count, (void)out,
      (void)out_count;
  return false;
#endif
}

bool dense_neon(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
                uint32_t out_count) {
#if defined(FFNLP_NEON)
  if (!kHostIsLittleEndian) return false;  // the weights are read as host floats
  const uint32_t in16 = in_count & ~15u;
  for (uint32_t o = 0; o < out_count; ++o) {
    // Byte loads reinterpreted as floats: no alignment assumed (little-endian host).
    const uint8_t* w = weights + static_cast<size_t>(o) * in_count * 4;
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (uint32_t i = 0; i < in16; i += 16) {
      a0 = vfmaq_f32(a0, vreinterpretq_f32_u8(vld1q_u8(w + 4 * i)), vld1q_f32(in + i));
      a1 = vfmaq_f32(a1, vreinterpretq_f32_u8(vld1q_u8(w + 4 * i + 16)), vld1q_f32(in + i + 4));
      a2 = vfmaq_f32(a2, vreinterpretq_f32_u8(vld1q_u8(w + 4 * i + 32)), vld1q_f32(in + i + 8));
      a3 = vfmaq_f32(a3, vreinterpretq_f32_u8(vld1q_u8(w + 4 * i + 48)), vld1q_f32(in + i + 12));
    }
    float sum = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a2), vaddq_f32(a1, a3)));
    for (uint32_t i = in16; i < in_count; ++i) sum += read_f32(w + 4 * i) * in[i];
    out[o] = read_f32(bias + 4 * static_cast<size_t>(o)) + sum;
  }
  return true;
#else
  (void)weights, (void)bias, (void)in, (void)in_count, (void)out, (void)out_count;
  return false;
#endif
}

void dense_portable(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
                    uint32_t out_count) {
  // Eight independent partial sums per row (named scalars: GCC -O2 keeps an
  // array of them in memory), so the add latency chain is 8 times shorter and
  // the compiler may pack them into vectors without reassociating.
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = weights + static_cast<size_t>(o) * in_count * 4;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    uint32_t i = 0;
    for (; i + 8 <= in_count; i += 8) {
      s0 += read_f32(w + 4 * i) * in[i];
      s1 += read_f32(w + 4 * i + 4) * in[i + 1];
      s2 += read_f32(w + 4 * i + 8) * in[i + 2];
      s3 += read_f32(w + 4 * i + 12) * in[i + 3];
      s4 += read_f32(w + 4 * i + 16) * in[i + 4];
      s5 += read_f32(w + 4 * i + 20) * in[i + 5];
      s6 += read_f32(w + 4 * i + 24) * in[i + 6];
      s7 += read_f32(w + 4 * i + 28) * in[i + 7];
    }
    for (; i < in_count; ++i) s0 += read_f32(w + 4 * i) * in[i];
    const float sum = ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7));
    out[o] = read_f32(bias + 4 * static_cast<size_t>(o)) + sum;
  }
}

bool dense_sse2(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
                uint32_t out_count) {
#if defined(FFNLP_SSE2)
  // Four outputs at a time, four lanes each: every input vector is loaded once
  // per four weight rows.
  const size_t stride = static_cast<size_t>(in_count) * 4;
  const uint32_t in4 = in_count & ~3u;
  uint32_t o = 0;
  for (; o + 4 <= out_count; o += 4) {
    const uint8_t* w0 = weights + o * stride;
    const uint8_t* w1 = w0 + stride;
    const uint8_t* w2 = w1 + stride;
    const uint8_t* w3 = w2 + stride;
    __m128 a0 = _mm_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (uint32_t i = 0; i < in4; i += 4) {
      const __m128 x = _mm_loadu_ps(in + i);
      a0 = _mm_add_ps(a0, _mm_mul_ps(load4(w0 + 4 * i), x));
      a1 = _mm_add_ps(a1, _mm_mul_ps(load4(w1 + 4 * i), x));
      a2 = _mm_add_ps(a2, _mm_mul_ps(load4(w2 + 4 * i), x));
      a3 = _mm_add_ps(a3, _mm_mul_ps(load4(w3 + 4 * i), x));
    }
    __m128 sums = hsum4(a0, a1, a2, a3);
    if (in4 != in_count) sums = _mm_add_ps(sums, tail4(w0, w1, w2, w3, in, in4, in_count));
    _mm_storeu_ps(out + o, _mm_add_ps(sums, load4(bias + 4 * o)));
  }
  for (; o < out_count; ++o) {
    const uint8_t* w = weights + o * stride;
    __m128 a = _mm_setzero_ps();
    for (uint32_t i = 0; i < in4; i += 4) a = _mm_add_ps(a, _mm_mul_ps(load4(w + 4 * i), _mm_loadu_ps(in + i)));
    float lanes[4];
    _mm_storeu_ps(lanes, a);
    float sum = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
    for (uint32_t i = in4; i < in_count; ++i) sum += read_f32(w + 4 * i) * in[i];
    out[o] = read_f32(bias + 4 * o) + sum;
  }
  return true;
#else
  (void)weights, (void)bias, (void)in, (void)in_count, (void)out, (void)out_count;
  return false;
#endif
}

bool dense_avx2(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
                uint32_t out_count) {
#if defined(FFNLP_AVX2)
  if (has_avx2_fma()) {
    dense_avx2_fma(weights, bias, in, in_count, out, out_count);
    return true;
  }
#endif
  (void)weights, (void)bias, (void)in, (void)in_count, (void)out, (void)out_count;
  return false;
}

}  // namespace paths

void dense(const uint8_t* weights, const uint8_t* bias, const float* in, uint32_t in_count, float* out,
           uint32_t out_count) {
  if (paths::dense_avx2(weights, bias, in, in_count, out, out_count)) return;
  if (paths::dense_sse2(weights, bias, in, in_count, out, out_count)) return;
  if (paths::dense_neon(weights, bias, in, in_count, out, out_count)) return;
  paths::dense_portable(weights, bias, in, in_count, out, out_count);
}

void dense_q8(const uint8_t* q, const uint8_t* scales, const uint8_t* row_zero_points, float zero_point,
              const uint8_t* bias, const float* in, uint32_t in_count, float* out, uint32_t out_count) {
  if (paths::dense_q8_avx2(q, scales, row_zero_points, zero_point, bias, in, in_count, out, out_count)) return;
  if (paths::dense_q8_sse2(q, scales, row_zero_points, zero_point, bias, in, in_count, out, out_count)) return;
  if (paths::dense_q8_neon(q, scales, row_zero_points, zero_point, bias, in, in_count, out, out_count)) return;
  paths::dense_q8_portable(q, scales, row_zero_points, zero_point, bias, in, in_count, out, out_count);
}

void accumulate_q8_rows(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                        const uint32_t* rows, uint32_t n, float* acc) {
  if (paths::accumulate_q8_rows_avx2(q, scales, zero_point, dims, rows, n, acc)) return;
  paths::accumulate_q8_rows_sse2_or_scalar(q, scales, zero_point, dims, rows, n, acc);
}

void accumulate_q4_rows(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                        const uint32_t* rows, uint32_t n, float* acc, uint32_t scale_bytes) {
  if (paths::accumulate_q4_rows_avx2(q, scales, zero_point, dims, rows, n, acc, scale_bytes)) return;
  paths::accumulate_q4_rows_sse2_or_scalar(q, scales, zero_point, dims, rows, n, acc, scale_bytes);
}

void accumulate_q3_rows(const uint8_t* q, const uint8_t* scales, int32_t zero_point, uint32_t dims,
                        const uint32_t* rows, uint32_t n, float* acc) {
  if (paths::accumulate_q3_rows_avx2(q, scales, zero_point, dims, rows, n, acc)) return;
  paths::accumulate_q3_rows_sse2_or_scalar(q, scales, zero_point, dims, rows, n, acc);
}

void accumulate_q8_rows_group(const Q8RowsJob* jobs, uint32_t count) {
  if (paths::accumulate_q8_rows_group_avx512(jobs, count)) return;
  if (paths::accumulate_q8_rows_group_avx2(jobs, count)) return;
  paths::accumulate_q8_rows_group_sse2_or_scalar(jobs, count);
}

void add_f32_values(const uint8_t* bytes, float* values, uint32_t count) {
  uint32_t i = 0;
#if defined(FFNLP_SSE2)
  for (; i + 4 <= count; i += 4) _mm_storeu_ps(values + i, _mm_add_ps(_mm_loadu_ps(values + i), load4(bytes + 4 * i)));
#endif
  for (; i < count; ++i) values[i] += read_f32(bytes + 4 * static_cast<size_t>(i));
}

void relu(float* values, uint32_t count) {
  uint32_t i = 0;
#if defined(FFNLP_SSE2)
  const __m128 zero = _mm_setzero_ps();
  for (; i + 4 <= count; i += 4) _mm_storeu_ps(values + i, _mm_max_ps(_mm_loadu_ps(values + i), zero));
#endif
  for (; i < count; ++i) values[i] = values[i] > 0.0f ? values[i] : 0.0f;
}

namespace {

#if defined(FFNLP_AVX2)
__attribute__((target("avx2,fma"))) inline __m256 exp_poly8(__m256 x) {
  x = _mm256_max_ps(x, _mm256_set1_ps(kExpLow));
  const __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(kLog2e), _mm256_set1_ps(0.5f)));
  const __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x));
  __m256 p = _mm256_set1_ps(kP0);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP1));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP5));
  const __m256 e = _mm256_add_ps(_mm256_fmadd_ps(_mm256_mul_ps(p, r), r, r), _mm256_set1_ps(1.0f));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(e, _mm256_castsi256_ps(bits));
}

// values[i] = exp(values[i] - max) when store; returns the sum.
// From value i on, with the lane sums s0 (values 16k .. 16k + 7) and s1
// (16k + 8 .. 16k + 15) so far.
__attribute__((target("avx2,fma"))) inline float exp_sum_avx2_from(float* values, uint32_t count, float max,
                                                                   bool store, uint32_t i, __m256 s0, __m256 s1) {
  const __m256 m = _mm256_set1_ps(max);
  for (; i + 16 <= count; i += 16) {
    const __m256 e0 = exp_poly8(_mm256_sub_ps(_mm256_loadu_ps(values + i), m));
    const __m256 e1 = exp_poly8(_mm256_sub_ps(_mm256_loadu_ps(values + i + 8), m));
    if (store) {
      _mm256_storeu_ps(values + i, e0);
      _mm256_storeu_ps(values + i + 8, e1);
    }
    s0 = _mm256_add_ps(s0, e0);
    s1 = _mm256_add_ps(s1, e1);
  }
  for (; i + 8 <= count; i += 8) {
    const __m256 e0 = exp_poly8(_mm256_sub_ps(_mm256_loadu_ps(values + i), m));
    if (store) _mm256_storeu_ps(values + i, e0);
    s0 = _mm256_add_ps(s0, e0);
  }
  if (i < count) {
    // The last 1..7 values, padded with the clamp value: no call into
    // non-AVX code from here (it would run with the upper halves dirty).
    // The padding lanes are left out of the sum.
    alignas(32) float tail[8];
    const uint32_t rest = count - i;
    for (uint32_t k = 0; k < 8; ++k) tail[k] = k < rest ? values[i + k] - max : kExpLow;
    const __m256 e = exp_poly8(_mm256_load_ps(tail));
    _mm256_store_ps(tail, e);
    for (uint32_t k = 0; k < rest; ++k) {
      if (store) values[i + k] = tail[k];
    }
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256 keep = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest)), lane));
    s1 = _mm256_add_ps(s1, _mm256_and_ps(e, keep));
  }
  const float sum = hsum8(_mm256_add_ps(s0, s1));
  // Leave the upper halves clean for the SSE code that follows (GCC does not
  // insert vzeroupper on every path).
  _mm256_zeroupper();
  return sum;
}

__attribute__((target("avx2,fma"))) float exp_sum_avx2(float* values, uint32_t count, float max, bool store) {
  return exp_sum_avx2_from(values, count, max, store, 0, _mm256_setzero_ps(), _mm256_setzero_ps());
}

// add_finite_max in one pass, 8 values per step (the last step through
// vmaskmovps): the adds of add_f32_values, non-finite values found as x - x
// unordered, the maximum of the lanes that were read (the others -inf).
__attribute__((target("avx2,fma"))) bool add_finite_max_avx2_impl(const uint8_t* bytes, float* values, uint32_t count,
                                                                 float* max) {
  const __m256 minus_inf = _mm256_set1_ps(-INFINITY);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256 m = minus_inf, bad = _mm256_setzero_ps();
  for (uint32_t i = 0; i < count; i += 8) {
    const uint32_t left = count - i;
    __m256 v;
    if (left >= 8) {
      v = _mm256_loadu_ps(values + i);
      if (bytes != nullptr) {
        v = _mm256_add_ps(v, _mm256_loadu_ps(reinterpret_cast<const float*>(bytes + 4 * static_cast<size_t>(i))));
        _mm256_storeu_ps(values + i, v);
      }
    } else {
      const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(left)), lane);
      v = _mm256_maskload_ps(values + i, k);
      if (bytes != nullptr) {
        v = _mm256_add_ps(v, _mm256_maskload_ps(reinterpret_cast<const float*>(bytes + 4 * static_cast<size_t>(i)), k));
        _mm256_maskstore_ps(values + i, k, v);
      }
      v = _mm256_blendv_ps(minus_inf, v, _mm256_castsi256_ps(k));  // lanes past the end: -inf, finite - finite
      bad = _mm256_or_ps(bad, _mm256_and_ps(_mm256_cmp_ps(_mm256_sub_ps(v, v), _mm256_setzero_ps(), _CMP_UNORD_Q),
                                            _mm256_castsi256_ps(k)));
      m = _mm256_max_ps(m, v);
      break;
    }
    bad = _mm256_or_ps(bad, _mm256_cmp_ps(_mm256_sub_ps(v, v), _mm256_setzero_ps(), _CMP_UNORD_Q));
    m = _mm256_max_ps(m, v);
  }
  const bool ok = _mm256_movemask_ps(bad) == 0;
  __m128 q = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  q = _mm_max_ps(q, _mm_movehl_ps(q, q));
  q = _mm_max_ss(q, _mm_shuffle_ps(q, q, 1));
  if (ok) *max = _mm_cvtss_f32(q);
  _mm256_zeroupper();
  return ok;
}

#if !defined(FFNLP_NO_AVX512)
#define FFNLP_EXP_AVX512 1
bool has_avx512f() { return has_avx2_fma() && __builtin_cpu_supports("avx512f"); }

// exp_poly8 on 16 lanes: the same operations lane by lane, so the same bits.
// (The masked forms with every lane selected: the plain ones trip GCC 12's
// -Wmaybe-uninitialized inside its own headers.)
__attribute__((target("avx2,fma,avx512f"))) inline __m512 exp_poly16(__m512 x) {
  constexpr __mmask16 kAll = 0xFFFF;
  x = _mm512_mask_max_ps(x, kAll, x, _mm512_set1_ps(kExpLow));
  const __m512 t = _mm512_fmadd_ps(x, _mm512_set1_ps(kLog2e), _mm512_set1_ps(0.5f));
  const __m512 n = _mm512_mask_roundscale_ps(t, kAll, t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), x));
  __m512 p = _mm512_set1_ps(kP0);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kP1));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kP2));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kP3));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kP4));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kP5));
  const __m512 e = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r), _mm512_set1_ps(1.0f));
  const __m512i zero = _mm512_setzero_si512();
  const __m512i ni = _mm512_mask_cvtps_epi32(zero, kAll, n);
  const __m512i bits = _mm512_mask_slli_epi32(zero, kAll, _mm512_add_epi32(ni, _mm512_set1_epi32(127)), 23);
  return _mm512_mul_ps(e, _mm512_castsi512_ps(bits));
}

// exp_sum_avx2 with its 16-value steps in one register: lanes 0-7 are its
// s0, lanes 8-15 its s1 (the same sums in the same order), and its rest in
// one masked step: its 8-value step goes to s0 (lanes 0-7) and its last 1..7
// values to s1 (lanes 8-14), so 9..15 values left are lanes 0 .. rest - 1;
// with 1..7 left there is no 8-value step and they are lanes 8 .. 7 + rest.
// Lanes left out add nothing (exp_sum_avx2_from adds +0.0 there: the same).
__attribute__((target("avx2,fma,avx512f"))) float exp_sum_avx512(float* values, uint32_t count, float max,
                                                                  bool store) {
  const __m512 m = _mm512_set1_ps(max);
  __m512 s = _mm512_setzero_ps();
  uint32_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m512 e = exp_poly16(_mm512_sub_ps(_mm512_loadu_ps(values + i), m));
    if (store) _mm512_storeu_ps(values + i, e);
    s = _mm512_add_ps(s, e);
  }
  const uint32_t rest = count - i;
  if (rest >= 8) {
    const __mmask16 k = static_cast<__mmask16>((1u << rest) - 1);
    const __m512 e = exp_poly16(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, values + i), m));
    if (store) _mm512_mask_storeu_ps(values + i, k, e);
    s = _mm512_mask_add_ps(s, k, s, e);
  } else if (rest != 0) {
    const __mmask16 k = static_cast<__mmask16>(((1u << rest) - 1) << 8);
    const __m512 e = exp_poly16(_mm512_sub_ps(_mm512_maskz_expandloadu_ps(k, values + i), m));
    if (store) _mm512_mask_compressstoreu_ps(values + i, k, e);
    s = _mm512_mask_add_ps(s, k, s, e);
  }
  const __m256 s0 = _mm256_castsi256_ps(_mm512_maskz_extracti64x4_epi64(0xFF, _mm512_castps_si512(s), 0));
  const __m256 s1 = _mm256_castsi256_ps(_mm512_maskz_extracti64x4_epi64(0xFF, _mm512_castps_si512(s), 1));
  const float sum = hsum8(_mm256_add_ps(s0, s1));
  _mm256_zeroupper();
  return sum;
}

// add_finite_max in one pass, 16 values per step (the last step masked):
// the adds of add_f32_values, non-finite values found as x - x unordered,
// the maximum of the lanes that were read. (Masked forms with every lane
// selected where GCC 12 would warn, as above.)
__attribute__((target("avx2,fma,avx512f"))) bool add_finite_max_avx512_impl(const uint8_t* bytes, float* values,
                                                                            uint32_t count, float* max) {
  __m512 m = _mm512_set1_ps(-INFINITY);
  __mmask16 bad = 0;
  for (uint32_t i = 0; i < count; i += 16) {
    const uint32_t left = count - i;
    const __mmask16 k = left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
    __m512 v = _mm512_maskz_loadu_ps(k, values + i);
    if (bytes != nullptr) {
      v = _mm512_maskz_add_ps(0xFFFF, v, _mm512_maskz_loadu_ps(k, bytes + 4 * static_cast<size_t>(i)));
      _mm512_mask_storeu_ps(values + i, k, v);
    }
    bad = static_cast<__mmask16>(bad | _mm512_mask_cmp_ps_mask(k, _mm512_maskz_sub_ps(0xFFFF, v, v), _mm512_setzero_ps(), _CMP_UNORD_Q));
    m = _mm512_mask_max_ps(m, k, m, v);
  }
  if (bad != 0) return false;
  __m256 h = _mm256_max_ps(_mm256_castsi256_ps(_mm512_maskz_extracti64x4_epi64(0xFF, _mm512_castps_si512(m), 0)),
                           _mm256_castsi256_ps(_mm512_maskz_extracti64x4_epi64(0xFF, _mm512_castps_si512(m), 1)));
  __m128 q = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  q = _mm_max_ps(q, _mm_movehl_ps(q, q));
  q = _mm_max_ss(q, _mm_shuffle_ps(q, q, 1));
  *max = _mm_cvtss_f32(q);
  _mm256_zeroupper();
  return true;
}
#endif
#endif

float exp_sum_sse2_or_scalar(float* values, uint32_t count, float max, bool store) {
  uint32_t i = 0;
  float sum = 0.0f;
#if defined(FFNLP_SSE2)
  const __m128 m = _mm_set1_ps(max);
  __m128 vsum = _mm_setzero_ps();
  for (; i + 4 <= count; i += 4) {
    const __m128 e = exp_poly4(_mm_sub_ps(_mm_loadu_ps(values + i), m));
    if (store) _mm_storeu_ps(values + i, e);
    vsum = _mm_add_ps(vsum, e);
  }
  float lanes[4];
  _mm_storeu_ps(lanes, vsum);
  sum = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
#endif
  for (; i < count; ++i) {
    const float e = exp_poly(values[i] - max);
    if (store) values[i] = e;
    sum += e;
  }
  return sum;
}

float exp_sum(float* values, uint32_t count, float max, bool store) {
#if defined(FFNLP_AVX2)
#if defined(FFNLP_EXP_AVX512)
  if (has_avx512f()) return exp_sum_avx512(values, count, max, store);
#endif
  if (has_avx2_fma()) return exp_sum_avx2(values, count, max, store);
#endif
  return exp_sum_sse2_or_scalar(values, count, max, store);
}

}  // namespace

float max_value(const float* values, uint32_t count) {
  uint32_t i = 0;
  float m = values[0];
#if defined(FFNLP_SSE2)
  if (count >= 8) {
    __m128 m0 = _mm_loadu_ps(values), m1 = _mm_loadu_ps(values + 4);
    for (i = 8; i + 8 <= count; i += 8) {
      m0 = _mm_max_ps(m0, _mm_loadu_ps(values + i));
      m1 = _mm_max_ps(m1, _mm_loadu_ps(values + i + 4));
    }
    m0 = _mm_max_ps(m0, m1);
    m0 = _mm_max_ps(m0, _mm_movehl_ps(m0, m0));
    m0 = _mm_max_ss(m0, _mm_shuffle_ps(m0, m0, 1));
    m = _mm_cvtss_f32(m0);
  }
#endif
  for (; i < count; ++i) m = values[i] > m ? values[i] : m;
  return m;
}

float sum_exp(const float* values, uint32_t count, float max) {
  return exp_sum(const_cast<float*>(values), count, max, false);
}

namespace paths {
float sum_exp_sse2_or_scalar(const float* values, uint32_t count, float max) {
  return exp_sum_sse2_or_scalar(const_cast<float*>(values), count, max, false);
}
bool sum_exp_avx2(const float* values, uint32_t count, float max, float* sum) {
#if defined(FFNLP_AVX2)
  if (has_avx2_fma()) {
    *sum = exp_sum_avx2(const_cast<float*>(values), count, max, false);
    return true;
  }
#endif
  (void)values, (void)count, (void)max, (void)sum;
  return false;
}
bool add_finite_max_avx2(const uint8_t* bytes, float* values, uint32_t count, float* max, bool* finite) {
#if defined(FFNLP_AVX2)
  if (has_avx2_fma()) {
    *finite = add_finite_max_avx2_impl(bytes, values, count, max);
    return true;
  }
#endif
  (void)bytes, (void)values, (void)count, (void)max, (void)finite;
  return false;
}
bool add_finite_max_avx512(const uint8_t* bytes, float* values, uint32_t count, float* max, bool* finite) {
#if defined(FFNLP_EXP_AVX512)
  if (has_avx512f()) {
    *finite = add_finite_max_avx512_impl(bytes, values, count, max);
    return true;
  }
#endif
  (void)bytes, (void)values, (void)count, (void)max, (void)finite;
  return false;
}
bool sum_exp_avx512(const float* values, uint32_t count, float max, float* sum) {
#if defined(FFNLP_EXP_AVX512)
  if (has_avx512f()) {
    *sum = exp_sum_avx512(const_cast<float*>(values), count, max, false);
    return true;
  }
#endif
  (void)values, (void)count, (void)max, (void)sum;
  return false;
}
}  // namespace paths

namespace {
#if defined(FFNLP_AVX2)
// all_finite's test eight values at a time (x - x is NaN for NaN and infinities).
__attribute__((target("avx2"))) bool all_finite_avx2(const float* values, uint32_t count) {
  __m256 bad = _mm256_setzero_ps();
  uint32_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 v = _mm256_loadu_ps(values + i);
    bad = _mm256_or_ps(bad, _mm256_cmp_ps(_mm256_sub_ps(v, v), _mm256_setzero_ps(), _CMP_UNORD_Q));
  }
  const bool ok = _mm256_movemask_ps(bad) == 0;
  _mm256_zeroupper();
  if (!ok) return false;
  for (; i < count; ++i) {
    if (!std::isfinite(values[i])) return false;
  }
  return true;
}
#endif
}  // namespace

bool all_finite(const float* values, uint32_t count) {
#if defined(FFNLP_AVX2)
  if (has_avx2_fma()) return all_finite_avx2(values, count);
#endif
  uint32_t i = 0;
#if defined(FFNLP_SSE2)
  // x - x is 0 for finite x and NaN for NaN and infinities.
  __m128 bad = _mm_setzero_ps();
  for (; i + 4 <= count; i += 4) {
    const __m128 v = _mm_loadu_ps(values + i);
    bad = _mm_or_ps(bad, _mm_cmpunord_ps(_mm_sub_ps(v, v), _mm_setzero_ps()));
  }
  if (_mm_movemask_ps(bad) != 0) return false;
#endif
  for (; i < count; ++i) {
    if (!std::isfinite(values[i])) return false;
  }
  return true;
}

bool add_finite_max(const uint8_t* bytes, float* values, uint32_t count, float* max) {
  bool finite;
  if (paths::add_finite_max_avx512(bytes, values, count, max, &finite)) return finite;
  if (paths::add_finite_max_avx2(bytes, values, count, max, &finite)) return finite;
  if (bytes != nullptr) add_f32_values(bytes, values, count);
  if (!all_finite(values, count)) return false;
  *max = max_value(values, count);
  return true;
}

uint32_t first_index_of(const float* values, uint32_t count, float value) {
  uint32_t i = 0;
#if defined(FFNLP_SSE2)
  const __m128 vm = _mm_set1_ps(value);
  for (; i + 4 <= count; i += 4) {
    const int mask = _mm_movemask_ps(_mm_cmpeq_ps(_mm_loadu_ps(values + i), vm));
    if (mask != 0) return i + ((mask & 1) ? 0 : (mask & 2) ? 1 : (mask & 4) ? 2 : 3);
  }
#endif
  for (; i < count; ++i) {
    if (values[i] == value) return i;
  }
  return count;
}

uint32_t argmax(const float* values, uint32_t count) {
  const uint32_t i = first_index_of(values, count, max_value(values, count));
  return i < count ? i : 0;
}

void softmax(float* values, uint32_t count) {
  if (count == 0) return;
  const float sum = exp_sum(values, count, max_value(values, count), true);
  const float inv = 1.0f / sum;  // sum >= 1: the maximum contributes exp(0)
  uint32_t i = 0;
#if defined(FFNLP_SSE2)
  const __m128 vinv = _mm_set1_ps(inv);
  for (; i + 4 <= count; i += 4) _mm_storeu_ps(values + i, _mm_mul_ps(_mm_loadu_ps(values + i), vinv));
#endif
  for (; i < count; ++i) values[i] *= inv;
}

const char* kernel_path() {
#if defined(FFNLP_AVX2)
  if (has_avx2_fma()) return "avx2+fma (dense, exp), avx2 (embedding rows)";
#endif
#if defined(FFNLP_SSE2)
  return "sse2";
#elif defined(FFNLP_NEON)
  return "neon (dense f32 and 8-bit, embedding rows)";
#else
  return "scalar";
#endif
}

}  // namespace ffnlp
