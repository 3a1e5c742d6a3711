#include "network/dense_q8_int.h"

#include <cmath>
#include <cstring>

#include "file/byte_order.h"

#if defined(__SSE2__) || defined(_M_X64)
#define FFNLP_INT_SSE2 1
#include <emmintrin.h>
#endif
#if defined(FFNLP_INT_SSE2) && (defined(__GNUC__) || defined(__clang__)) && !defined(FFNLP_NO_AVX2) && \
    !defined(__EMSCRIPTEN__)
#define FFNLP_INT_AVX2 1
#include <immintrin.h>

#include "network/pack_nonzero_avx512.h"
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
#define FFNLP_INT_NEON 1
#include <arm_neon.h>
#endif

namespace ffnlp {

namespace {


inline uint32_t block_end(uint32_t begin, uint32_t in_count) {
  return in_count - begin > kIntBlock ? begin + kIntBlock : in_count;
}

// The integer sum of one row over columns [from, to), to - from <= kIntBlock.
inline int32_t row_dot(const uint8_t* w, int32_t zero_point, const int16_t* a, uint32_t from, uint32_t to) {
  int32_t sum = 0;
  for (uint32_t i = from; i < to; ++i) sum += (static_cast<int32_t>(w[i]) - zero_point) * a[i];
  return sum;
}

// The largest magnitude of in[from, to) folded into *max_abs, and whether
// every value was finite folded into *finite: the quantizers' scalar part
// (the reference's whole input, the SIMD paths' tails).
inline void scan_max_abs(const float* in, uint32_t from, uint32_t to, float* max_abs, bool* finite) {
  for (uint32_t k = from; k < to; ++k) {
    if (!std::isfinite(in[k])) *finite = false;
    const float m = std::fabs(in[k]);
    *max_abs = m > *max_abs ? m : *max_abs;
  }
}

// Shared by the quantizers: the scale from the largest magnitude, or 0 (zero
// or tiny input: a all zero) or NaN (non-finite input: a all zero).
inline bool usable_max(float max_abs, bool finite, uint32_t n, int16_t* a, float* act_scale) {
  if (!finite || !(max_abs >= kTinyInput)) {
    std::memset(a, 0, sizeof(int16_t) * n);
    *act_scale = finite ? 0.0f : std::nanf("");
    return false;
  }
  *act_scale = max_abs / 32767.0f;
  return true;
}

#if defined(FFNLP_INT_AVX2)
// -DFFNLP_NO_AVX512: leave the AVX-512 paths out (to measure what an
// AVX2-only CPU gets, or for compilers without AVX-512 VNNI intrinsics).
constexpr bool defined_no_avx512() {
#if defined(FFNLP_NO_AVX512)
  return true;
#else
  return false;
#endif
}
#endif

inline int16_t quantize_one(float x, float inv) {
  float y = x * inv;
  y = y > 32767.0f ? 32767.0f : (y < -32767.0f ? -32767.0f : y);
  return static_cast<int16_t>(std::nearbyint(y));
}

}  // namespace

namespace reference {

float quantize_activations(const float* in, uint32_t n, int16_t* a) {
  float max_abs = 0.0f;
  bool finite = true;
  scan_max_abs(in, 0, n, &max_abs, &finite);
  float act_scale;
  if (!usable_max(max_abs, finite, n, a, &act_scale)) return act_scale;
  const float inv = 32767.0f / max_abs;
  for (uint32_t i = 0; i < n; ++i) a[i] = quantize_one(in[i], inv);
  return act_scale;
}

void dense_q8_int(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                  const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = q + static_cast<size_t>(o) * in_count;
    int64_t dot = 0;
    for (uint32_t i = 0; i < in_count; ++i) dot += static_cast<int64_t>(static_cast<int32_t>(w[i]) - zero_point) * a[i];
    out[o] = q8_int_finish(scales, bias, o, act_scale, dot);
  }
}

}  // namespace reference

namespace paths {

float quantize_activations_scalar(const float* in, uint32_t n, int16_t* a) {
  return reference::quantize_activations(in, n, a);
}

void dense_q8_int_scalar(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                         const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = q + static_cast<size_t>(o) * in_count;
    int64_t dot = 0;
    for (uint32_t b = 0; b < in_count; b = block_end(b, in_count)) dot += row_dot(w, zero_point, a, b, block_end(b, in_count));
    out[o] = q8_int_finish(scales, bias, o, act_scale, dot);
  }
}

}  // namespace paths

namespace {

#if defined(FFNLP_INT_AVX2)
bool has_avx2() { return __builtin_cpu_supports("avx2"); }

// q8_int_finish() for outputs o..o+7 at once: (scale * act_scale) * float(dot -
// correction) + bias, the same operations per lane as the scalar step.
__attribute__((target("avx2"))) inline void finish8(__m256i sums, int32_t correction, const uint8_t* scales,
                                                    const uint8_t* bias, uint32_t o, __m256 vact, float* out) {
  sums = _mm256_sub_epi32(sums, _mm256_set1_epi32(correction));
  const __m256 c = _mm256_mul_ps(_mm256_loadu_ps(reinterpret_cast<const float*>(scales + 4 * static_cast<size_t>(o))), vact);
  const __m256 y = _mm256_add_ps(_mm256_mul_ps(c, _mm256_cvtepi32_ps(sums)),
                                 _mm256_loadu_ps(reinterpret_cast<const float*>(bias + 4 * static_cast<size_t>(o))));
  _mm256_storeu_ps(out + o, y);
}

// Inputs longer than kIntBlock: four rows at a time, block by block; each
// 16 activations are loaded once for four rows; 16 weights widen to int16
// (vpmovzxbw), lose the zero point (vpsubw), and multiply into pairs of int32
// (vpmaddwd) added to the row's lanes (vpaddd); block sums added in int64.
__attribute__((target("avx2"))) void dense_q8_int_avx2_blocks(const uint8_t* q, const uint8_t* scales,
                                                            int32_t zero_point, const uint8_t* bias, const int16_t* a,
                                                            float act_scale, uint32_t in_count, float* out,
                                                            uint32_t out_count) {
  const size_t stride = in_count;
  const __m256i zp = _mm256_set1_epi16(static_cast<int16_t>(zero_point));
  const __m128i zp128 = _mm_set1_epi16(static_cast<int16_t>(zero_point));
  uint32_t o = 0;
  for (; o + 4 <= out_count; o += 4) {
    const uint8_t* w = q + o * stride;
    int64_t dot[4] = {0, 0, 0, 0};
    for (uint32_t b = 0; b < in_count; b = block_end(b, in_count)) {
      const uint32_t end = block_end(b, in_count);
      __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
      uint32_t i = b;
      for (; i + 16 <= end; i += 16) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
#define FFNLP_ROW(r, s)                                                                                      \
  s = _mm256_add_epi32(                                                                                      \
      s, _mm256_madd_epi16(                                                                                  \
             _mm256_sub_epi16(                                                                               \
                 _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + (r) * stride + i))), \
                 zp),                                                                                        \
             x));
        FFNLP_ROW(0, s0)
        FFNLP_ROW(1, s1)
        FFNLP_ROW(2, s2)
        FFNLP_ROW(3, s3)
#undef FFNLP_ROW
      }
      // {row 0, row 1, row 2, row 3} in each 128-bit half, then the halves added.
      const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(s0, s1), _mm256_hadd_epi32(s2, s3));
      __m128i sums = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
      if (i + 8 <= end) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
        int32_t part[4];
        for (int r = 0; r < 4; ++r) {
          const __m128i v = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(w + r * stride + i)));
          __m128i m = _mm_madd_epi16(_mm_sub_epi16(v, zp128), x);
          m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0x4E));
          m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0xB1));
          part[r] = _mm_cvtsi128_si32(m);
        }
        sums = _mm_add_epi32(sums, _mm_loadu_si128(reinterpret_cast<const __m128i*>(part)));
        i += 8;
      }
      int32_t lane[4];
      _mm_storeu_si128(reinterpret_cast<__m128i*>(lane), sums);
      for (int r = 0; r < 4; ++r) dot[r] += lane[r] + row_dot(w + r * stride, zero_point, a, i, end);
    }
    for (int r = 0; r < 4; ++r) out[o + r] = q8_int_finish(scales, bias, o + r, act_scale, dot[r]);
  }
  for (; o < out_count; ++o) {
    const uint8_t* w = q + o * stride;
    int64_t dot = 0;
    for (uint32_t b = 0; b < in_count; b = block_end(b, in_count)) {
      const uint32_t end = block_end(b, in_count);
      __m256i s = _mm256_setzero_si256();
      uint32_t i = b;
      for (; i + 16 <= end; i += 16) {
        const __m256i v = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i)));
        s = _mm256_add_epi32(
            s, _mm256_madd_epi16(_mm256_sub_epi16(v, zp), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i))));
      }
      __m128i m = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
      m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0x4E));
      m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0xB1));
      dot += _mm_cvtsi128_si32(m) + row_dot(w, zero_point, a, i, end);
    }
    out[o] = q8_int_finish(scales, bias, o, act_scale, dot);
  }
  _mm256_zeroupper();
}

