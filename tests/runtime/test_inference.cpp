// End to end: the runtime's probabilities against a float reference written
// here, from the same feature occurrences (the public feature API) and the
// quantization formula.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "test_models.h"
#include "ffnlp/features.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

// Dequantized copy of a table, as the converter would have stored it.
std::vector<float> round_trip(const std::vector<float>& v, uint32_t rows, uint32_t cols) {
  std::vector<float> out(v.size());
  std::vector<uint8_t> q(cols);
  for (uint32_t r = 0; r < rows; ++r) {
    const float scale = quantize_row(v.data() + r * cols, cols, 128, Rounding::kHalfUp, q.data());
    for (uint32_t c = 0; c < cols; ++c) out[r * cols + c] = dequantize(q[c], scale, 128);
  }
  return out;
}

std::vector<double> reference_probs(const TinyNetwork& n, const std::string& text, bool quantized) {
  // The feature rows, from a features-only description of the same channels.
  tools::ModelWriter w;
  w.set_string("general.task", "features");
  std::vector<tools::ChannelMetadata> described(3);
  described[0].kind = "char_ngram";
  described[0].order = 1;
  described[0].seed = 7;
  described[0].buckets = TinyNetwork::kBuckets1;
  described[0].dims = TinyNetwork::kDims1;
  described[1].kind = "char_ngram";
  described[1].order = 2;
  described[1].seed = 11;
  described[1].buckets = TinyNetwork::kBuckets2;
  described[1].dims = TinyNetwork::kDims2;
  described[2].kind = "script";
  described[2].buckets = n.script_rows;
  described[2].dims = TinyNetwork::kScriptDims;
  tools::write_features(w, tools::TextMetadata(), described);
  const std::vector<uint8_t> feature_file = w.build();
  Model features;
  REQUIRE(Model::load(feature_file.data(), feature_file.size(), &features, nullptr) == Status::kOk);
  const uint32_t dims[] = {TinyNetwork::kDims1, TinyNetwork::kDims2, TinyNetwork::kScriptDims};
  const std::vector<float> tables[] = {
      quantized ? round_trip(n.emb1, TinyNetwork::kBuckets1, dims[0]) : n.emb1,
      quantized ? round_trip(n.emb2, TinyNetwork::kBuckets2, dims[1]) : n.emb2,
      quantized ? round_trip(n.emb_script, n.script_rows, dims[2]) : n.emb_script};
  std::vector<std::vector<uint32_t>> buckets(3);
  std::vector<FeatureRef> refs(4096);
  size_t count = 0;
  REQUIRE(features.text_features(text.data(), text.size(), refs.data(), refs.size(), &count) == Status::kOk);
  for (size_t i = 0; i < count; ++i) buckets[refs[i].channel].push_back(refs[i].row);
  std::vector<double> x;
  for (int c = 0; c < 3; ++c) {
    for (uint32_t j = 0; j < dims[c]; ++j) {
      double sum = 0;
      for (uint32_t b : buckets[c]) sum += tables[c][b * dims[c] + j];
      x.push_back(buckets[c].empty() ? 0.0 : sum / static_cast<double>(buckets[c].size()));
    }
  }
  std::vector<double> h(TinyNetwork::kHidden);
  for (uint32_t o = 0; o < TinyNetwork::kHidden; ++o) {
    double s = n.hidden_b[o];
    for (size_t i = 0; i < x.size(); ++i) s += n.hidden_w[o * x.size() + i] * x[i];
    h[o] = s > 0 ? s : 0;
  }
  std::vector<double> logits(TinyNetwork::kLabels);
  double max_logit = -1e300;
  for (uint32_t o = 0; o < TinyNetwork::kLabels; ++o) {
    double s = n.out_b[o];
    for (uint32_t i = 0; i < TinyNetwork::kHidden; ++i) s += n.out_w[o * TinyNetwork::kHidden + i] * h[i];
    logits[o] = s;
    max_logit = std::fmax(max_logit, s);
  }
  double z = 0;
  for (double& l : logits) z += (l = std::exp(l - max_logit));
  for (double& l : logits) l /= z;
  return logits;
}

const char* const kInferenceTexts[] = {
    "hello world", "Grüße aus Köln!", "Привет, мир", "a", "ab ab ab ab", "მშვიდობა", "日本語のテキスト",
    "mixed Latin и кириллица 123", "x\xff\xfey", "  many   spaces\tand\nlines  ",
};

}  // namespace

