// Tests for tools/common/npy, npz and file_io. NumPy is not available in
// the build environment, so .npy files are hand-built here per the format
// specification (magic, version, little-endian header length, Python dict
// literal padded with spaces and '\n'), and .npz golden archives come from
// Python's zipfile (tests/tools/gen_golden_vectors.py).
#include <doctest/doctest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "temp_files.h"
#include "tests/tools/golden_inputs.h"
#include "tests/tools/golden_vectors.h"
#include "tools/common/file_io.h"
#include "tools/common/npy.h"
#include "tools/common/npz.h"
#include "tools/common/zip.h"

using namespace ffnlp::tools;
using ffnlp::testing::list_dir;
using ffnlp::testing::make_temp_dir;
using ffnlp::testing::remove_tree;

namespace {

using Bytes = std::vector<uint8_t>;

// Builds .npy bytes: magic, version, header length (2 bytes for v1, 4 for
// v2/v3), the header text (padded with spaces + '\n' to a multiple of 64
// when `pad`), then `data`.
Bytes make_npy(const std::string& dict, const Bytes& data, int major = 1, bool pad = true) {
  size_t len_bytes = major == 1 ? 2 : 4;
  size_t pre = 8 + len_bytes;
  std::string header = dict;
  if (pad) {
    size_t total = (pre + dict.size() + 1 + 63) / 64 * 64;
    header += std::string(total - pre - dict.size() - 1, ' ');
    header += '\n';
  }
  Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  for (size_t i = 0; i < len_bytes; ++i)
    out.push_back(static_cast<uint8_t>((header.size() >> (8 * i)) & 0xFF));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

bool ffnlp_test_host_is_big_endian() {
  const uint16_t probe = 1;
  uint8_t first;
  std::memcpy(&first, &probe, 1);
  return first == 0;
}

std::string dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

template <class T>
Bytes le_bytes(const std::vector<T>& v) {  // little-endian whatever the host
  Bytes out(v.size() * sizeof(T));
  for (size_t i = 0; i < v.size(); ++i) {
    uint8_t* b = out.data() + i * sizeof(T);
    std::memcpy(b, &v[i], sizeof(T));
    if (ffnlp_test_host_is_big_endian()) std::reverse(b, b + sizeof(T));
  }
  return out;
}

std::vector<float> f32_0_to(int n) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i) v.push_back(static_cast<float>(i) * 0.5f - 2.0f);
  return v;
}

NpyArray parse(const Bytes& b, const std::string& what = "x.npy") {
  return parse_npy(b.data(), b.size(), what);
}

}  // namespace