// acc + the pairwise int16 products of w and x, per int32 lane.
#define FFNLP_MADD_ACC(acc, w, x) _mm256_add_epi32(acc, _mm256_madd_epi16(w, x))

// {sum of s0's lanes, ..., sum of s7's lanes}: pairs of vectors interleaved
// and added, halving the lanes per row at each level (integer sums: any order
// gives the same exact value). Fewer shuffles than three levels of vphaddd.
__attribute__((target("avx2"))) inline __m256i sum_rows8_avx2(__m256i s0, __m256i s1, __m256i s2, __m256i s3,
                                                              __m256i s4, __m256i s5, __m256i s6, __m256i s7) {
  // Per 128-bit lane {a0+a2, b0+b2, a1+a3, b1+b3} of rows a, b.
  const __m256i t01 = _mm256_add_epi32(_mm256_unpacklo_epi32(s0, s1), _mm256_unpackhi_epi32(s0, s1));
  const __m256i t23 = _mm256_add_epi32(_mm256_unpacklo_epi32(s2, s3), _mm256_unpackhi_epi32(s2, s3));
  const __m256i t45 = _mm256_add_epi32(_mm256_unpacklo_epi32(s4, s5), _mm256_unpackhi_epi32(s4, s5));
  const __m256i t67 = _mm256_add_epi32(_mm256_unpacklo_epi32(s6, s7), _mm256_unpackhi_epi32(s6, s7));
  // Per 128-bit lane {row 0, 1, 2, 3} (and 4..7).
  const __m256i u03 = _mm256_add_epi32(_mm256_unpacklo_epi64(t01, t23), _mm256_unpackhi_epi64(t01, t23));
  const __m256i u47 = _mm256_add_epi32(_mm256_unpacklo_epi64(t45, t67), _mm256_unpackhi_epi64(t45, t67));
  return _mm256_add_epi32(_mm256_permute2x128_si256(u03, u47, 0x20), _mm256_permute2x128_si256(u03, u47, 0x31));
}

// For inputs of at most kIntBlock columns (the usual case; longer ones take
// dense_q8_int_avx2_blocks): eight rows at a time; the weights are only
// zero-extended, not shifted by the zero point: the kernel sums q * a and
// subtracts zero_point * sum(a) once per row. Both sums and their difference
// stay within int32 (|q|, |zero_point| <= 255, |a| <= 32767, <= 256 terms:
// <= 2,139,029,760), so the result is the exact dot product of the header.
// 32 columns per step: one 256-bit load of a row's weights, zero-extended by
// vpunpcklbw/vpunpckhbw (per 128-bit lane, so the low words are columns 0-7
// and 16-23, the high words 8-15 and 24-31; the activations are arranged the
// same way once per call): one shuffle per 16 weights, as vpmovzxbw, but half
// the loads. The last 16 and 8 columns are widened by vpmovzxbw, the last < 8
// added one by one. The eight sums are scaled and biased eight at a time with
// the float operations of q8_int_finish(), in its order.
__attribute__((target("avx2"))) void dense_q8_int_avx2_short(const uint8_t* q, const uint8_t* scales, int32_t zero_point,
                                                            const uint8_t* bias, const int16_t* a, float act_scale,
                                                            uint32_t in_count, float* out, uint32_t out_count) {
  const size_t stride = in_count;
  int32_t sum_a = 0;
  for (uint32_t i = 0; i < in_count; ++i) sum_a += a[i];
  const int32_t correction = zero_point * sum_a;
  const uint32_t steps = in_count / 32;
  // Per step: the activations of columns {0-7, 16-23} and {8-15, 24-31}.
  __m256i x_lo[kIntBlock / 32], x_hi[kIntBlock / 32];
  for (uint32_t k = 0; k < steps; ++k) {
    const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 32 * k));
    const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 32 * k + 16));
    x_lo[k] = _mm256_permute2x128_si256(a0, a1, 0x20);
    x_hi[k] = _mm256_permute2x128_si256(a0, a1, 0x31);
  }
  const uint32_t in32 = 32 * steps;
  const bool has16 = in_count - in32 >= 16;
  const uint32_t in16 = in32 + (has16 ? 16 : 0);
  const bool has8 = in_count - in16 >= 8;
  const uint32_t vector_end = in16 + (has8 ? 8 : 0);
  const __m256i x16 = has16 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + in32)) : _mm256_setzero_si256();
  // The last 8 activations (if any) in the low half, zeros above.
  const __m256i x8 =
      has8 ? _mm256_inserti128_si256(_mm256_setzero_si256(), _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + in16)), 0)
           : _mm256_setzero_si256();
  const __m256i zero = _mm256_setzero_si256();
  const __m256 vact = _mm256_set1_ps(act_scale);
  uint32_t o = 0;
  for (; o + 8 <= out_count; o += 8) {
    const uint8_t* w = q + o * stride;
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
#define FFNLP_W32(r, s)                                                                                 \
  {                                                                                                     \
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (r) * stride + i));       \
    s = _mm256_add_epi32(s, _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi8(v, zero), xl),      \
                                             _mm256_madd_epi16(_mm256_unpackhi_epi8(v, zero), xh)));    \
  }
