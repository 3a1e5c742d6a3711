/* sse2_conversions_check.c: prints _mm_cvtps_epi32 and _mm_cvttps_epi32 of
 * edge values and a hash over 16 million pseudo-random float bit patterns.
 * Built natively (real SSE2) and for WebAssembly with
 * bindings/js/native/sse2_conversions.h force-included; make js-node-test
 * requires the two outputs to be identical. */
#include <emmintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void convert(const float in[4], int32_t nearest[4], int32_t truncated[4]) {
  const __m128 a = _mm_loadu_ps(in);
  _mm_storeu_si128((__m128i*)nearest, _mm_cvtps_epi32(a));
  _mm_storeu_si128((__m128i*)truncated, _mm_cvttps_epi32(a));
}

int main(void) {
  /* Ties (to even), the int32 limits, NaN, infinities, denormals. */
  static const float edges[] = {0.0f, -0.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, -126.7f, 3.7f, -3.7f,
                                8388607.5f, -8388607.5f, 16777217.0f, 2147483520.0f, 2147483648.0f, 4e9f,
                                -2147483648.0f, -2147483904.0f, -4e9f, NAN, -NAN, INFINITY, -INFINITY, 1e-40f,
                                -1e-40f, 1e-30f};
  const int n = (int)(sizeof edges / sizeof edges[0]);
  for (int i = 0; i < n; i += 4) {
    float in[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    int32_t r[4], t[4];
    for (int j = 0; j < 4 && i + j < n; ++j) in[j] = edges[i + j];
    convert(in, r, t);
    for (int j = 0; j < 4 && i + j < n; ++j) printf("%a %ld %ld\n", (double)in[j], (long)r[j], (long)t[j]);
  }
  uint64_t hash = 1469598103934665603ull;
  uint32_t bits = 12345u;
  for (long k = 0; k < 4000000; ++k) {
    uint32_t b[4];
    float in[4];
    int32_t r[4], t[4];
    bits = bits * 1664525u + 1013904223u;
    b[0] = bits;                            /* any pattern */
    b[1] = (bits >> 9) | 0x3f000000u;       /* 0.5 .. 2^? : small magnitudes, ties */
    b[2] = (bits & 0x807fffffu) | 0x4e800000u; /* around 2^30 .. 2^31 and beyond */
    b[3] = (bits & 0x80ffffffu) | 0x4a000000u; /* 2^21 .. 2^23: halves */
    memcpy(in, b, sizeof in);
    convert(in, r, t);
    for (int j = 0; j < 4; ++j) {
      hash = (hash ^ (uint32_t)r[j]) * 1099511628211ull;
      hash = (hash ^ (uint32_t)t[j]) * 1099511628211ull;
    }
  }
  printf("hash %016llx\n", (unsigned long long)hash);
  return 0;
}
