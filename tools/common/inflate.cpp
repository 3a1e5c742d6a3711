// DEFLATE (RFC 1951) decoder. Written from the RFC; every input read and
// every back-reference is bounds-checked, and output is capped at the size
// the caller expects.
#include "tools/common/inflate.h"

#include <cstring>
#include <stdexcept>

namespace ffnlp {
namespace tools {
namespace {

constexpr int kMaxBits = 15;       // longest code allowed by DEFLATE
constexpr int kFastBits = 10;      // lookup-table width
constexpr int kMaxLitLen = 288;    // literal/length alphabet (incl. 286/287)
constexpr int kMaxDist = 32;       // distance alphabet (incl. 30/31)

[[noreturn]] void fail(const std::string& what, const std::string& msg) {
  throw std::runtime_error(what + ": invalid deflate data: " + msg);
}

class BitReader {
 public:
  BitReader(const uint8_t* data, size_t size, const std::string& what)
      : data_(data), size_(size), what_(what) {}

  // Pulls bytes into the buffer while there is room and input remains.
  void refill() {
    while (count_ <= 56 && pos_ < size_) {
      buf_ |= static_cast<uint64_t>(data_[pos_++]) << count_;
      count_ += 8;
    }
  }

  uint32_t bits(int n) {  // n in [0, 32]
    if (n == 0) return 0;
    if (count_ < n) {
      refill();
      if (count_ < n) fail(what_, "input is truncated");
    }
    uint32_t v = static_cast<uint32_t>(buf_ & ((uint64_t{1} << n) - 1));
    buf_ >>= n;
    count_ -= n;
    return v;
  }

  int available() const { return count_; }
  uint64_t peek_buf() const { return buf_; }
  void consume(int n) {
    buf_ >>= n;
    count_ -= n;
  }

  // Discards bits up to the next byte boundary and returns the buffered
  // whole bytes to the input so that byte-oriented reads can follow.
  void align_to_byte() {
    int drop = count_ % 8;
    buf_ >>= drop;
    count_ -= drop;
    pos_ -= static_cast<size_t>(count_ / 8);
    buf_ = 0;
    count_ = 0;
  }

  size_t byte_pos() const { return pos_; }
  void skip_bytes(size_t n) { pos_ += n; }
  size_t bytes_left() const { return size_ - pos_; }
  const uint8_t* cursor() const { return data_ + pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  uint64_t buf_ = 0;
  int count_ = 0;
  const std::string& what_;
};

// Canonical Huffman decoder: counts per length + symbols sorted by code,
// with a fast table for codes up to kFastBits long.
class Huffman {
 public:
  // kind: "literal/length", "distance" or "code length" (for messages).
  // allow_single: an incomplete code consisting of exactly one code of
  // length 1 is accepted (permitted for literal/length and distance codes),
  // as is an empty code (no symbols); decoding an unassigned code then fails.
  void build(const uint8_t* lengths, int n, const char* kind,
             bool allow_single, const std::string& what) {
    kind_ = kind;
    std::memset(count_, 0, sizeof(count_));
    for (int i = 0; i < n; ++i) count_[lengths[i]]++;
    count_[0] = 0;
    int left = 1;
    int used = 0;
    int max_len = 0;
    for (int len = 1; len <= kMaxBits; ++len) {
      left <<= 1;
      left -= count_[len];
      if (left < 0)
        fail(what, std::string("over-subscribed ") + kind + " code");
      used += count_[len];
      if (count_[len]) max_len = len;
    }
    if (left > 0 && used > 0) {
      bool single = allow_single && used == 1 && max_len == 1;
      if (!single) fail(what, std::string("incomplete ") + kind + " code");
    }
    if (used == 0 && !allow_single)
      fail(what, std::string("empty ") + kind + " code");
    int offs[kMaxBits + 2];
    offs[1] = 0;
    for (int len = 1; len <= kMaxBits; ++len)
      offs[len + 1] = offs[len] + count_[len];
    for (int i = 0; i < n; ++i)
      if (lengths[i]) symbol_[offs[lengths[i]]++] = static_cast<uint16_t>(i);

    // Fast table: index is the next kFastBits input bits (LSB first).
    std::memset(fast_, 0, sizeof(fast_));
    int code = 0;
    int index = 0;
    for (int len = 1; len <= kFastBits; ++len) {
      for (int k = 0; k < count_[len]; ++k, ++code, ++index) {
        // Huffman codes are stored MSB first; reverse to LSB-first order.
        int rev = 0;
        for (int b = 0; b < len; ++b) rev |= ((code >> b) & 1) << (len - 1 - b);
        uint32_t entry = (static_cast<uint32_t>(len) << 16) | symbol_[index];
        for (int fill = rev; fill < (1 << kFastBits); fill += (1 << len))
          fast_[fill] = entry;
      }
      code <<= 1;
    }
  }