#define FFNLP_W16(r, i) _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + (r) * stride + (i))))
#define FFNLP_W8(r, i) _mm256_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(w + (r) * stride + (i))))
    for (uint32_t k = 0; k < steps; ++k) {
      const uint32_t i = 32 * k;
      const __m256i xl = x_lo[k], xh = x_hi[k];
      FFNLP_W32(0, s0)
      FFNLP_W32(1, s1)
      FFNLP_W32(2, s2)
      FFNLP_W32(3, s3)
      FFNLP_W32(4, s4)
      FFNLP_W32(5, s5)
      FFNLP_W32(6, s6)
      FFNLP_W32(7, s7)
    }
    if (has16) {
      s0 = FFNLP_MADD_ACC(s0, FFNLP_W16(0, in32), x16);
      s1 = FFNLP_MADD_ACC(s1, FFNLP_W16(1, in32), x16);
      s2 = FFNLP_MADD_ACC(s2, FFNLP_W16(2, in32), x16);
      s3 = FFNLP_MADD_ACC(s3, FFNLP_W16(3, in32), x16);
      s4 = FFNLP_MADD_ACC(s4, FFNLP_W16(4, in32), x16);
      s5 = FFNLP_MADD_ACC(s5, FFNLP_W16(5, in32), x16);
      s6 = FFNLP_MADD_ACC(s6, FFNLP_W16(6, in32), x16);
      s7 = FFNLP_MADD_ACC(s7, FFNLP_W16(7, in32), x16);
    }
    if (has8) {
      s0 = FFNLP_MADD_ACC(s0, FFNLP_W8(0, in16), x8);
      s1 = FFNLP_MADD_ACC(s1, FFNLP_W8(1, in16), x8);
      s2 = FFNLP_MADD_ACC(s2, FFNLP_W8(2, in16), x8);
      s3 = FFNLP_MADD_ACC(s3, FFNLP_W8(3, in16), x8);
      s4 = FFNLP_MADD_ACC(s4, FFNLP_W8(4, in16), x8);
      s5 = FFNLP_MADD_ACC(s5, FFNLP_W8(5, in16), x8);
      s6 = FFNLP_MADD_ACC(s6, FFNLP_W8(6, in16), x8);
      s7 = FFNLP_MADD_ACC(s7, FFNLP_W8(7, in16), x8);
    }
#undef FFNLP_W32
#undef FFNLP_W16
#undef FFNLP_W8
    __m256i sums = sum_rows8_avx2(s0, s1, s2, s3, s4, s5, s6, s7);
    if (vector_end != in_count) {
      alignas(32) int32_t tail[8];
      for (int r = 0; r < 8; ++r) tail[r] = row_dot(w + r * stride, 0, a, vector_end, in_count);
      sums = _mm256_add_epi32(sums, _mm256_load_si256(reinterpret_cast<const __m256i*>(tail)));
    }
    finish8(sums, correction, scales, bias, o, vact, out);
  }
  for (; o < out_count; ++o) {
    const uint8_t* w = q + o * stride;
    __m256i s = _mm256_setzero_si256();
    for (uint32_t i = 0; i < in16; i += 16) {
      const __m256i v = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i)));
      s = FFNLP_MADD_ACC(s, v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)));
    }
    if (has8) s = FFNLP_MADD_ACC(s, _mm256_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(w + in16))), x8);
    __m128i m = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0x4E));
    m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0xB1));
    int32_t dot = _mm_cvtsi128_si32(m);
    for (uint32_t i = vector_end; i < in_count; ++i) dot += static_cast<int32_t>(w[i]) * a[i];
    out[o] = q8_int_finish(scales, bias, o, act_scale, static_cast<int64_t>(dot) - correction);
  }
  _mm256_zeroupper();
}
#undef FFNLP_MADD_ACC

// AVX2, for inputs of a multiple of 32 columns (at most kIntBlock) with
// mostly zero activations (the output layer after the ReLU: ~22-25 % of the
// shipped model's 128 hidden units are non-zero). Per 32-column window, one
// "pick" per 8 non-zero activations of its fuller 16-column chunk (none for
// a window without any): per row one load, vpshufb picks the weights of up
// to 8 non-zero columns per 128-bit lane (chunk), zero-extended to int16
// (the control's 0x80 bytes give the zero high bytes), and one vpmaddwd
// multiplies them into those columns' activations, packed the same way once
// per call. The dense kernel spends about 7 instructions per row and window,
// a pick 4, so the path declines inputs needing more than 7/4 picks per
// window (kept as 4 * picks > 7 * windows). Zero activations add nothing to
// the exact integer sum and zero_point * sum(a) is unchanged, so every
// output is the same integer as the dense kernel's, scaled by the same float
// steps: the same bits. Returns false, having written nothing, when the
// input does not qualify.
__attribute__((target("avx2"))) bool dense_q8_int_avx2_sparse_impl(const uint8_t* q, const uint8_t* scales,
                                                                  int32_t zero_point, const uint8_t* bias,
                                                                  const int16_t* a, float act_scale, uint32_t in_count,
                                                                  float* out, uint32_t out_count) {
  if (in_count % 32 != 0 || in_count > kIntBlock) return false;
  const uint32_t windows = in_count / 32;
  // Per pick: the window's first column, the vpshufb control (per lane, word
  // s = {column in the chunk of its next non-zero activation, 0x80}; {0x80,
  // 0x80} past them) and the packed activations (zero past them).
  constexpr uint32_t kMaxPicks = 2 * kIntBlock / 32;
  alignas(32) uint16_t control[kMaxPicks][16];
  alignas(32) int16_t packed[kMaxPicks][16];
  uint32_t column[kMaxPicks];
  uint32_t picks = 0;
  int32_t sum_a = 0;
  const __m256i zero = _mm256_setzero_si256();
  const __m256i empty_control = _mm256_set1_epi16(static_cast<int16_t>(0x8080));
  for (uint32_t k = 0; k < windows; ++k) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 32 * k));
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 32 * k + 16));
    // Bit i: a[32k + i] != 0 (vpacksswb keeps zero and non-zero apart; its
    // per-lane order {v 0-7, w 0-7, v 8-15, w 8-15} is put back by vpermq).
    const __m256i bytes = _mm256_permute4x64_epi64(
        _mm256_packs_epi16(_mm256_cmpeq_epi16(v, zero), _mm256_cmpeq_epi16(w, zero)), 0xD8);
    const uint32_t nonzero = ~static_cast<uint32_t>(_mm256_movemask_epi8(bytes));
    if (nonzero == 0) continue;
    const uint32_t low = static_cast<uint32_t>(__builtin_popcount(nonzero & 0xFFFFu));
    const uint32_t high = static_cast<uint32_t>(__builtin_popcount(nonzero >> 16));
    const uint32_t fuller = low > high ? low : high;
    const uint32_t need = (fuller + 7) / 8;  // 1 or 2
    for (uint32_t e = picks; e < picks + need; ++e) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(control[e]), empty_control);
      _mm256_store_si256(reinterpret_cast<__m256i*>(packed[e]), zero);
      column[e] = 32 * k;
    }
    for (uint32_t h = 0; h < 2; ++h) {
      uint32_t s = 0;
      for (uint32_t bits = (nonzero >> (16 * h)) & 0xFFFFu; bits != 0; bits &= bits - 1, ++s) {
        const uint32_t c = static_cast<uint32_t>(__builtin_ctz(bits));
        const int16_t value = a[32 * k + 16 * h + c];
        control[picks + s / 8][8 * h + s % 8] = static_cast<uint16_t>(0x8000u | c);
        packed[picks + s / 8][8 * h + s % 8] = value;
        sum_a += value;
      }
    }
    picks += need;
  }
  if (4 * picks > 7 * windows) {
    _mm256_zeroupper();
    return false;
  }
  const int32_t correction = zero_point * sum_a;
  const size_t stride = in_count;
  const __m256 vact = _mm256_set1_ps(act_scale);
  uint32_t o = 0;
  for (; o + 8 <= out_count; o += 8) {
    const uint8_t* w = q + o * stride;
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (uint32_t e = 0; e < picks; ++e) {
      const uint32_t i = column[e];
      const __m256i c = _mm256_load_si256(reinterpret_cast<const __m256i*>(control[e]));
      const __m256i x = _mm256_load_si256(reinterpret_cast<const __m256i*>(packed[e]));
#define FFNLP_PICK(r, s)                                                                                         \
  s = _mm256_add_epi32(                                                                                          \
      s, _mm256_madd_epi16(                                                                                      \
             _mm256_shuffle_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (r) * stride + i)), c), x));
      FFNLP_PICK(0, s0)
      FFNLP_PICK(1, s1)
      FFNLP_PICK(2, s2)
      FFNLP_PICK(3, s3)
      FFNLP_PICK(4, s4)
      FFNLP_PICK(5, s5)
      FFNLP_PICK(6, s6)
      FFNLP_PICK(7, s7)
    }
    finish8(sum_rows8_avx2(s0, s1, s2, s3, s4, s5, s6, s7), correction, scales, bias, o, vact, out);
  }
  for (; o < out_count; ++o) {
    const uint8_t* w = q + o * stride;
    __m256i s = _mm256_setzero_si256();
    for (uint32_t e = 0; e < picks; ++e) {
      const uint32_t i = column[e];
      const __m256i c = _mm256_load_si256(reinterpret_cast<const __m256i*>(control[e]));
      const __m256i x = _mm256_load_si256(reinterpret_cast<const __m256i*>(packed[e]));
      FFNLP_PICK(0, s)
    }
#undef FFNLP_PICK
    __m128i m = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0x4E));
    m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0xB1));
    out[o] = q8_int_finish(scales, bias, o, act_scale, static_cast<int64_t>(_mm_cvtsi128_si32(m)) - correction);
  }
  _mm256_zeroupper();
  return true;
}

