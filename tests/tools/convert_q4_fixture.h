// The small model both 4-bit converter tests convert (test_convert_q4.cpp,
// test_convert_q4_bf16.cpp): one char_ngram channel (embedding e1, with the
// caller's spec lines: bits, scales), an 8-bit script channel and a softmax
// layer over two labels.
#ifndef FFNLP_TESTS_TOOLS_CONVERT_Q4_FIXTURE_H_
#define FFNLP_TESTS_TOOLS_CONVERT_Q4_FIXTURE_H_

#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "test_models.h"
#include "tools/common/npy.h"

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
