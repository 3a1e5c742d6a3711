// Tests for tools/common/zip: archives produced by Python's zipfile
// (tests/tools/gen_golden_vectors.py), hand-built ZIP64 archives, corrupted
// and truncated archives, and the stored-only writer.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/tools/golden_inputs.h"
#include "tests/tools/golden_vectors.h"
#include "ffnlp/toolkit.h"
#include "tools/common/zip.h"
#include "tests/tools/zip_builders.h"

using ffnlp::tools::read_zip;
using ffnlp::tools::write_zip_stored;
using ffnlp::crc32;
using ffnlp::tools::ZipMember;
using ffnlp::testing::build_zip64;

namespace {

using Bytes = std::vector<uint8_t>;

uint16_t get16(const Bytes& b, size_t o) { return static_cast<uint16_t>(b[o] | (b[o + 1] << 8)); }
uint32_t get32(const Bytes& b, size_t o) {
  return static_cast<uint32_t>(get16(b, o)) | (static_cast<uint32_t>(get16(b, o + 2)) << 16);
}
void put16(Bytes& b, size_t o, uint32_t v) {
  b[o] = static_cast<uint8_t>(v);
  b[o + 1] = static_cast<uint8_t>(v >> 8);
}
void put32(Bytes& b, size_t o, uint32_t v) {
  put16(b, o, v & 0xFFFF);
  put16(b, o + 2, v >> 16);
}

// Locates the EOCD and the central directory entries of a valid archive.
struct Layout {
  size_t eocd = 0;
  std::vector<size_t> entries;  // offsets of central directory entries
};
Layout layout(const Bytes& z) {
  Layout l;
  for (size_t p = z.size() - 22 + 1; p-- > 0;) {
    if (get32(z, p) == 0x06054b50) {
      l.eocd = p;
      break;
    }
  }
  size_t off = get32(z, l.eocd + 16);
  for (int i = 0; i < get16(z, l.eocd + 10); ++i) {
    l.entries.push_back(off);
    off += 46 + get16(z, off + 28) + get16(z, off + 30) + get16(z, off + 32);
  }
  return l;
}

Bytes mixed() { return golden::bytes_of(kZipMixed, kZipMixedSize); }

// Index of the central directory entry named `name` in `z`.
size_t entry_of(const Bytes& z, const std::string& name) {
  for (size_t e : layout(z).entries) {
    std::string n(reinterpret_cast<const char*>(&z[e + 46]), get16(z, e + 28));
    if (n == name) return e;
  }
  FAIL("no entry " << name);
  return 0;
}

}  // namespace

