// The converter's bad-input matrix (issue 6): each bad input gets a test and
// a specific message. Cases already covered elsewhere are not repeated:
//   npy dtypes/headers/overflow ........ tests/tools/test_npy.cpp
//   zip structure, LZMA, encryption .... tests/tools/test_zip.cpp
//   write_file_atomically in-process ... tests/tools/test_npy.cpp (file_io)
//   truncation, bit flips, label count . tests/runtime/test_model_format.cpp
//   spec syntax, shapes that don't chain tests/tools/test_convert.cpp
// Here: the same failures as a user meets them through read_array_files(),
// convert() and the convert_model binary (exit code, stderr, files left).
#include <doctest/doctest.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "test_models.h"
#include "test_paths.h"
#include "test_process.h"
#include "temp_files.h"
#include "tests/tools/deflate_writer.h"
#include "tests/tools/zip_builders.h"
#include "tests/tools/golden_vectors.h"
#include "tools/common/file_io.h"
#include "tools/common/npy.h"
#include "tools/common/npz.h"
#include "tools/convert_model/converter.h"
#include "tools/convert_model/quantize_matrix.h"

using namespace ffnlp;
using namespace ffnlp::tools;
using Bytes = std::vector<uint8_t>;
using testing::ChildResult;
using testing::run_program;
using testing::zip_deflated;
using testing::list_dir;
using testing::make_temp_dir;
using testing::remove_tree;

namespace {

// The convert_model of this build (build/asan/run_tests runs build/asan/convert_model).
const std::string kConvertModel = testing::tool_path("convert_model");

NpyArray f32(const std::vector<uint64_t>& shape, const std::vector<float>& v) { return make_npy_f32(shape, v.data()); }

NpyArray raw_array(const std::vector<uint64_t>& shape, const std::string& dtype, const Bytes& raw) {
  NpyArray a;
  a.shape = shape;
  a.dtype = dtype;
  a.raw = raw;
  return a;
}

// The message of the std::runtime_error `f` throws ("" if none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}
#define CHECK_ERROR(expr, part)                                   \
  do {                                                            \
    const std::string message_ = error_of([&] { (void)(expr); }); \
    CHECK_MESSAGE(message_.find(part) != std::string::npos,       \
                  "expected '" << (part) << "' in '" << message_ << "'"); \
  } while (0)

void write_bytes(const std::string& path, const Bytes& b) {
  FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(b.data(), 1, b.size(), f) == b.size());
  REQUIRE(std::fclose(f) == 0);
}


struct CliRun {
  int exit_code = -1;
  std::string err;
};

