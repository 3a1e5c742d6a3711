// Long texts (4096 bytes or more after max_bytes): rows are counted, then
// each distinct row is added once, times its count, in double. One scratch
// size for every text and API. Checked against a double-precision reference
// built from the public feature API's records, for stability as a repeated
// text grows to megabytes, and for the max_bytes cap.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "test_models.h"
#include "test_paths.h"

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
  std::vector<double> scratch((scratch_bytes + 7) / 8 + 1, 12345.0);  // garbage: must be cleared by the call
  std::vector<float> probs(model.label_count());
  REQUIRE(model.scores(text.data(), text.size(), scratch.data(), scratch_bytes, probs.data(), probs.size(), stats) ==
          Status::kOk);
  return probs;
}

// The tiny model's probabilities in double, from the rows the feature code
// emits (Model::text_features).
std::vector<double> long_text_reference(const TinyNetwork& n, const Model& model, const std::string& text) {
  const uint32_t dims[] = {TinyNetwork::kDims1, TinyNetwork::kDims2, TinyNetwork::kScriptDims};
  std::vector<std::vector<uint32_t>> rows(3);
  size_t count = 0;
  model.text_features(text.data(), text.size(), nullptr, 0, &count);
  std::vector<FeatureRef> refs(count);
  REQUIRE(model.text_features(text.data(), text.size(), refs.data(), refs.size(), &count) == Status::kOk);
  for (const FeatureRef& r : refs) rows[r.channel].push_back(r.row);
  std::vector<double> x;
  for (uint32_t c = 0; c < 3; ++c) {
    const TensorView& t = model.channel(c).embedding;
    for (uint32_t j = 0; j < dims[c]; ++j) {
      double sum = 0;
      for (uint32_t r : rows[c]) sum += t.at(r, j);
      x.push_back(rows[c].empty() ? 0.0 : sum / static_cast<double>(rows[c].size()));
    }
  }
  std::vector<double> h(TinyNetwork::kHidden), z(TinyNetwork::kLabels);
  for (uint32_t o = 0; o < h.size(); ++o) {
    double s = n.hidden_b[o];
    for (size_t i = 0; i < x.size(); ++i) s += n.hidden_w[o * x.size() + i] * x[i];
    h[o] = s > 0 ? s : 0;
  }
  double m = -1e300, total = 0;
  for (uint32_t o = 0; o < z.size(); ++o) {
    double s = n.out_b[o];
    for (uint32_t i = 0; i < h.size(); ++i) s += n.out_w[o * h.size() + i] * h[i];
    m = std::fmax(m, z[o] = s);
  }
  for (double& v : z) total += (v = std::exp(v - m));
  for (double& v : z) v /= total;
  return z;
}

}  // namespace

TEST_CASE("long texts: counted rows in double match a double-precision reference, short and long") {
  for (bool float_embeddings : {false, true}) {
    const TinyNetwork n = make_tiny_network(9, kScriptCount);
    const std::vector<uint8_t> bytes = build_tiny_model(n, float_embeddings);
    Model model;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
    CHECK(model.scratch_bytes_long_texts() == model.scratch_bytes());
    for (size_t size : {100u, 4095u, 4096u, 5000u, 200000u}) {
      const std::string text = long_text(size);
      TextStats stats;
      const std::vector<float> got = probs_with(model, text, model.scratch_bytes(), &stats);
      CHECK(stats.bytes_used == text.size());
      const std::vector<double> want = long_text_reference(n, model, text);
      for (size_t i = 0; i < got.size(); ++i) {
        INFO("float " << float_embeddings << " size " << size << " label " << i);
        CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE("long texts: one scratch size, whatever the length") {
  const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(10, kScriptCount));
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  Workspace ws(model);
  REQUIRE(ws.ok());
  CHECK(ws.size() == model.scratch_bytes());
  std::vector<double> scratch(model.scratch_bytes() / 8 + 1);
  float probs[3];
  for (size_t size : {10u, 50000u}) {
    const std::string text = long_text(size);
    CHECK(model.scores(text.data(), text.size(), scratch.data(), model.scratch_bytes() - 1, probs, 3) ==
          Status::kBufferTooSmall);
    CHECK(model.scores(text.data(), text.size(), scratch.data(), model.scratch_bytes(), probs, 3) == Status::kOk);
  }
  // Aligned for double.
  CHECK(model.scores("abc", 3, reinterpret_cast<char*>(scratch.data()) + 4, model.scratch_bytes(), probs, 3) ==
        Status::kInvalidArgument);
}

TEST_CASE("long texts: a repeated text keeps its probabilities from kilobytes to megabytes (no drift)") {
  MappedFile file;
  Model model;
  Error error;
  REQUIRE_MESSAGE(load_file(testing::source_path("models/langid.ffm").c_str(), &file, &model, &error) == Status::kOk, error.message);
  Workspace ws(model);
  const std::string sentence = "Le renard brun rapide saute par-dessus le chien paresseux, puis il s'endort. ";
  const int32_t fr = model.find_label("fr");
  REQUIRE(fr >= 0);
  std::vector<float> probs(model.label_count());
  float first = 0;
  for (size_t repeats : {60u, 1000u, 20000u, 100000u}) {  // 4.6 KB ... 7.7 MB
    std::string text;
    text.reserve(sentence.size() * repeats);
    for (size_t i = 0; i < repeats; ++i) text += sentence;
    REQUIRE(model.scores(text.data(), text.size(), ws.data(), ws.size(), probs.data(), probs.size()) == Status::kOk);
    INFO("repeats " << repeats << " p(fr) " << probs[fr]);
    if (repeats == 60) first = probs[fr];
    CHECK(probs[fr] > 0.5f);
    // The mean of identical repetitions is the same vector: only rounding of
    // the final float conversion may differ.
    CHECK(std::fabs(probs[fr] - first) <= 2e-6f);
  }
}

TEST_CASE("set_max_bytes caps the bytes read, whatever the path") {
  const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(11, kScriptCount));
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  const std::string text = long_text(100000);
  TextStats prefix_stats, capped_stats;
  const std::vector<float> prefix = probs_with(model, text.substr(0, 4096), model.scratch_bytes(), &prefix_stats);
  model.set_max_bytes(4096);
  CHECK(model.max_bytes() == 4096);
  const std::vector<float> capped = probs_with(model, text, model.scratch_bytes(), &capped_stats);
  CHECK(capped_stats.bytes_used == 4096);
  CHECK(capped_stats.letters == prefix_stats.letters);
  for (size_t i = 0; i < prefix.size(); ++i) CHECK(capped[i] == prefix[i]);
  model.set_max_bytes(0);
  TextStats all_stats;
  probs_with(model, text, model.scratch_bytes(), &all_stats);
  CHECK(all_stats.bytes_used == text.size());
}
