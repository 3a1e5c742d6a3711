#include "network/dense.h"

#include "network/dense_q8_cols.h"
#include "network/dense_q8_int.h"
#include "network/kernels.h"

namespace ffnlp {

void dense_layer(const LayerInfo& layer, const float* in, float* out, int16_t* quantized) {
  const TensorView& w = layer.weights;
  switch (w.dtype) {
    case DType::kQ8Row:
      dense_q8_int_layer(w.data, w.scales, static_cast<int32_t>(w.zero_point), layer.bias.data, in, layer.in,
                         quantized, out, layer.out);
      return;
    case DType::kQ8Col:
      dense_q8_cols_layer(w.data, w.scales, static_cast<int32_t>(w.zero_point), layer.bias.data, in, layer.in,
                          quantized, out, layer.out);
      return;
    case DType::kQ8RowFzp:
      dense_q8(w.data, w.scales, w.zero_points, 0.0f, layer.bias.data, in, layer.in, out, layer.out);
      return;
    case DType::kQ4Row:  // refused as layer weights by the loader
    case DType::kQ4RowBf16:
    case DType::kQ3RowBf16:
    case DType::kF32:
      break;
  }
  dense(w.data, layer.bias.data, in, layer.in, out, layer.out);
}

}  // namespace ffnlp