bool has_avx512_vnni() {
  if (defined_no_avx512()) return false;
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

// {sum of s0's lanes, ..., sum of s7's lanes}: pairs of vectors interleaved
// and added, halving the lanes per row at each level (integer sums: any order
// gives the same exact value).
__attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni"))) inline __m256i sum_rows8(
    __m512i s0, __m512i s1, __m512i s2, __m512i s3, __m512i s4, __m512i s5, __m512i s6, __m512i s7) {
  // 8 lanes per row: per 128-bit lane {a0+a2, b0+b2, a1+a3, b1+b3} of rows a, b
  // (masked forms, every lane selected: the plain ones trip GCC 12 warnings).
  const __m512i t01 = _mm512_add_epi32(_mm512_maskz_unpacklo_epi32(0xFFFF, s0, s1), _mm512_maskz_unpackhi_epi32(0xFFFF, s0, s1));
  const __m512i t23 = _mm512_add_epi32(_mm512_maskz_unpacklo_epi32(0xFFFF, s2, s3), _mm512_maskz_unpackhi_epi32(0xFFFF, s2, s3));
  const __m512i t45 = _mm512_add_epi32(_mm512_maskz_unpacklo_epi32(0xFFFF, s4, s5), _mm512_maskz_unpackhi_epi32(0xFFFF, s4, s5));
  const __m512i t67 = _mm512_add_epi32(_mm512_maskz_unpacklo_epi32(0xFFFF, s6, s7), _mm512_maskz_unpackhi_epi32(0xFFFF, s6, s7));
  // 4 lanes per row: per 128-bit lane {row 0, 1, 2, 3} (and 4..7).
  const __m512i u03 = _mm512_add_epi32(_mm512_maskz_unpacklo_epi64(0xFF, t01, t23), _mm512_maskz_unpackhi_epi64(0xFF, t01, t23));
  const __m512i u47 = _mm512_add_epi32(_mm512_maskz_unpacklo_epi64(0xFF, t45, t67), _mm512_maskz_unpackhi_epi64(0xFF, t45, t67));
  // 2 lanes per row: 128-bit lanes {0+1 of u03, 2+3 of u03, 0+1 of u47, 2+3 of u47}.
  const __m512i v = _mm512_add_epi32(_mm512_maskz_shuffle_i32x4(0xFFFF, u03, u47, 0x88), _mm512_maskz_shuffle_i32x4(0xFFFF, u03, u47, 0xDD));
  // 1 lane per row: {rows 0..3, rows 4..7} = lanes {0, 2} + lanes {1, 3}.
  const __m512i w = _mm512_add_epi32(v, _mm512_maskz_shuffle_i32x4(0xFFFF, v, v, 0xB1));  // lanes 0, 2 hold the sums
  return _mm512_maskz_extracti64x4_epi64(0xFF, _mm512_maskz_shuffle_i32x4(0xFFFF, w, w, 0x08), 0);
}

// AVX-512 (BW, VNNI), inputs of at most kIntBlock columns: the arithmetic of
// dense_q8_int_x86.inc (zero-extended weights, zero_point * sum(a)
// subtracted once per row, eight rows at a time) with 32 columns per step
// (vpmovzxbw to 32 int16, vpdpwssd into 16 int32 lanes) and the last, partial
// step through masked loads (lanes past the row read nothing and are zero).
__attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni"))) void dense_q8_int_avx512_short(
    const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias, const int16_t* a,
    float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  const size_t stride = in_count;
  const uint32_t full = in_count / 32;
  const uint32_t rest = in_count - 32 * full;  // 0..31 columns in the masked step
  const __mmask32 mask = rest == 0 ? 0 : (static_cast<__mmask32>(1) << rest) - 1;
  const __m512i x_rest = _mm512_maskz_loadu_epi16(mask, a + 32 * full);
  // sum(a), 32 values per step (pairs times 1 into int32 lanes).
  const __m512i ones = _mm512_set1_epi16(1);
  __m512i va = _mm512_dpwssd_epi32(_mm512_setzero_si512(), x_rest, ones);
  for (uint32_t k = 0; k < full; ++k) va = _mm512_dpwssd_epi32(va, _mm512_loadu_si512(a + 32 * k), ones);
  const __m256i va8 = _mm256_add_epi32(_mm512_maskz_extracti64x4_epi64(0xFF, va, 0), _mm512_maskz_extracti64x4_epi64(0xFF, va, 1));
  __m128i va4 = _mm_add_epi32(_mm256_castsi256_si128(va8), _mm256_extracti128_si256(va8, 1));
  va4 = _mm_add_epi32(va4, _mm_shuffle_epi32(va4, 0x4E));
  va4 = _mm_add_epi32(va4, _mm_shuffle_epi32(va4, 0xB1));
  const int32_t correction = zero_point * _mm_cvtsi128_si32(va4);
  const __m256 vact = _mm256_set1_ps(act_scale);
  uint32_t o = 0;
  for (; o + 8 <= out_count; o += 8) {
    const uint8_t* w = q + o * stride;
    __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
#define FFNLP_W32(r, i) _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (r) * stride + (i))))
#define FFNLP_WM(r, i) _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(mask, w + (r) * stride + (i)))
    for (uint32_t k = 0; k < full; ++k) {
      const uint32_t i = 32 * k;
      const __m512i x = _mm512_loadu_si512(a + i);
      s0 = _mm512_dpwssd_epi32(s0, FFNLP_W32(0, i), x);
      s1 = _mm512_dpwssd_epi32(s1, FFNLP_W32(1, i), x);
      s2 = _mm512_dpwssd_epi32(s2, FFNLP_W32(2, i), x);
      s3 = _mm512_dpwssd_epi32(s3, FFNLP_W32(3, i), x);
      s4 = _mm512_dpwssd_epi32(s4, FFNLP_W32(4, i), x);
      s5 = _mm512_dpwssd_epi32(s5, FFNLP_W32(5, i), x);
      s6 = _mm512_dpwssd_epi32(s6, FFNLP_W32(6, i), x);
      s7 = _mm512_dpwssd_epi32(s7, FFNLP_W32(7, i), x);
    }
    if (rest != 0) {
      const uint32_t i = 32 * full;
      s0 = _mm512_dpwssd_epi32(s0, FFNLP_WM(0, i), x_rest);
      s1 = _mm512_dpwssd_epi32(s1, FFNLP_WM(1, i), x_rest);
      s2 = _mm512_dpwssd_epi32(s2, FFNLP_WM(2, i), x_rest);
      s3 = _mm512_dpwssd_epi32(s3, FFNLP_WM(3, i), x_rest);
      s4 = _mm512_dpwssd_epi32(s4, FFNLP_WM(4, i), x_rest);
      s5 = _mm512_dpwssd_epi32(s5, FFNLP_WM(5, i), x_rest);
      s6 = _mm512_dpwssd_epi32(s6, FFNLP_WM(6, i), x_rest);
      s7 = _mm512_dpwssd_epi32(s7, FFNLP_WM(7, i), x_rest);
    }
#undef FFNLP_W32
#undef FFNLP_WM
    finish8(sum_rows8(s0, s1, s2, s3, s4, s5, s6, s7), correction, scales, bias, o, vact, out);
  }
  for (; o < out_count; ++o) {
    const uint8_t* w = q + o * stride;
    __m512i s = _mm512_setzero_si512();
    for (uint32_t k = 0; k < full; ++k) {
      const __m512i v = _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32 * k)));
      s = _mm512_dpwssd_epi32(s, v, _mm512_loadu_si512(a + 32 * k));
    }
    if (rest != 0) s = _mm512_dpwssd_epi32(s, _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(mask, w + 32 * full)), x_rest);
    const __m256i h = _mm256_add_epi32(_mm512_maskz_extracti64x4_epi64(0xFF, s, 0), _mm512_maskz_extracti64x4_epi64(0xFF, s, 1));
    __m128i m = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0x4E));
    m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0xB1));
    const int32_t dot = _mm_cvtsi128_si32(m);
    out[o] = q8_int_finish(scales, bias, o, act_scale, static_cast<int64_t>(dot) - correction);
  }
  _mm256_zeroupper();
}

