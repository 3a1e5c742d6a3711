// Tests for tools/common/inflate: golden raw-DEFLATE streams produced by
// Python's zlib (tests/tools/gen_golden_vectors.py), hand-built malformed
// streams, truncation and bit-flip robustness.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tests/tools/golden_inputs.h"
#include "tests/tools/golden_vectors.h"
#include "tools/common/inflate.h"
#include "tests/tools/deflate_writer.h"

using ffnlp::tools::inflate_raw;
using ffnlp::testing::BitWriter;
using ffnlp::testing::canonical_codes;
using ffnlp::testing::dynamic_header;
using ffnlp::testing::kClOrder;

namespace {

std::vector<uint8_t> inflate_vec(const std::vector<uint8_t>& in, size_t expected) {
  return inflate_raw(in.data(), in.size(), expected, "test");
}

struct InflateGolden {
  const char* name;
  const unsigned char* data;
  size_t size;
  std::vector<uint8_t> expected;
};

std::vector<InflateGolden> goldens() {
  return {
      {"stored", kDeflateStoredD1, kDeflateStoredD1Size, golden::d1()},
      {"fixed", kDeflateFixedD1, kDeflateFixedD1Size, golden::d1()},
      {"dynamic", kDeflateDynamicD3, kDeflateDynamicD3Size, golden::d3()},
      {"huffman-only", kDeflateHuffmanOnlyD1, kDeflateHuffmanOnlyD1Size, golden::d1()},
      {"random", kDeflateRandomD2, kDeflateRandomD2Size, golden::d2()},
      {"multi-block", kDeflateMultiD3, kDeflateMultiD3Size, golden::d3()},
      {"far-distance", kDeflateFarD4, kDeflateFarD4Size, golden::d4()},
      {"empty", kDeflateEmpty, kDeflateEmptySize, {}},
  };
}

}  // namespace

