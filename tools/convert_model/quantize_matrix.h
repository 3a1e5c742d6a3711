// Quantizing a float matrix row by row (ffnlp/toolkit.h), with the
// checks and error figures convert_model reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ffnlp/toolkit.h"
#include "tools/common/model_writer.h"

namespace ffnlp {
namespace tools {

struct QuantizationReport {
  uint64_t float_bytes = 0, quantized_bytes = 0;
  double max_abs_error = 0, mean_abs_error = 0;
  double max_rel_error = 0;   // |E - E'| / |E| over non-zero elements
  double mean_rel_error = 0;
  uint64_t zero_rows = 0;
  std::vector<std::string> warnings;  // rows whose precision collapsed
};

// Throws std::runtime_error naming tensor, row and column of a NaN/Inf.
TensorToWrite quantize_matrix(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& values,
                              uint32_t zero_point, Rounding rounding, QuantizationReport* report);

// The 4-bit form (q4_row, zero point 8: max|row| / 7), rows packed two
// values per byte. Throws on NaN/Inf like quantize_matrix. With
// bf16_scales: q4_row_bf16, each row's scale rounded up to a bfloat16
// (quantize_row_q4_bf16); a scale that rounds up to infinity is refused.
// (zero_point: the converter always uses 8; other values for tests.)
TensorToWrite quantize_matrix_q4(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& values,
                                 Rounding rounding, QuantizationReport* report, bool bf16_scales = false,
                                 uint32_t zero_point = kDefaultZeroPointQ4);

// The 3-bit form (q3_row_bf16, zero point 4: max|row| / 3, each row's scale
// rounded up to a bfloat16 by quantize_row_q3_bf16), rows packed 3 bits a
// value (pack_q3). Throws on NaN/Inf like quantize_matrix, and on a row
// whose values would read back infinite. (zero_point: the converter always
// uses 4; other values for tests.)
TensorToWrite quantize_matrix_q3(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& values,
                                 Rounding rounding, QuantizationReport* report,
                                 uint32_t zero_point = kDefaultZeroPointQ3);

// Error figures of an already quantized table against nothing: sizes only.
void measure_dequantized(const TensorToWrite& t, const std::vector<float>& original, QuantizationReport* report);

}  // namespace tools
}  // namespace ffnlp
