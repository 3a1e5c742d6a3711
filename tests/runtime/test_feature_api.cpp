// The public feature API for trainers (Model::text_features,
// ffnlp_text_features, channel descriptors) and features-only model files:
// only public headers here, as an outside trainer would use them. The
// golden rows are the ones test_feature_kinds.cpp checks on the internals.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/ffnlp_c.h"
#include "test_models.h"
#include "test_paths.h"
#include "tools/convert_model/converter.h"

using namespace ffnlp;

namespace {

const char kFeaturesSpec[] = R"([model]
name = golden features
[text]
lowercase = 1
[channel]
kind = word
seed = 7
buckets = 1000
dims = 8
[channel]
kind = prefix
length = 3
seed = 5
buckets = 1000
dims = 4
pooling = sum
[channel]
kind = suffix
length = 3
seed = 5
buckets = 1000
dims = 4
[channel]
kind = shape
dims = 2
[channel]
kind = ids
buckets = 12
dims = 3
)";

std::vector<uint8_t> features_file() {
  tools::ConvertOptions options;
  options.spec_text = kFeaturesSpec;
  return tools::convert({}, options);  // no arrays: a features-only file
}

std::vector<FeatureRef> features_of(const Model& m, const std::string& text) {
  size_t needed = 0;
  const Status probe = m.text_features(text.data(), text.size(), nullptr, 0, &needed);
  CHECK(probe == (needed == 0 ? Status::kOk : Status::kBufferTooSmall));
  std::vector<FeatureRef> refs(needed);
  size_t count = 0;
  REQUIRE(m.text_features(text.data(), text.size(), refs.data(), refs.size(), &count) == Status::kOk);
  REQUIRE(count == needed);
  return refs;
}

std::vector<uint32_t> rows(const std::vector<FeatureRef>& refs, uint32_t channel) {
  std::vector<uint32_t> out;
  for (const FeatureRef& r : refs) {
    if (r.channel == channel) out.push_back(r.row);
  }
  return out;
}

}  // namespace

TEST_CASE("feature api: a features-only file (no arrays, task features) describes the channels") {
  const std::vector<uint8_t> bytes = features_file();
  Model m;
  Error e;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kOk, e.message);
  CHECK(std::string(m.task()) == "features");
  CHECK(m.tensor_count() == 0);
  CHECK(m.format_version() == 2);
  CHECK(m.has_features());
  CHECK_FALSE(m.is_classifier());
  CHECK(m.scratch_bytes() == 0);
  CHECK(m.features_version() == kFeaturesVersion);
  REQUIRE(m.channel_count() == 5);
  CHECK(m.channel(0).kind == FeatureKind::kWord);
  CHECK(m.channel(1).pooling == Pooling::kSum);
  CHECK(m.channel(3).buckets == kShapeRows);
  CHECK(m.channel(3).embedding.rank == 0);
  CHECK(m.input_width() == 8 + 4 + 4 + 2 + 3);
  CHECK(m.channel(4).input_offset == 18);
  Prediction top[1];
  size_t n = 0;
  CHECK(m.classify("abc", 3, nullptr, 0, top, 1, &n) == Status::kNotClassifier);
}

TEST_CASE("feature api: golden rows and pooling weights through Model::text_features") {
  const std::vector<uint8_t> bytes = features_file();
  Model m;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &m, nullptr) == Status::kOk);
  const std::vector<FeatureRef> refs = features_of(m, "Hello, w\xC3\xB6rld! hello");
  CHECK(rows(refs, 0) == std::vector<uint32_t>{122, 111, 122});  // word
  CHECK(rows(refs, 4).empty());                                   // ids: the caller's
  for (const FeatureRef& r : refs) {
    CHECK(r.slot == 0);
    if (r.channel == 1) CHECK(r.weight == 1.0f);           // sum pooling
    if (r.channel == 0) CHECK(r.weight == 1.0f / 3.0f);    // mean: 1/occurrences
  }
  const std::vector<FeatureRef> affixes = features_of(m, "Tokenization is fun");
  CHECK(rows(affixes, 1) == std::vector<uint32_t>{492, 275, 860});
  CHECK(rows(affixes, 2) == std::vector<uint32_t>{510, 275, 860});
  CHECK(rows(affixes, 3) == std::vector<uint32_t>{2 * 20 + 0 + 3, 1 * 20 + 0 + 1, 1 * 20 + 0 + 1});  // Title, lower, lower
  // Too small a buffer: the first records, kBufferTooSmall and the count needed.
  FeatureRef two[2];
  size_t count = 0;
  CHECK(m.text_features("Tokenization is fun", 19, two, 2, &count) == Status::kBufferTooSmall);
  CHECK(count == affixes.size());
  CHECK(two[0].row == affixes[0].row);
  CHECK(two[1].weight == affixes[1].weight);
  CHECK(m.text_features(nullptr, 3, two, 2, &count) == Status::kInvalidArgument);
  CHECK(m.text_features("a", 1, nullptr, 2, &count) == Status::kInvalidArgument);
  CHECK(m.text_features("", 0, nullptr, 0, &count) == Status::kOk);
  CHECK(count == 0);
}

