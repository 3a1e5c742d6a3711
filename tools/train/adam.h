// Adam, the one update rule of every trainer here (the language identifier's
// tools/train and the tagger's tools/train_pos): the step size with the bias
// correction folded in, and the element-wise update of one block of
// parameters (a dense layer, or one embedding row for lazy updates).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace ffnlp {
namespace train {

struct AdamCoef {
  float b1, b2, eps, step_size;
};

// The coefficients of update number `step` (1-based) at learning rate lr.
// Bias correction folded into the step size (eps slightly rescaled, as in
// the Adam paper's efficient form).
inline AdamCoef adam_coef(float beta1, float beta2, float eps, float lr, uint64_t step) {
  const double t = static_cast<double>(step);
  const double c1 = 1.0 - std::pow(static_cast<double>(beta1), t);
  const double c2 = 1.0 - std::pow(static_cast<double>(beta2), t);
  return AdamCoef{beta1, beta2, eps, static_cast<float>(lr * std::sqrt(c2) / c1)};
}

// Vectorizable (no aliasing; sqrt and division are exact IEEE operations, so
// SIMD and scalar code give the same bits).
inline void adam_update(const AdamCoef& k, const float* __restrict g, float* __restrict p, float* __restrict m,
                        float* __restrict v, size_t n) {
  const float b1 = k.b1, b2 = k.b2, c1 = 1.0f - k.b1, c2 = 1.0f - k.b2;
  const float step = k.step_size, eps = k.eps;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    float mi[8], vi[8];
    for (int u = 0; u < 8; ++u) mi[u] = b1 * m[i + u] + c1 * g[i + u];
    for (int u = 0; u < 8; ++u) vi[u] = b2 * v[i + u] + c2 * g[i + u] * g[i + u];
    for (int u = 0; u < 8; ++u) m[i + u] = mi[u];
    for (int u = 0; u < 8; ++u) v[i + u] = vi[u];
    for (int u = 0; u < 8; ++u) p[i + u] -= step * mi[u] / (std::sqrt(vi[u]) + eps);
  }
  for (; i < n; ++i) {
    const float mi = b1 * m[i] + c1 * g[i];
    const float vi = b2 * v[i] + c2 * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    p[i] -= step * mi / (std::sqrt(vi) + eps);
  }
}

}  // namespace train
}  // namespace ffnlp