// AVX-512 VNNI on bytes, inputs of at most kIntBlock columns: the weights
// are not widened at all. Each activation is split into its two bytes,
// a = 256 * hi + lo (hi = a >> 8, signed; lo = a & 255, unsigned), and
// vpdpbusd (unsigned bytes times signed bytes, four products added per int32
// lane) gives, per row,
//   d1 = sum q * hi            (q unsigned, hi signed)
//   d2 = sum lo * (q - 128)    (lo unsigned; q xor 0x80 is q - 128 as a signed byte)
// so sum (q - zero_point) * a = 256 * d1 + d2 + 128 * sum lo - zero_point * sum a.
// |d1|, |d2| <= 256 * 255 * 128 for up to 256 columns, so no lane overflows;
// the terms are combined in wrapping 32-bit arithmetic, which gives the exact
// dot because the dot itself fits in int32 (see the header). Columns past
// in_count: hi and lo are zero there and the weights are loaded masked.
// Eight rows at a time, 64 columns per step; the sums scaled and biased as in


bool has_avx512_vbmi2() {
  return has_avx512_vnni() && __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vbmi2");
}

// Sum of the 16 int32 lanes.

// AVX-512 VBMI/VBMI2, for inputs of at most kSparseMaxIn columns of which
// at most kSparseMaxNonzero activations are non-zero (the output layer after
// a ReLU: about 3/4 of the shipped model's hidden units are zero): only the
// columns with a non-zero activation are multiplied. Their indices and
// activations are packed to the front once per call (vpcompressb,
// vpcompressw); per row, vpermt2b gathers the weights of those columns from
// the row's (up to) 128 bytes, and the dot product takes one vpdpwssd per 32
// of them instead of one per 32 columns. Zero activations add nothing to the
// exact integer sum and zero_point * sum(a) is unchanged, so every output is
// the same integer, scaled as in dense_q8_int_avx512_short: the same bits.
// Returns false, having written nothing, when the input does not qualify.
__attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi,avx512vbmi2"))) bool dense_q8_int_avx512_sparse_impl(
    const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias, const int16_t* a,
    float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  if (in_count > kSparseMaxIn) return false;
  // Packed activations and their column indices; zero (index 0) past the
  // last, so the lanes past them add nothing. 32 spare entries: each step
  // stores a whole register at the current end.
  alignas(64) int16_t packed[kSparseMaxNonzero + 32] = {};
  alignas(64) uint8_t index[kSparseMaxNonzero + 32] = {};
  int32_t sum_a = 0;
  const uint32_t nonzero = pack_nonzero_avx512(a, in_count, kSparseMaxNonzero, packed, index, &sum_a);
  if (nonzero > kSparseMaxNonzero) return false;
  const int32_t correction = zero_point * sum_a;
  const bool two = nonzero > 32;
  const __m512i x0 = _mm512_load_si512(packed), x1 = _mm512_load_si512(packed + 32);
  const __m512i columns = _mm512_load_si512(index);
  // The row's bytes as two 64-byte tables (masked: nothing read past the row).
  const __mmask64 lo_mask = in_count >= 64 ? ~static_cast<__mmask64>(0) : (static_cast<__mmask64>(1) << in_count) - 1;
  const __mmask64 hi_mask = in_count >= 128 ? ~static_cast<__mmask64>(0)
                            : in_count > 64  ? (static_cast<__mmask64>(1) << (in_count - 64)) - 1
                                             : 0;
  const size_t stride = in_count;
  const __m256 vact = _mm256_set1_ps(act_scale);
  // The gathered weights of row r: {column index[0], index[1], ...} of the row.
#define FFNLP_GATHER(r)                                                                                   \
  _mm512_permutex2var_epi8(_mm512_maskz_loadu_epi8(lo_mask, w + (r) * stride), columns,                   \
                           _mm512_maskz_loadu_epi8(hi_mask, w + (r) * stride + 64))
#define FFNLP_DOT(g)                                                                                       \
  (two ? _mm512_dpwssd_epi32(                                                                              \
             _mm512_dpwssd_epi32(zero, _mm512_cvtepu8_epi16(_mm512_maskz_extracti64x4_epi64(0xFF, g, 0)), x0), \
             _mm512_cvtepu8_epi16(_mm512_maskz_extracti64x4_epi64(0xFF, g, 1)), x1)                          \
       : _mm512_dpwssd_epi32(zero, _mm512_cvtepu8_epi16(_mm512_maskz_extracti64x4_epi64(0xFF, g, 0)), x0))
  const __m512i zero = _mm512_setzero_si512();
  uint32_t o = 0;
  for (; o + 8 <= out_count; o += 8) {
    const uint8_t* w = q + o * stride;
    const __m512i g0 = FFNLP_GATHER(0), g1 = FFNLP_GATHER(1), g2 = FFNLP_GATHER(2), g3 = FFNLP_GATHER(3);
    const __m512i g4 = FFNLP_GATHER(4), g5 = FFNLP_GATHER(5), g6 = FFNLP_GATHER(6), g7 = FFNLP_GATHER(7);
    __m256i sums = sum_rows8(FFNLP_DOT(g0), FFNLP_DOT(g1), FFNLP_DOT(g2), FFNLP_DOT(g3), FFNLP_DOT(g4), FFNLP_DOT(g5),
                             FFNLP_DOT(g6), FFNLP_DOT(g7));
    finish8(sums, correction, scales, bias, o, vact, out);
  }
  for (; o < out_count; ++o) {
    const uint8_t* w = q + o * stride;
    const __m512i g = FFNLP_GATHER(0);
    const int32_t dot = hsum_epi32_512(FFNLP_DOT(g));
    out[o] = q8_int_finish(scales, bias, o, act_scale, static_cast<int64_t>(dot) - correction);
  }
#undef FFNLP_GATHER
#undef FFNLP_DOT
  _mm256_zeroupper();
  return true;
}
#endif

#if defined(FFNLP_INT_SSE2)
inline int32_t hsum_epi32(__m128i m) {
  m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0x4E));
  m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0xB1));
  return _mm_cvtsi128_si32(m);
}