// Runs convert_model with `args` in a child; optional RLIMIT_FSIZE (bytes)
// simulates a full disk (SIGXFSZ ignored, so write() fails with EFBIG).
CliRun run_cli(const std::vector<std::string>& args, rlim_t fsize_limit = 0) {
  char err_path[] = "/tmp/ffnlp_cli_err_XXXXXX";
  const int err_fd = mkstemp(err_path);
  REQUIRE(err_fd >= 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(err_fd, 2);
    const int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) dup2(null_fd, 1);
    if (fsize_limit != 0) {
      signal(SIGXFSZ, SIG_IGN);
      struct rlimit lim;
      getrlimit(RLIMIT_FSIZE, &lim);
      lim.rlim_cur = fsize_limit;
      setrlimit(RLIMIT_FSIZE, &lim);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kConvertModel.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(kConvertModel.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  close(err_fd);
  const Bytes err = read_file_bytes(err_path);
  r.err.assign(err.begin(), err.end());
  unlink(err_path);
  return r;
}

// A small valid input for the CLI: one table, one vector.
std::map<std::string, NpyArray> small_arrays() {
  std::map<std::string, NpyArray> a;
  a["table"] = f32({3, 4}, {0.5f, -1, 2, 0.25f, 1, 1, 1, 1, -3, 0, 0, 3});
  a["vector"] = f32({2}, {1, -1});
  return a;
}

}  // namespace

TEST_SUITE("bad-input matrix: converter") {

TEST_CASE("NaN and infinity name tensor, row and column, on every conversion path") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  ConvertOptions plain;
  SUBCASE("quantized embedding") {
    std::map<std::string, NpyArray> a;
    a["emb"] = f32({2, 3}, {1, 2, 3, 4, nan, 6});
    CHECK_ERROR(convert(a, plain), "emb: row 1, column 1 is NaN; fix the weights before converting");
    a["emb"] = f32({2, 3}, {1, 2, -inf, 4, 5, 6});
    CHECK_ERROR(convert(a, plain), "emb: row 0, column 2 is infinite");
  }
  SUBCASE("float embedding (--float-embeddings) and 1-D vectors") {
    ConvertOptions o;
    o.float_embeddings = true;
    std::map<std::string, NpyArray> a;
    a["emb"] = f32({2, 3}, {1, 2, 3, 4, 5, inf});
    CHECK_ERROR(convert(a, o), "emb: row 1, column 2 is infinite");
    std::map<std::string, NpyArray> v;
    v["bias"] = f32({4}, {0, 0, nan, 0});
    CHECK_ERROR(convert(v, plain), "bias: row 2, column 0 is NaN");
  }
  SUBCASE("float16 input whose values are infinite after conversion") {
    std::map<std::string, NpyArray> a;
    a["emb"] = raw_array({1, 2}, "<f2", {0x00, 0x3C, 0x00, 0x7C});  // 1.0, +inf
    CHECK_ERROR(convert(a, plain), "emb: row 0, column 1 is infinite");
  }
  SUBCASE("transposed layer weights report the position in the stored (out, in) matrix") {
    std::map<std::string, NpyArray> a;
    a["e1"] = f32({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
    a["w"] = f32({2, 3}, {1, 2, 3, 4, 5, nan});  // (in = 2, out = 3): element [1][2]
    a["b"] = f32({3}, {0, 0, 0});
    ConvertOptions o;
    o.spec_text =
        "[channel]\nkind = char_ngram\norder = 1\nembedding = e1\n"
        "[layer]\nweights = w\nbias = b\nactivation = softmax\ntranspose = 1\n"
        "[labels]\na\nb\nc\n";
    CHECK_ERROR(convert(a, o), "w: row 2, column 1 is NaN");
  }
  SUBCASE("imported quantized table with a bad scale") {
    std::map<std::string, NpyArray> a;
    a["emb"] = raw_array({2, 2}, "|u1", {1, 2, 3, 4});
    a["emb_scales"] = f32({2}, {0.5f, nan});
    CHECK_ERROR(convert(a, plain), "'emb_scales' row 1 is not a finite non-negative scale");
    a["emb_scales"] = f32({2}, {-0.5f, 1});
    CHECK_ERROR(convert(a, plain), "'emb_scales' row 0 is not a finite non-negative scale");
  }
}

TEST_CASE("every zero point 0..255 quantizes without clipping, or refuses the table with the reason") {
  // Issue 14, defect 2: with zero point 255, [1, 2, 3] became [0, 0, 0]; with
  // 200 the error was 2.14 instead of a hundredth; 1 gave a message about
  // float32 scales. Now each zero point b has b - 1 steps below it and
  // 255 - b above, the scale fits both, and a sign without room is refused.
  const std::vector<float> mixed = {1, 2, 3, -1, 0.5f, -3, 0.25f, -0.125f};   // 2 rows of 4
  const std::vector<float> positive = {1, 2, 3, 0.5f, 0, 0.25f, 4, 0.125f};   // no negative value
  const std::vector<float> negative = {-1, -2, -3, -0.5f, 0, -0.25f, -4, -0.125f};
  // Reads every element back through the runtime; returns the largest error
  // relative to the row's half step (must be <= 1).
  auto worst_in_half_steps = [](const std::vector<float>& v, uint32_t zero_point) {
    std::map<std::string, NpyArray> a;
    a["emb"] = f32({2, 4}, v);
    ConvertOptions o;
    o.zero_point = zero_point;
    const Bytes bytes = convert(a, o);
    Model model;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
    const TensorView* t = model.find_tensor("emb");
    REQUIRE(t != nullptr);
    CHECK(t->zero_point == zero_point);
    double worst = 0;
    for (uint64_t r = 0; r < 2; ++r) {
      const double half_step = 0.5 * static_cast<double>(t->row_scale(r));
      for (uint64_t c = 0; c < 4; ++c) {
        const double error = std::fabs(static_cast<double>(t->at(r, c)) - v[r * 4 + c]);
        worst = std::max(worst, half_step > 0 ? error / half_step : error);
      }
    }
    return worst;
  };
  for (uint32_t zp : {0u, 1u, 127u, 128u, 200u, 255u}) {
    CAPTURE(zp);
    if (zp >= 2) {
      CHECK(worst_in_half_steps(zp == 255 ? negative : mixed, zp) <= 1.0001);
    }
    if (zp <= 254) {
      CHECK(worst_in_half_steps(positive, zp) <= 1.0001);
    }
    std::map<std::string, NpyArray> a;
    ConvertOptions o;
    o.zero_point = zp;
    if (zp <= 1) {
      a["emb"] = f32({2, 4}, mixed);
      CHECK_ERROR(convert(a, o), "emb: row 0 has negative values (smallest -1.000000), which zero point " +
                                     std::to_string(zp) + " cannot represent: quantized values run from 1 to 255");
    }
    if (zp == 255) {
      a["emb"] = f32({2, 4}, positive);
      CHECK_ERROR(convert(a, o), "emb: row 0 has positive values (largest 3.000000), which zero point 255 cannot "
                                 "represent: no quantized value lies above it");
    }
  }
  // The error shrinks as the room grows: 200 leaves 55 steps for the
  // positive side, so 3 is off by at most 3 / 55 / 2, not 2.14.
  {
    std::map<std::string, NpyArray> a;
    a["emb"] = f32({2, 4}, mixed);
    ConvertOptions o;
    o.zero_point = 200;
    const Bytes bytes = convert(a, o);
    Model model;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
    const TensorView* t = model.find_tensor("emb");
    for (uint64_t c = 0; c < 4; ++c) CHECK(std::fabs(t->at(0, c) - mixed[c]) <= 3.0 / 55 / 2 + 1e-6);
    CHECK(t->row_scale(0) == doctest::Approx(3.0 / 55));
    // Row 1's largest magnitude is negative (-3): 199 steps below 200.
    CHECK(t->row_scale(1) == doctest::Approx(3.0 / 199));
  }
  // Zero point 128 is still the paper's formula bit for bit (golden test in
  // tests/runtime/test_quantize.cpp), and out-of-range zero points are refused.
  std::map<std::string, NpyArray> a;
  a["emb"] = f32({2, 4}, mixed);
  ConvertOptions o;
  o.zero_point = 256;
  CHECK_ERROR(convert(a, o), "emb: zero point 256 is not in 0..255");
}

TEST_CASE("convert_model: --zero-point 255 on a table with positive values exits 1 with the reason") {
  REQUIRE_MESSAGE(access(kConvertModel.c_str(), X_OK) == 0, kConvertModel << " is not built");
  const std::string dir = make_temp_dir("ffnlp_convert_errors");
  std::map<std::string, NpyArray> a;
  a["emb"] = f32({1, 3}, {1, 2, 3});
  write_bytes(dir + "/in.npz", write_npz(a));
  CliRun r = run_cli({dir + "/in.npz", "-o", dir + "/out.ffm", "--zero-point", "255"});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("convert_model: error: emb: row 0 has positive values (largest 3.000000), which zero point 255 "
                           "cannot represent") == 0,
                r.err);
  CHECK(access((dir + "/out.ffm").c_str(), F_OK) != 0);
  r = run_cli({dir + "/in.npz", "-o", dir + "/out.ffm", "--zero-point", "0", "--quiet"});
  CHECK(r.exit_code == 0);
  const Bytes bytes = read_file_bytes(dir + "/out.ffm");
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  CHECK(model.find_tensor("emb")->zero_point == 0);
  CHECK(model.find_tensor("emb")->at(0, 2) == doctest::Approx(3.0f));
  remove_tree(dir);
}

TEST_CASE("all-zero rows convert: scale 0, every q at the zero point, counted in the report") {
  QuantizationReport report;
  const std::vector<float> v = {0, 0, 0, 1, -2, 0.5f, 0, 0, 0};
  const TensorToWrite t = quantize_matrix("emb", 3, 3, v, 128, Rounding::kHalfUp, &report);
  CHECK(t.scales[0] == 0.0f);
  CHECK(t.scales[2] == 0.0f);
  for (int c = 0; c < 3; ++c) {
    CHECK(t.q[c] == 128);
    CHECK(t.q[6 + c] == 128);
  }
  CHECK(report.zero_rows == 2);
  CHECK(report.warnings.empty());
  // A whole table of zeros still makes a valid model that reads back zeros.
  std::map<std::string, NpyArray> a;
  a["zeros"] = f32({2, 4}, std::vector<float>(8, 0.0f));
  const Bytes bytes = convert(a, ConvertOptions());
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  const TensorView* z = model.find_tensor("zeros");
  REQUIRE(z != nullptr);
  CHECK(z->row_scale(1) == 0.0f);
  CHECK(z->at(1, 3) == 0.0f);
}

TEST_CASE("convert_model: a single huge value in a row: a warning names the tensor and the row") {
  std::vector<float> v(2 * 8, 0.01f);
  v[8 + 3] = 1000.0f;  // row 1: the other 7 values fall below half a step
  QuantizationReport report;
  const TensorToWrite t = quantize_matrix("emb", 2, 8, v, 128, Rounding::kHalfUp, &report);
  REQUIRE(report.warnings.size() == 1);
  CHECK(report.warnings[0].find("emb: row 1: 7 of 8 non-zero values quantize to 0") == 0);
  CHECK(report.warnings[0].find("dominates its scale") != std::string::npos);
  CHECK(t.q[8 + 3] == 255);
  // Row 0 is fine: no warning for it.
  CHECK(report.warnings[0].find("row 0") == std::string::npos);
  // The binary prints it on stderr and still writes the model.
  REQUIRE_MESSAGE(access(kConvertModel.c_str(), X_OK) == 0, kConvertModel << " is not built");
  const std::string dir = make_temp_dir("ffnlp_convert_errors");
  std::map<std::string, NpyArray> a;
  a["emb"] = f32({2, 8}, v);
  write_bytes(dir + "/in.npz", write_npz(a));
  const CliRun r = run_cli({dir + "/in.npz", "-o", dir + "/out.ffm"});
  CHECK(r.exit_code == 0);
  CHECK_MESSAGE(r.err.find("warning: emb: row 1: 7 of 8 non-zero values quantize to 0") != std::string::npos, r.err);
  CHECK(access((dir + "/out.ffm").c_str(), F_OK) == 0);
  remove_tree(dir);
}

TEST_CASE("shapes that do not match the specification") {
  const char kSpec[] =
      "[channel]\nkind = char_ngram\norder = 1\nembedding = e\n"
      "[layer]\nweights = w\nbias = b\nactivation = softmax\n"
      "[labels]\nx\ny\n";
  auto arrays = [] {
    std::map<std::string, NpyArray> a;
    a["e"] = f32({5, 3}, std::vector<float>(15, 0.5f));
    a["w"] = f32({2, 3}, std::vector<float>(6, 0.1f));
    a["b"] = f32({2}, {0, 0});
    return a;
  };
  ConvertOptions o;
  o.spec_text = kSpec;
  o.spec_name = "m.spec";
  CHECK(convert(arrays(), o).size() > 0);
  SUBCASE("3-D array") {
    auto a = arrays();
    a["e"] = f32({5, 3, 1}, std::vector<float>(15, 0.5f));
    CHECK_ERROR(convert(a, o), "array 'e' has 3 dimensions; only 1-D and 2-D arrays are supported");
  }
  SUBCASE("embedding given as a vector") {
    auto a = arrays();
    a["e"] = f32({15}, std::vector<float>(15, 0.5f));
    CHECK_ERROR(convert(a, o), "the converted model does not validate: channel 0: embedding 'e' must be a matrix");
  }
  SUBCASE("weights whose input width is not the embedding width") {
    auto a = arrays();
    a["w"] = f32({2, 4}, std::vector<float>(8, 0.1f));
    CHECK_ERROR(convert(a, o), "layer 0: weights 'w' have shape (2, 4), expected (out, 3)");
  }
  SUBCASE("bias of the wrong length") {
    auto a = arrays();
    a["b"] = f32({3}, {0, 0, 0});
    CHECK_ERROR(convert(a, o), "layer 0: bias 'b' has 3 values, expected 2");
  }
  SUBCASE("bias given as a matrix") {
    auto a = arrays();
    a["b"] = f32({2, 1}, {0, 0});
    CHECK_ERROR(convert(a, o), "bias 'b'");
  }
  SUBCASE("empty embedding table") {
    auto a = arrays();
    a["e"] = f32({0, 3}, {});
    CHECK_ERROR(convert(a, o), "array 'e' has shape (0, 3), which holds no values");
  }
  SUBCASE("array named in the spec but missing from the inputs") {
    auto a = arrays();
    a.erase("w");
    CHECK_ERROR(convert(a, o), "layer names array 'w', which is not in the inputs (have: b, e)");
  }
  SUBCASE("imported table whose scales do not match its rows") {
    std::map<std::string, NpyArray> a;
    a["q"] = raw_array({3, 2}, "|u1", Bytes(6, 128));
    CHECK_ERROR(convert(a, ConvertOptions()), "array 'q' is uint8 but there is no 'q_scales' array");
    a["q_scales"] = f32({2}, {1, 1});
    CHECK_ERROR(convert(a, ConvertOptions()), "'q_scales' has 2 values for 3 rows of 'q'");
  }
}

TEST_CASE("wrong dtypes through read_array_files and convert") {
  const std::string dir = make_temp_dir("ffnlp_convert_errors");
  ConvertOptions plain;
  SUBCASE("int64 is refused by name") {
    std::map<std::string, NpyArray> a;
    a["ids"] = raw_array({2, 2}, "<i8", Bytes(32, 0));
    CHECK_ERROR(convert(a, plain), "ids: dtype '<i8' is not a float type; convert with arr.astype('<f4')");
  }
  SUBCASE("float16 and float64 are accepted and converted exactly") {
    std::map<std::string, NpyArray> a;
    a["h"] = raw_array({1, 2}, "<f2", {0x00, 0x3C, 0x00, 0xC0});  // 1.0, -2.0
    // 0.5 and -0.25 as little-endian float64
    const Bytes f8 = {0, 0, 0, 0, 0, 0, 0xE0, 0x3F, 0, 0, 0, 0, 0, 0, 0xD0, 0xBF};
    a["d"] = raw_array({1, 2}, "<f8", f8);
    ConvertOptions o;
    o.float_embeddings = true;
    const Bytes bytes = convert(a, o);
    Model model;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
    CHECK(model.find_tensor("h")->at(0, 1) == -2.0f);
    CHECK(model.find_tensor("d")->at(0, 0) == 0.5f);
  }
  SUBCASE("big-endian and Fortran-order files name the file") {
    const std::string header_be = "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }";
    const std::string header_f = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
    for (const auto& c : {std::make_pair(header_be, std::string("unsupported dtype '>f4' (big-endian); convert with arr.astype('<f4')")),
                          std::make_pair(header_f, std::string("Fortran-order arrays are not supported; use np.ascontiguousarray"))}) {
      std::string h = c.first;
      h += std::string((10 + h.size() + 1 + 63) / 64 * 64 - 10 - h.size() - 1, ' ') + "\n";
      Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(h.size()), 0};
      b.insert(b.end(), h.begin(), h.end());
      b.resize(b.size() + 16, 0);
      write_bytes(dir + "/w.npy", b);
      CHECK_ERROR(read_array_files({dir + "/w.npy"}), dir + "/w.npy: " + c.second);
    }
  }
  SUBCASE("malformed npy header") {
    Bytes b = write_npy_f32({2}, std::vector<float>{1, 2}.data());
    b[12] = '[';  // "{'descr'..." -> "{'[escr'..." stays a string; break the brace instead
    b[10] = '(';
    write_bytes(dir + "/h.npy", b);
    CHECK_ERROR(read_array_files({dir + "/h.npy"}), dir + "/h.npy: header is malformed: expected '{'");
    write_bytes(dir + "/t.npy", Bytes(b.begin(), b.begin() + 9));
    CHECK_ERROR(read_array_files({dir + "/t.npy"}), dir + "/t.npy: header is truncated");
  }
  remove_tree(dir);
}

TEST_CASE("npz that is not a zip, uses an unsupported compression, or repeats a name") {
  const std::string dir = make_temp_dir("ffnlp_convert_errors");
  write_bytes(dir + "/a.npz", write_npy_f32({2}, std::vector<float>{1, 2}.data()));  // an .npy named .npz
  CHECK_ERROR(read_array_files({dir + "/a.npz"}), dir + "/a.npz: not a zip file (no end-of-central-directory record)");
  write_bytes(dir + "/l.npz", Bytes(kZipLzma, kZipLzma + kZipLzmaSize));
  CHECK_ERROR(read_array_files({dir + "/l.npz"}), dir + "/l.npz: unsupported compression method 14 (LZMA) for member 'x.npy'");
  std::map<std::string, NpyArray> a;
  a["table"] = f32({1, 2}, {1, 2});
  write_bytes(dir + "/one.npz", write_npz(a));
  write_bytes(dir + "/table.npy", write_npy(a["table"]));
  CHECK_ERROR(read_array_files({dir + "/one.npz", dir + "/table.npy"}),
              dir + "/table.npy: array 'table' was already given by another input");
  CHECK_ERROR(read_array_files({dir + "/missing.npz"}), dir + "/missing.npz: cannot open: No such file or directory");
  CHECK_ERROR(read_array_files({dir}), dir + ": is a directory");
  remove_tree(dir);
}

TEST_CASE("convert_model: output that exists, is a directory, or cannot be created") {
  REQUIRE_MESSAGE(access(kConvertModel.c_str(), X_OK) == 0, kConvertModel << " is not built");
  const std::string dir = make_temp_dir("ffnlp_convert_errors");
  write_bytes(dir + "/in.npz", write_npz(small_arrays()));
  const std::string out = dir + "/out.ffm";
  write_bytes(out, {'o', 'l', 'd'});

  CliRun r = run_cli({dir + "/in.npz", "-o", out, "--quiet"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "convert_model: error: " + out + ": already exists; use --force to overwrite\n");
  CHECK(read_file_bytes(out) == Bytes{'o', 'l', 'd'});

  r = run_cli({dir + "/in.npz", "-o", out, "--quiet", "--force"});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  const Bytes written = read_file_bytes(out);
  Model model;
  CHECK(Model::load(written.data(), written.size(), &model, nullptr) == Status::kOk);

  mkdir((dir + "/sub").c_str(), 0755);
  r = run_cli({dir + "/in.npz", "-o", dir + "/sub", "--quiet", "--force"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "convert_model: error: " + dir + "/sub: is a directory\n");

  r = run_cli({dir + "/in.npz", "-o", dir + "/no/such/dir/out.ffm", "--quiet"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot create a temporary file in '" + dir + "/no/such/dir': No such file or directory") != std::string::npos);

  // Not writable: /proc refuses new files even for root (a chmod'ed
  // directory would not stop root).
  r = run_cli({dir + "/in.npz", "-o", "/proc/ffnlp_convert_test.ffm", "--quiet"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("/proc/ffnlp_convert_test.ffm: cannot create a temporary file in '/proc'") != std::string::npos);

  // Nothing but the inputs, the old file's replacement and the directory.
  CHECK(list_dir(dir) == std::vector<std::string>{"in.npz", "out.ffm", "sub"});
  remove_tree(dir);
}

TEST_CASE("convert_model: --force replaces only regular files (never a FIFO, device or symbolic link)") {
  REQUIRE_MESSAGE(access(kConvertModel.c_str(), X_OK) == 0, kConvertModel << " is not built");
  const std::string dir = make_temp_dir("ffnlp_convert_errors");
  write_bytes(dir + "/in.npz", write_npz(small_arrays()));
  const std::string fifo = dir + "/fifo.ffm";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  write_bytes(dir + "/target.ffm", {'o', 'l', 'd'});
  const std::string link = dir + "/link.ffm";
  REQUIRE(symlink("target.ffm", link.c_str()) == 0);
  const std::string dangling = dir + "/dangling.ffm";
  REQUIRE(symlink("nowhere.ffm", dangling.c_str()) == 0);
  // A device node of our own in the temporary directory (a null device),
  // never the system's: as root, a convert_model without this fix replaced
  // /dev/null with a model file. Creating one needs root (CAP_MKNOD); without
  // it, that one case is left out and said so.
  const std::string device = dir + "/null.ffm";
  const bool have_device = mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0;
  if (!have_device) MESSAGE("excluded: the device-node case (mknod needs root); FIFO and symbolic links still run");
  struct Case {
    std::string path, message;
  };
  std::vector<Case> cases = {
      {fifo, fifo + ": is a FIFO, not a regular file; only a regular file is ever replaced"},
      {link, link + ": is a symbolic link; only a regular file is ever replaced (give the path of the file it points to)"},
      {dangling, dangling + ": is a symbolic link; only a regular file is ever replaced"},
  };
  if (have_device) cases.push_back({device, device + ": is a character device, not a regular file; only a regular file is ever replaced"});
  for (const Case& c : cases) {
    for (bool force : {true, false}) {
      CAPTURE(c.path);
      CAPTURE(force);
      std::vector<std::string> args = {dir + "/in.npz", "-o", c.path, "--quiet"};
      if (force) args.push_back("--force");
      const ChildResult r = run_program(kConvertModel, args, 20);
      CHECK_MESSAGE(r.exited_with(1), r.describe());
      CHECK_MESSAGE(r.err.find("convert_model: error: " + c.message) == 0, r.err);
    }
  }
  struct stat st;
  REQUIRE(lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  REQUIRE(lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(read_file_bytes(dir + "/target.ffm") == Bytes{'o', 'l', 'd'});
  if (have_device) {
    REQUIRE(lstat(device.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
  }
  // No temporary file is left behind.
  std::vector<std::string> expected = {"dangling.ffm", "fifo.ffm", "in.npz", "link.ffm", "target.ffm"};
  if (have_device) expected.insert(expected.begin() + 4, "null.ffm");
  CHECK(list_dir(dir) == expected);
  // The regular file the link points to can be replaced by its own name.
  const ChildResult ok = run_program(kConvertModel, {dir + "/in.npz", "-o", dir + "/target.ffm", "--quiet", "--force"}, 20);
  CHECK_MESSAGE(ok.exited_with(0), ok.describe());
  remove_tree(dir);
}

TEST_CASE("convert_model: inputs and specs that are FIFOs or devices fail at once") {
  REQUIRE_MESSAGE(access(kConvertModel.c_str(), X_OK) == 0, kConvertModel << " is not built");
  const std::string dir = make_temp_dir("ffnlp_convert_errors");
  write_bytes(dir + "/in.npz", write_npz(small_arrays()));
  const std::string fifo = dir + "/fifo.npz";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // Before: open() of the FIFO blocked forever; /dev/zero streamed into
  // memory until it ran out.
  const std::vector<std::vector<std::string>> runs = {
      {fifo, "-o", dir + "/out.ffm"},
      {"/dev/zero", "-o", dir + "/out.ffm"},
      {dir + "/in.npz", "--spec", fifo, "-o", dir + "/out.ffm"},
      {dir + "/in.npz", "--spec", "/dev/zero", "-o", dir + "/out.ffm"},
  };
  const std::vector<std::string> messages = {
      fifo + ": is a FIFO, not a regular file",
      "/dev/zero: is a character device, not a regular file",
      fifo + ": is a FIFO, not a regular file",
      "/dev/zero: is a character device, not a regular file",
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    CAPTURE(i);
    const ChildResult r = run_program(kConvertModel, runs[i], 10);
    CHECK_MESSAGE(r.exited_with(1), r.describe());
    CHECK(r.err == "convert_model: error: " + messages[i] + "\n");
  }
  CHECK(access((dir + "/out.ffm").c_str(), F_OK) != 0);
  remove_tree(dir);
}

namespace {

// A 128-byte .npy of float32 with the given shape text and no data.
Bytes empty_npy(const std::string& shape) {
  std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  h += std::string(128 - 10 - h.size() - 1, ' ') + "\n";
  Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(h.size()), 0};
  b.insert(b.end(), h.begin(), h.end());
  return b;
}

}  // namespace

TEST_CASE("convert_model: the resource-exhaustion cases of issue 14 stop at once, in little memory") {
  REQUIRE_MESSAGE(access(kConvertModel.c_str(), X_OK) == 0, kConvertModel << " is not built");
  const std::string dir = make_temp_dir("ffnlp_convert_errors");
  // Before: (1000000000, 0) ran 25 s and took 5.5 GB; (2^62, 0) threw
  // vector::_M_default_append; the 4 MB zip declaring 4 GiB took 37 s and
  // 8.4 GB. Each now fails within seconds and a few tens of MB (under ASan
  // too).
  const Bytes big_empty = empty_npy("(1000000000, 0)");
  REQUIRE(big_empty.size() == 128);
  write_bytes(dir + "/x.npy", big_empty);
  write_bytes(dir + "/y.npy", empty_npy("(4611686018427387904, 0)"));
  // The member's deflate stream honestly expands to 4 GiB (about 4 MB of
  // it); only its CRC field is not computed (nothing gets that far).
  const uint64_t four_gib = uint64_t{4} << 30;
  const Bytes bomb = zip_deflated("x.npy", testing::deflate_zeros(four_gib), four_gib, 0);
  REQUIRE(bomb.size() < 4300000);
  write_bytes(dir + "/bomb.npz", bomb);
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{dir + "/x.npy"}, "array 'x' has shape (1000000000, 0), which holds no values"},
      {{dir + "/y.npy"}, "array 'y' has shape (4611686018427387904, 0), which holds no values"},
      {{dir + "/bomb.npz"},
       dir + "/bomb.npz: members declare 4294967296 bytes uncompressed in total (the largest, 'x.npy', 4294967296), "
             "more than the limit of 1073741824 bytes (--max-bytes)"},
  };
  // The peak a run that reads nothing reaches from this parent (see
  // ChildResult::max_rss_kb): each case may add little to it.
  const ChildResult idle = run_program(kConvertModel, {"--help"}, 20);
  REQUIRE(idle.exited_with(0));
  for (const Case& c : cases) {
    CAPTURE(c.args[0]);
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"-o", dir + "/out.ffm", "--quiet"});
    const ChildResult r = run_program(kConvertModel, args, 20);
    CHECK_MESSAGE(r.exited_with(1), r.describe());
    CHECK(r.err == "convert_model: error: " + c.message + "\n");
    CHECK_MESSAGE(r.seconds < 10, r.seconds);
    CHECK_MESSAGE(r.max_rss_kb - idle.max_rss_kb < 100 * 1024, r.max_rss_kb << " KB, idle run " << idle.max_rss_kb << " KB");
  }
  remove_tree(dir);
}

TEST_CASE("convert_model: --max-bytes caps files and decompressed arrays") {
  REQUIRE_MESSAGE(access(kConvertModel.c_str(), X_OK) == 0, kConvertModel << " is not built");
  const std::string dir = make_temp_dir("ffnlp_convert_errors");
  // An honest bomb, CRC and all: 16 MiB of zeros in about 16 KB.
  const uint64_t n = uint64_t{16} << 20;
  const Bytes zeros(static_cast<size_t>(n), 0);
  write_bytes(dir + "/bomb.npz", zip_deflated("z.npy", testing::deflate_zeros(n), n, crc32(zeros.data(), zeros.size())));
  CliRun r = run_cli({dir + "/bomb.npz", "-o", dir + "/out.ffm", "--max-bytes", "1M"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "convert_model: error: " + dir +
                     "/bomb.npz: members declare 16777216 bytes uncompressed in total (the largest, 'z.npy', 16777216), "
                     "more than the limit of 1048576 bytes (--max-bytes)\n");
  // Under a generous limit it really decompresses (and is not an .npy).
  r = run_cli({dir + "/bomb.npz", "-o", dir + "/out.ffm", "--max-bytes", "64M"});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("z.npy: not a .npy file") != std::string::npos, r.err);
  // A file over the limit.
  write_bytes(dir + "/in.npz", write_npz(small_arrays()));
  const std::string in = dir + "/in.npz";
  const size_t in_size = read_file_bytes(in).size();
  r = run_cli({in, "-o", dir + "/out.ffm", "--max-bytes", "100"});
  CHECK(r.err == "convert_model: error: " + in + ": file is " + std::to_string(in_size) +
                     " bytes, more than the limit of 100 bytes (--max-bytes)\n");
  // Arrays that together go over it: two files of 400 bytes of floats each.
  std::map<std::string, NpyArray> a;
  a["a"] = f32({100}, std::vector<float>(100, 1.0f));
  write_bytes(dir + "/a.npy", write_npy(a["a"]));
  write_bytes(dir + "/b.npy", write_npy(a["a"]));
  write_bytes(dir + "/b.npz", write_npz(a));
  r = run_cli({dir + "/a.npy", dir + "/b.npy", "-o", dir + "/out.ffm", "--max-bytes", "700"});
  CHECK(r.err == "convert_model: error: " + dir +
                     "/b.npy: array 'b' (400 bytes) takes the arrays read past the limit of 700 bytes (--max-bytes)\n");
  r = run_cli({dir + "/a.npy", dir + "/b.npz", "-o", dir + "/out.ffm", "--max-bytes", "700"});
  CHECK(r.err == "convert_model: error: " + dir +
                     "/b.npz: members declare 528 bytes uncompressed in total (the largest, 'a.npy', 528), more than the "
                     "limit of 300 bytes, what is left of (--max-bytes 700) after the inputs before it\n");
  // The library call counts the same way.
  CHECK_ERROR(read_array_files({in}, 100), in + ": file is " + std::to_string(in_size) + " bytes, more than the limit of 100 bytes");
  CHECK(read_array_files({in}, 1 << 20).size() == 2);
  CHECK(read_array_files({dir + "/a.npy", dir + "/b.npy"}, 800).size() == 2);
  for (const char* bad : {"abc", "0", "1X", "-5", "0x10", "1.5G", ""}) {
    CHECK(run_cli({in, "-o", dir + "/out.ffm", "--max-bytes", bad}).err ==
          std::string("convert_model: error: --max-bytes must be a positive number of bytes (e.g. 1073741824 or 1G), got '") + bad +
              "'\n");
  }
  CHECK(access((dir + "/out.ffm").c_str(), F_OK) != 0);
  remove_tree(dir);
}

TEST_CASE("convert_model: disk full while writing leaves the old file untouched") {
  REQUIRE_MESSAGE(access(kConvertModel.c_str(), X_OK) == 0, kConvertModel << " is not built");
  const std::string dir = make_temp_dir("ffnlp_convert_errors");
  std::map<std::string, NpyArray> big;
  big["table"] = f32({256, 64}, std::vector<float>(256 * 64, 0.25f));  // ~17 KB model
  write_bytes(dir + "/in.npz", write_npz(big));
  const std::string out = dir + "/out.ffm";
  const Bytes old = {'o', 'l', 'd', ' ', 'm', 'o', 'd', 'e', 'l'};
  write_bytes(out, old);
  // The child may write at most 4 KB per file: like a disk that fills up.
  const CliRun r = run_cli({dir + "/in.npz", "-o", out, "--quiet", "--force"}, 4096);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("convert_model: error: " + out + ": write failed: File too large") == 0, r.err);
  CHECK(read_file_bytes(out) == old);
  CHECK(list_dir(dir) == std::vector<std::string>{"in.npz", "out.ffm"});  // temp file removed
  remove_tree(dir);
}

TEST_CASE("convert_model: command-line mistakes exit 1 with a message") {
  REQUIRE_MESSAGE(access(kConvertModel.c_str(), X_OK) == 0, kConvertModel << " is not built");
  CHECK(run_cli({}).err == "convert_model: error: no input arrays given\n");
  CHECK(run_cli({"x.npz"}).err == "convert_model: error: no output file given (-o FILE)\n");
  CHECK(run_cli({"x.npz", "-o"}).err == "convert_model: error: -o needs a value\n");
  for (const char* bad : {"256", "-1", "+5", "0x80", "010", "12abc", "", " 7"}) {
    CHECK(run_cli({"x.npz", "--zero-point", bad, "-o", "y"}).err ==
          std::string("convert_model: error: --zero-point must be 0..255, got '") + bad + "'\n");
  }
  CHECK(run_cli({"x.npz", "--bogus"}).exit_code == 1);
  const CliRun r = run_cli({"/nonexistent/x.npz", "-o", "/tmp/never_written.ffm"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "convert_model: error: /nonexistent/x.npz: cannot open: No such file or directory\n");
  CHECK(access("/tmp/never_written.ffm", F_OK) != 0);
}

}  // TEST_SUITE

TEST_SUITE("bad-input matrix: model sizes") {

// Sizes near the 32/64-bit limits in a model file (the tensor-shape overflow
// is in test_model_format.cpp). Each is refused at load with its own message.
TEST_CASE("string and u32 arrays with counts near 2^32 in the metadata") {
  // A file whose only metadata entry is a string array / u32 array / string
  // with a crafted count; everything else valid.
  auto with_entry = [](uint32_t type, std::vector<uint32_t> words) {
    tools::ModelWriter w;
    w.add_tensor(testing::f32_tensor("t", 1, 1, {1.0f}, 1));
    w.set_string("a", std::string(40, 'x'));  // placeholder section, overwritten below
    Bytes b = w.build();
    const size_t meta = static_cast<size_t>(testing::get_u64(b.data() + format::kOffMetadataOffset));
    // Entry "a": key length 1, "a\0\0\0", type, value.
    Bytes entry = {1, 0, 0, 0, 'a', 0, 0, 0};
    for (int i = 0; i < 4; ++i) entry.push_back(static_cast<uint8_t>(type >> (8 * i)));
    for (uint32_t v : words)
      for (int i = 0; i < 4; ++i) entry.push_back(static_cast<uint8_t>(v >> (8 * i)));
    const uint64_t old_size = testing::get_u64(b.data() + format::kOffMetadataSize);
    REQUIRE(entry.size() <= old_size);
    // Keep the layout: only overwrite within the section, pad with zeros.
    Bytes section(static_cast<size_t>(old_size), 0);
    const size_t n_copy = std::min(entry.size(), section.size());
    std::copy(entry.begin(), entry.begin() + static_cast<std::ptrdiff_t>(n_copy), section.begin());
    std::copy(section.begin(), section.end(), b.begin() + static_cast<std::ptrdiff_t>(meta));
    testing::reseal(b);
    return b;
  };
  auto status_of = [](const Bytes& b, std::string* message) {
    Model m;
    Error e;
    const Status s = Model::load(b.data(), b.size(), &m, &e);
    *message = e.message;
    return s;
  };
  std::string message;
  // string array: count 0xFFFFFFFF ((count + 1) * 4 overflows 32 bits)
  CHECK(status_of(with_entry(4, {0xFFFFFFFFu, 0}), &message) == Status::kBadMetadata);
  CHECK_MESSAGE(message.find("string array of 4294967295 strings") != std::string::npos, message);
  // string array: blob size 0xFFFFFFFF
  CHECK(status_of(with_entry(4, {1, 0xFFFFFFFFu}), &message) == Status::kBadMetadata);
  CHECK_MESSAGE(message.find("runs past the section") != std::string::npos, message);
  // u32 array: count 0xFFFFFFFF (count * 4 overflows 32 bits)
  CHECK(status_of(with_entry(5, {0xFFFFFFFFu}), &message) == Status::kBadMetadata);
  CHECK_MESSAGE(message.find("array runs past the section") != std::string::npos, message);
  // string: length 0xFFFFFFFF (length + 1 overflows 32 bits)
  CHECK(status_of(with_entry(3, {0xFFFFFFFFu}), &message) == Status::kBadMetadata);
  CHECK_MESSAGE(message.find("string of 4294967295 bytes runs past the section") != std::string::npos, message);
}

TEST_CASE("an embedding wider than 65536 columns is refused by the loader") {
  tools::ModelWriter w;
  w.add_tensor(testing::q8_tensor("wide", 1, 65537, std::vector<float>(65537, 0.5f)));
  w.add_tensor(testing::f32_tensor("w", 1, 65537, std::vector<float>(65537, 0.0f)));
  w.add_tensor(testing::f32_tensor("b", 1, 1, {0.0f}, 1));
  w.set_string("general.task", "classifier");
  w.set_u32("channel.count", 1);
  w.set_string("channel.0.kind", "script");
  w.set_string("channel.0.embedding", "wide");
  w.set_u32("layer.count", 1);
  w.set_string("layer.0.weights", "w");
  w.set_string("layer.0.bias", "b");
  w.set_string("layer.0.activation", "softmax");
  w.set_strings("labels", {"x"});
  const Bytes b = w.build();
  Model m;
  Error e;
  CHECK(Model::load(b.data(), b.size(), &m, &e) == Status::kBadShape);
  CHECK_MESSAGE(std::string(e.message).find("channel 0: embedding 'wide' must be a matrix with < 2^32 rows and <= 65536 columns") !=
                    std::string::npos,
                e.message);
}

}  // TEST_SUITE
