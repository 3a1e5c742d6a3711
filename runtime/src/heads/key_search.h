// Searching the heads' sorted word keys (little-endian, in the model
// bytes): neighbour words (heads/neighbour_words.cpp) look a key up in a
// group's keys, 4 or 3 bytes each (neighbours.key_bits 32 or 24); the
// lexicon (heads/lexicon.cpp) finds the first entry of a key's prefix
// (4 bytes). Most words of a text are in neither list, so the search has no
// branch on the data: a conditional move per step.
#ifndef FFNLP_HEADS_KEY_SEARCH_H_
#define FFNLP_HEADS_KEY_SEARCH_H_

#include <cstddef>
#include <cstdint>

#include "file/byte_order.h"

namespace ffnlp {
namespace internal {

// The i-th little-endian u32 of p.
inline uint32_t u32_at(const uint8_t* p, size_t i) { return read_u32(p + 4 * i); }

// The i-th little-endian key of kBytes (3 or 4) bytes at p. Three bytes are
// read one by one: on any host, and never past the key's last byte (a
// group's last key may end the array).
template <unsigned kBytes = 4>
inline uint32_t key_at(const uint8_t* p, size_t i) {
  static_assert(kBytes == 3 || kBytes == 4, "keys are 3 or 4 bytes");
  if constexpr (kBytes == 4) {
    return u32_at(p, i);
  } else {
    const uint8_t* k = p + 3 * i;
    return static_cast<uint32_t>(k[0]) | static_cast<uint32_t>(k[1]) << 8 | static_cast<uint32_t>(k[2]) << 16;
  }
}

// The first index i of keys[0 .. n) (ascending, kBytes each) with
// keys[i] >= key, or n. key < 2^(8 * kBytes).
template <unsigned kBytes = 4>
inline size_t lower_bound_key(const uint8_t* keys, size_t n, uint32_t key) {
  if (n == 0) return n;
  size_t first = 0, length = n;
  // The keys are hashes, spread evenly over their 8 * kBytes bits: key's
  // rank is close to key * n / 2^(8 * kBytes). Search a window of 32 around
  // it when the key falls inside the window (keys[lo] <= key: nothing
  // before lo can be the answer).
  constexpr size_t kWindow = 32;
  if (n > 2 * kWindow) {
    const size_t guess = static_cast<size_t>((static_cast<uint64_t>(key) * n) >> (8 * kBytes));
    const size_t lo = guess > kWindow / 2 ? guess - kWindow / 2 : 0;
    const size_t hi = lo + kWindow <= n ? lo + kWindow : n;  // [lo, hi)
    if (key_at<kBytes>(keys, lo) <= key && key <= key_at<kBytes>(keys, hi - 1)) {
      first = lo;
      length = hi - lo;
    }
  }
  while (length > 1) {
    const size_t half = length / 2;
    first = key_at<kBytes>(keys, first + half - 1) < key ? first + half : first;
    length -= half;
  }
  return first + (key_at<kBytes>(keys, first) < key ? 1 : 0);
}

// Index of `key` in keys[0 .. n) (strictly ascending, kBytes each), or n.
template <unsigned kBytes = 4>
inline size_t find_key(const uint8_t* keys, size_t n, uint32_t key) {
  const size_t i = lower_bound_key<kBytes>(keys, n, key);
  return i < n && key_at<kBytes>(keys, i) == key ? i : n;
}

}  // namespace internal
}  // namespace ffnlp

#endif  // FFNLP_HEADS_KEY_SEARCH_H_