// {sum a, sum b, sum c, sum d} of four int32 vectors.
inline __m128i hsum4_epi32(__m128i a, __m128i b, __m128i c, __m128i d) {
  const __m128i ab = _mm_add_epi32(_mm_unpacklo_epi32(a, b), _mm_unpackhi_epi32(a, b));  // a0+a2 b0+b2 a1+a3 b1+b3
  const __m128i cd = _mm_add_epi32(_mm_unpacklo_epi32(c, d), _mm_unpackhi_epi32(c, d));
  return _mm_add_epi32(_mm_unpacklo_epi64(ab, cd), _mm_unpackhi_epi64(ab, cd));
}

// SSE2 (and WebAssembly SIMD through emscripten's SSE2 headers: pmaddwd is
// i32x4.dot_i16x8_s), inputs of at most kIntBlock columns: the arithmetic of
// the AVX2 kernel above (weights only widened, zero_point * sum(a)
// subtracted once per row) four rows at a time, 16 columns per step, and the
// four results scaled and biased as one vector in q8_int_finish()'s order.
void dense_q8_int_sse2_short(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                             const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  const size_t stride = in_count;
  int32_t sum_a = 0;
  for (uint32_t i = 0; i < in_count; ++i) sum_a += a[i];
  const int32_t correction = zero_point * sum_a;
  const __m128i zero = _mm_setzero_si128();
  const uint32_t in16 = in_count & ~15u;
  const bool has8 = in_count - in16 >= 8;
  const uint32_t vector_end = in16 + (has8 ? 8 : 0);
  const __m128 vact = _mm_set1_ps(act_scale);
  uint32_t o = 0;
  for (; o + 4 <= out_count; o += 4) {
    const uint8_t* w = q + o * stride;
    __m128i s0 = _mm_setzero_si128(), s1 = s0, s2 = s0, s3 = s0;
    for (uint32_t i = 0; i < in16; i += 16) {
      const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
      const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 8));
#define FFNLP_ROW(r, s)                                                                              \
  {                                                                                                  \
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + (r) * stride + i));       \
    s = _mm_add_epi32(s, _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(v, zero), x0),               \
                                       _mm_madd_epi16(_mm_unpackhi_epi8(v, zero), x1)));             \
  }
      FFNLP_ROW(0, s0)
      FFNLP_ROW(1, s1)
      FFNLP_ROW(2, s2)
      FFNLP_ROW(3, s3)
#undef FFNLP_ROW
    }
    if (has8) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + in16));
#define FFNLP_ROW8(r, s)                                                                                       \
  s = _mm_add_epi32(s, _mm_madd_epi16(_mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(      \
                                                            w + (r) * stride + in16)),                       \
                                                        zero),                                               \
                                      x));
      FFNLP_ROW8(0, s0)
      FFNLP_ROW8(1, s1)
      FFNLP_ROW8(2, s2)
      FFNLP_ROW8(3, s3)
#undef FFNLP_ROW8
    }
    __m128i sums = hsum4_epi32(s0, s1, s2, s3);
    if (vector_end != in_count) {
      int32_t tail[4];
      for (int r = 0; r < 4; ++r) tail[r] = row_dot(w + r * stride, 0, a, vector_end, in_count);
      sums = _mm_add_epi32(sums, _mm_loadu_si128(reinterpret_cast<const __m128i*>(tail)));
    }
    sums = _mm_sub_epi32(sums, _mm_set1_epi32(correction));
    const __m128 c = _mm_mul_ps(_mm_loadu_ps(reinterpret_cast<const float*>(scales + 4 * static_cast<size_t>(o))), vact);
    _mm_storeu_ps(out + o, _mm_add_ps(_mm_mul_ps(c, _mm_cvtepi32_ps(sums)),
                                      _mm_loadu_ps(reinterpret_cast<const float*>(bias + 4 * static_cast<size_t>(o)))));
  }
  for (; o < out_count; ++o) {
    const uint8_t* w = q + o * stride;
    int32_t dot = 0;
    for (uint32_t i = 0; i < in_count; ++i) dot += static_cast<int32_t>(w[i]) * a[i];
    out[o] = q8_int_finish(scales, bias, o, act_scale, static_cast<int64_t>(dot) - correction);
  }
}
#endif

#if defined(FFNLP_INT_SSE2)
void dense_q8_int_sse2_blocks(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias, const int16_t* a,
    float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  // Longer inputs than kIntBlock columns: two rows at a time, 16 columns per step: bytes widened by unpacking with
  // zero (SSE2 has no pmovzx), zero point subtracted, pmaddwd, paddd.
  const size_t stride = in_count;
  const __m128i zp = _mm_set1_epi16(static_cast<int16_t>(zero_point));
  const __m128i zero = _mm_setzero_si128();
  uint32_t o = 0;
  for (; o + 2 <= out_count; o += 2) {
    const uint8_t* w0 = q + o * stride;
    const uint8_t* w1 = w0 + stride;
    int64_t dot0 = 0, dot1 = 0;
    for (uint32_t b = 0; b < in_count; b = block_end(b, in_count)) {
      const uint32_t end = block_end(b, in_count);
      __m128i s0 = _mm_setzero_si128(), s1 = s0;
      uint32_t i = b;
      for (; i + 16 <= end; i += 16) {
        const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
        const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 8));
        const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w0 + i));
        const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w1 + i));
        s0 = _mm_add_epi32(s0, _mm_madd_epi16(_mm_sub_epi16(_mm_unpacklo_epi8(v0, zero), zp), x0));
        s0 = _mm_add_epi32(s0, _mm_madd_epi16(_mm_sub_epi16(_mm_unpackhi_epi8(v0, zero), zp), x1));
        s1 = _mm_add_epi32(s1, _mm_madd_epi16(_mm_sub_epi16(_mm_unpacklo_epi8(v1, zero), zp), x0));
        s1 = _mm_add_epi32(s1, _mm_madd_epi16(_mm_sub_epi16(_mm_unpackhi_epi8(v1, zero), zp), x1));
      }
      for (; i + 8 <= end; i += 8) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
        const __m128i v0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w0 + i));
        const __m128i v1 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w1 + i));
        s0 = _mm_add_epi32(s0, _mm_madd_epi16(_mm_sub_epi16(_mm_unpacklo_epi8(v0, zero), zp), x));
        s1 = _mm_add_epi32(s1, _mm_madd_epi16(_mm_sub_epi16(_mm_unpacklo_epi8(v1, zero), zp), x));
      }
      dot0 += hsum_epi32(s0) + row_dot(w0, zero_point, a, i, end);
      dot1 += hsum_epi32(s1) + row_dot(w1, zero_point, a, i, end);
    }
    out[o] = q8_int_finish(scales, bias, o, act_scale, dot0);
    out[o + 1] = q8_int_finish(scales, bias, o + 1, act_scale, dot1);
  }
  if (o < out_count) paths::dense_q8_int_scalar(q + o * stride, scales + 4 * o, zero_point, bias + 4 * o, a, act_scale,
                                         in_count, out + o, out_count - o);
}
#endif

