// NumPy .npy format, written from the format description in
// numpy/lib/format.py documentation (NEP 1).
#include "tools/common/npy.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace ffnlp {
namespace tools {
namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kAlign = 64;

[[noreturn]] void fail(const std::string& what, const std::string& msg) {
  throw std::runtime_error(what + ": " + msg);
}

bool mul_overflow(uint64_t a, uint64_t b, uint64_t* out) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return true;
  *out = a * b;
  return false;
}

// Human name of a normalized dtype for messages ("<f4" -> "float32").
std::string dtype_name(const std::string& d) {
  if (d.size() != 3) return d;
  std::string bits = std::to_string((d[2] - '0') * 8);
  switch (d[1]) {
    case 'f': return "float" + bits;
    case 'i': return "int" + bits;
    case 'u': return "uint" + bits;
    case 'b': return "bool";
  }
  return d;
}

// Validates a descr string and returns its normalized form ('<' for
// multi-byte types, '|' for single-byte types).
std::string normalize_dtype(const std::string& descr, const std::string& what) {
  if (descr.empty()) fail(what, "header has an empty dtype");
  std::string d = descr;
  char order = d[0];
  if (order == '<' || order == '>' || order == '|' || order == '=') {
    d = d.substr(1);
  } else {
    order = '=';
  }
  if (d == "O" || d.rfind("O", 0) == 0) {
    fail(what, "dtype '" + descr +
                   "' is an object array (would require unpickling), which is "
                   "not supported; store a numeric array instead");
  }
  if (d.size() != 2 || std::string("fiub").find(d[0]) == std::string::npos ||
      d[0] == '\0') {
    fail(what, "unsupported dtype '" + descr +
                   "'; only bool, integer and float arrays are supported");
  }
  char kind = d[0];
  char size = d[1];
  bool ok = (kind == 'f' && (size == '2' || size == '4' || size == '8')) ||
            ((kind == 'i' || kind == 'u') &&
             (size == '1' || size == '2' || size == '4' || size == '8')) ||
            (kind == 'b' && size == '1');
  if (!ok) fail(what, "unsupported dtype '" + descr + "'");
  if (size == '1') return std::string("|") + d;
  if (order == '>') {
    fail(what, "unsupported dtype '" + descr +
                   "' (big-endian); convert with arr.astype('<" + d + "')");
  }
  if (order == '|') fail(what, "invalid dtype '" + descr + "'");
  return std::string("<") + d;  // '<' or '=' (NumPy files are written on LE hosts)
}

// --- Header dictionary parser -------------------------------------------

class HeaderParser {
 public:
  HeaderParser(const std::string& s, const std::string& what)
      : s_(s), what_(what) {}