TEST_CASE("feature api: the C API gives the same records and describes the channels") {
  const std::vector<uint8_t> bytes = features_file();
  Model m;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &m, nullptr) == Status::kOk);
  ffnlp_model* cm = nullptr;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &cm, nullptr) == FFNLP_OK);
  CHECK(ffnlp_model_is_classifier(cm) == 0);
  CHECK(ffnlp_model_scratch_size(cm) == 0);
  CHECK(ffnlp_model_features_version(cm) == kFeaturesVersion);
  CHECK(ffnlp_model_channel_count(cm) == 5);
  ffnlp_channel_info info;
  std::memset(&info, 0xAB, sizeof info);
  info.struct_size = sizeof info;
  REQUIRE(ffnlp_model_channel(cm, 2, &info) == FFNLP_OK);
  CHECK(info.kind == FFNLP_KIND_SUFFIX);
  CHECK(std::string(info.kind_name) == "suffix");
  CHECK(info.length == 3);
  CHECK(info.seed == 5);
  CHECK(info.buckets == 1000);
  CHECK(info.dims == 4);
  CHECK(info.pooling == FFNLP_POOLING_MEAN);
  CHECK(info.input_offset == 12);
  CHECK(info.slots == 1);
  CHECK(info.reserved[0] == 0);
  CHECK(ffnlp_model_channel(cm, 5, &info) == FFNLP_INVALID_ARGUMENT);
  info.struct_size = 8;
  CHECK(ffnlp_model_channel(cm, 0, &info) == FFNLP_INVALID_ARGUMENT);
  CHECK(ffnlp_feature_kind_count() == feature_kind_count());
  CHECK(std::string(ffnlp_feature_kind_name(FFNLP_KIND_WORD)) == "word");
  CHECK(std::string(ffnlp_feature_kind_name(99)).empty());
  const char* text = "Grüße aus Köln, Tokenization is fun";
  const std::vector<FeatureRef> want = features_of(m, text);
  std::vector<ffnlp_feature> got(want.size() + 3);
  size_t count = 0;
  REQUIRE(ffnlp_text_features(cm, text, FFNLP_NUL_TERMINATED, got.data(), got.size(), &count) == FFNLP_OK);
  REQUIRE(count == want.size());
  for (size_t i = 0; i < count; ++i) {
    CHECK(got[i].channel == want[i].channel);
    CHECK(got[i].slot == want[i].slot);
    CHECK(got[i].row == want[i].row);
    CHECK(got[i].weight == want[i].weight);
  }
  CHECK(ffnlp_text_features(cm, text, FFNLP_NUL_TERMINATED, got.data(), 1, &count) == FFNLP_BUFFER_TOO_SMALL);
  CHECK(count == want.size());
  ffnlp_model_free(cm);
}

