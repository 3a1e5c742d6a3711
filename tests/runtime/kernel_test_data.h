// Inputs for the kernel tests (test_kernels.cpp, test_dense_q8_int.cpp):
// float tables laid out as model bytes at any alignment, and random values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace ffnlp {
namespace testing {

// True when this build has the AVX2 kernels (not -DFFNLP_NO_AVX2, the
// SSE2-only build of the cross-CPU tests) and the CPU runs them: the tests
// that count AVX2 runs expect them only then.
inline bool avx2_paths_run_here(bool need_fma = false) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(FFNLP_NO_AVX2)
  return __builtin_cpu_supports("avx2") && (!need_fma || __builtin_cpu_supports("fma"));
#else
  (void)need_fma;
  return false;
#endif
}

// Little-endian f32 values written at byte offset `misalign` of a buffer,
// with one spare byte after them: data() is where a kernel reads them, so
// a misalign of 1 to 3 tests unaligned model bytes.
struct F32Bytes {
  std::vector<uint8_t> storage;
  size_t misalign = 0;
  const uint8_t* data() const { return storage.data() + misalign; }
};

inline F32Bytes f32_bytes(const std::vector<float>& v, size_t misalign) {
  F32Bytes b;
  b.misalign = misalign;
  b.storage.resize(misalign + 4 * v.size() + 1);
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &v[i], 4);
    for (int k = 0; k < 4; ++k) b.storage[misalign + 4 * i + k] = static_cast<uint8_t>(bits >> (8 * k));
  }
  return b;
}

// Scales in the bytes of a q4_row_bf16 table: each value's upper 16 bits
// (a bfloat16, truncated), little-endian, 2 bytes apart.
inline F32Bytes bf16_bytes(const std::vector<float>& v, size_t misalign) {
  F32Bytes b;
  b.misalign = misalign;
  b.storage.resize(misalign + 2 * v.size() + 1);
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &v[i], 4);
    b.storage[misalign + 2 * i] = static_cast<uint8_t>(bits >> 16);
    b.storage[misalign + 2 * i + 1] = static_cast<uint8_t>(bits >> 24);
  }
  return b;
}

// Row r's scale in such bytes, decoded here independently of the runtime.
inline float bf16_scale_at(const F32Bytes& b, size_t r) {
  const uint32_t bits = (static_cast<uint32_t>(b.data()[2 * r]) << 16) | (static_cast<uint32_t>(b.data()[2 * r + 1]) << 24);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// n values drawn uniformly from [lo, hi).
inline std::vector<float> uniform(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

}  // namespace testing
}  // namespace ffnlp