  void parse(std::string* descr, bool* fortran, std::vector<uint64_t>* shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') { ++p_; break; }
      std::string key = parse_string();
      expect(':');
      if (key == "descr") {
        if (have_descr) malformed("duplicate key 'descr'");
        have_descr = true;
        skip_ws();
        if (peek() != '\'' && peek() != '"')
          fail(what_, "structured (record) dtypes are not supported; the "
                      "'descr' must be a simple type string such as '<f4'");
        *descr = parse_string();
      } else if (key == "fortran_order") {
        if (have_fortran) malformed("duplicate key 'fortran_order'");
        have_fortran = true;
        *fortran = parse_bool();
      } else if (key == "shape") {
        if (have_shape) malformed("duplicate key 'shape'");
        have_shape = true;
        *shape = parse_shape();
      } else {
        malformed("unexpected key '" + key + "'");
      }
      skip_ws();
      if (peek() == ',') { ++p_; continue; }
      if (peek() == '}') { ++p_; break; }
      malformed("expected ',' or '}' at offset " + std::to_string(p_));
    }
    skip_ws();
    if (p_ != s_.size()) malformed("unexpected text after '}'");
    if (!have_descr) malformed("missing key 'descr'");
    if (!have_fortran) malformed("missing key 'fortran_order'");
    if (!have_shape) malformed("missing key 'shape'");
  }

 private:
  [[noreturn]] void malformed(const std::string& msg) {
    fail(what_, "header is malformed: " + msg);
  }
  char peek() const { return p_ < s_.size() ? s_[p_] : '\0'; }
  void skip_ws() {
    while (p_ < s_.size() &&
           (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r'))
      ++p_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c)
      malformed(std::string("expected '") + c + "' at offset " + std::to_string(p_));
    ++p_;
  }
  std::string parse_string() {
    skip_ws();
    char q = peek();
    if (q != '\'' && q != '"')
      malformed("expected a quoted string at offset " + std::to_string(p_));
    ++p_;
    std::string out;
    while (p_ < s_.size() && s_[p_] != q) {
      if (s_[p_] == '\\') malformed("escape sequences are not supported");
      out += s_[p_++];
    }
    if (p_ >= s_.size()) malformed("unterminated string");
    ++p_;
    return out;
  }
  bool parse_bool() {
    skip_ws();
    if (s_.compare(p_, 4, "True") == 0) { p_ += 4; return true; }
    if (s_.compare(p_, 5, "False") == 0) { p_ += 5; return false; }
    malformed("'fortran_order' must be True or False");
  }
  uint64_t parse_uint() {
    skip_ws();
    if (!(peek() >= '0' && peek() <= '9'))
      malformed("expected a non-negative integer in 'shape' at offset " +
                std::to_string(p_));
    uint64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      uint64_t d = static_cast<uint64_t>(peek() - '0');
      if (v > (std::numeric_limits<uint64_t>::max() - d) / 10)
        fail(what_, "shape dimension is too large");
      v = v * 10 + d;
      ++p_;
    }
    if (peek() == 'L') ++p_;  // Python 2 long suffix
    return v;
  }
  std::vector<uint64_t> parse_shape() {
    expect('(');
    std::vector<uint64_t> dims;
    skip_ws();
    if (peek() == ')') { ++p_; return dims; }
    for (;;) {
      dims.push_back(parse_uint());
      skip_ws();
      if (peek() == ')') {
        ++p_;
        if (dims.size() == 1) malformed("one-element shape tuple needs a trailing comma");
        return dims;
      }
      if (peek() != ',') malformed("expected ',' or ')' in 'shape'");
      ++p_;
      skip_ws();
      if (peek() == ')') { ++p_; return dims; }
    }
  }

  const std::string& s_;
  const std::string& what_;
  size_t p_ = 0;
};

uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t rd32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t rd64(const uint8_t* p) {
  return static_cast<uint64_t>(rd32(p)) | (static_cast<uint64_t>(rd32(p + 4)) << 32);
}

float half_to_float(uint16_t h) {
  uint32_t sign = (h >> 15) & 1;
  int exp = (h >> 10) & 0x1F;
  uint32_t mant = h & 0x3FF;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant ? std::numeric_limits<float>::quiet_NaN()
             : std::numeric_limits<float>::infinity();
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400), exp - 25);
  }
  return sign ? -v : v;
}

std::string shape_str(const std::vector<uint64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

}  // namespace

uint64_t NpyArray::num_elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape)
    if (mul_overflow(n, d, &n)) throw std::overflow_error("npy shape product overflows");
  return n;
}

size_t npy_dtype_size(const std::string& dtype) {
  if (dtype.size() != 3) return 0;
  if (dtype[0] != '<' && dtype[0] != '|') return 0;
  char k = dtype[1], s = dtype[2];
  bool ok = (k == 'f' && (s == '2' || s == '4' || s == '8')) ||
            ((k == 'i' || k == 'u') && (s == '1' || s == '2' || s == '4' || s == '8')) ||
            (k == 'b' && s == '1');
  if (!ok) return 0;
  if ((s == '1') != (dtype[0] == '|')) return 0;
  return static_cast<size_t>(s - '0');
}

NpyArray parse_npy(const std::vector<uint8_t>& bytes, const std::string& what) {
  return parse_npy(bytes.data(), bytes.size(), what);
}

