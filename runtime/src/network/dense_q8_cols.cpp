#include "network/dense_q8_cols.h"

#include <cstring>

#include "file/byte_order.h"
#include "network/dense_q8_int.h"

#if defined(__SSE2__) || defined(_M_X64)
#define FFNLP_COLS_SSE2 1
#include <emmintrin.h>
#endif
#if defined(FFNLP_COLS_SSE2) && (defined(__GNUC__) || defined(__clang__)) && !defined(FFNLP_NO_AVX2) && \
    !defined(__EMSCRIPTEN__)
#define FFNLP_COLS_AVX2 1
#include <immintrin.h>

#include "network/pack_nonzero_avx512.h"
#endif

namespace ffnlp {

namespace {


// The non-zero activations in pairs: pair p multiplies rows row0[p] and
// row1[p] of qt by the two int16 halves of x[p] (low half row0's). An odd
// one out is paired with itself and a zero activation. sum_a is sum(a) over
// all columns: zero_point * sum_a is subtracted once per output.
struct Pairs {
  static constexpr uint32_t kMax = kIntBlock / 2;
  uint32_t count = 0;
  int32_t sum_a = 0;
  const uint8_t* row0[kMax];
  const uint8_t* row1[kMax];
  int32_t x[kMax];
};

inline int32_t pair_word(int16_t a0, int16_t a1) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint16_t>(a0)) |
                              (static_cast<uint32_t>(static_cast<uint16_t>(a1)) << 16));
}

// in_count <= kIntBlock.
inline void pack_pairs(const uint8_t* qt, const int16_t* a, uint32_t in_count, uint32_t out_count, Pairs* p) {
  const size_t stride = out_count;
  uint32_t n = 0;
  int32_t sum = 0;
  int32_t pending = -1;
  for (uint32_t i = 0; i < in_count; ++i) {
    sum += a[i];
    if (a[i] == 0) continue;
    if (pending < 0) {
      pending = static_cast<int32_t>(i);
      continue;
    }
    p->row0[n] = qt + static_cast<size_t>(pending) * stride;
    p->row1[n] = qt + static_cast<size_t>(i) * stride;
    p->x[n++] = pair_word(a[pending], a[i]);
    pending = -1;
  }
  if (pending >= 0) {
    p->row0[n] = p->row1[n] = qt + static_cast<size_t>(pending) * stride;
    p->x[n++] = pair_word(a[pending], 0);
  }
  p->count = n;
  p->sum_a = sum;
}

// Outputs [from, to) one at a time from the pairs (the SIMD paths' tails).
inline void tail_outputs(const Pairs& p, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                         float act_scale, uint32_t from, uint32_t to, float* out) {
  const int32_t correction = zero_point * p.sum_a;
  for (uint32_t o = from; o < to; ++o) {
    int32_t dot = 0;
    for (uint32_t k = 0; k < p.count; ++k) {
      const int32_t x = p.x[k];
      dot += p.row0[k][o] * static_cast<int16_t>(x & 0xFFFF) + p.row1[k][o] * static_cast<int16_t>(x >> 16);
    }
    out[o] = q8_int_finish(scales, bias, o, act_scale, static_cast<int64_t>(dot) - correction);
  }
}

}  // namespace

namespace reference {

void dense_q8_cols(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                   const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  for (uint32_t o = 0; o < out_count; ++o) {
    int64_t dot = 0;
    for (uint32_t i = 0; i < in_count; ++i) {
      const int32_t w = static_cast<int32_t>(qt[static_cast<size_t>(i) * out_count + o]) - zero_point;
      dot += static_cast<int64_t>(w) * a[i];
    }
    out[o] = q8_int_finish(scales, bias, o, act_scale, dot);
  }
}

}  // namespace reference