TEST_SUITE("zip") {

TEST_CASE("crc32 matches zlib") {
  const char* s = "123456789";
  CHECK(crc32(s, 9) == 0xCBF43926u);
  CHECK(crc32("", 0) == 0u);
  Bytes d1 = golden::d1(), d3 = golden::d3();
  CHECK(crc32(d1.data(), d1.size()) == kCrcD1);
  CHECK(crc32(d3.data(), d3.size()) == kCrcD3);
  // Incremental use.
  uint32_t c = crc32(d3.data(), 100);
  CHECK(crc32(d3.data() + 100, d3.size() - 100, c) == kCrcD3);
}

TEST_CASE("python zipfile archive: stored, fixed and dynamic deflate members") {
  std::vector<ZipMember> m = read_zip(mixed(), "mixed.zip");
  REQUIRE(m.size() == 4);  // directory entry "sub/" is skipped
  CHECK(m[0].name == "hello.txt");
  CHECK(m[0].data == golden::bytes_of("hello world\n"));
  CHECK(m[1].name == "lines.txt");
  CHECK(m[1].data == golden::d3());
  CHECK(m[2].name == "short.bin");
  CHECK(m[2].data == golden::bytes_of("abcabcabcabc"));
  CHECK(m[3].name == "empty.txt");
  CHECK(m[3].data.empty());
}

TEST_CASE("python zipfile archive with ZIP64 local headers (force_zip64)") {
  std::vector<ZipMember> m = read_zip(golden::bytes_of(kNpzZip64Local, kNpzZip64LocalSize), "z.npz");
  REQUIRE(m.size() == 3);
  CHECK(m[0].name == "emb.npy");
  CHECK(m[1].name == "ids.npy");
  CHECK(m[2].name == "scale.npy");
  // Same contents as the non-zip64 version.
  std::vector<ZipMember> n = read_zip(golden::bytes_of(kNpzCompressed, kNpzCompressedSize), "n.npz");
  REQUIRE(n.size() == 3);
  for (int i = 0; i < 3; ++i) CHECK(m[i].data == n[i].data);
}

TEST_CASE("hand-built ZIP64 end-of-central-directory and extra fields") {
  Bytes z = build_zip64({{"a.bin", golden::d2()}, {"b.txt", golden::bytes_of("bee")}});
  std::vector<ZipMember> m = read_zip(z, "z64.zip");
  REQUIRE(m.size() == 2);
  CHECK(m[0].name == "a.bin");
  CHECK(m[0].data == golden::d2());
  CHECK(m[1].data == golden::bytes_of("bee"));

  SUBCASE("locator pointing past the file") {
    size_t loc = z.size() - 22 - 20;
    put32(z, loc + 8, 0x7FFFFFF0);
    CHECK_ERROR_CONTAINS(read_zip(z, "z64.zip"), "ZIP64 end-of-central-directory record offset");
  }
  SUBCASE("missing locator") {
    size_t loc = z.size() - 22 - 20;
    put32(z, loc, 0);
    CHECK_ERROR_CONTAINS(read_zip(z, "z64.zip"), "locator is missing");
  }
  SUBCASE("truncated zip64 extra field") {
    // The EOCD count is 0xFFFF, so locate the first entry by arithmetic.
    size_t cd = z.size() - 22 - 20 - 56 - 2 * (46 + 5 + 28);
    REQUIRE(get32(z, cd) == 0x02014b50);
    put16(z, cd + 46 + 5 + 2, 8);  // zip64 extra claims only 8 bytes
    CHECK_ERROR_CONTAINS(read_zip(z, "z64.zip"), "extra field");
  }
}

TEST_CASE("writer output is read back and matches the format") {
  std::vector<std::pair<std::string, Bytes>> in = {
      {"emb.npy", golden::d1()}, {"empty.npy", {}}, {"w\xc3\xa9ights.npy", golden::d2()}};
  Bytes z = write_zip_stored(in);
  std::vector<ZipMember> m = read_zip(z, "w.zip");
  REQUIRE(m.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(m[i].name == in[i].first);
    CHECK(m[i].data == in[i].second);
  }
  // Layout details NumPy/zipfile rely on.
  CHECK(get32(z, 0) == 0x04034b50u);
  CHECK(get16(z, 8) == 0);  // stored
  CHECK(get32(z, 14) == crc32(in[0].second.data(), in[0].second.size()));
  Layout l = layout(z);
  CHECK(l.eocd == z.size() - 22);
  CHECK(get16(z, l.eocd + 10) == 3);
  size_t e2 = l.entries[2];
  CHECK((get16(z, e2 + 8) & 0x800) != 0);  // UTF-8 name flag
  // Deterministic output.
  CHECK(write_zip_stored(in) == z);
  // Empty archive.
  CHECK(read_zip(write_zip_stored({}), "e.zip").empty());
}

TEST_CASE("writer refuses invalid input") {
  CHECK_THROWS_AS(write_zip_stored({{"a", {}}, {"a", {}}}), std::invalid_argument);
  CHECK_THROWS_AS(write_zip_stored({{"", {}}}), std::invalid_argument);
}

TEST_CASE("not a zip file") {
  CHECK_ERROR_CONTAINS(read_zip(Bytes{}, "x.npz"),
                       "x.npz: not a zip file (no end-of-central-directory record)");
  CHECK_ERROR_CONTAINS(read_zip(golden::bytes_of("hello, this is not a zip archive at all"), "x.npz"),
                       "not a zip file");
  CHECK_ERROR_CONTAINS(read_zip(golden::d2(), "x.npz"), "not a zip file");
  // An EOCD signature whose comment length runs past the end is not accepted.
  Bytes z = mixed();
  Layout l = layout(z);
  put16(z, l.eocd + 20, 0xFFFF);
  CHECK_ERROR_CONTAINS(read_zip(z, "x.npz"), "not a zip file");
}

TEST_CASE("unsupported compression method") {
  CHECK_ERROR_CONTAINS(read_zip(golden::bytes_of(kZipLzma, kZipLzmaSize), "m.npz"),
                       "m.npz: unsupported compression method 14 (LZMA) for member 'x.npy'; "
                       "re-save with np.savez or np.savez_compressed");
}

TEST_CASE("encrypted member") {
  Bytes z = mixed();
  size_t e = entry_of(z, "hello.txt");
  put16(z, e + 8, get16(z, e + 8) | 1);
  CHECK_ERROR_CONTAINS(read_zip(z, "enc.zip"), "encrypted member 'hello.txt'");
}

TEST_CASE("CRC mismatch") {
  Bytes z = mixed();
  const std::string needle = "hello world";
  auto it = std::search(z.begin(), z.end(), needle.begin(), needle.end());
  REQUIRE(it != z.end());
  *it = 'j';
  CHECK_ERROR_CONTAINS(read_zip(z, "crc.zip"), "CRC mismatch for member 'hello.txt'");

  Bytes y = mixed();
  size_t e = entry_of(y, "short.bin");
  put32(y, e + 16, get32(y, e + 16) ^ 0x10);
  CHECK_ERROR_CONTAINS(read_zip(y, "crc.zip"), "CRC mismatch for member 'short.bin'");
}

TEST_CASE("truncated or corrupt central directory") {
  Bytes z = mixed();
  Layout l = layout(z);
  SUBCASE("fewer bytes than entries need") {
    put32(z, l.eocd + 12, get32(z, l.eocd + 12) - 30);
    CHECK_ERROR_CONTAINS(read_zip(z, "t.zip"), "central directory is truncated");
  }
  SUBCASE("more entries than fit") {
    put16(z, l.eocd + 8, 200);
    put16(z, l.eocd + 10, 200);
    CHECK_ERROR_CONTAINS(read_zip(z, "t.zip"), "central directory claims 200 entries");
  }
  SUBCASE("central directory offset past the end") {
    put32(z, l.eocd + 16, 0xFFFFFF00);
    CHECK_ERROR_CONTAINS(read_zip(z, "t.zip"), "lies outside the file");
  }
  SUBCASE("bad entry signature") {
    put32(z, l.entries[1], 0x12345678);
    CHECK_ERROR_CONTAINS(read_zip(z, "t.zip"), "bad signature in entry 1");
  }
  SUBCASE("name length running past the directory") {
    put16(z, l.entries.back() + 28, 5000);
    CHECK_ERROR_CONTAINS(read_zip(z, "t.zip"), "central directory is truncated");
  }
  SUBCASE("multi-disk") {
    put16(z, l.eocd + 4, 1);
    CHECK_ERROR_CONTAINS(read_zip(z, "t.zip"), "multi-disk");
  }
}

TEST_CASE("member offsets and sizes past the end") {
  Bytes z = mixed();
  size_t e = entry_of(z, "lines.txt");
  SUBCASE("local header offset") {
    put32(z, e + 42, static_cast<uint32_t>(z.size() + 100));
    CHECK_ERROR_CONTAINS(read_zip(z, "o.zip"), "member 'lines.txt' has a local header offset");
  }
  SUBCASE("local header offset near 4 GiB") {
    put32(z, e + 42, 0xFFFFFFF0);
    CHECK_ERROR_CONTAINS(read_zip(z, "o.zip"), "past the end of the file");
  }
  SUBCASE("compressed size") {
    put32(z, e + 20, 0x7FFFFFFF);
    CHECK_ERROR_CONTAINS(read_zip(z, "o.zip"), "member 'lines.txt' data lies past the end");
  }
  SUBCASE("local header points at the wrong place") {
    put32(z, e + 42, 4);
    CHECK_ERROR_CONTAINS(read_zip(z, "o.zip"), "bad signature");
  }
  SUBCASE("uncompressed size understated (zip bomb guard)") {
    put32(z, e + 24, 100);
    CHECK_ERROR_CONTAINS(read_zip(z, "o.zip"), "exceeds the expected size of 100");
  }
  SUBCASE("uncompressed size overstated") {
    put32(z, e + 24, 0xFFFFFF00);
    CHECK_ERROR_CONTAINS(read_zip(z, "o.zip"), "stream ended after");
  }
  SUBCASE("stored member with inconsistent sizes") {
    size_t h = entry_of(z, "hello.txt");
    put32(z, h + 24, 5);
    CHECK_ERROR_CONTAINS(read_zip(z, "o.zip"), "is stored but its compressed size");
  }
}

TEST_CASE("duplicate member names are rejected") {
  Bytes z = mixed();
  size_t e = entry_of(z, "short.bin");
  // Rename short.bin (central entry and local header) to hello.txt; both
  // names are 9 bytes long.
  std::memcpy(&z[e + 46], "zzzzz.bin", 9);
  CHECK_ERROR_CONTAINS(read_zip(z, "d.zip"), "local header name does not match");
  std::memcpy(&z[e + 46], "hello.txt", 9);
  std::memcpy(&z[get32(z, e + 42) + 30], "hello.txt", 9);
  CHECK_ERROR_CONTAINS(read_zip(z, "d.zip"), "d.zip: duplicate member 'hello.txt'");
}

TEST_CASE("every truncated prefix is rejected without crashing") {
  Bytes z = mixed();
  for (size_t len = 0; len < z.size(); ++len) {
    Bytes p(z.begin(), z.begin() + static_cast<long>(len));
    CAPTURE(len);
    CHECK_THROWS_AS(read_zip(p, "p.zip"), std::runtime_error);
  }
}

TEST_CASE("byte corruption never crashes") {
  Bytes z = mixed();
  for (size_t i = 0; i < z.size(); ++i) {
    for (uint8_t mask : {0xFF, 0x01, 0x80}) {
      z[i] ^= mask;
      try {
        std::vector<ZipMember> m = read_zip(z, "c.zip");
        CHECK(m.size() <= 5);
      } catch (const std::runtime_error&) {
      }
      z[i] ^= mask;
    }
  }
}

}  // TEST_SUITE
