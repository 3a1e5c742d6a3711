#include "tools/convert_model/quantize_matrix.h"

#include <cmath>
#include <stdexcept>

namespace ffnlp {
namespace tools {

TensorToWrite quantize_matrix(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& values,
                              uint32_t zero_point, Rounding rounding, QuantizationReport* report) {
  if (zero_point < 1 || zero_point > 255) throw std::runtime_error(name + ": zero point must be in 1..255");
  TensorToWrite t;
  t.name = name;
  t.dtype = DType::kQ8Row;
  t.rank = 2;
  t.rows = rows;
  t.cols = cols;
  t.zero_point = zero_point;
  t.q.resize(rows * cols);
  t.scales.resize(rows);
  for (uint64_t r = 0; r < rows; ++r) {
    const float* row = values.data() + r * cols;
    for (uint64_t c = 0; c < cols; ++c) {
      if (!std::isfinite(row[c])) {
        throw std::runtime_error(name + ": row " + std::to_string(r) + ", column " + std::to_string(c) + " is " +
                                 (std::isnan(row[c]) ? "NaN" : "infinite") + "; fix the weights before converting");
      }
    }
    t.scales[r] = quantize_row(row, cols, zero_point, rounding, t.q.data() + r * cols);
    if (!std::isfinite(t.scales[r])) {
      throw std::runtime_error(name + ": row " + std::to_string(r) + " has values too large for a float32 scale");
    }
  }
  measure_dequantized(t, values, report);
  return t;
}

void measure_dequantized(const TensorToWrite& t, const std::vector<float>& original, QuantizationReport* report) {
  if (report == nullptr) return;
  report->float_bytes = t.rows * t.cols * 4;
  report->quantized_bytes = t.rows * t.cols + t.rows * 4;
  double sum_abs = 0, sum_rel = 0;
  uint64_t nonzero = 0;
  for (uint64_t r = 0; r < t.rows; ++r) {
    const float scale = t.scales[r];
    if (scale == 0.0f) ++report->zero_rows;
    uint64_t collapsed = 0, row_nonzero = 0;
    float row_max = 0;
    for (uint64_t c = 0; c < t.cols; ++c) {
      const uint64_t i = r * t.cols + c;
      const double e = original[i];
      const double d = dequantize(t.q[i], scale, t.zero_point);
      const double err = std::fabs(e - d);
      row_max = std::fmax(row_max, std::fabs(original[i]));
      sum_abs += err;
      if (err > report->max_abs_error) report->max_abs_error = err;
      if (e != 0.0) {
        const double rel = err / std::fabs(e);
        sum_rel += rel;
        ++nonzero;
        ++row_nonzero;
        if (rel > report->max_rel_error) report->max_rel_error = rel;
        if (t.q[i] == t.zero_point) ++collapsed;
      }
    }
    // One huge value squeezes the rest of its row to zero: say which row.
    if (row_nonzero >= 4 && collapsed * 2 >= row_nonzero && report->warnings.size() < 20) {
      report->warnings.push_back(t.name + ": row " + std::to_string(r) + ": " + std::to_string(collapsed) + " of " +
                                 std::to_string(row_nonzero) + " non-zero values quantize to 0 (the row's largest magnitude " +
                                 std::to_string(row_max) + " dominates its scale)");
    }
  }
  const double n = static_cast<double>(t.rows * t.cols);
  report->mean_abs_error = n > 0 ? sum_abs / n : 0;
  report->mean_rel_error = nonzero > 0 ? sum_rel / static_cast<double>(nonzero) : 0;
}

}  // namespace tools
}  // namespace ffnlp
