// Long texts: the counting path (scratch_bytes_long_texts(), texts of 4096
// bytes or more) against the per-occurrence path (scratch_bytes()), and the
// max_bytes cap.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "test_models.h"
#include "features/text_features.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

std::string long_text(size_t bytes) {
  const char* const parts[] = {"Grüße aus Köln, ", "привет мир ", "日本語のテキスト ", "hello world 123 ",
                               "მშვიდობა ", "x\xff\xfey ", "abcabcabcabcabcabc "};
  std::string t;
  for (size_t i = 0; t.size() < bytes; ++i) t += parts[(i * 7 + i / 3) % 7];
  return t;
}

std::vector<float> probs_with(const Model& model, const std::string& text, size_t scratch_bytes, TextStats* stats) {
  std::vector<float> scratch((scratch_bytes + 3) / 4 + 1, 12345.0f);  // garbage: must be cleared by the call
  std::vector<float> probs(model.label_count());
  REQUIRE(model.scores(text.data(), text.size(), scratch.data(), scratch_bytes, probs.data(), probs.size(), stats) ==
          Status::kOk);
  return probs;
}

}  // namespace

TEST_CASE("long texts: counting rows gives the per-occurrence result") {
  for (bool float_embeddings : {false, true}) {
    const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(9, kScriptCount), float_embeddings);
    Model model;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
    CHECK(model.scratch_bytes_long_texts() > model.scratch_bytes());
    for (size_t size : {4095u, 4096u, 5000u, 200000u}) {
      const std::string text = long_text(size);
      TextStats direct_stats, counted_stats;
      const std::vector<float> direct = probs_with(model, text, model.scratch_bytes(), &direct_stats);
      const std::vector<float> counted = probs_with(model, text, model.scratch_bytes_long_texts(), &counted_stats);
      CHECK(direct_stats.letters == counted_stats.letters);
      CHECK(direct_stats.bytes_used == counted_stats.bytes_used);
      for (size_t i = 0; i < direct.size(); ++i) {
        INFO("float " << float_embeddings << " size " << size << " label " << i);
        CHECK(std::fabs(direct[i] - counted[i]) <= 1e-4f);
      }
    }
  }
}

TEST_CASE("long texts: Workspace takes the counting path; classify agrees") {
  const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(10, kScriptCount));
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  Workspace ws(model);
  REQUIRE(ws.ok());
  CHECK(ws.size() >= model.scratch_bytes_long_texts());
  const std::string text = long_text(50000);
  Prediction top[3], top_direct[3];
  size_t n = 0, n_direct = 0;
  REQUIRE(model.classify(text.data(), text.size(), ws, top, 3, &n) == Status::kOk);
  std::vector<float> scratch(model.scratch_bytes() / 4 + 1);
  REQUIRE(model.classify(text.data(), text.size(), scratch.data(), model.scratch_bytes(), top_direct, 3, &n_direct) ==
          Status::kOk);
  REQUIRE(n == 3);
  REQUIRE(n_direct == 3);
  for (size_t i = 0; i < 3; ++i) CHECK(top[i].probability == doctest::Approx(top_direct[i].probability).epsilon(1e-4));
  CHECK(top[0].label_index == top_direct[0].label_index);
}

TEST_CASE("set_max_bytes caps the bytes read, whatever the path") {
  const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(11, kScriptCount));
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  const std::string text = long_text(100000);
  TextStats prefix_stats, capped_stats;
  const std::vector<float> prefix = probs_with(model, text.substr(0, 4096), model.scratch_bytes_long_texts(), &prefix_stats);
  model.set_max_bytes(4096);
  CHECK(model.max_bytes() == 4096);
  const std::vector<float> capped = probs_with(model, text, model.scratch_bytes_long_texts(), &capped_stats);
  CHECK(capped_stats.bytes_used == 4096);
  CHECK(capped_stats.letters == prefix_stats.letters);
  for (size_t i = 0; i < prefix.size(); ++i) CHECK(capped[i] == prefix[i]);
  model.set_max_bytes(0);
  TextStats all_stats;
  probs_with(model, text, model.scratch_bytes_long_texts(), &all_stats);
  CHECK(all_stats.bytes_used == text.size());
}