namespace paths {

// Blocks of 64 outputs; per block, each non-zero activation adds its row's
// weights (a fixed-length loop compilers vectorize), int32 per kIntBlock
// inputs (no overflow: dense_q8_int.h), int64 across blocks of inputs.
namespace {
template <uint32_t N>
inline void add_row_times(const uint8_t* w, int32_t zero_point, int32_t x, uint32_t n, int32_t* acc) {
  if (n == N) {
    for (uint32_t k = 0; k < N; ++k) acc[k] += (static_cast<int32_t>(w[k]) - zero_point) * x;
  } else {
    for (uint32_t k = 0; k < n; ++k) acc[k] += (static_cast<int32_t>(w[k]) - zero_point) * x;
  }
}
}  // namespace

void dense_q8_cols_scalar(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                          const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  constexpr uint32_t kOutBlock = 64;
  for (uint32_t o0 = 0; o0 < out_count; o0 += kOutBlock) {
    const uint32_t n = out_count - o0 < kOutBlock ? out_count - o0 : kOutBlock;
    int64_t total[kOutBlock] = {};
    for (uint32_t b = 0; b < in_count; b += kIntBlock) {
      const uint32_t end = in_count - b > kIntBlock ? b + kIntBlock : in_count;
      int32_t acc[kOutBlock] = {};
      for (uint32_t i = b; i < end; ++i) {
        if (a[i] != 0) add_row_times<kOutBlock>(qt + static_cast<size_t>(i) * out_count + o0, zero_point, a[i], n, acc);
      }
      for (uint32_t k = 0; k < n; ++k) total[k] += acc[k];
    }
    for (uint32_t k = 0; k < n; ++k) out[o0 + k] = q8_int_finish(scales, bias, o0 + k, act_scale, total[k]);
  }
}

}  // namespace paths

namespace {

#if defined(FFNLP_COLS_SSE2)
// 16 outputs per step: per pair, the two rows' 16 bytes interleaved
// (punpcklbw/punpckhbw: {w0[o], w1[o]} byte pairs), zero-extended to int16
// pairs by a second unpack against zero, and pmaddwd by {a0, a1} gives
// w0[o] * a0 + w1[o] * a1 per int32 lane, outputs in order.
void dense_q8_cols_sse2_impl(const Pairs& p, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                             float act_scale, float* out, uint32_t out_count) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i correction = _mm_set1_epi32(zero_point * p.sum_a);
  const __m128 vact = _mm_set1_ps(act_scale);
  uint32_t o = 0;
  for (; o + 16 <= out_count; o += 16) {
    __m128i s0 = zero, s1 = zero, s2 = zero, s3 = zero;
    for (uint32_t k = 0; k < p.count; ++k) {
      const __m128i w0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p.row0[k] + o));
      const __m128i w1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p.row1[k] + o));
      const __m128i x = _mm_set1_epi32(p.x[k]);
      const __m128i lo = _mm_unpacklo_epi8(w0, w1), hi = _mm_unpackhi_epi8(w0, w1);
      s0 = _mm_add_epi32(s0, _mm_madd_epi16(_mm_unpacklo_epi8(lo, zero), x));
      s1 = _mm_add_epi32(s1, _mm_madd_epi16(_mm_unpackhi_epi8(lo, zero), x));
      s2 = _mm_add_epi32(s2, _mm_madd_epi16(_mm_unpacklo_epi8(hi, zero), x));
      s3 = _mm_add_epi32(s3, _mm_madd_epi16(_mm_unpackhi_epi8(hi, zero), x));
    }
    const __m128i sums[4] = {s0, s1, s2, s3};
    for (uint32_t j = 0; j < 4; ++j) {
      const uint32_t at = o + 4 * j;
      const __m128 c = _mm_mul_ps(_mm_loadu_ps(reinterpret_cast<const float*>(scales + 4 * static_cast<size_t>(at))), vact);
      const __m128 y = _mm_add_ps(_mm_mul_ps(c, _mm_cvtepi32_ps(_mm_sub_epi32(sums[j], correction))),
                                  _mm_loadu_ps(reinterpret_cast<const float*>(bias + 4 * static_cast<size_t>(at))));
      _mm_storeu_ps(out + at, y);
    }
  }
  tail_outputs(p, scales, zero_point, bias, act_scale, o, out_count, out);
}
#endif

