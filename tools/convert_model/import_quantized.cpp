#include "tools/convert_model/import_quantized.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace ffnlp {
namespace tools {
namespace {

// An array's values as doubles (exact for every supported dtype but 64-bit
// integers beyond 2^53, which no scale or zero point comes near).
struct Numbers {
  std::vector<double> values;
  bool is_float = false;   // the array's dtype is a float type
  bool is_float64 = false;
};

Numbers read_numbers(const NpyArray& a, const std::string& name) {
  const size_t item = npy_dtype_size(a.dtype);
  const char kind = a.dtype.size() >= 2 ? a.dtype[1] : '?';
  if (item == 0 || (kind != 'f' && kind != 'i' && kind != 'u')) {
    throw std::runtime_error("'" + name + "' has dtype " + a.dtype + "; it must hold numbers");
  }
  Numbers n;
  n.is_float = kind == 'f';
  n.is_float64 = kind == 'f' && item == 8;
  if (kind == 'f' && item == 2) {
    for (float v : to_float32(a, name)) n.values.push_back(v);
    return n;
  }
  const uint64_t count = a.num_elements();
  for (uint64_t i = 0; i < count; ++i) {
    // Little-endian whatever the host: assemble the bits byte by byte.
    const uint8_t* p = a.raw.data() + i * item;
    uint64_t bits = 0;
    for (size_t b = 0; b < item; ++b) bits |= static_cast<uint64_t>(p[b]) << (8 * b);
    double v = 0;
    if (kind == 'f' && item == 4) {
      const uint32_t u = static_cast<uint32_t>(bits);
      float f;
      std::memcpy(&f, &u, 4);
      v = f;
    } else if (kind == 'f') {
      std::memcpy(&v, &bits, 8);
    } else if (kind == 'u') {
      v = static_cast<double>(bits);
    } else {
      const unsigned shift = static_cast<unsigned>(64 - 8 * item);  // sign-extend
      v = static_cast<double>(static_cast<int64_t>(bits << shift) >> shift);
    }
    n.values.push_back(v);
  }
  return n;
}

// float32 copies of float values; float64 values that are not float32
// numbers are rounded, with one warning for the array.
std::vector<float> to_float32_warned(const Numbers& n, const std::string& name, const std::string& what,
                                     std::vector<std::string>* warnings) {
  std::vector<float> out;
  uint64_t changed = 0;
  double worst = 0;
  for (size_t i = 0; i < n.values.size(); ++i) {
    const double v = n.values[i];
    if (std::isfinite(v) && std::fabs(v) > 3.4028234663852886e38) {
      throw std::runtime_error("'" + name + "' row " + std::to_string(i) + " (" + std::to_string(v) +
                               ") is outside the float32 range");
    }
    const float f = static_cast<float>(v);
    if (static_cast<double>(f) != v && std::isfinite(v)) {
      ++changed;
      if (v != 0) worst = std::fmax(worst, std::fabs((static_cast<double>(f) - v) / v));
    }
    out.push_back(f);
  }
  if (changed > 0) {
    char rel[32];
    std::snprintf(rel, sizeof rel, "%.3g", worst);
    warnings->push_back("'" + name + "': " + std::to_string(changed) + " of " + std::to_string(n.values.size()) +
                        " float64 " + what + " are not float32 numbers and were rounded to float32 (largest relative change " +
                        rel + "); dequantized values may differ from torch's in the last bit. Compute the " + what +
                        " in float32 to import them exactly");
  }
  return out;
}

std::string dims(uint64_t rows, uint64_t cols) { return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")"; }

}  // namespace

bool import_quantized(const std::string& name, const std::map<std::string, NpyArray>& arrays, ImportedTable* out) {
  const NpyArray& q = arrays.at(name);
  const std::string scales_name = name + "_scales", zp_name = name + "_zero_points";
  const bool has_scales = arrays.count(scales_name) != 0;
  const bool is_u8 = q.dtype == "|u1", is_i8 = q.dtype == "|i1";
  const char kind = q.dtype.size() >= 2 ? q.dtype[1] : '?';
  if (!is_u8 && !(is_i8 && has_scales)) {
    if (has_scales && (kind == 'i' || kind == 'u')) {
      throw std::runtime_error("array '" + name + "' has dtype " + q.dtype + " and a '" + scales_name +
                               "' array: only 8-bit tables can be imported (uint8 from quint8, int8 from qint8)");
    }
    return false;
  }
  const char* const type_name = is_u8 ? "uint8" : "int8 (qint8)";
  if (!has_scales) {
    throw std::runtime_error("array '" + name + "' is uint8 but there is no '" + scales_name +
                             "' array with its per-row scales (needed to import a quantized table)");
  }
  if (q.shape.size() != 2) throw std::runtime_error("quantized array '" + name + "' must be 2-D");
  const uint64_t rows = q.shape[0], cols = q.shape[1];
  ImportedTable result;
  result.consumed.push_back(scales_name);

  const Numbers scale_numbers = read_numbers(arrays.at(scales_name), scales_name);
  if (!scale_numbers.is_float) {
    throw std::runtime_error("'" + scales_name + "' has dtype " + arrays.at(scales_name).dtype +
                             "; scales must be float32 or float64 (as q_per_channel_scales() gives them)");
  }
  if (scale_numbers.values.size() != rows) {
    throw std::runtime_error("'" + scales_name + "' has " + std::to_string(scale_numbers.values.size()) + " values for " +
                             std::to_string(rows) + " rows of '" + name + "'");
  }
  for (size_t r = 0; r < rows; ++r) {
    const double s = scale_numbers.values[r];
    if (!std::isfinite(s) || s < 0) {
      throw std::runtime_error("'" + scales_name + "' row " + std::to_string(r) + " is not a finite non-negative scale");
    }
  }
  std::vector<float> scales = to_float32_warned(scale_numbers, scales_name, "scales", &result.warnings);

  TensorToWrite& t = result.tensor;
  t.name = name;
  t.rank = 2;
  t.rows = rows;
  t.cols = cols;
  t.q = q.raw;
  t.scales = std::move(scales);
  // int8 v is uint8 v + 128 (the sign bit flipped); zero points move along.
  const int offset = is_i8 ? 128 : 0;
  if (is_i8) {
    for (uint8_t& b : t.q) b ^= 0x80u;
  }

  if (!arrays.count(zp_name)) {
    if (is_i8) {
      throw std::runtime_error("array '" + name + "' is int8 (a qint8 table) with '" + scales_name + "' but no '" + zp_name +
                               "': the zero points are needed to import it; save q_per_channel_zero_points() as '" +
                               zp_name + "' (all 0 for a symmetric table)");
    }
    // Our own tables (zero point 128) never hold byte 0; PyTorch's
    // per_channel_affine_float_qparams ones put each row's minimum there.
    for (size_t i = 0; i < t.q.size(); ++i) {
      if (t.q[i] == 0) {
        throw std::runtime_error("array '" + name + "' has no '" + zp_name + "', and row " + std::to_string(i / cols) +
                                 " holds byte 0, which a table with this project's zero point 128 never does: it "
                                 "looks like a PyTorch table with its own zero points; save "
                                 "q_per_channel_zero_points() as '" + zp_name + "'");
      }
    }
    result.warnings.push_back("'" + name + "': no '" + zp_name + "' array: zero point 128 assumed (this project's " +
                              "convention); a table from PyTorch needs its q_per_channel_zero_points() saved as '" +
                              zp_name + "'");
    t.dtype = DType::kQ8Row;
    t.zero_point = 128;
    result.summary = dims(rows, cols) + " uint8 imported as q8_row (zero point 128), not requantized";
    *out = std::move(result);
    return true;
  }

  result.consumed.push_back(zp_name);
  const Numbers zp = read_numbers(arrays.at(zp_name), zp_name);
  if (zp.values.size() != rows && zp.values.size() != 1) {
    throw std::runtime_error("'" + zp_name + "' has " + std::to_string(zp.values.size()) + " values for " +
                             std::to_string(rows) + " rows of '" + name + "' (one per row, or one for the table)");
  }
  bool integral = true, uniform = true;
  for (size_t i = 0; i < zp.values.size(); ++i) {
    const double v = zp.values[i];
    if (!std::isfinite(v)) throw std::runtime_error("'" + zp_name + "' row " + std::to_string(i) + " is not finite");
    integral = integral && v == std::floor(v);
    uniform = uniform && v == zp.values[0];
  }
  auto zero_point_of_row = [&](uint64_t r) { return zp.values[zp.values.size() == 1 ? 0 : r]; };

  if (integral) {
    const double lo = is_i8 ? -128 : 0, hi = is_i8 ? 127 : 255;
    for (size_t i = 0; i < zp.values.size(); ++i) {
      if (zp.values[i] < lo || zp.values[i] > hi) {
        throw std::runtime_error("'" + zp_name + "' row " + std::to_string(i) + " holds " + std::to_string(zp.values[i]) +
                                 ", not in " + (is_i8 ? "-128..127 (an int8 table's zero points)" : "0..255"));
      }
    }
    if (uniform) {
      t.dtype = DType::kQ8Row;
      t.zero_point = static_cast<uint32_t>(zp.values[0] + offset);
      result.summary = dims(rows, cols) + " " + type_name + " imported as q8_row (zero point " +
                       std::to_string(t.zero_point) + "), not requantized";
    } else {
      // One integer zero point per row: as floats they subtract exactly.
      t.dtype = DType::kQ8RowFzp;
      for (uint64_t r = 0; r < rows; ++r) t.zero_points.push_back(static_cast<float>(zero_point_of_row(r) + offset));
      result.summary = dims(rows, cols) + " " + type_name + " with a zero point per row imported as q8_row_fzp, not requantized";
    }
  } else {
    if (is_i8) {
      double fractional = 0;
      for (double v : zp.values) {
        if (v != std::floor(v)) {
          fractional = v;
          break;
        }
      }
      throw std::runtime_error("'" + zp_name + "' holds fractional zero points (e.g. " + std::to_string(fractional) +
                               ") for int8 table '" + name + "': an int8 (qint8) table's zero points are integers; " +
                               "float zero points come with uint8 (quint8, per_channel_affine_float_qparams) tables");
    }
    // per_channel_affine_float_qparams: kept as they are.
    Numbers per_row = zp;
    if (per_row.values.size() == 1) per_row.values.assign(rows, zp.values[0]);
    t.dtype = DType::kQ8RowFzp;
    t.zero_points = to_float32_warned(per_row, zp_name, "zero points", &result.warnings);
    result.summary = dims(rows, cols) + " uint8 with float zero points imported as q8_row_fzp, not requantized";
  }
  *out = std::move(result);
  return true;
}

}  // namespace tools
}  // namespace ffnlp