TEST_CASE("quantized and float models match a float reference computed here") {
  for (bool float_embeddings : {false, true}) {
    const TinyNetwork n = make_tiny_network(5, kScriptCount);
    const std::vector<uint8_t> bytes = build_tiny_model(n, float_embeddings);
    Model model;
    Error error;
    REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk, error.message);
    Workspace workspace(model);
    REQUIRE(workspace.ok());
    for (const char* text : kInferenceTexts) {
      CAPTURE(text);
      CAPTURE(float_embeddings);
      float probs[TinyNetwork::kLabels];
      TextStats stats;
      REQUIRE(model.scores(text, std::strlen(text), workspace.data(), workspace.size(), probs, 3, &stats) == Status::kOk);
      REQUIRE(stats.letters > 0);
      const std::vector<double> expected = reference_probs(n, text, !float_embeddings);
      double total = 0;
      for (uint32_t i = 0; i < 3; ++i) {
        CHECK(probs[i] == doctest::Approx(expected[i]).epsilon(1e-4));
        total += probs[i];
      }
      CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
      Prediction top[3];
      size_t count = 0;
      REQUIRE(model.classify(text, std::strlen(text), workspace, top, 3, &count) == Status::kOk);
      REQUIRE(count == 3);
      CHECK(top[0].probability >= top[1].probability);
      CHECK(top[1].probability >= top[2].probability);
      CHECK(top[0].probability == probs[top[0].label_index]);
      CHECK(std::string(top[0].label) == model.label(top[0].label_index));
      CHECK(top[0].reliable == (top[0].probability >= 0.7f));
    }
  }
}

TEST_CASE("text without letters gives the unknown label, probability 0") {
  const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(3, kScriptCount));
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  Workspace workspace(model);
  for (const char* text : {"", "   ", "12345", "!!! ... ???", "\xff\xfe\xfd"}) {
    CAPTURE(text);
    Prediction top[2];
    size_t count = 9;
    TextStats stats;
    REQUIRE(model.classify(text, std::strlen(text), workspace, top, 2, &count, &stats) == Status::kOk);
    CHECK(stats.letters == 0);
    REQUIRE(count == 1);
    CHECK(std::string(top[0].label) == "und");
    CHECK(top[0].label_index == kNoLabel);
    CHECK(top[0].probability == 0.0f);
    CHECK_FALSE(top[0].reliable);
  }
  CHECK(model.classify(nullptr, 0, workspace.data(), workspace.size(), nullptr, 0, nullptr) == Status::kInvalidArgument);
}

TEST_CASE("scratch checks and tensor-only models") {
  const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(4, kScriptCount));
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  std::vector<float> scratch(model.scratch_bytes() / sizeof(float));
  float probs[3];
  CHECK(model.scores("abc", 3, scratch.data(), scratch.size() * sizeof(float) - 4, probs, 3) == Status::kBufferTooSmall);
  CHECK(model.scores("abc", 3, nullptr, 0, probs, 3) == Status::kInvalidArgument);
  CHECK(model.scores("abc", 3, scratch.data(), model.scratch_bytes(), probs, 2) == Status::kInvalidArgument);
  CHECK(model.scores(nullptr, 3, scratch.data(), model.scratch_bytes(), probs, 3) == Status::kInvalidArgument);

  tools::ModelWriter w;
  w.add_tensor(q8_tensor("table", 2, 3, {1, 2, 3, 0, 0, 0}));
  const std::vector<uint8_t> plain = w.build();
  Model tensors_only;
  REQUIRE(Model::load(plain.data(), plain.size(), &tensors_only, nullptr) == Status::kOk);
  CHECK_FALSE(tensors_only.is_classifier());
  CHECK(tensors_only.scratch_bytes() == 0);
  Prediction top[1];
  size_t count = 0;
  CHECK(tensors_only.classify("abc", 3, scratch.data(), scratch.size(), top, 1, &count) == Status::kNotClassifier);
  CHECK(tensors_only.find_tensor("table")->at(0, 2) == doctest::Approx(3.0f));
  CHECK(tensors_only.find_tensor("table")->at(1, 1) == 0.0f);
}

TEST_CASE("a model with more script buckets than scripts is fine, fewer are clamped") {
  // The script channel's rows are indexed by Script id; a table with fewer
  // rows maps the rest to its last row (as text_features.h documents).
  const TinyNetwork n = make_tiny_network(6, 4);
  const std::vector<uint8_t> bytes = build_tiny_model(n);
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  Workspace workspace(model);
  float probs[3];
  const char* text = "日本語 and ελληνικά";
  REQUIRE(model.scores(text, std::strlen(text), workspace.data(), workspace.size(), probs, 3) == Status::kOk);
  const std::vector<double> expected = reference_probs(n, text, true);
  for (int i = 0; i < 3; ++i) CHECK(probs[i] == doctest::Approx(expected[i]).epsilon(1e-4));
}
