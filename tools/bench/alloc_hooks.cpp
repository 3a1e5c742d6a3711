// Counts heap allocations in the bench process: operator new/delete are
// replaced (all forms), and on glibc so are malloc and friends, forwarding to
// glibc's own __libc_* entry points. bench::allocation_count() is read before
// and after a batch of classifications.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "tools/bench/alloc_hooks.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}

namespace bench {
uint64_t allocation_count() { return g_allocations.load(std::memory_order_relaxed); }
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
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t m) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(n, m);
}
void* realloc(void* p, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
void* memalign(size_t a, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(a, n);
}
void* aligned_alloc(size_t a, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = __libc_memalign(a, n);
  if (p == nullptr) return 12;  // ENOMEM
  *out = p;
  return 0;
}
void free(void* p) { __libc_free(p); }
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