#if defined(FFNLP_INT_NEON)
// Any input length.
void dense_q8_int_neon_rows(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias, const int16_t* a,
    float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  // One row at a time, 16 columns per step: bytes widened (vmovl_u8), zero
  // point subtracted, int16 x int16 multiplied into int32 lanes (vmlal_s16 on
  // the low halves, vmlal_high_s16 on the high ones), two accumulators.
  const int16x8_t zp = vdupq_n_s16(static_cast<int16_t>(zero_point));
  for (uint32_t o = 0; o < out_count; ++o) {
    const uint8_t* w = q + static_cast<size_t>(o) * in_count;
    int64_t dot = 0;
    for (uint32_t b = 0; b < in_count; b = block_end(b, in_count)) {
      const uint32_t end = block_end(b, in_count);
      int32x4_t s0 = vdupq_n_s32(0), s1 = s0;
      uint32_t i = b;
      for (; i + 16 <= end; i += 16) {
        const uint8x16_t v = vld1q_u8(w + i);
        const int16x8_t lo = vsubq_s16(vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(v))), zp);
        const int16x8_t hi = vsubq_s16(vreinterpretq_s16_u16(vmovl_u8(vget_high_u8(v))), zp);
        const int16x8_t x0 = vld1q_s16(a + i), x1 = vld1q_s16(a + i + 8);
        s0 = vmlal_s16(s0, vget_low_s16(lo), vget_low_s16(x0));
        s1 = vmlal_high_s16(s1, lo, x0);
        s0 = vmlal_s16(s0, vget_low_s16(hi), vget_low_s16(x1));
        s1 = vmlal_high_s16(s1, hi, x1);
      }
      for (; i + 8 <= end; i += 8) {
        const int16x8_t v = vsubq_s16(vreinterpretq_s16_u16(vmovl_u8(vld1_u8(w + i))), zp);
        const int16x8_t x = vld1q_s16(a + i);
        s0 = vmlal_s16(s0, vget_low_s16(v), vget_low_s16(x));
        s1 = vmlal_high_s16(s1, v, x);
      }
      dot += vaddvq_s32(vaddq_s32(s0, s1)) + row_dot(w, zero_point, a, i, end);
    }
    out[o] = q8_int_finish(scales, bias, o, act_scale, dot);
  }
}
#endif

using IntKernel = void (*)(const uint8_t*, const uint8_t*, int32_t, const uint8_t*, const int16_t*, float, uint32_t,
                           float*, uint32_t);

// What every SIMD path does: nothing when the CPU cannot run it (or it is not
// compiled in: null kernels); else the kernel for inputs of at most kIntBlock
// columns or the one for longer inputs.
inline bool run_path(bool usable, IntKernel short_inputs, IntKernel long_inputs, const uint8_t* q,
                     const uint8_t* scales, int32_t zero_point, const uint8_t* bias, const int16_t* a, float act_scale,
                     uint32_t in_count, float* out, uint32_t out_count) {
  if (!usable) return false;
  (in_count <= kIntBlock ? short_inputs : long_inputs)(q, scales, zero_point, bias, a, act_scale, in_count, out,
                                                       out_count);
  return true;
}

}  // namespace

// Each path: run_path with its kernels where compiled in.
#define FFNLP_INT_ARGS q, scales, zero_point, bias, a, act_scale, in_count, out, out_count

namespace paths {

bool dense_q8_int_avx2(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias, const int16_t* a,
    float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_INT_AVX2)
  return run_path(has_avx2(), dense_q8_int_avx2_short, dense_q8_int_avx2_blocks, FFNLP_INT_ARGS);
#else
  return run_path(false, nullptr, nullptr, FFNLP_INT_ARGS);
#endif
}

bool dense_q8_int_avx2_sparse(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                              const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_INT_AVX2)
  return has_avx2() && dense_q8_int_avx2_sparse_impl(q, scales, zero_point, bias, a, act_scale, in_count, out, out_count);
#else
  return run_path(false, nullptr, nullptr, FFNLP_INT_ARGS);
#endif
}

bool dense_q8_int_avx512_vnni(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias, const int16_t* a,
    float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_INT_AVX2)
  return run_path(has_avx512_vnni(), dense_q8_int_avx512_short, dense_q8_int_avx2_blocks, FFNLP_INT_ARGS);
#else
  return run_path(false, nullptr, nullptr, FFNLP_INT_ARGS);
#endif
}

bool dense_q8_int_avx512_sparse(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                                const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_INT_AVX2)
  return has_avx512_vbmi2() &&
         dense_q8_int_avx512_sparse_impl(q, scales, zero_point, bias, a, act_scale, in_count, out, out_count);
#else
  return run_path(false, nullptr, nullptr, FFNLP_INT_ARGS);
#endif
}

bool dense_q8_int_avx512_sparse_usable() {
#if defined(FFNLP_INT_AVX2)
  return has_avx512_vbmi2();
#else
  return false;
#endif
}

bool dense_q8_int_sse2(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias, const int16_t* a,
    float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_INT_SSE2)
  return run_path(true, dense_q8_int_sse2_short, dense_q8_int_sse2_blocks, FFNLP_INT_ARGS);
#else
  return run_path(false, nullptr, nullptr, FFNLP_INT_ARGS);
#endif
}

bool dense_q8_int_neon(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias, const int16_t* a,
    float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_INT_NEON)
  return run_path(true, dense_q8_int_neon_rows, dense_q8_int_neon_rows, FFNLP_INT_ARGS);
#else
  return run_path(false, nullptr, nullptr, FFNLP_INT_ARGS);
#endif
}

}  // namespace paths

#undef FFNLP_INT_ARGS

namespace {

#if defined(FFNLP_INT_AVX2)
// quantize_activations 16 values per step (the last masked): the same
// arithmetic as the SSE2 path (largest magnitude, x - x unordered for
// non-finite values, x * inv clamped and rounded to nearest even by
// vcvtps2dq); the clamped values fit int16, so the narrowing is exact.
__attribute__((target("avx2,avx512f,avx512bw"))) float quantize_activations_avx512_impl(const float* in, uint32_t n,
                                                                                      int16_t* a) {
  __m512 vmax = _mm512_setzero_ps();
  __mmask16 bad = 0;
  for (uint32_t i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(k, in + i);
    vmax = _mm512_maskz_max_ps(0xFFFF, vmax, _mm512_abs_ps(v));  // sign bit cleared
    bad = static_cast<__mmask16>(bad | _mm512_cmp_ps_mask(_mm512_maskz_sub_ps(0xFFFF, v, v), _mm512_setzero_ps(), _CMP_UNORD_Q));
  }
  __m256 h = _mm256_max_ps(_mm256_castsi256_ps(_mm512_maskz_extracti64x4_epi64(0xFF, _mm512_castps_si512(vmax), 0)),
                           _mm256_castsi256_ps(_mm512_maskz_extracti64x4_epi64(0xFF, _mm512_castps_si512(vmax), 1)));
  __m128 q = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  q = _mm_max_ps(q, _mm_movehl_ps(q, q));
  q = _mm_max_ss(q, _mm_shuffle_ps(q, q, 1));
  float act_scale;
  if (!usable_max(_mm_cvtss_f32(q), bad == 0, n, a, &act_scale)) {
    _mm256_zeroupper();
    return act_scale;
  }
  const __m512 inv = _mm512_set1_ps(32767.0f / _mm_cvtss_f32(q));
  const __m512 hi = _mm512_set1_ps(32767.0f), lo = _mm512_set1_ps(-32767.0f);
  for (uint32_t i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 y = _mm512_maskz_min_ps(0xFFFF, _mm512_maskz_max_ps(0xFFFF, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, in + i), inv), lo), hi);
    _mm512_mask_cvtepi32_storeu_epi16(a + i, k, _mm512_maskz_cvtps_epi32(0xFFFF, y));
  }
  _mm256_zeroupper();
  return act_scale;
}
#endif