#if defined(FFNLP_COLS_AVX2)
// The SSE2 step on 256 bits, 32 outputs per step. vpunpck* work per 128-bit
// lane, so the four sums hold {o..o+3 | o+16..o+19}, {o+4.. | o+20..},
// {o+8.. | o+24..}, {o+12.. | o+28..}; vperm2i128 puts them back in order.
__attribute__((target("avx2"))) void dense_q8_cols_avx2_impl(const Pairs& p, const uint8_t* scales,
                                                            int32_t zero_point, const uint8_t* bias,
                                                            float act_scale, float* out, uint32_t out_count) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i correction = _mm256_set1_epi32(zero_point * p.sum_a);
  const __m256 vact = _mm256_set1_ps(act_scale);
  uint32_t o = 0;
  for (; o + 32 <= out_count; o += 32) {
    __m256i s0 = zero, s1 = zero, s2 = zero, s3 = zero;
    for (uint32_t k = 0; k < p.count; ++k) {
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.row0[k] + o));
      const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.row1[k] + o));
      const __m256i x = _mm256_set1_epi32(p.x[k]);
      const __m256i lo = _mm256_unpacklo_epi8(w0, w1), hi = _mm256_unpackhi_epi8(w0, w1);
      s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_unpacklo_epi8(lo, zero), x));
      s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_unpackhi_epi8(lo, zero), x));
      s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(_mm256_unpacklo_epi8(hi, zero), x));
      s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(_mm256_unpackhi_epi8(hi, zero), x));
    }
    const __m256i sums[4] = {_mm256_permute2x128_si256(s0, s1, 0x20), _mm256_permute2x128_si256(s2, s3, 0x20),
                             _mm256_permute2x128_si256(s0, s1, 0x31), _mm256_permute2x128_si256(s2, s3, 0x31)};
    for (uint32_t j = 0; j < 4; ++j) {
      const uint32_t at = o + 8 * j;
      const __m256 c =
          _mm256_mul_ps(_mm256_loadu_ps(reinterpret_cast<const float*>(scales + 4 * static_cast<size_t>(at))), vact);
      const __m256 y = _mm256_add_ps(_mm256_mul_ps(c, _mm256_cvtepi32_ps(_mm256_sub_epi32(sums[j], correction))),
                                     _mm256_loadu_ps(reinterpret_cast<const float*>(bias + 4 * static_cast<size_t>(at))));
      _mm256_storeu_ps(out + at, y);
    }
  }
  _mm256_zeroupper();
  tail_outputs(p, scales, zero_point, bias, act_scale, o, out_count, out);
}

bool cols_has_avx2() { return __builtin_cpu_supports("avx2"); }

bool cols_has_avx512() {
#if defined(FFNLP_NO_AVX512)
  return false;
#else
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
         __builtin_cpu_supports("avx512vbmi");
#endif
}

// vpermt2b controls: from a pair's two 64-byte row windows (table bytes 0-63
// row 0, 64-127 row 1), int32 lane k of quarter j takes {row0[16j + k], 0,
// row1[16j + k], 0} (the zero bytes by the write mask): the int16 pair
// vpdpwssd multiplies by {a0, a1}.
struct PairControls {
  alignas(64) uint8_t bytes[4][64];
};
constexpr PairControls pair_controls() {
  PairControls c{};
  for (uint32_t j = 0; j < 4; ++j) {
    for (uint32_t k = 0; k < 16; ++k) {
      c.bytes[j][4 * k + 0] = static_cast<uint8_t>(16 * j + k);
      c.bytes[j][4 * k + 2] = static_cast<uint8_t>(64 + 16 * j + k);
    }
  }
  return c;
}
constexpr PairControls kPairControls = pair_controls();