TEST_SUITE("npy") {

TEST_CASE("v1.0 float32 array") {
  std::vector<float> v = f32_0_to(12);
  NpyArray a = parse(make_npy(dict("<f4", "(3, 4)"), le_bytes(v)));
  CHECK(a.dtype == "<f4");
  CHECK(a.shape == std::vector<uint64_t>{3, 4});
  CHECK_FALSE(a.fortran_order);
  CHECK(a.num_elements() == 12);
  CHECK(a.raw.size() == 48);
  CHECK(to_float32(a, "x") == v);
}

TEST_CASE("v2.0 and v3.0 headers") {
  std::vector<double> v = {1.5, -2.25, 1e-300, 3.0e38};
  for (int major : {2, 3}) {
    CAPTURE(major);
    NpyArray a = parse(make_npy(dict("<f8", "(4,)"), le_bytes(v), major));
    CHECK(a.dtype == "<f8");
    CHECK(a.shape == std::vector<uint64_t>{4});
    std::vector<float> f = to_float32(a, "x");
    REQUIRE(f.size() == 4);
    CHECK(f[0] == 1.5f);
    CHECK(f[1] == -2.25f);
    CHECK(f[2] == 0.0f);  // underflows to zero, which is fine
    CHECK(f[3] == static_cast<float>(3.0e38));
  }
}

TEST_CASE("uint8 and small integer arrays") {
  Bytes u = {0, 1, 127, 128, 255};
  NpyArray a = parse(make_npy(dict("|u1", "(5,)"), u));
  CHECK(a.dtype == "|u1");
  CHECK(to_uint8(a, "x") == u);
  CHECK(to_float32(a, "x") == std::vector<float>{0, 1, 127, 128, 255});

  NpyArray i4 = parse(make_npy(dict("<i4", "(3,)"), le_bytes(std::vector<int32_t>{-7, 0, 16777216})));
  CHECK(to_float32(i4, "x") == std::vector<float>{-7, 0, 16777216});
  CHECK_ERROR_CONTAINS(to_uint8(i4, "ids"), "ids: dtype '<i4' is not uint8");

  NpyArray big = parse(make_npy(dict("<i4", "(2,)"), le_bytes(std::vector<int32_t>{1, 16777217})));
  CHECK_ERROR_CONTAINS(to_float32(big, "x"), "integer value 16777217 at index 1 cannot be represented");

  NpyArray i1 = parse(make_npy(dict("|i1", "(2,)"), Bytes{0xFF, 0x05}));
  CHECK(to_float32(i1, "x") == std::vector<float>{-1, 5});
  NpyArray u2 = parse(make_npy(dict("<u2", "(1,)"), Bytes{0x34, 0x12}));
  CHECK(to_float32(u2, "x") == std::vector<float>{0x1234});
}

TEST_CASE("float16") {
  // 1.0 = 0x3C00, -2.5 = 0xC100, 65504 = 0x7BFF, smallest subnormal 0x0001, inf 0x7C00
  Bytes h = {0x00, 0x3C, 0x00, 0xC1, 0xFF, 0x7B, 0x01, 0x00, 0x00, 0x7C};
  std::vector<float> f = to_float32(parse(make_npy(dict("<f2", "(5,)"), h)), "x");
  REQUIRE(f.size() == 5);
  CHECK(f[0] == 1.0f);
  CHECK(f[1] == -2.5f);
  CHECK(f[2] == 65504.0f);
  CHECK(f[3] == std::ldexp(1.0f, -24));
  CHECK(std::isinf(f[4]));
}

TEST_CASE("float64 outside float32 range is an error") {
  NpyArray a = parse(make_npy(dict("<f8", "(2,)"), le_bytes(std::vector<double>{1.0, -1e300})));
  CHECK_ERROR_CONTAINS(to_float32(a, "w.npy"), "w.npy: float64 value");
  CHECK_ERROR_CONTAINS(to_float32(a, "w.npy"), "at index 1 is outside the float32 range");
  NpyArray inf = parse(make_npy(dict("<f8", "(1,)"),
                                le_bytes(std::vector<double>{std::numeric_limits<double>::infinity()})));
  CHECK(std::isinf(to_float32(inf, "x")[0]));
}

TEST_CASE("0-d and empty arrays") {
  NpyArray s = parse(make_npy(dict("<f4", "()"), le_bytes(std::vector<float>{4.5f})));
  CHECK(s.shape.empty());
  CHECK(s.num_elements() == 1);
  CHECK(to_float32(s, "x") == std::vector<float>{4.5f});
  NpyArray e = parse(make_npy(dict("<f4", "(0, 5)"), {}));
  CHECK(e.num_elements() == 0);
  CHECK(to_float32(e, "x").empty());
}

TEST_CASE("header dict tolerates whitespace, quotes, key order and trailing commas") {
  std::vector<float> v = f32_0_to(6);
  const char* dicts[] = {
      "{'descr':'<f4','fortran_order':False,'shape':(2,3)}",
      "{ \"shape\" : ( 2 , 3 , ) , \"descr\" : \"<f4\" , \"fortran_order\" : False , }",
      "{'fortran_order': False, 'shape': (2L, 3L), 'descr': '<f4'}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\t \r\n",
  };
  for (const char* d : dicts) {
    CAPTURE(d);
    NpyArray a = parse(make_npy(d, le_bytes(v)));
    CHECK(a.shape == std::vector<uint64_t>{2, 3});
    CHECK(to_float32(a, "x") == v);
  }
  // Unpadded header is fine too.
  CHECK(parse(make_npy(dict("<f4", "(6,)"), le_bytes(v), 1, false)).num_elements() == 6);
}

TEST_CASE("bad magic, version and truncated headers") {
  Bytes good = make_npy(dict("<f4", "(2,)"), le_bytes(std::vector<float>{1, 2}));
  Bytes bad = good;
  bad[1] = 'X';
  CHECK_ERROR_CONTAINS(parse(bad, "e.npy"), "e.npy: not a .npy file (bad magic");
  CHECK_ERROR_CONTAINS(parse(golden::bytes_of("PK\x03\x04 not npy"), "e.npy"), "bad magic");
  CHECK_ERROR_CONTAINS(parse(Bytes{}, "e.npy"), "bad magic");
  Bytes ver = good;
  ver[6] = 4;
  CHECK_ERROR_CONTAINS(parse(ver), "unsupported .npy format version 4.0");
  Bytes hl = good;
  hl[8] = 0xFF;
  hl[9] = 0xFF;
  CHECK_ERROR_CONTAINS(parse(hl, "e.npy"), "e.npy: header is truncated: header length is 65535");
  CHECK_ERROR_CONTAINS(parse(Bytes(good.begin(), good.begin() + 9)), "header is truncated");
  // Every prefix of a valid file fails cleanly.
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    CHECK_THROWS_AS(parse(Bytes(good.begin(), good.begin() + static_cast<long>(n))),
                    std::runtime_error);
  }
}