  int decode(BitReader& br, const std::string& what) const {
    if (br.available() < kFastBits) br.refill();
    if (br.available() >= kFastBits) {
      uint32_t e = fast_[br.peek_buf() & ((1u << kFastBits) - 1)];
      if (e) {
        br.consume(static_cast<int>(e >> 16));
        return static_cast<int>(e & 0xFFFF);
      }
    }
    // Slow path: walk the canonical code one bit at a time.
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= kMaxBits; ++len) {
      code |= static_cast<int>(br.bits(1));
      int cnt = count_[len];
      if (code - first < cnt) return symbol_[index + (code - first)];
      index += cnt;
      first += cnt;
      first <<= 1;
      code <<= 1;
    }
    fail(what, std::string("invalid ") + kind_ + " code");
  }

 private:
  int count_[kMaxBits + 1];
  uint16_t symbol_[kMaxLitLen];
  uint32_t fast_[1 << kFastBits];
  const char* kind_ = "";
};

const uint16_t kLenBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,
                               15, 17, 19, 23, 27, 31, 35, 43, 51,  59,
                               67, 83, 99, 115, 131, 163, 195, 227, 258};
const uint8_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                               2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
const uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,     9,
                                13,   17,   25,   33,   49,   65,    97,
                                129,  193,  257,  385,  513,  769,   1025,
                                1537, 2049, 3073, 4097, 6145, 8193,  12289,
                                16385, 24577};
const uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5, 5, 6,
                                6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

class Inflater {
 public:
  Inflater(const uint8_t* data, size_t size, size_t expected,
           const std::string& what)
      : br_(data, size, what), expected_(expected), what_(what) {}

  std::vector<uint8_t> run() {
    // Deflate cannot expand more than ~1032:1, so never reserve beyond that
    // even if the caller-supplied size is absurd.
    size_t input = br_.bytes_left();
    size_t cap = input > (SIZE_MAX - 1024) / 1040 ? SIZE_MAX : input * 1040 + 1024;
    out_.reserve(expected_ < cap ? expected_ : cap);
    bool last = false;
    while (!last) {
      last = br_.bits(1) != 0;
      uint32_t type = br_.bits(2);
      switch (type) {
        case 0: stored(); break;
        case 1: fixed(); break;
        case 2: dynamic(); break;
        default: fail(what_, "invalid block type 3");
      }
    }
    if (out_.size() != expected_)
      fail(what_, "stream ended after " + std::to_string(out_.size()) +
                      " bytes, expected " + std::to_string(expected_));
    return std::move(out_);
  }

 private:
  void stored() {
    br_.align_to_byte();
    if (br_.bytes_left() < 4) fail(what_, "input is truncated (stored block header)");
    const uint8_t* p = br_.cursor();
    uint32_t len = p[0] | (p[1] << 8);
    uint32_t nlen = p[2] | (p[3] << 8);
    br_.skip_bytes(4);
    if ((len ^ 0xFFFFu) != nlen)
      fail(what_, "stored block length does not match its complement");
    if (br_.bytes_left() < len) fail(what_, "input is truncated (stored block data)");
    check_room(len);
    out_.insert(out_.end(), br_.cursor(), br_.cursor() + len);
    br_.skip_bytes(len);
  }

