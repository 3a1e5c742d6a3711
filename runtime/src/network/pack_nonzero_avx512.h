// AVX-512 helpers shared by the sparse 8-bit dense kernels (q8_row sparse in
// dense_q8_int.cpp, q8_col in dense_q8_cols.cpp): include only where the
// AVX-512 paths are compiled (x86 with GCC or Clang).
#ifndef FFNLP_NETWORK_PACK_NONZERO_AVX512_H_
#define FFNLP_NETWORK_PACK_NONZERO_AVX512_H_

#include <immintrin.h>

#include <cstdint>

namespace ffnlp {

// The sum of the 16 int32 lanes (masked extracts: the plain ones trip GCC 12 warnings).
__attribute__((target("avx2,avx512f"))) inline int32_t hsum_epi32_512(__m512i v) {
  const __m256i h = _mm256_add_epi32(_mm512_maskz_extracti64x4_epi64(0xFF, v, 0), _mm512_maskz_extracti64x4_epi64(0xFF, v, 1));
  __m128i m = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
  m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0x4E));
  m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0xB1));
  return _mm_cvtsi128_si32(m);
}

// Packs the non-zero activations of a[0 .. in_count) (in_count <= 256) to the
// front of `packed` and their positions to `index` (vpcompressw, vpcompressb)
// and sets *sum to the sum of all of them. Each step stores a whole register
// at the current end, so both arrays need max_nonzero + 32 entries. Returns
// the number packed, or max_nonzero + 1 as soon as there are more than
// max_nonzero (then *sum is not set).
__attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi,avx512vbmi2"))) inline uint32_t
pack_nonzero_avx512(const int16_t* a, uint32_t in_count, uint32_t max_nonzero, int16_t* packed, uint8_t* index,
                    int32_t* sum) {
  const __m256i iota = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                        22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  const __m512i ones = _mm512_set1_epi16(1);
  __m512i va = _mm512_setzero_si512();
  uint32_t nonzero = 0;
  for (uint32_t i = 0; i < in_count; i += 32) {
    const uint32_t left = in_count - i;
    const __mmask32 valid = left >= 32 ? ~static_cast<__mmask32>(0) : (static_cast<__mmask32>(1) << left) - 1;
    const __m512i v = _mm512_maskz_loadu_epi16(valid, a + i);
    const __mmask32 nz = _mm512_test_epi16_mask(v, v);
    const uint32_t count = static_cast<uint32_t>(__builtin_popcount(nz));
    if (nonzero + count > max_nonzero) return max_nonzero + 1;
    _mm512_storeu_si512(packed + nonzero, _mm512_maskz_compress_epi16(nz, v));
    const __m256i positions = _mm256_add_epi8(iota, _mm256_set1_epi8(static_cast<char>(i)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(index + nonzero), _mm256_maskz_compress_epi8(nz, positions));
    nonzero += count;
    va = _mm512_dpwssd_epi32(va, v, ones);
  }
  *sum = hsum_epi32_512(va);
  return nonzero;
}

}  // namespace ffnlp

#endif  // FFNLP_NETWORK_PACK_NONZERO_AVX512_H_