TEST_CASE("data size must match the header") {
  std::vector<float> v = f32_0_to(12);
  Bytes full = make_npy(dict("<f4", "(3, 4)"), le_bytes(v));
  Bytes cut(full.begin(), full.end() - 8);
  CHECK_ERROR_CONTAINS(parse(cut, "emb.npy"),
                       "emb.npy: data truncated: header says 12 float32 values (48 bytes), "
                       "file has 40");
  Bytes extra = full;
  extra.push_back(0);
  CHECK_ERROR_CONTAINS(parse(extra, "emb.npy"), "unexpected trailing data");
}

TEST_CASE("unsupported dtypes and layouts") {
  Bytes four(16, 0);
  CHECK_ERROR_CONTAINS(parse(make_npy(dict(">f4", "(4,)"), four), "emb.npy"),
                       "emb.npy: unsupported dtype '>f4' (big-endian); convert with "
                       "arr.astype('<f4')");
  CHECK_ERROR_CONTAINS(parse(make_npy(dict("<f4", "(2, 2)", true), four), "emb.npy"),
                       "emb.npy: Fortran-order arrays are not supported; use "
                       "np.ascontiguousarray");
  // 1-D Fortran order has the same layout as C order.
  CHECK(parse(make_npy(dict("<f4", "(4,)", true), four)).num_elements() == 4);

  NpyArray i8 = parse(make_npy(dict("<i8", "(2,)"), four));
  CHECK(i8.dtype == "<i8");
  CHECK_ERROR_CONTAINS(to_float32(i8, "ids.npy"), "ids.npy: dtype '<i8' is not a float type");
  NpyArray b1 = parse(make_npy(dict("|b1", "(2,)"), Bytes{0, 1}));
  CHECK_ERROR_CONTAINS(to_float32(b1, "m"), "dtype '|b1' is not a float type");

  CHECK_ERROR_CONTAINS(parse(make_npy(dict("|O", "(2,)"), four)), "object array");
  CHECK_ERROR_CONTAINS(parse(make_npy(dict("<U5", "(1,)"), Bytes(20, 0))), "unsupported dtype '<U5'");
  CHECK_ERROR_CONTAINS(parse(make_npy(dict("<c8", "(2,)"), four)), "unsupported dtype '<c8'");
  CHECK_ERROR_CONTAINS(parse(make_npy(dict("<f16", "(1,)"), four)), "unsupported dtype");
  CHECK_ERROR_CONTAINS(
      parse(make_npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", four)),
      "structured (record) dtypes are not supported");
}

TEST_CASE("malformed header dicts") {
  Bytes four(16, 0);
  struct Case {
    std::string dict;
    std::string error;
  } cases[] = {
      {"{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'"},
      {"{'descr': '<f4', 'shape': (4,)}", "missing key 'fortran_order'"},
      {"{'fortran_order': False, 'shape': (4,)}", "missing key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'extra': 1}", "unexpected key 'extra'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (4,)}", "duplicate key 'descr'"},
      {"'descr': '<f4', 'fortran_order': False, 'shape': (4,)}", "expected '{'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4,)", "expected ',' or '}'"},
      {"{'descr': '<f4', 'fortran_order': false, 'shape': (4,)}", "must be True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4)}", "trailing comma"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [4]}", "expected '('"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-4,)}", "non-negative integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4,)} junk", "unexpected text after '}'"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (4,)}", "expected ',' or '}' at offset 17"},
      {"{'descr' '<f4', 'fortran_order': False, 'shape': (4,)}", "expected ':' at offset 9"},
      {"{'descr': '<f4',, 'fortran_order': False, 'shape': (4,)}", "expected a quoted string"},
      {"{'descr': '<f4' 'fortran_order': False, 'shape': (4,)}", "expected ',' or '}'"},
      {"{'descr': \"<f4', 'fortran_order': False, 'shape': (4,)}", "unterminated string"},
      {"", "expected '{'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.dict);
    CHECK_ERROR_CONTAINS(parse(make_npy(c.dict, four), "h.npy"), "h.npy: header is malformed: ");
    CHECK_ERROR_CONTAINS(parse(make_npy(c.dict, four), "h.npy"), c.error);
  }
}

TEST_CASE("shape overflow is detected") {
  CHECK_ERROR_CONTAINS(parse(make_npy(dict("<f4", "(1099511627776, 1099511627776)"), {}), "o.npy"),
                       "o.npy: shape (1099511627776, 1099511627776) is too large (element count overflows)");
  CHECK_ERROR_CONTAINS(parse(make_npy(dict("<f8", "(4611686018427387904,)"), {})),
                       "byte size overflows");
  CHECK_ERROR_CONTAINS(parse(make_npy(dict("<f4", "(99999999999999999999999,)"), {})),
                       "shape dimension is too large");
  // Large but representable: reported as truncation, not allocated.
  CHECK_ERROR_CONTAINS(parse(make_npy(dict("<f4", "(1000000000, 1000)"), {})),
                       "data truncated: header says 1000000000000 float32 values");
}

TEST_CASE("write_npy produces NumPy-style headers that parse back") {
  std::vector<float> v = f32_0_to(12);
  Bytes b = write_npy_f32({3, 4}, v.data());
  REQUIRE(b.size() == 128 + 48);
  std::string header(b.begin() + 10, b.begin() + 128);
  CHECK(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 0) == 0);
  CHECK(header.back() == '\n');
  CHECK(header.find_first_not_of(' ', 60) == header.size() - 1);
  CHECK(b[6] == 1);
  CHECK(b[7] == 0);
  CHECK(b[8] + 256 * b[9] == 118);
  // Identical to the hand-built reference (same padding rule).
  CHECK(b == make_npy(dict("<f4", "(3, 4)"), le_bytes(v)));

  NpyArray a = parse(b);
  CHECK(to_float32(a, "x") == v);

  // 1-d, 0-d and uint8.
  NpyArray u;
  u.dtype = "|u1";
  u.shape = {3};
  u.raw = {9, 8, 7};
  Bytes ub = write_npy(u);
  CHECK(ub.size() % 64 == 3);
  CHECK(std::string(ub.begin(), ub.end()).find("'shape': (3,), }") != std::string::npos);
  CHECK(parse(ub).raw == u.raw);
  float one = 1.0f;
  NpyArray s = parse(write_npy_f32({}, &one));
  CHECK(s.shape.empty());

  // A header longer than 65535 bytes switches to version 2.0.
  NpyArray many;
  many.dtype = "|u1";
  many.shape.assign(25000, 1);
  many.raw = {42};
  Bytes mb = write_npy(many);
  CHECK(mb[6] == 2);
  CHECK((mb.size() - 1) % 64 == 0);
  NpyArray mp = parse(mb);
  CHECK(mp.shape.size() == 25000);
  CHECK(mp.raw == many.raw);
}

