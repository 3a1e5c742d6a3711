#pragma once
#include <cstdint>

namespace bench {
// Heap allocations (operator new, and malloc/calloc/realloc/memalign on
// glibc) made by this process so far.
uint64_t allocation_count();
// Heap bytes in use (malloc_usable_size of every live block; glibc only,
// else 0), and the most in use at once since the last reset_peak_bytes().
uint64_t live_bytes();
uint64_t peak_bytes();
void reset_peak_bytes();
// True when live_bytes()/peak_bytes() are measured on this platform.
bool bytes_measured();
}  // namespace bench
