/* sse2_conversions.h: exact WebAssembly SIMD versions of the two SSE2
 * float -> int32 conversions, force-included (-include) into every file of
 * the WebAssembly build (mk/bindings.mk).
 *
 * Why: emscripten 3.1.6 translates _mm_cvtps_epi32 and _mm_cvttps_epi32
 * into a scalar loop of four lrint() calls each. The runtime's softmax
 * (exp_poly4, two conversions per 4 labels) and the int8 quantization of
 * activations use them; in Node they were about a third of the time per
 * text. Here each is three SIMD instructions.
 *
 * Exact, for every input: SSE2 gives the rounded (cvtps: to nearest even,
 * the default MXCSR mode; cvtts: towards zero) value when it fits in int32
 * and 0x80000000 otherwise (NaN, too large, too small). trunc_sat gives
 * the same in range and INT32_MIN below it; the lanes that are NaN or
 * >= 2^31 are then set to INT32_MIN. So the WebAssembly numbers stay
 * bit-identical to the native SSE2 build's.
 */
#ifndef FFNLP_JS_SSE2_CONVERSIONS_H_
#define FFNLP_JS_SSE2_CONVERSIONS_H_

#if defined(__wasm_simd128__) && defined(__SSE2__)
#include <emmintrin.h>
#include <wasm_simd128.h>

static __inline__ __m128i __attribute__((__always_inline__, __nodebug__)) ffnlp_wasm_cvttps_epi32(__m128 a) {
  const v128_t v = (v128_t)a;
  const v128_t fits = wasm_f32x4_lt(v, wasm_f32x4_splat(2147483648.0f)); /* false for NaN */
  return (__m128i)wasm_v128_bitselect(wasm_i32x4_trunc_sat_f32x4(v), wasm_i32x4_splat((int)0x80000000), fits);
}

static __inline__ __m128i __attribute__((__always_inline__, __nodebug__)) ffnlp_wasm_cvtps_epi32(__m128 a) {
  return ffnlp_wasm_cvttps_epi32((__m128)wasm_f32x4_nearest((v128_t)a));
}

#define _mm_cvttps_epi32(a) ffnlp_wasm_cvttps_epi32(a)
#define _mm_cvtps_epi32(a) ffnlp_wasm_cvtps_epi32(a)
#endif

#endif /* FFNLP_JS_SSE2_CONVERSIONS_H_ */
