// Writing .ffm model files (docs/FORMAT.md). The runtime only reads; this is
// the one place that lays out the bytes, always little-endian.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"

namespace ffnlp {
namespace tools {

struct TensorToWrite {
  std::string name;
  DType dtype = DType::kF32;
  uint32_t rank = 2;
  uint64_t rows = 0, cols = 0;
  std::vector<float> values;       // kF32: rows * cols
  std::vector<uint8_t> q;          // kQ8Row, kQ8RowFzp, kQ8Col: rows * cols; kQ4Row(Bf16): rows * q4_row_bytes(cols),
                                   // packed; kQ3RowBf16: rows * q3_row_bytes(cols), packed
  std::vector<float> scales;       // kQ8Row, kQ8RowFzp, kQ4Row(Bf16), kQ3RowBf16: rows; kQ8Col: cols. kQ4RowBf16,
                                   // kQ3RowBf16: each a bfloat16 held as a float (low 16 bits zero), written as
                                   // its 2 upper bytes
  uint32_t zero_point = 0;         // kQ8Row, kQ8Col, kQ4Row(Bf16), kQ3RowBf16
  std::vector<float> zero_points;  // kQ8RowFzp: rows (written after the scales)
};

// Whether a dtype's row scales are stored as bfloat16 (2 bytes each).
inline bool has_bf16_scales(DType d) { return d == DType::kQ4RowBf16 || d == DType::kQ3RowBf16; }

struct MetaValue {
  format::MetaType type = format::MetaType::kU32;
  uint32_t u32 = 0;
  float f32 = 0;
  std::string text;
  std::vector<std::string> texts;
  std::vector<uint32_t> u32s;
};

class ModelWriter {
 public:
  void add_tensor(TensorToWrite tensor);  // throws on a duplicate or bad name
  void set_u32(const std::string& key, uint32_t value);
  void set_f32(const std::string& key, float value);
  void set_string(const std::string& key, const std::string& value);
  void set_strings(const std::string& key, const std::vector<std::string>& values);
  void set_u32s(const std::string& key, const std::vector<uint32_t>& values);
  void remove(const std::string& key);  // drops a key (tests of missing keys)
  // Lays out header, table, metadata and aligned data, and seals the checksum.
  std::vector<uint8_t> build() const;

  const std::vector<TensorToWrite>& tensors() const { return tensors_; }

 private:
  std::vector<TensorToWrite> tensors_;
  std::map<std::string, MetaValue> metadata_;  // sorted keys: a canonical file
};

}  // namespace tools
}  // namespace ffnlp