TEST_CASE("write_npy rejects inconsistent arrays") {
  NpyArray a;
  a.dtype = "<f4";
  a.shape = {2};
  a.raw.resize(4);
  CHECK_THROWS_AS(write_npy(a), std::invalid_argument);
  a.raw.resize(8);
  a.dtype = ">f4";
  CHECK_THROWS_AS(write_npy(a), std::invalid_argument);
  a.dtype = "<f4";
  CHECK_NOTHROW(write_npy(a));
}

}  // TEST_SUITE npy

TEST_SUITE("npz") {

TEST_CASE("golden npz from python zipfile (deflated and stored members)") {
  for (int variant = 0; variant < 2; ++variant) {
    CAPTURE(variant);
    Bytes z = variant == 0 ? golden::bytes_of(kNpzCompressed, kNpzCompressedSize)
                           : golden::bytes_of(kNpzZip64Local, kNpzZip64LocalSize);
    std::map<std::string, NpyArray> m = read_npz(z, "model.npz");
    REQUIRE(m.size() == 3);
    REQUIRE(m.count("emb"));
    REQUIRE(m.count("ids"));
    REQUIRE(m.count("scale"));
    CHECK(m["emb"].shape == std::vector<uint64_t>{2, 3});
    CHECK(to_float32(m["emb"], "emb") == std::vector<float>{0.5f, -1.25f, 3.0f, 1e10f, -0.0f, 7.75f});
    CHECK(to_uint8(m["ids"], "ids") == Bytes{0, 1, 127, 255});
    CHECK(m["scale"].shape.empty());
    CHECK(m["scale"].dtype == "<f8");
    CHECK(to_float32(m["scale"], "scale") == std::vector<float>{2.5f});
  }
}

TEST_CASE("write_npz -> read_npz round trip") {
  std::map<std::string, NpyArray> in;
  std::vector<float> v = f32_0_to(10);
  in["embeddings"] = make_npy_f32({2, 5}, v.data());
  NpyArray u;
  u.dtype = "|u1";
  u.shape = {4};
  u.raw = {1, 2, 3, 4};
  in["vocab_bytes"] = u;
  NpyArray e;
  e.dtype = "<i8";
  e.shape = {0};
  in["empty"] = e;
  Bytes z = write_npz(in);
  // Members are "<key>.npy" and stored uncompressed.
  std::vector<ZipMember> members = read_zip(z, "rt.npz");
  REQUIRE(members.size() == 3);
  CHECK(members[0].name == "embeddings.npy");
  CHECK(members[1].name == "empty.npy");
  CHECK(members[2].name == "vocab_bytes.npy");
  std::map<std::string, NpyArray> out = read_npz(z, "rt.npz");
  REQUIRE(out.size() == 3);
  for (const auto& kv : in) {
    CAPTURE(kv.first);
    REQUIRE(out.count(kv.first));
    CHECK(out[kv.first].dtype == kv.second.dtype);
    CHECK(out[kv.first].shape == kv.second.shape);
    CHECK(out[kv.first].raw == kv.second.raw);
  }
  CHECK(to_float32(out["embeddings"], "x") == v);
}

TEST_CASE("npz errors name the member") {
  Bytes z = write_zip_stored({{"good.npy", write_npy_f32({1}, std::vector<float>{1}.data())},
                              {"bad.npy", golden::bytes_of("not an npy file")}});
  CHECK_ERROR_CONTAINS(read_npz(z, "m.npz"), "m.npz: bad.npy: not a .npy file");
  Bytes dup = write_zip_stored({{"a.npy", write_npy_f32({1}, std::vector<float>{1}.data())},
                                {"a", write_npy_f32({1}, std::vector<float>{1}.data())}});
  CHECK_ERROR_CONTAINS(read_npz(dup, "d.npz"), "d.npz: duplicate array name 'a'");
  CHECK_ERROR_CONTAINS(read_npz(golden::bytes_of("junk"), "j.npz"), "j.npz: not a zip file");
  std::map<std::string, NpyArray> bad;
  bad[""] = make_npy_f32({1}, std::vector<float>{1}.data());
  CHECK_THROWS_AS(write_npz(bad), std::invalid_argument);
}

}  // TEST_SUITE npz