TEST_SUITE("inflate") {

TEST_CASE("golden zlib streams decode to the original data") {
  for (const InflateGolden& g : goldens()) {
    CAPTURE(g.name);
    std::vector<uint8_t> out = inflate_raw(g.data, g.size, g.expected.size(), "golden");
    CHECK(out.size() == g.expected.size());
    CHECK(out == g.expected);
  }
}

TEST_CASE("far-distance golden actually needs a distance above 30000") {
  // Sanity check of the fixture itself: the second copy of the 1000-byte
  // block is 32000 bytes after the first, and the compressed stream is far
  // smaller than the data, so back-references of that distance are used.
  std::vector<uint8_t> d4 = golden::d4();
  REQUIRE(d4.size() == 33000);
  CHECK(kDeflateFarD4Size < 1000);
}

TEST_CASE("output size limit: longer stream is rejected, shorter is reported") {
  std::vector<uint8_t> in(kDeflateDynamicD3, kDeflateDynamicD3 + kDeflateDynamicD3Size);
  size_t n = golden::d3().size();
  CHECK_ERROR_CONTAINS(inflate_vec(in, n - 1), "exceeds the expected size");
  CHECK_ERROR_CONTAINS(inflate_vec(in, 0), "exceeds the expected size");
  CHECK_ERROR_CONTAINS(inflate_vec(in, n + 1), "stream ended after");
  std::vector<uint8_t> st(kDeflateStoredD1, kDeflateStoredD1 + kDeflateStoredD1Size);
  CHECK_ERROR_CONTAINS(inflate_vec(st, 999), "exceeds the expected size");
}

TEST_CASE("a zip-bomb-like stream is stopped at the expected size") {
  // 'a' followed by many max-length matches: expands ~1000x.
  BitWriter w;
  w.bits(1, 1);
  w.bits(1, 2);                 // fixed Huffman
  w.code(0x30 + 'a', 8);        // literal 'a'
  for (int i = 0; i < 4000; ++i) {
    w.code(0xC5, 8);            // symbol 285: length 258 (fixed code 11000101)
    w.code(0, 5);               // distance symbol 0: distance 1
  }
  w.code(0, 7);                 // end of block
  std::vector<uint8_t> in = w.finish();
  std::vector<uint8_t> out = inflate_vec(in, 1 + 4000 * 258);
  CHECK(out.size() == 1 + 4000u * 258);
  CHECK(out.back() == 'a');
  CHECK_ERROR_CONTAINS(inflate_vec(in, 10000), "exceeds the expected size of 10000");
}

TEST_CASE("every truncated prefix is rejected without crashing") {
  for (const InflateGolden& g : goldens()) {
    CAPTURE(g.name);
    for (size_t len = 0; len < g.size; ++len) {
      CAPTURE(len);
      std::vector<uint8_t> prefix(g.data, g.data + len);
      CHECK_THROWS_AS(inflate_vec(prefix, g.expected.size()), std::runtime_error);
    }
  }
}

TEST_CASE("bit flips either fail cleanly or produce the expected size") {
  for (const InflateGolden& g : goldens()) {
    if (g.size > 1300) continue;  // keep the run time small
    CAPTURE(g.name);
    std::vector<uint8_t> in(g.data, g.data + g.size);
    int failures = 0;
    for (size_t bit = 0; bit < in.size() * 8; ++bit) {
      in[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      try {
        std::vector<uint8_t> out = inflate_vec(in, g.expected.size());
        CHECK(out.size() == g.expected.size());
      } catch (const std::runtime_error&) {
        ++failures;
      }
      in[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    }
    CHECK(failures > 0);
  }
}

TEST_CASE("random garbage never crashes") {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    std::vector<uint8_t> in = golden::lcg_bytes(seed, seed % 97);
    try {
      inflate_vec(in, 5000);
    } catch (const std::runtime_error&) {
    }
  }
}

TEST_CASE("malformed block headers") {
  CHECK_ERROR_CONTAINS(inflate_vec({0x07}, 0), "invalid block type 3");
  CHECK_ERROR_CONTAINS(inflate_vec({}, 0), "truncated");
  // Stored block whose LEN does not match ~NLEN.
  CHECK_ERROR_CONTAINS(inflate_vec({0x01, 0x00, 0x00, 0x00, 0x00}, 0), "complement");
  // Stored block claiming 5 bytes but carrying 2.
  CHECK_ERROR_CONTAINS(inflate_vec({0x01, 0x05, 0x00, 0xFA, 0xFF, 'a', 'b'}, 5), "truncated");
  // Valid stored block.
  CHECK(inflate_vec({0x01, 0x02, 0x00, 0xFD, 0xFF, 'h', 'i'}, 2) ==
        std::vector<uint8_t>{'h', 'i'});
  // Non-final empty stored block followed by nothing.
  CHECK_ERROR_CONTAINS(inflate_vec({0x00, 0x00, 0x00, 0xFF, 0xFF}, 0), "truncated");
}

TEST_CASE("fixed Huffman: distance too far back and invalid symbols") {
  {
    BitWriter w;  // match before any output
    w.bits(1, 1);
    w.bits(1, 2);
    w.code(1, 7);   // symbol 257: length 3
    w.code(0, 5);   // distance 1
    w.code(0, 7);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 3), "distance too far back");
  }
  {
    BitWriter w;  // one literal, then distance 2
    w.bits(1, 1);
    w.bits(1, 2);
    w.code(0x30 + 'x', 8);
    w.code(1, 7);
    w.code(1, 5);   // distance symbol 1: distance 2
    w.code(0, 7);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 4), "distance too far back");
  }
  {
    BitWriter w;  // literal/length symbol 286 (fixed code 11000110)
    w.bits(1, 1);
    w.bits(1, 2);
    w.code(0xC6, 8);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 10), "invalid literal/length symbol");
  }
  {
    BitWriter w;  // distance symbol 30
    w.bits(1, 1);
    w.bits(1, 2);
    w.code(0x30 + 'x', 8);
    w.code(1, 7);
    w.code(30, 5);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 10), "invalid distance symbol");
  }
  {
    BitWriter w;  // overlapping copy: "ab" + length 4 distance 2 = "ababab"
    w.bits(1, 1);
    w.bits(1, 2);
    w.code(0x30 + 'a', 8);
    w.code(0x30 + 'b', 8);
    w.code(2, 7);   // symbol 258: length 4
    w.code(1, 5);   // distance 2
    w.code(0, 7);
    CHECK(inflate_vec(w.finish(), 6) == golden::bytes_of("ababab"));
  }
}

TEST_CASE("dynamic Huffman: hand-built valid streams") {
  SUBCASE("empty distance code, literal-only data") {
    std::vector<int> lit(257, 0), dist(1, 0);
    lit['a'] = 1;
    lit[256] = 1;
    BitWriter w;
    dynamic_header(w, lit, dist);
    std::vector<uint32_t> c = canonical_codes(lit);
    for (int i = 0; i < 3; ++i) w.code(c['a'], 1);
    w.code(c[256], 1);
    CHECK(inflate_vec(w.finish(), 3) == golden::bytes_of("aaa"));
  }
  SUBCASE("single one-bit distance code is accepted") {
    std::vector<int> lit(258, 0), dist(1, 1);
    lit['a'] = 1;
    lit[256] = 2;
    lit[257] = 2;
    BitWriter w;
    dynamic_header(w, lit, dist);
    std::vector<uint32_t> c = canonical_codes(lit);
    w.code(c['a'], 1);
    w.code(c[257], 2);  // length 3
    w.code(0, 1);       // distance 1
    w.code(c[256], 2);
    CHECK(inflate_vec(w.finish(), 4) == golden::bytes_of("aaaa"));
  }
}

