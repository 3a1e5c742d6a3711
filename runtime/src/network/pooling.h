// Pooling: a channel's rows, dequantized as they are read, summed into the
// channel's slice of the input vector (mean channels are then divided by
// their occurrences). Per occurrence in float (short texts), or per distinct
// row times its count in double (long texts, see forward.cpp).
#ifndef FFNLP_NETWORK_POOLING_H_
#define FFNLP_NETWORK_POOLING_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/ffnlp.h"
#include "file/byte_order.h"
#include "network/kernels.h"

namespace ffnlp {

// acc[j] += row[j] of table t (any dtype).
inline void add_row(const internal::RowTable& t, uint32_t row, float* acc) {
  const size_t at = static_cast<size_t>(row) * t.dims;
  switch (t.dtype) {
    case DType::kQ8Row: {
      const float scale = read_f32(t.scales + 4 * static_cast<size_t>(row));
      if (t.dims == 16) {
        accumulate_q8_row16(t.data + at, scale, t.zero_point, acc);
      } else {
        accumulate_q8_row(t.data + at, scale, t.zero_point, acc, t.dims);
      }
      return;
    }
    case DType::kQ8RowFzp:
      accumulate_q8f_row(t.data + at, read_f32(t.scales + 4 * static_cast<size_t>(row)),
                         read_f32(t.zero_points + 4 * static_cast<size_t>(row)), acc, t.dims);
      return;
    case DType::kF32:
      break;
  }
  accumulate_f32_row(t.data + 4 * at, acc, t.dims);
}

// acc[j] += count * row[j] in double: each value dequantized in float as
// add_row computes it, the product and the sum in double (no drift however
// long the text).
inline void add_row_counted(const internal::RowTable& t, uint32_t row, double count, double* acc) {
  const size_t at = static_cast<size_t>(row) * t.dims;
  switch (t.dtype) {
    case DType::kQ8Row: {
      const float scale = read_f32(t.scales + 4 * static_cast<size_t>(row));
      for (uint32_t j = 0; j < t.dims; ++j) {
        acc[j] += count * static_cast<double>(
                              static_cast<float>(static_cast<int32_t>(t.data[at + j]) - t.zero_point) * scale);
      }
      return;
    }
    case DType::kQ8RowFzp: {
      const float scale = read_f32(t.scales + 4 * static_cast<size_t>(row));
      const float zp = read_f32(t.zero_points + 4 * static_cast<size_t>(row));
      for (uint32_t j = 0; j < t.dims; ++j) {
        acc[j] += count * static_cast<double>((static_cast<float>(t.data[at + j]) - zp) * scale);
      }
      return;
    }
    case DType::kF32:
      break;
  }
  for (uint32_t j = 0; j < t.dims; ++j) acc[j] += count * static_cast<double>(read_f32(t.data + 4 * (at + j)));
}

}  // namespace ffnlp

#endif  // FFNLP_NETWORK_POOLING_H_