TEST_CASE("feature api: the records rebuild the shipped model's input vector; the network on it gives its scores") {
  MappedFile file;
  Model m;
  Error e;
  REQUIRE_MESSAGE(load_file(testing::source_path("models/langid.ffm").c_str(), &file, &m, &e) == Status::kOk, e.message);
  Workspace ws(m);
  // Texts whose answer is in no neighbour-words group (a group's answers
  // get word scores on top of the network: tests/runtime/test_neighbour_words.cpp).
  for (const char* text : {"A gyors barna r\xC3\xB3ka \xC3\xA1tugrik a lusta kutya felett.", "Η γρήγορη καφέ αλεπού",
                           "駅はどこですか"}) {
    CAPTURE(text);
    const std::vector<FeatureRef> refs = features_of(m, text);
    std::vector<double> x(m.input_width(), 0.0);
    for (const FeatureRef& r : refs) {
      const ChannelInfo& c = m.channel(r.channel);
      REQUIRE(r.row < c.buckets);
      for (uint32_t j = 0; j < c.dims; ++j) x[c.input_offset + j] += r.weight * c.embedding.at(r.row, j);
    }
    for (uint32_t l = 0; l < m.layer_count(); ++l) {
      const LayerInfo& layer = m.layer(l);
      std::vector<double> y(layer.out);
      for (uint32_t o = 0; o < layer.out; ++o) {
        double s = layer.bias.at(o, 0);
        for (uint32_t i = 0; i < layer.in; ++i) s += layer.weight(o, i) * x[i];
        y[o] = layer.activation == Activation::kRelu && s < 0 ? 0 : s;
      }
      x = y;
    }
    for (uint32_t i = 0; i < m.label_count(); ++i) x[i] += m.log_prior(i);  // the model's prior (0 without one)
    double mx = -1e300, total = 0;
    for (double v : x) mx = std::fmax(mx, v);
    for (double& v : x) total += (v = std::exp(v - mx));
    std::vector<float> probs(m.label_count());
    REQUIRE(m.scores(text, std::strlen(text), ws.data(), ws.size(), probs.data(), probs.size()) == Status::kOk);
    // 2e-3 relative: the 8-bit layers' integer kernel rounds each activation
    // to 1/65534 of the largest (network/dense_q8_int.h); 5e-4 measured here.
    for (uint32_t i = 0; i < m.label_count(); ++i) CHECK(probs[i] == doctest::Approx(x[i] / total).epsilon(2e-3).scale(1e-6));
  }
}

TEST_CASE("feature api: caller ids through the C API (ffnlp_classify_ids) give the C++ answers") {
  const std::vector<uint8_t> bytes = testing::build_kinds_model(testing::make_kinds_network(6));
  Model m;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &m, nullptr) == Status::kOk);
  ffnlp_model* cm = nullptr;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &cm, nullptr) == FFNLP_OK);
  std::vector<double> scratch(ffnlp_model_scratch_size(cm) / 8 + 1);
  Workspace ws(m);
  const uint32_t ids[] = {1, 7, 19};
  ffnlp_channel_ids cids;
  cids.channel = 6;
  cids.reserved = 0;
  cids.ids = ids;
  cids.count = 3;
  ChannelIds channel_ids;
  channel_ids.channel = 6;
  channel_ids.ids = ids;
  channel_ids.count = 3;
  for (const char* text : {"", "die Katze"}) {
    Input in;
    in.text = text;
    in.size = std::strlen(text);
    in.ids = &channel_ids;
    in.ids_count = 1;
    Prediction top[3];
    size_t n = 0, cn = 0;
    REQUIRE(m.classify(in, ws.data(), ws.size(), top, 3, &n) == Status::kOk);
    ffnlp_prediction ctop[3];
    REQUIRE(ffnlp_classify_ids(cm, text, FFNLP_NUL_TERMINATED, &cids, 1, nullptr, scratch.data(),
                               ffnlp_model_scratch_size(cm), ctop, 3, &cn) == FFNLP_OK);
    REQUIRE(cn == n);
    for (size_t i = 0; i < n; ++i) {
      CHECK(ctop[i].label_index == top[i].label_index);
      CHECK(std::memcmp(&ctop[i].probability, &top[i].probability, 4) == 0);
    }
  }
  cids.channel = 1;  // not an ids channel
  ffnlp_prediction ctop[1];
  size_t cn = 0;
  CHECK(ffnlp_classify_ids(cm, "x", 1, &cids, 1, nullptr, scratch.data(), ffnlp_model_scratch_size(cm), ctop, 1, &cn) ==
        FFNLP_INVALID_ARGUMENT);
  CHECK(ffnlp_classify_ids(cm, "x", 1, nullptr, 1, nullptr, scratch.data(), ffnlp_model_scratch_size(cm), ctop, 1, &cn) ==
        FFNLP_INVALID_ARGUMENT);
  ffnlp_model_free(cm);
}
