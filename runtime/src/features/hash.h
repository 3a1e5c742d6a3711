// The feature hash (part of the model format; documented in ffnlp/features.h),
// inline for the feature loop.
#ifndef FFNLP_FEATURES_HASH_H_
#define FFNLP_FEATURES_HASH_H_

#include <cstdint>

#include "ffnlp/features.h"

namespace ffnlp {
namespace detail {

// murmur3's 32-bit finaliser.
inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}
constexpr uint32_t kFnvOffset = 0x811C9DC5u;
constexpr uint32_t kFnvPrime = 0x01000193u;
inline uint32_t fnv_step(uint32_t h, uint32_t cp) { return (h ^ cp) * kFnvPrime; }
inline uint32_t fnv_finish(uint32_t h, uint32_t count) { return fmix32(h ^ count); }

// Last-to-first lets the n-gram loop share one running state among all the
// n-grams (orders 1..N) that end at the same character; the count in the
// finaliser makes n-grams of different lengths hash differently.
inline uint32_t hash_code_points_inline(const uint32_t* code_points, uint32_t count, uint32_t seed) {
  uint32_t h = kFnvOffset ^ seed;
  for (uint32_t i = count; i > 0; --i) h = fnv_step(h, code_points[i - 1]);
  return fnv_finish(h, count);
}

inline uint32_t hash_code_points_forward_inline(const uint32_t* code_points, uint32_t count, uint32_t seed) {
  uint32_t h = kFnvOffset ^ seed;
  for (uint32_t i = 0; i < count; ++i) h = fnv_step(h, code_points[i]);
  return fnv_finish(h, count);
}

}  // namespace detail
}  // namespace ffnlp

#endif  // FFNLP_FEATURES_HASH_H_
