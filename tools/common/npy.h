// NumPy .npy reading and writing (format versions 1.0, 2.0 and 3.0).
//
// Supported element types: little-endian (or single-byte) bool, integers
// (i1/i2/i4/i8, u1/u2/u4/u8) and floats (f2/f4/f8). Big-endian data,
// object arrays (pickles), strings, structured and complex dtypes are
// rejected with a message explaining how to convert the array in NumPy.
// All errors are std::runtime_error whose message starts with `what`
// (typically the file or member name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ffnlp {
namespace tools {

struct NpyArray {
  std::vector<uint64_t> shape;  // empty for a 0-d (scalar) array
  std::string dtype;            // normalized descr, e.g. "<f4", "|u1"
  bool fortran_order = false;   // always false after parse_npy (see below)
  std::vector<uint8_t> raw;     // element data, C order, little-endian

  // Product of the shape (1 for a 0-d array). Valid for parsed arrays;
  // throws std::overflow_error if the product does not fit in 64 bits.
  uint64_t num_elements() const;
};

// Size in bytes of one element of a supported dtype ("<f4" -> 4), or 0 if
// the dtype is not supported.
size_t npy_dtype_size(const std::string& dtype);

// Parses a complete .npy file held in memory.
// Validates the magic, version, header length, header dictionary (strict
// keys, tolerant of whitespace, quotes and trailing commas), dtype, shape
// (with overflow checks) and that the data size matches the header exactly.
// Fortran-order arrays with 2 or more dimensions are rejected; for 0-d and
// 1-d arrays the layout is identical to C order and they are accepted (with
// fortran_order reported as false).
NpyArray parse_npy(const uint8_t* data, size_t size, const std::string& what);
NpyArray parse_npy(const std::vector<uint8_t>& bytes, const std::string& what);

// Converts to float32. Accepts float dtypes (<f2, <f4, <f8) and integer
// dtypes up to 32 bits (|u1, |i1, <u2, <i2, <u4, <i4). A float64 finite
// value outside the float32 range, or an integer whose magnitude exceeds
// 2^24 (not exactly representable), is an error. 64-bit integers and bool
// are rejected ("dtype '<i8' is not a float type").
std::vector<float> to_float32(const NpyArray& arr, const std::string& what);

// Returns the raw bytes of a |u1 array; any other dtype is an error.
std::vector<uint8_t> to_uint8(const NpyArray& arr, const std::string& what);

// Serializes to .npy bytes: version 1.0 header (2.0 if the header would
// exceed 65535 bytes), padded with spaces and a final '\n' so that the data
// starts at a multiple of 64 bytes, like NumPy does.
// Throws std::invalid_argument if the dtype is unsupported or raw.size()
// does not equal num_elements() * item size.
std::vector<uint8_t> write_npy(const NpyArray& arr);

// Convenience: builds a "<f4" array of the given shape from `data`
// (num_elements values) and returns its .npy bytes.
NpyArray make_npy_f32(const std::vector<uint64_t>& shape, const float* data);
std::vector<uint8_t> write_npy_f32(const std::vector<uint64_t>& shape,
                                   const float* data);

}  // namespace tools
}  // namespace ffnlp