  void fixed() {
    if (!fixed_built_) {
      uint8_t lengths[kMaxLitLen];
      int i = 0;
      for (; i < 144; ++i) lengths[i] = 8;
      for (; i < 256; ++i) lengths[i] = 9;
      for (; i < 280; ++i) lengths[i] = 7;
      for (; i < 288; ++i) lengths[i] = 8;
      fixed_lit_.build(lengths, 288, "literal/length", true, what_);
      uint8_t dl[kMaxDist];
      for (int j = 0; j < kMaxDist; ++j) dl[j] = 5;
      fixed_dist_.build(dl, 32, "distance", true, what_);
      fixed_built_ = true;
    }
    codes(fixed_lit_, fixed_dist_);
  }

  void dynamic() {
    int hlit = static_cast<int>(br_.bits(5)) + 257;
    int hdist = static_cast<int>(br_.bits(5)) + 1;
    int hclen = static_cast<int>(br_.bits(4)) + 4;
    if (hlit > 286) fail(what_, "too many literal/length codes");
    if (hdist > 30) fail(what_, "too many distance codes");
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint8_t cl[19] = {0};
    for (int i = 0; i < hclen; ++i) cl[order[i]] = static_cast<uint8_t>(br_.bits(3));
    Huffman clh;
    clh.build(cl, 19, "code length", false, what_);

    uint8_t lengths[kMaxLitLen + kMaxDist] = {0};
    int n = 0;
    int total = hlit + hdist;
    while (n < total) {
      int sym = clh.decode(br_, what_);
      if (sym < 16) {
        lengths[n++] = static_cast<uint8_t>(sym);
        continue;
      }
      int rep;
      uint8_t val = 0;
      if (sym == 16) {
        if (n == 0) fail(what_, "repeat of previous code length with no previous length");
        val = lengths[n - 1];
        rep = 3 + static_cast<int>(br_.bits(2));
      } else if (sym == 17) {
        rep = 3 + static_cast<int>(br_.bits(3));
      } else {
        rep = 11 + static_cast<int>(br_.bits(7));
      }
      if (n + rep > total) fail(what_, "code length repeat runs past the end");
      while (rep--) lengths[n++] = val;
    }
    if (lengths[256] == 0) fail(what_, "missing end-of-block code");
    Huffman lit, dist;
    lit.build(lengths, hlit, "literal/length", true, what_);
    dist.build(lengths + hlit, hdist, "distance", true, what_);
    codes(lit, dist);
  }

  void codes(const Huffman& lit, const Huffman& dist) {
    for (;;) {
      int sym = lit.decode(br_, what_);
      if (sym < 256) {
        check_room(1);
        out_.push_back(static_cast<uint8_t>(sym));
      } else if (sym == 256) {
        return;
      } else {
        sym -= 257;
        if (sym >= 29) fail(what_, "invalid literal/length symbol");
        size_t len = kLenBase[sym] + br_.bits(kLenExtra[sym]);
        int ds = dist.decode(br_, what_);
        if (ds >= 30) fail(what_, "invalid distance symbol");
        size_t d = kDistBase[ds] + br_.bits(kDistExtra[ds]);
        if (d > out_.size()) fail(what_, "distance too far back");
        check_room(len);
        size_t from = out_.size() - d;
        for (size_t i = 0; i < len; ++i) {
          uint8_t b = out_[from + i];
          out_.push_back(b);
        }
      }
    }
  }

  void check_room(size_t n) {
    if (n > expected_ - out_.size())
      fail(what_, "decompressed data exceeds the expected size of " +
                      std::to_string(expected_) + " bytes");
  }

  BitReader br_;
  size_t expected_;
  const std::string& what_;
  std::vector<uint8_t> out_;
  Huffman fixed_lit_, fixed_dist_;
  bool fixed_built_ = false;
};

}  // namespace

std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size,
                                 size_t expected_size,
                                 const std::string& what) {
  if (data == nullptr && size != 0) fail(what, "null input");
  return Inflater(data, size, expected_size, what).run();
}

}  // namespace tools
}  // namespace ffnlp