// AVX-512 VBMI + VNNI: the non-zero activations packed by vpcompressw (their
// row numbers by vpcompressb), then per 128 outputs and pair two 64-byte
// loads per row, four vpermt2b and four vpdpwssd per 64 outputs into eight
// int32 accumulators; the last step's loads and stores masked.
__attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi,avx512vbmi2"))) void
dense_q8_cols_avx512_impl(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                          const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  // Packed activations and their rows; 32 spare entries (each step stores a
  // whole register at the current end) and a zero after the last (the odd
  // one's partner).
  alignas(64) int16_t packed[kIntBlock + 32];
  alignas(64) uint8_t index[kIntBlock + 32];
  int32_t sum_a = 0;  // in_count <= kIntBlock, so never more than kIntBlock non-zero
  const uint32_t nonzero = pack_nonzero_avx512(a, in_count, kIntBlock, packed, index, &sum_a);
  packed[nonzero] = 0;
  index[nonzero] = index[nonzero > 0 ? nonzero - 1 : 0];
  const uint32_t pairs = (nonzero + 1) / 2;
  // Each pair's two rows and its {a0, a1} word, once for all chunks.
  const uint8_t* row0[kIntBlock / 2];
  const uint8_t* row1[kIntBlock / 2];
  int32_t words[kIntBlock / 2];
  for (uint32_t k = 0; k < pairs; ++k) {
    row0[k] = qt + static_cast<size_t>(index[2 * k]) * out_count;
    row1[k] = qt + static_cast<size_t>(index[2 * k + 1]) * out_count;
    std::memcpy(&words[k], packed + 2 * k, sizeof words[k]);
  }
  const __m512i correction = _mm512_set1_epi32(zero_point * sum_a);
  const __m512 vact = _mm512_set1_ps(act_scale);
  const __m512i c0 = _mm512_load_si512(kPairControls.bytes[0]), c1 = _mm512_load_si512(kPairControls.bytes[1]);
  const __m512i c2 = _mm512_load_si512(kPairControls.bytes[2]), c3 = _mm512_load_si512(kPairControls.bytes[3]);
  const __mmask64 even = 0x5555555555555555ull;
  for (uint32_t o = 0; o < out_count; o += 128) {
    const uint32_t left = out_count - o;
    const __mmask64 m_lo = left >= 64 ? ~static_cast<__mmask64>(0) : (static_cast<__mmask64>(1) << left) - 1;
    const __mmask64 m_hi = left >= 128 ? ~static_cast<__mmask64>(0)
                           : left > 64  ? (static_cast<__mmask64>(1) << (left - 64)) - 1
                                        : 0;
    // Groups of 16 outputs in the second 64 (0..4): the last chunk skips
    // the ones past the end (463 outputs: 79 in the last chunk, one group).
    const uint32_t hi_groups = left >= 128 ? 4 : left > 64 ? (left - 64 + 15) / 16 : 0;
    __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (uint32_t k = 0; k < pairs; ++k) {
      const uint8_t* r0 = row0[k] + o;
      const uint8_t* r1 = row1[k] + o;
      const __m512i x = _mm512_set1_epi32(words[k]);
      const __m512i l0 = _mm512_maskz_loadu_epi8(m_lo, r0), l1 = _mm512_maskz_loadu_epi8(m_lo, r1);
      s0 = _mm512_dpwssd_epi32(s0, _mm512_maskz_permutex2var_epi8(even, l0, c0, l1), x);
      s1 = _mm512_dpwssd_epi32(s1, _mm512_maskz_permutex2var_epi8(even, l0, c1, l1), x);
      s2 = _mm512_dpwssd_epi32(s2, _mm512_maskz_permutex2var_epi8(even, l0, c2, l1), x);
      s3 = _mm512_dpwssd_epi32(s3, _mm512_maskz_permutex2var_epi8(even, l0, c3, l1), x);
      if (hi_groups == 0) continue;
      const __m512i h0 = _mm512_maskz_loadu_epi8(m_hi, r0 + 64), h1 = _mm512_maskz_loadu_epi8(m_hi, r1 + 64);
      s4 = _mm512_dpwssd_epi32(s4, _mm512_maskz_permutex2var_epi8(even, h0, c0, h1), x);
      if (hi_groups == 1) continue;
      s5 = _mm512_dpwssd_epi32(s5, _mm512_maskz_permutex2var_epi8(even, h0, c1, h1), x);
      if (hi_groups == 2) continue;
      s6 = _mm512_dpwssd_epi32(s6, _mm512_maskz_permutex2var_epi8(even, h0, c2, h1), x);
      if (hi_groups == 3) continue;
      s7 = _mm512_dpwssd_epi32(s7, _mm512_maskz_permutex2var_epi8(even, h0, c3, h1), x);
    }
    // The float step per group of 16 outputs (named registers, no array:
    // the sums stay in registers); the last group's lanes past `left` are
    // neither read nor stored.
#define FFNLP_FINISH16(j, sum)                                                                                    \
  if (16 * (j) < left) {                                                                                          \
    const uint32_t at = o + 16 * (j);                                                                             \
    const uint32_t n = left - 16 * (j);                                                                           \
    const __mmask16 m = n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n) - 1);        \
    const __m512 c = _mm512_mul_ps(                                                                               \
        _mm512_maskz_loadu_ps(m, reinterpret_cast<const float*>(scales + 4 * static_cast<size_t>(at))), vact);   \
    const __m512 y = _mm512_add_ps(                                                                               \
        _mm512_mul_ps(c, _mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_sub_epi32(sum, correction))),                    \
        _mm512_maskz_loadu_ps(m, reinterpret_cast<const float*>(bias + 4 * static_cast<size_t>(at))));           \
    _mm512_mask_storeu_ps(out + at, m, y);                                                                        \
  }
    FFNLP_FINISH16(0, s0)
    FFNLP_FINISH16(1, s1)
    FFNLP_FINISH16(2, s2)
    FFNLP_FINISH16(3, s3)
    FFNLP_FINISH16(4, s4)
    FFNLP_FINISH16(5, s5)
    FFNLP_FINISH16(6, s6)
    FFNLP_FINISH16(7, s7)
