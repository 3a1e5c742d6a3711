// Importing tables that are already quantized (PyTorch's int_repr() with its
// per-channel scales and zero points, or our own bytes) without requantizing:
//
//   NAME (uint8 or int8, rows x cols) + NAME_scales (rows floats)
//   [+ NAME_zero_points: rows values, or one]
//
//   bytes  zero points                         becomes
//   uint8  none                                q8_row, zero point 128 (our convention; warned)
//   uint8  integers, all equal (0..255)        q8_row with that zero point
//   uint8  integers that differ between rows   q8_row_fzp (the integers as floats: exact)
//   uint8  floats (per_channel_affine_float_qparams)  q8_row_fzp, as they are
//   int8   integers (-128..127; 0 = symmetric) each byte + 128, each zero point + 128: exact
//   int8   none, or floats                     refused, saying which array is missing or wrong
//
// Every import is lossless: the runtime's (q - zp) * s is torch's
// dequantize() value for value, provided the scales (and float zero points)
// are float32 numbers. float64 ones that are not are rounded to float32 with
// a warning naming the array, how many values changed and by how much.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tools/common/model_writer.h"
#include "tools/common/npy.h"

namespace ffnlp {
namespace tools {

struct ImportedTable {
  TensorToWrite tensor;
  std::vector<std::string> consumed;  // the companion arrays it used (NAME_scales, ...)
  std::vector<std::string> warnings;
  std::string summary;                // for the converter's report: "(rows, cols) ... imported as ..."
};

// True when `name` is a quantized table to import (uint8, or int8 with a
// NAME_scales array); fills *out. False when it is an ordinary array.
// Throws std::runtime_error naming the array and the problem.
bool import_quantized(const std::string& name, const std::map<std::string, NpyArray>& arrays, ImportedTable* out);

}  // namespace tools
}  // namespace ffnlp
