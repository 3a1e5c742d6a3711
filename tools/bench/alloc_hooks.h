#pragma once
#include <cstdint>

namespace bench {
// Heap allocations (operator new, and malloc/calloc/realloc/memalign on
// glibc) made by this process so far.
uint64_t allocation_count();
}  // namespace bench
