// Dense layers: out = W in + b with W (out, in) stored f32, q8_row (the
// integer kernel of dense_q8_int.h: `quantized` is scratch for layer.in int16
// values) or q8_row_fzp (dequantized inside the float kernel), or W stored
// transposed, (in, out), as q8_col (dense_q8_cols.h, same scratch and the
// same bits as q8_row). No float copy of the weights is ever built.
#ifndef FFNLP_NETWORK_DENSE_H_
#define FFNLP_NETWORK_DENSE_H_

#include "ffnlp/ffnlp.h"

namespace ffnlp {

void dense_layer(const LayerInfo& layer, const float* in, float* out, int16_t* quantized);

}  // namespace ffnlp

#endif  // FFNLP_NETWORK_DENSE_H_