#if defined(FFNLP_INT_AVX2)
// The SSE2 path's arithmetic eight (then sixteen) values at a time: the
// largest magnitude (sign bit cleared) and x - x unordered, then x * inv
// clamped and rounded by vcvtps2dq (round to nearest even), packed to int16.
__attribute__((target("avx2"))) float quantize_activations_avx2_impl(const float* in, uint32_t n, int16_t* a) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 vmax = _mm256_setzero_ps(), bad = _mm256_setzero_ps();
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(in + i);
    vmax = _mm256_max_ps(vmax, _mm256_and_ps(v, abs_mask));
    bad = _mm256_or_ps(bad, _mm256_cmp_ps(_mm256_sub_ps(v, v), _mm256_setzero_ps(), _CMP_UNORD_Q));
  }
  __m128 q = _mm_max_ps(_mm256_castps256_ps128(vmax), _mm256_extractf128_ps(vmax, 1));
  q = _mm_max_ps(q, _mm_movehl_ps(q, q));
  q = _mm_max_ss(q, _mm_shuffle_ps(q, q, 1));
  float max_abs = _mm_cvtss_f32(q);
  bool finite = _mm256_movemask_ps(bad) == 0;
  _mm256_zeroupper();  // std::isfinite, std::fabs and memset below may be plain SSE
  scan_max_abs(in, i, n, &max_abs, &finite);
  float act_scale;
  if (!usable_max(max_abs, finite, n, a, &act_scale)) return act_scale;
  const float inv_value = 32767.0f / max_abs;
  const __m256 inv = _mm256_set1_ps(inv_value);
  const __m256 hi = _mm256_set1_ps(32767.0f), lo = _mm256_set1_ps(-32767.0f);
  for (i = 0; i + 16 <= n; i += 16) {
    const __m256 y0 = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(in + i), inv), lo), hi);
    const __m256 y1 = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(in + i + 8), inv), lo), hi);
    // vpackssdw packs per 128-bit lane: quarters {y0 0-3, y1 0-3, y0 4-7, y1 4-7}, put back in order.
    const __m256i packed = _mm256_packs_epi32(_mm256_cvtps_epi32(y0), _mm256_cvtps_epi32(y1));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + i), _mm256_permute4x64_epi64(packed, 0xD8));
  }
  for (; i + 8 <= n; i += 8) {
    const __m128 y0 = _mm_min_ps(_mm_max_ps(_mm_mul_ps(_mm_loadu_ps(in + i), _mm256_castps256_ps128(inv)),
                                            _mm256_castps256_ps128(lo)), _mm256_castps256_ps128(hi));
    const __m128 y1 = _mm_min_ps(_mm_max_ps(_mm_mul_ps(_mm_loadu_ps(in + i + 4), _mm256_castps256_ps128(inv)),
                                            _mm256_castps256_ps128(lo)), _mm256_castps256_ps128(hi));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(a + i), _mm_packs_epi32(_mm_cvtps_epi32(y0), _mm_cvtps_epi32(y1)));
  }
  _mm256_zeroupper();
  for (; i < n; ++i) a[i] = quantize_one(in[i], inv_value);
  return act_scale;
}
#endif

}  // namespace

namespace paths {
bool quantize_activations_avx512(const float* in, uint32_t n, int16_t* a, float* act_scale) {
#if defined(FFNLP_INT_AVX2)
  if (!defined_no_avx512() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
    *act_scale = quantize_activations_avx512_impl(in, n, a);
    return true;
  }
#endif
  (void)in, (void)n, (void)a, (void)act_scale;
  return false;
}
}  // namespace paths

bool paths::quantize_activations_avx2(const float* in, uint32_t n, int16_t* a, float* act_scale) {
#if defined(FFNLP_INT_AVX2)
  if (has_avx2()) {
    *act_scale = quantize_activations_avx2_impl(in, n, a);
    return true;
  }
#endif
  (void)in, (void)n, (void)a, (void)act_scale;
  return false;
}

float quantize_activations(const float* in, uint32_t n, int16_t* a) {
  float act_scale;
  if (paths::quantize_activations_avx512(in, n, a, &act_scale)) return act_scale;
  if (paths::quantize_activations_avx2(in, n, a, &act_scale)) return act_scale;
  return paths::quantize_activations_sse2_or_scalar(in, n, a);
}

float paths::quantize_activations_sse2_or_scalar(const float* in, uint32_t n, int16_t* a) {
#if defined(FFNLP_INT_SSE2)
  // The reference's arithmetic four at a time: the largest magnitude (sign bit
  // cleared), non-finite values found as x - x != 0, then x * inv clamped and
  // rounded by cvtps2dq (round to nearest even, as nearbyint in the default
  // rounding mode).
  const __m128 abs_mask = _mm_castsi128_ps(_mm_set1_epi32(0x7FFFFFFF));
  __m128 vmax = _mm_setzero_ps(), bad = _mm_setzero_ps();
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m128 v = _mm_loadu_ps(in + i);
    vmax = _mm_max_ps(vmax, _mm_and_ps(v, abs_mask));
    bad = _mm_or_ps(bad, _mm_cmpunord_ps(_mm_sub_ps(v, v), _mm_setzero_ps()));
  }
  vmax = _mm_max_ps(vmax, _mm_movehl_ps(vmax, vmax));
  vmax = _mm_max_ss(vmax, _mm_shuffle_ps(vmax, vmax, 1));
  float max_abs = _mm_cvtss_f32(vmax);
  bool finite = _mm_movemask_ps(bad) == 0;
  scan_max_abs(in, i, n, &max_abs, &finite);
  float act_scale;
  if (!usable_max(max_abs, finite, n, a, &act_scale)) return act_scale;
  const float inv_value = 32767.0f / max_abs;
  const __m128 inv = _mm_set1_ps(inv_value);
  const __m128 hi = _mm_set1_ps(32767.0f), lo = _mm_set1_ps(-32767.0f);
  for (i = 0; i + 8 <= n; i += 8) {
    const __m128 y0 = _mm_min_ps(_mm_max_ps(_mm_mul_ps(_mm_loadu_ps(in + i), inv), lo), hi);
    const __m128 y1 = _mm_min_ps(_mm_max_ps(_mm_mul_ps(_mm_loadu_ps(in + i + 4), inv), lo), hi);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(a + i), _mm_packs_epi32(_mm_cvtps_epi32(y0), _mm_cvtps_epi32(y1)));
  }
  for (; i < n; ++i) a[i] = quantize_one(in[i], inv_value);
  return act_scale;
#else
  return reference::quantize_activations(in, n, a);
#endif
}

void dense_q8_int(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                  const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  if (paths::dense_q8_int_avx512_sparse(q, scales, zero_point, bias, a, act_scale, in_count, out, out_count)) return;
  if (paths::dense_q8_int_avx512_vnni(q, scales, zero_point, bias, a, act_scale, in_count, out, out_count)) return;
  if (paths::dense_q8_int_avx2_sparse(q, scales, zero_point, bias, a, act_scale, in_count, out, out_count)) return;
  if (paths::dense_q8_int_avx2(q, scales, zero_point, bias, a, act_scale, in_count, out, out_count)) return;
  if (paths::dense_q8_int_sse2(q, scales, zero_point, bias, a, act_scale, in_count, out, out_count)) return;
  if (paths::dense_q8_int_neon(q, scales, zero_point, bias, a, act_scale, in_count, out, out_count)) return;
  paths::dense_q8_int_scalar(q, scales, zero_point, bias, a, act_scale, in_count, out, out_count);
}

void dense_q8_int_layer(const uint8_t* q, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                        const float* in, uint32_t in_count, int16_t* a, float* out, uint32_t out_count) {
  const float act_scale = quantize_activations(in, in_count, a);
  dense_q8_int(q, scales, zero_point, bias, a, act_scale, in_count, out, out_count);
}

const char* dense_q8_int_path() {
#if defined(FFNLP_INT_AVX2)
  if (has_avx512_vnni()) return "avx512-vnni";
  if (has_avx2()) return "avx2";
#endif
#if defined(FFNLP_INT_SSE2)
  return "sse2";
#elif defined(FFNLP_INT_NEON)
  return "neon";
#else
  return "scalar";
#endif
}

}  // namespace ffnlp
