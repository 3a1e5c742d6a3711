// Searching the heads' sorted u32 word keys (little-endian, in the model
// bytes): neighbour words (heads/neighbour_words.cpp) look a key up in a
// group's keys, the lexicon (heads/lexicon.cpp) finds the first entry of a
// key's prefix. Most words of a text are in neither list, so the search has
// no branch on the data: a conditional move per step.
#ifndef FFNLP_HEADS_KEY_SEARCH_H_
#define FFNLP_HEADS_KEY_SEARCH_H_

#include <cstddef>
#include <cstdint>

#include "file/byte_order.h"

namespace ffnlp {
namespace internal {

// The i-th little-endian u32 of p.
inline uint32_t u32_at(const uint8_t* p, size_t i) { return read_u32(p + 4 * i); }

// The first index i of keys[0 .. n) (ascending) with keys[i] >= key, or n.
inline size_t lower_bound_key(const uint8_t* keys, size_t n, uint32_t key) {
  if (n == 0) return n;
  size_t first = 0, length = n;
  // The keys are hashes, spread evenly: key's rank is close to key * n / 2^32.
  // Search a window of 32 around it when the key falls inside the window
  // (keys[lo] <= key: nothing before lo can be the answer).
  constexpr size_t kWindow = 32;
  if (n > 2 * kWindow) {
    const size_t guess = static_cast<size_t>((static_cast<uint64_t>(key) * n) >> 32);
    const size_t lo = guess > kWindow / 2 ? guess - kWindow / 2 : 0;
    const size_t hi = lo + kWindow <= n ? lo + kWindow : n;  // [lo, hi)
    if (u32_at(keys, lo) <= key && key <= u32_at(keys, hi - 1)) {
      first = lo;
      length = hi - lo;
    }
  }
  while (length > 1) {
    const size_t half = length / 2;
    first = u32_at(keys, first + half - 1) < key ? first + half : first;
    length -= half;
  }
  return first + (u32_at(keys, first) < key ? 1 : 0);
}

// Index of `key` in keys[0 .. n) (strictly ascending), or n.
inline size_t find_key(const uint8_t* keys, size_t n, uint32_t key) {
  const size_t i = lower_bound_key(keys, n, key);
  return i < n && u32_at(keys, i) == key ? i : n;
}

}  // namespace internal
}  // namespace ffnlp

#endif  // FFNLP_HEADS_KEY_SEARCH_H_
