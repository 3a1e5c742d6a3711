// The one top-k selection every API uses (C++, C, CLI): the k largest of n
// values, best first; equal values rank by lower index (deterministic).
// O(n log k) time; the output array is the heap, so no other memory.
#ifndef FFNLP_HEADS_TOP_K_H_
#define FFNLP_HEADS_TOP_K_H_

#include <cstddef>
#include <cstdint>

namespace ffnlp {

// Indices of the min(k, n) best of values[0 .. n) into out[0 .. min(k, n)),
// best first; returns min(k, n). Values must not be NaN.
size_t top_k(const float* values, uint32_t n, size_t k, uint32_t* out);

}  // namespace ffnlp

#endif  // FFNLP_HEADS_TOP_K_H_
