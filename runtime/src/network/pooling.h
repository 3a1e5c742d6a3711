// Pooling: a channel's rows, dequantized as they are read, summed into the
// channel's slice of the input vector (mean channels are then divided by
// their occurrences). Per occurrence in float (short texts), or per distinct
// row times its count in double (long texts, see forward.cpp).
#ifndef FFNLP_NETWORK_POOLING_H_
#define FFNLP_NETWORK_POOLING_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "file/byte_order.h"
#include "network/kernels.h"

namespace ffnlp {

// Bytes of one of t's row scales: bfloat16 for q4_row_bf16 and
// q3_row_bf16, else f32.
inline uint32_t scale_bytes(const internal::RowTable& t) {
  return t.dtype == DType::kQ4RowBf16 || t.dtype == DType::kQ3RowBf16 ? 2 : 4;
}

// The bits of a value of t for the group kernel (Q8RowsJob::bits): 8 for
// q8_row, 4 for q4_row(_bf16), 3 for q3_row_bf16; 0 for the tables it does
// not take (f32, q8_row_fzp).
inline uint32_t group_bits(const internal::RowTable& t) {
  switch (t.dtype) {
    case DType::kQ8Row: return 8;
    case DType::kQ4Row:
    case DType::kQ4RowBf16: return 4;
    case DType::kQ3RowBf16: return 3;
    case DType::kQ8RowFzp:
    case DType::kQ8Col:
    case DType::kF32: break;
  }
  return 0;
}

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
    case DType::kQ4Row:
    case DType::kQ4RowBf16: {
      const float scale = read_row_scale(t.scales, scale_bytes(t), row);
      const uint8_t* q = t.data + static_cast<size_t>(row) * q4_row_bytes(t.dims);
      if (t.dims == 16) {
        accumulate_q4_row16(q, scale, t.zero_point, acc);
      } else {
        accumulate_q4_row(q, scale, t.zero_point, acc, t.dims);
      }
      return;
    }
    case DType::kQ3RowBf16: {
      const float scale = read_bf16(t.scales + 2 * static_cast<size_t>(row));
      const uint8_t* q = t.data + static_cast<size_t>(row) * q3_row_bytes(t.dims);
      if (t.dims == 16) {
        accumulate_q3_row16(q, scale, t.zero_point, acc);
      } else {
        accumulate_q3_row(q, scale, t.zero_point, acc, t.dims);
      }
      return;
    }
    case DType::kQ8Col:  // refused as an embedding by the loader
    case DType::kF32:
      break;
  }
  accumulate_f32_row(t.data + 4 * at, acc, t.dims);
}

// add_row for rows[0 .. n) in order (bit for bit the same sums).
inline void add_rows(const internal::RowTable& t, const uint32_t* rows, uint32_t n, float* acc) {
  if (t.dtype == DType::kQ8Row) {
    accumulate_q8_rows(t.data, t.scales, t.zero_point, t.dims, rows, n, acc);
  } else if (t.dtype == DType::kQ4Row || t.dtype == DType::kQ4RowBf16) {
    accumulate_q4_rows(t.data, t.scales, t.zero_point, t.dims, rows, n, acc, scale_bytes(t));
  } else if (t.dtype == DType::kQ3RowBf16) {
    accumulate_q3_rows(t.data, t.scales, t.zero_point, t.dims, rows, n, acc);
  } else {
    for (uint32_t i = 0; i < n; ++i) add_row(t, rows[i], acc);
  }
}

// The rows of one text, gathered per channel and added a batch at a time:
// each channel's rows are still added one after the other in text order
// (the same float sums as one add_row per occurrence, bit for bit), but a
// batch's loads are independent of each other and the sums stay in
// registers (accumulate_q8_rows). A few KB on the stack, nothing allocated.
class RowPooler {
 public:
  static constexpr uint32_t kBatch = 64;

  // vec: the input vector (each table's slice at its offset), zeroed;
  // occurrences[c] += rows added to channel c.
  RowPooler(const internal::RowTable* tables, float* vec, uint32_t* occurrences)
      : tables_(tables), vec_(vec), occurrences_(occurrences) {}

  FFNLP_ALWAYS_INLINE void add(uint32_t c, uint32_t row) {
    uint32_t& n = pending_[c];
    rows_[c][n] = row;
    if (++n == kBatch) flush(c);
  }

  // Adds what is pending of channels [0, count).
  void finish(uint32_t count) {
    for (uint32_t c = 0; c < count; ++c) {
      if (pending_[c] != 0) flush(c);
    }
  }

 private:
  void flush(uint32_t c) {
    add_rows(tables_[c], rows_[c], pending_[c], vec_ + tables_[c].offset);
    occurrences_[c] += pending_[c];
    pending_[c] = 0;
  }

  const internal::RowTable* tables_;
  float* vec_;
  uint32_t* occurrences_;
  uint32_t pending_[internal::kMaxChannels] = {};
  uint32_t rows_[internal::kMaxChannels][kBatch];
};

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
    case DType::kQ4Row:
    case DType::kQ4RowBf16: {
      const float scale = read_row_scale(t.scales, scale_bytes(t), row);
      const uint8_t* q = t.data + static_cast<size_t>(row) * q4_row_bytes(t.dims);
      for (uint32_t j = 0; j < t.dims; ++j) {
        acc[j] += count * static_cast<double>(static_cast<float>(static_cast<int32_t>(q4_at(q, j)) - t.zero_point) * scale);
      }
      return;
    }
    case DType::kQ3RowBf16: {
      const float scale = read_bf16(t.scales + 2 * static_cast<size_t>(row));
      const uint8_t* q = t.data + static_cast<size_t>(row) * q3_row_bytes(t.dims);
      for (uint32_t j = 0; j < t.dims; ++j) {
        acc[j] += count * static_cast<double>(static_cast<float>(static_cast<int32_t>(q3_at(q, j)) - t.zero_point) * scale);
      }
      return;
    }
    case DType::kQ8Col:  // refused as an embedding by the loader
    case DType::kF32:
      break;
  }
  for (uint32_t j = 0; j < t.dims; ++j) acc[j] += count * static_cast<double>(read_f32(t.data + 4 * (at + j)));
}

}  // namespace ffnlp

#endif  // FFNLP_NETWORK_POOLING_H_
