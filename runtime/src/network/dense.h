// Dense layers: out = W in + b with W (out, in) stored f32, q8_row or
// q8_row_fzp (dequantized inside the kernel; no float copy is ever built).
#ifndef FFNLP_NETWORK_DENSE_H_
#define FFNLP_NETWORK_DENSE_H_

#include "ffnlp/ffnlp.h"

namespace ffnlp {

void dense_layer(const LayerInfo& layer, const float* in, float* out);

}  // namespace ffnlp

#endif  // FFNLP_NETWORK_DENSE_H_