TEST_SUITE("file_io") {

TEST_CASE("write, refuse overwrite without force, overwrite with force") {
  std::string dir = make_temp_dir("ffnlp_fileio");
  std::string path = dir + "/out.npz";
  write_file_atomically(path, golden::bytes_of("first"), false);
  CHECK(read_file_bytes(path) == golden::bytes_of("first"));
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  mode_t um = umask(0);
  umask(um);
  CHECK((st.st_mode & 0777) == (0666 & ~um));

  CHECK_ERROR_CONTAINS(write_file_atomically(path, golden::bytes_of("second"), false),
                       path + ": already exists; use --force to overwrite");
  CHECK(read_file_bytes(path) == golden::bytes_of("first"));

  write_file_atomically(path, golden::bytes_of("second"), true);
  CHECK(read_file_bytes(path) == golden::bytes_of("second"));
  write_file_atomically(path, {}, true);
  CHECK(read_file_bytes(path).empty());
  CHECK(list_dir(dir) == std::vector<std::string>{"out.npz"});  // no temp files left
  remove_tree(dir);
}

TEST_CASE("target is a directory or unwritable") {
  std::string dir = make_temp_dir("ffnlp_fileio");
  mkdir((dir + "/sub").c_str(), 0755);
  CHECK_ERROR_CONTAINS(write_file_atomically(dir + "/sub", golden::bytes_of("x"), true),
                       dir + "/sub: is a directory");
  CHECK_ERROR_CONTAINS(write_file_atomically(dir + "/sub/", golden::bytes_of("x"), true),
                       "is a directory");
  CHECK_ERROR_CONTAINS(write_file_atomically(dir + "/missing/out.bin", golden::bytes_of("x"), false),
                       dir + "/missing/out.bin: cannot create a temporary file in '" + dir + "/missing'");
  // /proc is not writable even for root.
  CHECK_ERROR_CONTAINS(write_file_atomically("/proc/ffnlp_test_out.bin", golden::bytes_of("x"), false),
                       "/proc/ffnlp_test_out.bin: cannot create a temporary file");
  CHECK(list_dir(dir) == std::vector<std::string>{"sub"});
  remove_tree(dir);
}

TEST_CASE("a failing write leaves the old file untouched and removes the temp file") {
  // Simulate a full disk with RLIMIT_FSIZE: writes beyond the limit fail
  // with EFBIG (SIGXFSZ ignored), like ENOSPC would.
  std::string dir = make_temp_dir("ffnlp_fileio");
  std::string path = dir + "/model.npz";
  write_file_atomically(path, golden::bytes_of("old contents"), false);

  struct rlimit old_lim;
  REQUIRE(getrlimit(RLIMIT_FSIZE, &old_lim) == 0);
  void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
  struct rlimit lim = old_lim;
  lim.rlim_cur = 4096;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
  std::string err = golden::error_of(
      [&] { write_file_atomically(path, Bytes(100000, 7), true); });
  setrlimit(RLIMIT_FSIZE, &old_lim);
  signal(SIGXFSZ, old_handler);

  CHECK_MESSAGE(err.find(path + ": write failed: File too large") != std::string::npos, err);
  CHECK(read_file_bytes(path) == golden::bytes_of("old contents"));
  CHECK(list_dir(dir) == std::vector<std::string>{"model.npz"});
  remove_tree(dir);
}

TEST_CASE("read_file_bytes errors") {
  std::string dir = make_temp_dir("ffnlp_fileio");
  CHECK_ERROR_CONTAINS(read_file_bytes(dir + "/nope.npy"),
                       dir + "/nope.npy: cannot open: No such file or directory");
  CHECK_ERROR_CONTAINS(read_file_bytes(dir), dir + ": is a directory");
  remove_tree(dir);
}

}  // TEST_SUITE file_io