TEST_CASE("dynamic Huffman: malformed tables") {
  SUBCASE("over-subscribed code length code") {
    BitWriter w;
    w.bits(1, 1);
    w.bits(2, 2);
    w.bits(0, 5);
    w.bits(0, 5);
    w.bits(15, 4);
    for (int i = 0; i < 19; ++i) w.bits(1, 3);  // 19 codes of length 1
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 1), "over-subscribed code length code");
  }
  SUBCASE("incomplete code length code") {
    BitWriter w;
    w.bits(1, 1);
    w.bits(2, 2);
    w.bits(0, 5);
    w.bits(0, 5);
    w.bits(0, 4);
    w.bits(2, 3);  // symbol 16 gets length 2, nothing else
    w.bits(0, 3);
    w.bits(0, 3);
    w.bits(0, 3);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 1), "incomplete code length code");
  }
  SUBCASE("too many literal/length codes") {
    BitWriter w;
    w.bits(1, 1);
    w.bits(2, 2);
    w.bits(30, 5);  // 287
    w.bits(0, 5);
    w.bits(0, 4);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 1), "too many literal/length codes");
  }
  SUBCASE("too many distance codes") {
    BitWriter w;
    w.bits(1, 1);
    w.bits(2, 2);
    w.bits(0, 5);
    w.bits(31, 5);  // 32
    w.bits(0, 4);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 1), "too many distance codes");
  }
  SUBCASE("missing end-of-block code") {
    std::vector<int> lit(257, 0), dist(1, 0);
    lit['a'] = 1;
    lit['b'] = 1;
    BitWriter w;
    dynamic_header(w, lit, dist);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 1), "missing end-of-block code");
  }
  SUBCASE("incomplete literal/length code") {
    std::vector<int> lit(257, 0), dist(1, 0);
    lit['a'] = 2;
    lit[256] = 2;
    BitWriter w;
    dynamic_header(w, lit, dist);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 1), "incomplete literal/length code");
  }
  SUBCASE("over-subscribed distance code") {
    std::vector<int> lit(257, 0), dist(3, 1);
    lit['a'] = 1;
    lit[256] = 1;
    BitWriter w;
    dynamic_header(w, lit, dist);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 1), "over-subscribed distance code");
  }
  SUBCASE("distance used with an empty distance code") {
    std::vector<int> lit(258, 0), dist(1, 0);
    lit['a'] = 1;
    lit[256] = 2;
    lit[257] = 2;
    BitWriter w;
    dynamic_header(w, lit, dist);
    std::vector<uint32_t> c = canonical_codes(lit);
    w.code(c['a'], 1);
    w.code(c[257], 2);
    for (int i = 0; i < 16; ++i) w.bits(0, 1);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 4), "invalid distance code");
  }
  SUBCASE("repeat code 16 with no previous length") {
    BitWriter w;
    w.bits(1, 1);
    w.bits(2, 2);
    w.bits(0, 5);
    w.bits(0, 5);
    w.bits(15, 4);
    std::vector<int> cl(19, 0);
    for (int s = 0; s < 16; ++s) cl[s] = 4;
    cl[0] = 0;
    cl[16] = 4;  // still 16 codes of length 4: complete
    for (int i = 0; i < 19; ++i) w.bits(static_cast<uint32_t>(cl[kClOrder[i]]), 3);
    std::vector<uint32_t> clc = canonical_codes(cl);
    w.code(clc[16], 4);
    w.bits(0, 2);
    CHECK_ERROR_CONTAINS(inflate_vec(w.finish(), 1), "no previous length");
  }
}

}  // TEST_SUITE

TEST_CASE("deflate_zeros (the test bomb) is an honest stream") {
  for (uint64_t n : {1ull, 2ull, 258ull, 259ull, 1000ull, 100000ull}) {
    CAPTURE(n);
    const std::vector<uint8_t> z = ffnlp::testing::deflate_zeros(n);
    CHECK(inflate_vec(z, static_cast<size_t>(n)) == std::vector<uint8_t>(static_cast<size_t>(n), 0));
  }
  CHECK(ffnlp::testing::deflate_zeros(uint64_t{4} << 30).size() < 4200000);  // 4 GiB in about 4 MB
}
