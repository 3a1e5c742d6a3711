#include "tools/convert_model/quantize_matrix.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace ffnlp {
namespace tools {

namespace {

// Throws naming the first NaN/Inf of a row.
void check_row_finite(const std::string& name, uint64_t r, const float* row, uint64_t cols) {
  for (uint64_t c = 0; c < cols; ++c) {
    if (!std::isfinite(row[c])) {
      throw std::runtime_error(name + ": row " + std::to_string(r) + ", column " + std::to_string(c) + " is " +
                               (std::isnan(row[c]) ? "NaN" : "infinite") + "; fix the weights before converting");
    }
  }
}

// A float for a message: shortest form that tells it apart (3.40282347e+38,
// not 39 digits).
std::string short_float(float f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(f));
  return buf;
}

// Value j of row r as the runtime reads it (q8_row unpacked, q4_row,
// q4_row_bf16 and q3_row_bf16 packed).
uint8_t stored_at(const TensorToWrite& t, uint64_t r, uint64_t j) {
  return stored_value(t.dtype, t.q.data() + r * tensor_row_bytes(t.dtype, t.cols), j);
}

// quantize_matrix_q4 and quantize_matrix_q3: dtype q4_row, q4_row_bf16 or
// q3_row_bf16.
TensorToWrite quantize_packed(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& values,
                              Rounding rounding, QuantizationReport* report, DType dtype, uint32_t zero_point) {
  const bool q3 = dtype == DType::kQ3RowBf16, bf16_scales = has_bf16_scales(dtype);
  const uint32_t top = q3 ? 7 : 15;
  const std::string width = q3 ? "3-bit" : "4-bit";
  if (zero_point > top) {
    throw std::runtime_error(name + ": zero point " + std::to_string(zero_point) + " is not in 0.." + std::to_string(top));
  }
  TensorToWrite t;
  t.name = name;
  t.dtype = dtype;
  t.rank = 2;
  t.rows = rows;
  t.cols = cols;
  t.zero_point = zero_point;
  const size_t row_bytes = tensor_row_bytes(dtype, cols);
  t.q.resize(rows * row_bytes);
  t.scales.resize(rows);
  std::vector<uint8_t> unpacked(cols);
  for (uint64_t r = 0; r < rows; ++r) {
    const float* row = values.data() + r * cols;
    check_row_finite(name, r, row, cols);
    if (bf16_scales) {
      uint16_t bits = 0;  // (t.scales[r] is these bits as a float; the writer stores them)
      t.scales[r] = q3 ? quantize_row_q3_bf16(row, cols, t.zero_point, rounding, unpacked.data(), &bits)
                       : quantize_row_q4_bf16(row, cols, t.zero_point, rounding, unpacked.data(), &bits);
      if (!std::isfinite(t.scales[r])) {
        // Rounding up to 8 significant bits passes the largest bfloat16
        // (3.39e38) only for a float scale beyond it.
        float largest = 0;
        for (uint64_t c = 0; c < cols; ++c) largest = std::fmax(largest, std::fabs(row[c]));
        throw std::runtime_error(name + ": row " + std::to_string(r) + ": the scale (largest magnitude " +
                                 short_float(largest) + ") rounds up to an infinite bfloat16; scales = bf16 "
                                 "cannot store this row (" +
                                 (q3 ? "3-bit tables have bfloat16 scales only: scale the weights down" : "use scales = f32") +
                                 ")");
      }
    } else {
      t.scales[r] = quantize_row_q4(row, cols, t.zero_point, rounding, unpacked.data());
      if (!std::isfinite(t.scales[r])) {
        throw std::runtime_error(name + ": row " + std::to_string(r) + ": the scale is not a finite float32");
      }
    }
    // As for 8 bits: every value reads back within half a step (a bfloat16
    // scale is rounded up, never down, so this holds for it too). A row
    // near the float32 limit does not: its largest step count times the
    // scale, rounded up to a bfloat16, overflows to infinity (4 bits: above
    // 3.396e38, the last 0.2 % below the limit).
    const double bound = 0.5 * static_cast<double>(t.scales[r]) * (1.0 + 1e-4) + 1e-30;
    for (uint64_t c = 0; c < cols; ++c) {
      const float back = dequantize(unpacked[c], t.scales[r], t.zero_point);
      if (!std::isfinite(back)) {
        throw std::runtime_error(name + ": row " + std::to_string(r) + ", column " + std::to_string(c) + ": " +
                                 short_float(row[c]) + " would read back as infinite (its scale " +
                                 short_float(t.scales[r]) + (bf16_scales ? ", rounded up to a bfloat16," : "") +
                                 " times its " + width + " step overflows float32); scale the weights down" +
                                 (bf16_scales && !q3 ? " or use scales = f32" : ""));
      }
      if (std::fabs(static_cast<double>(back) - static_cast<double>(row[c])) > bound) {
        throw std::runtime_error(name + ": row " + std::to_string(r) + ", column " + std::to_string(c) + ": " +
                                 std::to_string(row[c]) + " reads back as " + std::to_string(back) +
                                 " (internal error: clipped)");
      }
    }
    uint8_t* packed = t.q.data() + r * row_bytes;
    if (q3) {
      pack_q3(unpacked.data(), cols, packed);
    } else {
      pack_q4(unpacked.data(), cols, packed);
    }
  }
  measure_dequantized(t, values, report);
  return t;
}

}  // namespace

