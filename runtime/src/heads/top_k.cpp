#include "heads/top_k.h"

#include "network/kernels.h"

namespace ffnlp {
namespace {

// a ranks before b: larger value, or the same value and a lower index.
inline bool better(const float* v, uint32_t a, uint32_t b) { return v[a] > v[b] || (v[a] == v[b] && a < b); }

// Min-heap by rank (the root is the worst kept index): sift h[i] down.
void sift_down(const float* v, uint32_t* h, size_t n, size_t i) {
  for (;;) {
    const size_t l = 2 * i + 1;
    if (l >= n) return;
    size_t worst = l;
    if (l + 1 < n && better(v, h[l], h[l + 1])) worst = l + 1;
    if (!better(v, h[i], h[worst])) return;  // h[i] is already the worst of the three
    const uint32_t t = h[i];
    h[i] = h[worst];
    h[worst] = t;
    i = worst;
  }
}

}  // namespace

size_t top_k(const float* values, uint32_t n, size_t k, uint32_t* out) {
  const size_t m = k < n ? k : n;
  if (m == 0) return 0;
  if (m == 1) {  // the common case: the first largest value (SIMD scan)
    out[0] = argmax(values, n);
    return 1;
  }
  for (size_t i = 0; i < m; ++i) out[i] = static_cast<uint32_t>(i);
  for (size_t i = m / 2; i-- > 0;) sift_down(values, out, m, i);
  // A later index ranks below every kept one on equal values: only a
  // strictly larger value than the worst kept enters the heap.
  float worst = values[out[0]];
  for (uint32_t i = static_cast<uint32_t>(m); i < n; ++i) {
    if (values[i] > worst) {
      out[0] = i;
      sift_down(values, out, m, 0);
      worst = values[out[0]];
    }
  }
  // Heap sort: the worst goes to the back each time, so out ends best first.
  for (size_t end = m; end > 1; --end) {
    const uint32_t t = out[0];
    out[0] = out[end - 1];
    out[end - 1] = t;
    sift_down(values, out, end - 1, 0);
  }
  return m;
}

}  // namespace ffnlp
