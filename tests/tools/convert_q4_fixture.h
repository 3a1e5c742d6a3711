// The small model the 4- and 3-bit converter tests convert
// (test_convert_q4.cpp, test_convert_q4_bf16.cpp, test_convert_q3.cpp): one
// char_ngram channel (embedding e1, with the caller's spec lines: bits,
// scales), an 8-bit script channel and a softmax layer over two labels; and
// a tensor's table entry read from a file's bytes.
#ifndef FFNLP_TESTS_TOOLS_CONVERT_Q4_FIXTURE_H_
#define FFNLP_TESTS_TOOLS_CONVERT_Q4_FIXTURE_H_

#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "temp_files.h"
#include "test_models.h"
#include "test_paths.h"
#include "test_process.h"
#include "tools/common/file_io.h"
#include "tools/common/npy.h"
#include "tools/common/npz.h"

namespace ffnlp {
namespace testing {

inline std::string q4_spec(const std::string& e1_lines, const std::string& name = "q4") {
  return "[model]\ntask = classifier\nname = " + name +
         "\n"
         "[channel]\nkind = char_ngram\norder = 1\nseed = 7\nembedding = e1\n" +
         e1_lines +
         "[channel]\nkind = script\nembedding = es\n"
         "[layer]\nweights = w\nbias = b\nactivation = softmax\n"
         "[labels]\nen\tEnglish\nfr\tFrench\n";
}

// e1 (rows, cols) as given; the other arrays drawn from `seed`.
inline std::map<std::string, tools::NpyArray> q4_arrays(uint64_t rows, uint64_t cols, const std::vector<float>& e1,
                                                        uint32_t seed = 11) {
  std::mt19937 rng(seed);
  std::map<std::string, tools::NpyArray> a;
  a["e1"] = tools::make_npy_f32({rows, cols}, e1.data());
  const std::vector<float> es = random_values(rng, kScriptCount * 2, 1.0f);
  a["es"] = tools::make_npy_f32({kScriptCount, 2}, es.data());
  const std::vector<float> w = random_values(rng, 2 * (cols + 2), 1.0f);
  a["w"] = tools::make_npy_f32({2, cols + 2}, w.data());
  const std::vector<float> b = {0.1f, -0.1f};
  a["b"] = tools::make_npy_f32({2}, b.data());
  return a;
}

// The file's own fields, read from its bytes (docs/FORMAT.md §2), so the
// layout is checked independently of the runtime's views.
inline uint64_t le_at(const std::vector<uint8_t>& b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(b.at(at + i)) << (8 * i);
  return v;
}

struct RawEntry {
  uint32_t dtype = 0, zero_point = 0;
  uint64_t rows = 0, cols = 0, data_offset = 0, data_size = 0, scales_offset = 0, scales_size = 0;
};

inline RawEntry raw_entry(const std::vector<uint8_t>& b, const std::string& name) {
  const uint64_t table = le_at(b, 24, 8), count = le_at(b, 32, 4);
  for (uint64_t k = 0; k < count; ++k) {
    const size_t e = table + 128 * k;
    if (std::string(reinterpret_cast<const char*>(&b.at(e))) != name) continue;
    RawEntry r;
    r.dtype = static_cast<uint32_t>(le_at(b, e + 64, 4));
    r.zero_point = static_cast<uint32_t>(le_at(b, e + 72, 4));
    r.rows = le_at(b, e + 80, 8);
    r.cols = le_at(b, e + 88, 8);
    r.data_offset = le_at(b, e + 96, 8);
    r.data_size = le_at(b, e + 104, 8);
    r.scales_offset = le_at(b, e + 112, 8);
    r.scales_size = le_at(b, e + 120, 8);
    return r;
  }
  FAIL("no tensor '" << name << "' in the file");
  return RawEntry();
}

// arrays with e1 replaced by an already quantized table (uint8, 2 x 4, and
// its scales), which no `bits` other than 8 can take.
inline void make_e1_quantized(std::map<std::string, tools::NpyArray>* arrays) {
  tools::NpyArray q;
  q.shape = {2, 4};
  q.dtype = "|u1";
  q.raw.assign(8, 128);
  (*arrays)["e1"] = q;
  const std::vector<float> scales = {1.0f, 1.0f};
  (*arrays)["e1_scales"] = tools::make_npy_f32({2}, scales.data());
}

// ffm_to_npz.py's round trip of two packed tables stored as `lines` say
// (e.g. "bits = 3\nscales = bf16\n"): e1 (50, 7) with a row of zeros, one of
// subnormal values, row2 as given and a value near the float32 limit; e2
// (30, 16). Converted with convert_model, exported with ffm_to_npz.py (its
// e1 as read back: exported_e1), converted again with the same spec.
struct NpzRoundTrip {
  std::vector<uint8_t> original, again;
  std::map<std::string, tools::NpyArray> exported;
  std::vector<float> exported_e1;
};

inline NpzRoundTrip npz_round_trip(const std::string& name, const std::string& lines, const float (&row2)[7],
                                   uint32_t seed) {
  TempDir dir(name);
  std::mt19937 rng(seed);
  const uint64_t rows = 50, cols = 7, rows2 = 30, cols2 = 16;
  std::vector<float> e1 = random_values(rng, rows * cols, 2.0f);
  for (uint64_t c = 0; c < cols; ++c) e1[c] = 0.0f;            // row 0: zeros
  for (uint64_t c = 0; c < cols; ++c) e1[cols + c] *= 1e-39f;  // row 1: subnormal values
  for (uint64_t c = 0; c < cols; ++c) e1[2 * cols + c] = row2[c];
  e1[3 * cols] = -3.0e38f;  // row 3: near the limit, negative
  const std::vector<float> e2 = random_values(rng, rows2 * cols2, 0.1f);
  std::map<std::string, tools::NpyArray> arrays = q4_arrays(rows, cols, e1, seed);
  arrays["e2"] = tools::make_npy_f32({rows2, cols2}, e2.data());
  std::vector<float> w = random_values(rng, 2 * (cols + cols2 + 2), 1.0f);
  arrays["w"] = tools::make_npy_f32({2, cols + cols2 + 2}, w.data());
  const std::string spec = "[model]\ntask = classifier\nname = " + name +
                           "\n[channel]\nkind = char_ngram\norder = 1\nseed = 7\nembedding = e1\n" + lines +
                           "[channel]\nkind = char_ngram\norder = 2\nseed = 8\nembedding = e2\n" + lines +
                           "[channel]\nkind = script\nembedding = es\n"
                           "[layer]\nweights = w\nbias = b\nactivation = softmax\n"
                           "[labels]\nen\tEnglish\nfr\tFrench\n";
  dir.write("m.spec", spec);
  const std::vector<uint8_t> npz = tools::write_npz(arrays);
  dir.write("float.npz", std::string(npz.begin(), npz.end()));
  const std::string first = dir.path + "/first.ffm", exported = dir.path + "/exported.npz", again = dir.path + "/again.ffm";
  const ChildResult c1 = run_program(tool_path("convert_model"),
                                     {dir.path + "/float.npz", "--spec", dir.path + "/m.spec", "-o", first, "--quiet", "--force"}, 60);
  REQUIRE_MESSAGE(c1.exited_with(0), c1.describe());
  NpzRoundTrip r;
  r.original = tools::read_file_bytes(first);
  const ChildResult x =
      run_program("/usr/bin/python3", {source_path("tools/convert_model/ffm_to_npz.py"), first, exported}, 60);
  REQUIRE_MESSAGE(x.exited_with(0), x.describe());
  r.exported = tools::read_npz(tools::read_file_bytes(exported), exported);
  REQUIRE(r.exported.count("e1") == 1);
  r.exported_e1 = tools::to_float32(r.exported.at("e1"), "e1");
  const ChildResult c2 = run_program(tool_path("convert_model"),
                                     {exported, "--spec", dir.path + "/m.spec", "-o", again, "--quiet", "--force"}, 60);
  REQUIRE_MESSAGE(c2.exited_with(0), c2.describe());
  r.again = tools::read_file_bytes(again);
  return r;
}

// convert_model (not quiet) on e1 (rows, cols) stored as `lines` say (the
// model named `name`, the other arrays from `seed`), then inspect_model on
// the file, and on it with --dump e1: each one's output.
struct ToolOutputs {
  std::string convert, inspect, dump;
};

inline ToolOutputs convert_and_inspect(const std::string& name, uint64_t rows, uint64_t cols,
                                       const std::vector<float>& e1, uint32_t seed, const std::string& lines) {
  TempDir dir(name + "_tools");
  const std::vector<uint8_t> npz = tools::write_npz(q4_arrays(rows, cols, e1, seed));
  dir.write("f.npz", std::string(npz.begin(), npz.end()));
  dir.write("m.spec", q4_spec(lines, name));
  const std::string model = dir.path + "/m.ffm";
  const ChildResult c =
      run_program(tool_path("convert_model"), {dir.path + "/f.npz", "--spec", dir.path + "/m.spec", "-o", model, "--force"}, 60);
  REQUIRE_MESSAGE(c.exited_with(0), c.describe());
  const ChildResult i = run_program(tool_path("inspect_model"), {model}, 60);
  REQUIRE_MESSAGE(i.exited_with(0), i.describe());
  const ChildResult d = run_program(tool_path("inspect_model"), {model, "--dump", "e1"}, 60);
  REQUIRE_MESSAGE(d.exited_with(0), d.describe());
  return {c.out, i.out, d.out};
}

// The caller keeps `bytes` alive while the model is used (it views them).
inline Model load_converted(const std::vector<uint8_t>& bytes) {
  Model m;
  Error e;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kOk, e.message);
  return m;
}

}  // namespace testing
}  // namespace ffnlp

#endif  // FFNLP_TESTS_TOOLS_CONVERT_Q4_FIXTURE_H_