TensorToWrite quantize_matrix_q4(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& values,
                                 Rounding rounding, QuantizationReport* report, bool bf16_scales, uint32_t zero_point) {
  return quantize_packed(name, rows, cols, values, rounding, report, bf16_scales ? DType::kQ4RowBf16 : DType::kQ4Row,
                         zero_point);
}

TensorToWrite quantize_matrix_q3(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& values,
                                 Rounding rounding, QuantizationReport* report, uint32_t zero_point) {
  return quantize_packed(name, rows, cols, values, rounding, report, DType::kQ3RowBf16, zero_point);
}

TensorToWrite quantize_matrix(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& values,
                              uint32_t zero_point, Rounding rounding, QuantizationReport* report) {
  if (zero_point > 255) throw std::runtime_error(name + ": zero point " + std::to_string(zero_point) + " is not in 0..255");
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
    check_row_finite(name, r, row, cols);
    if (!zero_point_fits(row, cols, zero_point)) {
      // Say which sign does not fit, with the row's extreme value.
      float lo = 0, hi = 0;
      for (uint64_t c = 0; c < cols; ++c) {
        lo = std::fmin(lo, row[c]);
        hi = std::fmax(hi, row[c]);
      }
      const std::string where = name + ": row " + std::to_string(r);
      if (zero_point >= 255 && hi > 0) {
        throw std::runtime_error(where + " has positive values (largest " + std::to_string(hi) +
                                 "), which zero point 255 cannot represent: no quantized value lies above it; use "
                                 "--zero-point 254 or less (128 gives both signs the same room)");
      }
      throw std::runtime_error(where + " has negative values (smallest " + std::to_string(lo) + "), which zero point " +
                               std::to_string(zero_point) +
                               " cannot represent: quantized values run from 1 to 255, so none lies below it; use "
                               "--zero-point 2 or more (128 gives both signs the same room)");
    }
    t.scales[r] = quantize_row(row, cols, zero_point, rounding, t.q.data() + r * cols);
    if (!std::isfinite(t.scales[r])) {
      throw std::runtime_error(name + ": row " + std::to_string(r) + ": the scale is not a finite float32");
    }
    // Every value must read back within half a step (plus float rounding of
    // the stored scale): nothing may clip, whatever the zero point.
    const double bound = 0.5 * static_cast<double>(t.scales[r]) * (1.0 + 1e-4) + 1e-30;
    for (uint64_t c = 0; c < cols; ++c) {
      const double back = dequantize(t.q[r * cols + c], t.scales[r], zero_point);
      if (std::fabs(back - static_cast<double>(row[c])) > bound) {
        throw std::runtime_error(name + ": row " + std::to_string(r) + ", column " + std::to_string(c) + ": " +
                                 std::to_string(row[c]) + " reads back as " + std::to_string(back) +
                                 " with zero point " + std::to_string(zero_point) + " (internal error: clipped)");
      }
    }
  }
  measure_dequantized(t, values, report);
  return t;
}

void measure_dequantized(const TensorToWrite& t, const std::vector<float>& original, QuantizationReport* report) {
  if (report == nullptr) return;
  report->float_bytes = t.rows * t.cols * 4;
  // Scales: 4 bytes each (q4_row_bf16, q3_row_bf16: 2).
  const uint64_t scale_bytes = has_bf16_scales(t.dtype) ? 2 : 4;
  report->quantized_bytes = t.q.size() + t.rows * scale_bytes;
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
      const uint8_t q = stored_at(t, r, c);
      const double d = dequantize(q, scale, t.zero_point);
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
        if (q == t.zero_point) ++collapsed;
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
