// Hand-built DEFLATE streams for tests (RFC 1951): a bit writer, canonical
// Huffman codes, a dynamic block header, and an honest "zip bomb" (a stream
// of n zero bytes in about n / 1032 bytes).
#pragma once

#include <cstdint>
#include <vector>

namespace ffnlp {
namespace testing {

// LSB-first bit writer for hand-built DEFLATE streams.
class BitWriter {
 public:
  void bits(uint32_t value, int n) {  // value's low n bits, LSB first
    for (int i = 0; i < n; ++i) bit((value >> i) & 1);
  }
  void code(uint32_t code, int len) {  // Huffman code, MSB first
    for (int i = len - 1; i >= 0; --i) bit((code >> i) & 1);
  }
  // n zero bits, fast (whole bytes at once).
  void zeros(uint64_t n) {
    while (n > 0 && nbits_ != 0) {
      bit(0);
      --n;
    }
    bytes_.insert(bytes_.end(), static_cast<size_t>(n / 8), 0);
    for (uint64_t i = 0; i < n % 8; ++i) bit(0);
  }
  std::vector<uint8_t> finish() {
    std::vector<uint8_t> out = bytes_;
    if (nbits_) out.push_back(cur_);
    return out;
  }

 private:
  void bit(uint32_t b) {
    cur_ |= static_cast<uint8_t>(b << nbits_);
    if (++nbits_ == 8) {
      bytes_.push_back(cur_);
      cur_ = 0;
      nbits_ = 0;
    }
  }
  std::vector<uint8_t> bytes_;
  uint8_t cur_ = 0;
  int nbits_ = 0;
};

// Canonical Huffman codes for the given code lengths (RFC 1951 3.2.2).
inline std::vector<uint32_t> canonical_codes(const std::vector<int>& lens) {
  int bl_count[16] = {0};
  for (int l : lens) bl_count[l]++;
  bl_count[0] = 0;
  uint32_t next[16] = {0};
  uint32_t code = 0;
  for (int b = 1; b < 16; ++b) {
    code = (code + bl_count[b - 1]) << 1;
    next[b] = code;
  }
  std::vector<uint32_t> codes(lens.size(), 0);
  for (size_t i = 0; i < lens.size(); ++i)
    if (lens[i]) codes[i] = next[lens[i]]++;
  return codes;
}

inline const int kClOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// Writes a final dynamic block header (BFINAL=1, BTYPE=2) declaring the
// given literal/length and distance code lengths. The code-length code
// itself gives symbols 0..15 four bits each (a complete code) and leaves the
// repeat symbols 16..18 unused, so each length is sent as one 4-bit code.
inline void dynamic_header(BitWriter& w, const std::vector<int>& lit, const std::vector<int>& dist) {
  w.bits(1, 1);
  w.bits(2, 2);
  w.bits(static_cast<uint32_t>(lit.size() - 257), 5);
  w.bits(static_cast<uint32_t>(dist.size() - 1), 5);
  std::vector<int> cl(19, 0);
  for (int s = 0; s < 16; ++s) cl[s] = 4;
  w.bits(19 - 4, 4);
  for (int i = 0; i < 19; ++i) w.bits(static_cast<uint32_t>(cl[kClOrder[i]]), 3);
  std::vector<uint32_t> clc = canonical_codes(cl);
  for (int l : lit) w.code(clc[l], 4);
  for (int l : dist) w.code(clc[l], 4);
}

// A final dynamic block that decodes to exactly n >= 1 zero bytes: a literal
// 0, then matches of length 258 at distance 1 (two bits each: the match
// length and the distance are both one-bit codes), then literals, then the
// end of block. About n / 1032 bytes.
inline std::vector<uint8_t> deflate_zeros(uint64_t n) {
  std::vector<int> lit(286, 0), dist(1, 1);
  lit[0] = 2;
  lit[256] = 2;
  lit[285] = 1;  // length 258
  BitWriter w;
  dynamic_header(w, lit, dist);
  const std::vector<uint32_t> c = canonical_codes(lit);
  w.code(c[0], 2);
  const uint64_t matches = (n - 1) / 258;
  // Symbol 285 and distance code 0 are both the one-bit code 0.
  w.zeros(2 * matches);
  for (uint64_t i = 0; i < (n - 1) % 258; ++i) w.code(c[0], 2);
  w.code(c[256], 2);
  return w.finish();
}

}  // namespace testing
}  // namespace ffnlp