#undef FFNLP_FINISH16
  }
  _mm256_zeroupper();
}
#endif

}  // namespace

namespace paths {

bool dense_q8_cols_sse2(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                        const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_COLS_SSE2)
  if (in_count > kIntBlock) return false;
  Pairs p;
  pack_pairs(qt, a, in_count, out_count, &p);
  dense_q8_cols_sse2_impl(p, scales, zero_point, bias, act_scale, out, out_count);
  return true;
#else
  (void)qt, (void)scales, (void)zero_point, (void)bias, (void)a, (void)act_scale, (void)in_count, (void)out, (void)out_count;
  return false;
#endif
}

bool dense_q8_cols_avx2(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                        const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_COLS_AVX2)
  if (in_count > kIntBlock || !cols_has_avx2()) return false;
  Pairs p;
  pack_pairs(qt, a, in_count, out_count, &p);
  dense_q8_cols_avx2_impl(p, scales, zero_point, bias, act_scale, out, out_count);
  return true;
#else
  (void)qt, (void)scales, (void)zero_point, (void)bias, (void)a, (void)act_scale, (void)in_count, (void)out, (void)out_count;
  return false;
#endif
}

bool dense_q8_cols_avx512(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                          const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
#if defined(FFNLP_COLS_AVX2)
  if (in_count > kIntBlock || !cols_has_avx512()) return false;
  dense_q8_cols_avx512_impl(qt, scales, zero_point, bias, a, act_scale, in_count, out, out_count);
  return true;
#else
  (void)qt, (void)scales, (void)zero_point, (void)bias, (void)a, (void)act_scale, (void)in_count, (void)out, (void)out_count;
  return false;
#endif
}

}  // namespace paths

void dense_q8_cols(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                   const int16_t* a, float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  if (paths::dense_q8_cols_avx512(qt, scales, zero_point, bias, a, act_scale, in_count, out, out_count)) return;
  if (paths::dense_q8_cols_avx2(qt, scales, zero_point, bias, a, act_scale, in_count, out, out_count)) return;
  if (paths::dense_q8_cols_sse2(qt, scales, zero_point, bias, a, act_scale, in_count, out, out_count)) return;
  paths::dense_q8_cols_scalar(qt, scales, zero_point, bias, a, act_scale, in_count, out, out_count);
}

void dense_q8_cols_layer(const uint8_t* qt, const uint8_t* scales, int32_t zero_point, const uint8_t* bias,
                         const float* in, uint32_t in_count, int16_t* a, float* out, uint32_t out_count) {
  const float act_scale = quantize_activations(in, in_count, a);
  dense_q8_cols(qt, scales, zero_point, bias, a, act_scale, in_count, out, out_count);
}

}  // namespace ffnlp
