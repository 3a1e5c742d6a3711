// Counts heap allocations in the bench process: operator new/delete are
// replaced (all forms), and on glibc so are malloc and friends, forwarding to
// glibc's own __libc_* entry points. bench::allocation_count() is read before
// and after a batch of classifications. On glibc the bytes in use are
// tracked too (malloc_usable_size), with their peak.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "tools/bench/alloc_hooks.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
// Signed: a block that glibc allocated before the hooks saw it may be freed
// through them.
std::atomic<int64_t> g_live{0}, g_peak{0};

void* added(void* p) {
#if defined(__GLIBC__)
  if (p != nullptr) {
    const int64_t size = static_cast<int64_t>(malloc_usable_size(p));
    const int64_t live = g_live.fetch_add(size, std::memory_order_relaxed) + size;
    int64_t peak = g_peak.load(std::memory_order_relaxed);
    while (live > peak && !g_peak.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
    }
  }
#endif
  return p;
}
void removed(void* p) {
#if defined(__GLIBC__)
  if (p != nullptr) g_live.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
#else
  (void)p;
#endif
}
}  // namespace

namespace bench {
uint64_t allocation_count() { return g_allocations.load(std::memory_order_relaxed); }
uint64_t live_bytes() { return static_cast<uint64_t>(std::max<int64_t>(0, g_live.load(std::memory_order_relaxed))); }
uint64_t peak_bytes() { return static_cast<uint64_t>(std::max<int64_t>(0, g_peak.load(std::memory_order_relaxed))); }
void reset_peak_bytes() { g_peak.store(g_live.load(std::memory_order_relaxed), std::memory_order_relaxed); }
#if defined(__GLIBC__)
bool bytes_measured() { return true; }
#else
bool bytes_measured() { return false; }
#endif
}  // namespace bench

#if defined(__GLIBC__)
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);

void* malloc(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return added(__libc_malloc(n));
}
void* calloc(size_t n, size_t m) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return added(__libc_calloc(n, m));
}
void* realloc(void* p, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const int64_t old = p != nullptr ? static_cast<int64_t>(malloc_usable_size(p)) : 0;
  void* q = __libc_realloc(p, n);
  if (q != nullptr || n == 0) g_live.fetch_sub(old, std::memory_order_relaxed);
  return added(q);
}
void* memalign(size_t a, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return added(__libc_memalign(a, n));
}
void* aligned_alloc(size_t a, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return added(__libc_memalign(a, n));
}
int posix_memalign(void** out, size_t a, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = added(__libc_memalign(a, n));
  if (p == nullptr) return 12;  // ENOMEM
  *out = p;
  return 0;
}
void free(void* p) {
  removed(p);
  __libc_free(p);
}
}
#define BENCH_MALLOC(n) malloc(n)
#define BENCH_FREE(p) free(p)
#else
#define BENCH_MALLOC(n) (g_allocations.fetch_add(1, std::memory_order_relaxed), std::malloc(n))
#define BENCH_FREE(p) std::free(p)
#endif

namespace {
void* checked(size_t n) {
  void* p = BENCH_MALLOC(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* aligned(size_t n, std::align_val_t a) {
  void* p = nullptr;
#if defined(__GLIBC__)
  p = memalign(static_cast<size_t>(a), n == 0 ? 1 : n);
#else
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  p = std::aligned_alloc(static_cast<size_t>(a), (n + static_cast<size_t>(a) - 1) / static_cast<size_t>(a) * static_cast<size_t>(a));
#endif
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(size_t n) { return checked(n); }
void* operator new[](size_t n) { return checked(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return BENCH_MALLOC(n == 0 ? 1 : n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return BENCH_MALLOC(n == 0 ? 1 : n); }
void* operator new(size_t n, std::align_val_t a) { return aligned(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return aligned(n, a); }
void operator delete(void* p) noexcept { BENCH_FREE(p); }
void operator delete[](void* p) noexcept { BENCH_FREE(p); }
void operator delete(void* p, size_t) noexcept { BENCH_FREE(p); }
void operator delete[](void* p, size_t) noexcept { BENCH_FREE(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { BENCH_FREE(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { BENCH_FREE(p); }
void operator delete(void* p, std::align_val_t) noexcept { BENCH_FREE(p); }
void operator delete[](void* p, std::align_val_t) noexcept { BENCH_FREE(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { BENCH_FREE(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { BENCH_FREE(p); }