NpyArray parse_npy(const uint8_t* data, size_t size, const std::string& what) {
  if (size < kMagicLen || std::memcmp(data, kMagic, kMagicLen) != 0)
    fail(what, "not a .npy file (bad magic; expected \\x93NUMPY)");
  if (size < kMagicLen + 2) fail(what, "header is truncated (no version)");
  uint8_t major = data[6], minor = data[7];
  size_t len_bytes;
  if (major == 1 && minor == 0) {
    len_bytes = 2;
  } else if ((major == 2 || major == 3) && minor == 0) {
    len_bytes = 4;
  } else {
    fail(what, "unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(minor));
  }
  size_t prefix = kMagicLen + 2 + len_bytes;
  if (size < prefix) fail(what, "header is truncated (no header length)");
  uint64_t header_len = len_bytes == 2 ? rd16(data + 8) : rd32(data + 8);
  if (header_len > size - prefix)
    fail(what, "header is truncated: header length is " + std::to_string(header_len) +
                   " bytes but only " + std::to_string(size - prefix) +
                   " bytes follow");
  std::string header(reinterpret_cast<const char*>(data + prefix),
                     static_cast<size_t>(header_len));
  for (char c : header) {
    if (c == '\0') fail(what, "header is malformed: contains a NUL byte");
  }

  NpyArray arr;
  std::string descr;
  HeaderParser(header, what).parse(&descr, &arr.fortran_order, &arr.shape);
  arr.dtype = normalize_dtype(descr, what);
  if (arr.fortran_order) {
    if (arr.shape.size() >= 2)
      fail(what, "Fortran-order arrays are not supported; use np.ascontiguousarray");
    arr.fortran_order = false;  // same layout as C order for 0-d / 1-d
  }

  size_t item = npy_dtype_size(arr.dtype);
  uint64_t count = 1;
  for (uint64_t d : arr.shape) {
    if (mul_overflow(count, d, &count))
      fail(what, "shape " + shape_str(arr.shape) + " is too large (element count overflows)");
  }
  uint64_t nbytes;
  if (mul_overflow(count, item, &nbytes) ||
      nbytes > static_cast<uint64_t>(std::numeric_limits<size_t>::max()))
    fail(what, "shape " + shape_str(arr.shape) + " is too large (byte size overflows)");

  size_t data_off = prefix + static_cast<size_t>(header_len);
  size_t avail = size - data_off;
  if (nbytes != avail) {
    std::string expect = "header says " + std::to_string(count) + " " +
                         dtype_name(arr.dtype) + " values (" + std::to_string(nbytes) +
                         " bytes), file has " + std::to_string(avail);
    if (avail < nbytes) fail(what, "data truncated: " + expect);
    fail(what, "unexpected trailing data: " + expect);
  }
  arr.raw.assign(data + data_off, data + size);
  return arr;
}

std::vector<float> to_float32(const NpyArray& arr, const std::string& what) {
  size_t item = npy_dtype_size(arr.dtype);
  if (item == 0) fail(what, "unsupported dtype '" + arr.dtype + "'");
  if (arr.fortran_order && arr.shape.size() >= 2)
    fail(what, "Fortran-order arrays are not supported; use np.ascontiguousarray");
  char kind = arr.dtype[1];
  if (kind == 'b' || ((kind == 'i' || kind == 'u') && item == 8))
    fail(what, "dtype '" + arr.dtype + "' is not a float type; convert with arr.astype('<f4')");
  if (arr.raw.size() % item != 0)
    fail(what, "data size " + std::to_string(arr.raw.size()) +
                   " is not a multiple of the item size");
  size_t n = arr.raw.size() / item;
  std::vector<float> out(n);
  const uint8_t* p = arr.raw.data();
  const double kMaxExactInt = 16777216.0;  // 2^24
  for (size_t i = 0; i < n; ++i, p += item) {
    if (kind == 'f') {
      if (item == 2) {
        out[i] = half_to_float(rd16(p));
      } else if (item == 4) {
        uint32_t u = rd32(p);
        std::memcpy(&out[i], &u, 4);
      } else {
        uint64_t u = rd64(p);
        double d;
        std::memcpy(&d, &u, 8);
        if (std::isfinite(d) && std::fabs(d) > static_cast<double>(std::numeric_limits<float>::max()))
          fail(what, "float64 value " + std::to_string(d) + " at index " + std::to_string(i) +
                         " is outside the float32 range");
        out[i] = static_cast<float>(d);
      }
      continue;
    }
    double v;
    if (kind == 'u') {
      v = item == 1 ? p[0] : item == 2 ? rd16(p) : static_cast<double>(rd32(p));
    } else {
      v = item == 1 ? static_cast<int8_t>(p[0])
          : item == 2 ? static_cast<int16_t>(rd16(p))
                      : static_cast<double>(static_cast<int32_t>(rd32(p)));
    }
    if (std::fabs(v) > kMaxExactInt)
      fail(what, "integer value " + std::to_string(static_cast<long long>(v)) + " at index " +
                     std::to_string(i) + " cannot be represented exactly as float32");
    out[i] = static_cast<float>(v);
  }
  return out;
}

std::vector<uint8_t> to_uint8(const NpyArray& arr, const std::string& what) {
  if (arr.dtype != "|u1")
    fail(what, "dtype '" + arr.dtype + "' is not uint8; convert with arr.astype(np.uint8)");
  return arr.raw;
}

std::vector<uint8_t> write_npy(const NpyArray& arr) {
  size_t item = npy_dtype_size(arr.dtype);
  if (item == 0) throw std::invalid_argument("write_npy: unsupported dtype '" + arr.dtype + "'");
  uint64_t count = 1, nbytes = 0;
  for (uint64_t d : arr.shape)
    if (mul_overflow(count, d, &count))
      throw std::invalid_argument("write_npy: shape product overflows");
  if (mul_overflow(count, item, &nbytes) || nbytes != arr.raw.size())
    throw std::invalid_argument("write_npy: data size " + std::to_string(arr.raw.size()) +
                                " does not match shape " + shape_str(arr.shape) +
                                " of dtype '" + arr.dtype + "'");
  std::string dict = "{'descr': '" + arr.dtype + "', 'fortran_order': " +
                     (arr.fortran_order ? "True" : "False") + ", 'shape': " +
                     shape_str(arr.shape) + ", }";
  // Total of magic + version + length field + dict + padding + '\n' must be
  // a multiple of kAlign.
  size_t len_bytes = 2;
  size_t unpadded = kMagicLen + 2 + len_bytes + dict.size() + 1;
  size_t total = (unpadded + kAlign - 1) / kAlign * kAlign;
  if (total - kMagicLen - 2 - len_bytes > 0xFFFF) {
    len_bytes = 4;
    unpadded = kMagicLen + 2 + len_bytes + dict.size() + 1;
    total = (unpadded + kAlign - 1) / kAlign * kAlign;
  }
  size_t header_len = total - kMagicLen - 2 - len_bytes;
  std::string head(kMagic, kMagicLen);
  head += static_cast<char>(len_bytes == 2 ? 1 : 2);
  head += '\0';
  for (size_t i = 0; i < len_bytes; ++i)
    head += static_cast<char>((header_len >> (8 * i)) & 0xFF);
  head += dict;
  head.append(total - unpadded, ' ');
  head += '\n';
  std::vector<uint8_t> out(head.size() + arr.raw.size());
  std::memcpy(out.data(), head.data(), head.size());
  if (!arr.raw.empty()) std::memcpy(out.data() + head.size(), arr.raw.data(), arr.raw.size());
  return out;
}

NpyArray make_npy_f32(const std::vector<uint64_t>& shape, const float* data) {
  NpyArray arr;
  arr.shape = shape;
  arr.dtype = "<f4";
  uint64_t n = arr.num_elements();
  if (n > std::numeric_limits<size_t>::max() / 4)
    throw std::invalid_argument("make_npy_f32: shape too large");
  arr.raw.resize(static_cast<size_t>(n) * 4);
  for (size_t i = 0; i < n; ++i) {
    uint32_t u;
    std::memcpy(&u, &data[i], 4);
    for (int b = 0; b < 4; ++b) arr.raw[i * 4 + b] = static_cast<uint8_t>(u >> (8 * b));
  }
  return arr;
}

std::vector<uint8_t> write_npy_f32(const std::vector<uint64_t>& shape, const float* data) {
  return write_npy(make_npy_f32(shape, data));
}

}  // namespace tools
}  // namespace ffnlp
