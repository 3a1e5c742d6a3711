// Golden row ids for every feature kind (docs/SPEC.md): inputs -> the exact
// rows the runtime looks up. The hashed values were computed by an
// independent implementation of the documented hash (a few lines of Python:
// FNV-1a over code points, count mixed in, murmur3 finaliser,
// multiply-shift buckets); any change to the feature code that moves a row
// fails here. Unit-tests the feature internals (features/extract.h) on
// purpose; test_feature_api.cpp checks the same table through the public
// feature API.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "features/extract.h"
#include "features/registry.h"
#include "test_models.h"

using namespace ffnlp;

namespace {

using Rows = std::vector<std::pair<uint32_t, uint32_t>>;  // (channel, row) in emission order

Rows rows_of(const std::string& text, const std::vector<ChannelSpec>& channels, const TextOptions& options = TextOptions()) {
  internal::FeaturePlan plan;
  Error error;
  REQUIRE_MESSAGE(build_feature_plan(channels.data(), static_cast<uint32_t>(channels.size()), options, &plan, &error) ==
                      Status::kOk,
                  error.message);
  Rows rows;
  extract_features(reinterpret_cast<const uint8_t*>(text.data()), text.size(), plan,
                   [&](uint32_t c, uint32_t r) { rows.push_back({c, r}); });
  return rows;
}

std::vector<uint32_t> channel_rows(const Rows& rows, uint32_t channel) {
  std::vector<uint32_t> out;
  for (const auto& r : rows) {
    if (r.first == channel) out.push_back(r.second);
  }
  return out;
}

// A vocabulary laid out as in the file: count + 1 little-endian offsets, blob.
struct Vocab {
  std::vector<uint8_t> offsets;
  std::string blob;
  VocabView view;
  explicit Vocab(const std::vector<std::string>& words) {
    uint32_t at = 0;
    auto put = [&](uint32_t v) {
      for (int i = 0; i < 4; ++i) offsets.push_back(static_cast<uint8_t>(v >> (8 * i)));
    };
    put(0);
    for (const std::string& w : words) {
      blob += w;
      blob += '\0';
      at += static_cast<uint32_t>(w.size()) + 1;
      put(at);
    }
    view.count = static_cast<uint32_t>(words.size());
    view.offsets = offsets.data();
    view.blob = blob.data();
  }
};

ChannelSpec kind(FeatureKind k, uint32_t buckets, uint32_t seed = 0, uint32_t length = 0) {
  ChannelSpec s(k, 0, buckets, seed);
  s.length = length;
  return s;
}

}  // namespace

TEST_CASE("feature kinds: the registry lists every kind once, in id order") {
  CHECK(feature_kind_count() == 9);
  const char* names[] = {"char_ngram", "script", "word",       "prefix",     "suffix",
                         "shape",      "ids",    "prev_label", "han_variant"};
  for (uint32_t i = 0; i < feature_kind_count(); ++i) {
    const FeatureKindInfo* k = feature_kind_at(i);
    REQUIRE(k != nullptr);
    CHECK(std::string(k->name) == names[i]);
    CHECK(static_cast<uint32_t>(k->kind) == i + 1);
    CHECK(find_feature_kind(names[i]) == k);
    CHECK(feature_kind_info(k->kind) == k);
    CHECK((k->required & ~k->params) == 0);
  }
  CHECK(feature_kind_at(9) == nullptr);
  CHECK(find_feature_kind("sentence") == nullptr);
  CHECK(feature_kind_info(static_cast<FeatureKind>(0)) == nullptr);
  CHECK(find_feature_kind("shape")->fixed_buckets == kShapeRows);
  CHECK(find_feature_kind("han_variant")->fixed_buckets == 3);
  CHECK_FALSE(find_feature_kind("ids")->from_text);
  CHECK_FALSE(find_feature_kind("prev_label")->from_text);
  Pooling p;
  CHECK(parse_pooling("sum", &p));
  CHECK(p == Pooling::kSum);
  CHECK_FALSE(parse_pooling("max", &p));
}

TEST_CASE("feature kinds: word (hashed) golden rows") {
  const Rows rows = rows_of("Hello, w\xC3\xB6rld! hello", {kind(FeatureKind::kWord, 1000, 7)});
  CHECK(channel_rows(rows, 0) == std::vector<uint32_t>{122, 111, 122});
  // Unbounded word length: hashed as it streams by.
  CHECK(channel_rows(rows_of(std::string(300, 'a'), {kind(FeatureKind::kWord, 1000, 7)}), 0) == std::vector<uint32_t>{475});
  // Lowercasing off: "Hello" and "hello" differ.
  TextOptions keep_case;
  keep_case.lowercase = false;
  const std::vector<uint32_t> cased = channel_rows(rows_of("Hello hello", {kind(FeatureKind::kWord, 1000, 7)}, keep_case), 0);
  REQUIRE(cased.size() == 2);
  CHECK(cased[1] == 122);
  CHECK(cased[0] != 122);
}

TEST_CASE("feature kinds: word with a vocabulary and hashed rows for the rest") {
  const Vocab vocab({"der", "die", "hund", "\xC3\xBC" "ber"});  // sorted by bytes
  ChannelSpec w = kind(FeatureKind::kWord, 4 + 10, 3);
  w.vocab = vocab.view;
  w.oov_buckets = 10;
  // die=1, hund=2, über=3 (vocabulary rows), katze: 4 + hashed
  CHECK(channel_rows(rows_of("Die HUND \xC3\x9C" "ber Katze die", {w}), 0) == std::vector<uint32_t>{1, 2, 3, 8, 1});
  // Without oov rows, other words give nothing.
  ChannelSpec strict = w;
  strict.buckets = 4;
  strict.oov_buckets = 0;
  CHECK(channel_rows(rows_of("die katze der", {strict}), 0) == std::vector<uint32_t>{1, 0});
  // A word longer than any entry can be goes to the hashed rows.
  const std::string long_word(400, 'd');
  CHECK(channel_rows(rows_of(long_word, {w}), 0).size() == 1);
  CHECK(channel_rows(rows_of(long_word, {w}), 0)[0] >= 4);
}

TEST_CASE("feature kinds: prefix and suffix golden rows") {
  const Rows rows = rows_of("Tokenization is fun", {kind(FeatureKind::kPrefix, 1000, 5, 3), kind(FeatureKind::kSuffix, 1000, 5, 3)});
  CHECK(channel_rows(rows, 0) == std::vector<uint32_t>{492, 275, 860});  // "tok", "is", "fun"
  CHECK(channel_rows(rows, 1) == std::vector<uint32_t>{510, 275, 860});  // "ion", "is", "fun"
  const Rows umlaut = rows_of("Gr\xC3\xBC\xC3\x9F" "e", {kind(FeatureKind::kPrefix, 1000, 5, 3), kind(FeatureKind::kSuffix, 1000, 5, 3)});
  CHECK(channel_rows(umlaut, 0) == std::vector<uint32_t>{580});  // "grü"
  CHECK(channel_rows(umlaut, 1) == std::vector<uint32_t>{79});   // "üße"
}

TEST_CASE("feature kinds: shape golden rows") {
  TextOptions keep_digits;
  keep_digits.drop_digits = false;
  // row = case * 20 + content * 4 + length class
  const std::vector<std::pair<const char*, uint32_t>> cases = {
      {"Hello", 2 * 20 + 0 + 2},  {"WORLD", 3 * 20 + 0 + 2},  {"iPhone", 4 * 20 + 0 + 2},
      {"a", 1 * 20 + 0 + 0},      {"A", 2 * 20 + 0 + 0},      {"123", 0 + 1 * 4 + 1},
      {"ABC", 3 * 20 + 0 + 1},    {"x2", 1 * 20 + 2 * 4 + 1}, {"\xE6\x97\xA5\xE6\x9C\xAC", 0 + 0 + 1},
      {"internationalization", 1 * 20 + 0 + 3},             {"\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0", 2 * 20 + 0 + 2},
  };
  for (const auto& c : cases) {
    CAPTURE(c.first);
    CHECK(channel_rows(rows_of(c.first, {kind(FeatureKind::kShape, kShapeRows)}, keep_digits), 0) ==
          std::vector<uint32_t>{c.second});
  }
  // Lowercasing does not hide the case: shape reads the original characters.
  CHECK(channel_rows(rows_of("Hello", {kind(FeatureKind::kShape, kShapeRows)}), 0) == std::vector<uint32_t>{42});
}

TEST_CASE("feature kinds: han_variant golden rows") {
  const ChannelSpec han = kind(FeatureKind::kHanVariant, 3);
  // 0 shared, 1 Simplified-only, 2 Traditional-only; one per Han letter, in
  // text order; Latin, kana, digits and punctuation emit nothing.
  CHECK(channel_rows(rows_of("我们在这里说中文", {han}), 0) == std::vector<uint32_t>{0, 1, 0, 1, 0, 1, 0, 0});
  CHECK(channel_rows(rows_of("我們在這裡說中文", {han}), 0) == std::vector<uint32_t>{0, 2, 0, 2, 2, 2, 0, 0});
  CHECK(channel_rows(rows_of("Hello 日本の国, 2024 學!", {han}), 0) == std::vector<uint32_t>{0, 0, 1, 2});
  CHECK(rows_of("Hello world, こんにちは 123", {han}).empty());
  CHECK(rows_of("", {han}).empty());
  // Beside a script channel: script rows first at each letter, then han_variant.
  const Rows both = rows_of("a国", {kind(FeatureKind::kScript, kScriptCount), han});
  CHECK(both == Rows{{0, static_cast<uint32_t>(Script::kLatin)}, {0, static_cast<uint32_t>(Script::kHan)}, {1, 1}});
}

TEST_CASE("feature kinds: ids channels read nothing from the text") {
  CHECK(rows_of("hello world", {kind(FeatureKind::kIds, 50)}).empty());
}

TEST_CASE("feature kinds: load-time rules name the channel") {
  const Vocab unsorted({"b", "a"});
  const Vocab upper({"Abc"});
  const Vocab repeated({"a", "a"});
  const Vocab punct({"a-b"});
  const Vocab digits({"a1"});
  struct Case {
    ChannelSpec spec;
    TextOptions text;
    Status expected;
    const char* part;
  };
  auto with_vocab = [](const Vocab& v, uint32_t oov) {
    ChannelSpec s = kind(FeatureKind::kWord, v.view.count + oov, 1);
    s.vocab = v.view;
    s.oov_buckets = oov;
    return s;
  };
  ChannelSpec oov_without_vocab = kind(FeatureKind::kWord, 10, 1);
  oov_without_vocab.oov_buckets = 3;
  ChannelSpec rows_mismatch = with_vocab(unsorted, 0);
  rows_mismatch.buckets = 7;
  ChannelSpec concat = kind(FeatureKind::kWord, 10, 1);
  concat.pooling = Pooling::kConcat;
  TextOptions keep_digits;
  keep_digits.drop_digits = false;
  const Case cases[] = {
      {with_vocab(unsorted, 0), TextOptions(), Status::kBadMetadata, "not after"},
      {with_vocab(repeated, 0), TextOptions(), Status::kBadMetadata, "not after"},
      {with_vocab(upper, 0), TextOptions(), Status::kBadMetadata, "not a normalised word"},
      {with_vocab(punct, 0), TextOptions(), Status::kBadMetadata, "not a normalised word"},
      {with_vocab(digits, 0), TextOptions(), Status::kBadMetadata, "not a normalised word"},
      {oov_without_vocab, TextOptions(), Status::kBadMetadata, "needs a vocabulary"},
      {rows_mismatch, TextOptions(), Status::kBadShape, "vocabulary 2 + oov_buckets 0"},
      {kind(FeatureKind::kPrefix, 10, 1, 0), TextOptions(), Status::kBadMetadata, "length 0"},
      {kind(FeatureKind::kSuffix, 10, 1, 9), TextOptions(), Status::kBadMetadata, "length 9"},
      {kind(FeatureKind::kShape, 99), TextOptions(), Status::kBadShape, "exactly 100"},
      {kind(FeatureKind::kHanVariant, 4), TextOptions(), Status::kBadShape, "exactly 3"},
      {kind(FeatureKind::kIds, 0), TextOptions(), Status::kBadMetadata, "zero buckets"},
      {concat, TextOptions(), Status::kBadMetadata, "token models"},
      {ChannelSpec(FeatureKind::kCharNgram, 9, 10, 0), TextOptions(), Status::kBadMetadata, "order 9"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.part);
    internal::FeaturePlan plan;
    Error error;
    CHECK(build_feature_plan(&c.spec, 1, c.text, &plan, &error) == c.expected);
    CHECK_MESSAGE(std::strstr(error.message, c.part) != nullptr, error.message);
    CHECK(std::strstr(error.message, "channel 0") != nullptr);
  }
  // Digits are word characters when the model keeps them.
  internal::FeaturePlan plan;
  const ChannelSpec ok = with_vocab(digits, 0);
  CHECK(build_feature_plan(&ok, 1, keep_digits, &plan, nullptr) == Status::kOk);
}

// ---- end to end: a model with every kind ----------------------------------------

namespace {

std::vector<double> kinds_reference(const testing::KindsNetwork& n, const std::string& text,
                                    const std::vector<uint32_t>& ids) {
  const Vocab vocab(n.channels[2].vocab);
  std::vector<ChannelSpec> specs;
  for (const tools::ChannelMetadata& c : n.channels) {
    ChannelSpec s(find_feature_kind(c.kind.c_str())->kind, c.order, c.buckets, c.seed);
    s.length = c.length;
    s.pooling = c.pooling == "sum" ? Pooling::kSum : Pooling::kMean;
    if (!c.vocab.empty()) {
      s.vocab = vocab.view;
      s.oov_buckets = c.oov_buckets;
    }
    specs.push_back(s);
  }
  Rows rows = rows_of(text, specs);
  for (uint32_t id : ids) rows.push_back({6, id});
  std::vector<double> x;
  for (uint32_t c = 0; c < n.channels.size(); ++c) {
    const std::vector<uint32_t> r = channel_rows(rows, c);
    for (uint32_t j = 0; j < n.channels[c].dims; ++j) {
      double sum = 0;
      for (uint32_t row : r) sum += n.tables[c][row * n.channels[c].dims + j];
      if (specs[c].pooling == Pooling::kMean && !r.empty()) sum /= static_cast<double>(r.size());
      x.push_back(sum);
    }
  }
  std::vector<double> h(testing::KindsNetwork::kHidden), z(testing::KindsNetwork::kLabels);
  for (uint32_t o = 0; o < h.size(); ++o) {
    double s = n.hidden_b[o];
    for (size_t i = 0; i < x.size(); ++i) s += n.hidden_w[o * x.size() + i] * x[i];
    h[o] = s > 0 ? s : 0;
  }
  double m = -1e300, total = 0;
  for (uint32_t o = 0; o < z.size(); ++o) {
    double s = n.out_b[o];
    for (uint32_t i = 0; i < h.size(); ++i) s += n.out_w[o * h.size() + i] * h[i];
    z[o] = s;
    m = s > m ? s : m;
  }
  for (double& v : z) total += (v = std::exp(v - m));
  for (double& v : z) v /= total;
  return z;
}

}  // namespace

TEST_CASE("feature kinds: a model with every kind loads, describes its channels and classifies") {
  const testing::KindsNetwork n = testing::make_kinds_network(3);
  const std::vector<uint8_t> bytes = testing::build_kinds_model(n);
  Model model;
  Error error;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk, error.message);
  REQUIRE(model.channel_count() == 8);
  CHECK(model.features_version() == kFeaturesVersion);
  uint32_t offset = 0;
  for (uint32_t c = 0; c < 8; ++c) {
    const ChannelInfo& info = model.channel(c);
    CAPTURE(c);
    CHECK(std::string(info.kind_name) == n.channels[c].kind);
    CHECK(info.buckets == n.channels[c].buckets);
    CHECK(info.dims == n.channels[c].dims);
    CHECK(info.input_offset == offset);
    CHECK(info.pooling == (n.channels[c].pooling == "sum" ? Pooling::kSum : Pooling::kMean));
    offset += info.dims;
  }
  CHECK(model.channel(2).vocab_size == 3);
  CHECK(model.channel(2).oov_buckets == 6);
  CHECK(model.channel(3).length == 3);
  CHECK(model.channel(4).length == 2);
  CHECK(model.input_width() == offset);

  Workspace workspace(model);
  REQUIRE(workspace.ok());
  const uint32_t ids[] = {3, 19, 3};
  ChannelIds channel_ids;
  channel_ids.channel = 6;
  channel_ids.ids = ids;
  channel_ids.count = 3;
  for (const char* text : {"Die Hund sieht der Katze zu", "iPhone 15 PRO", "x", "Grüße"}) {
    CAPTURE(text);
    Input input;
    input.text = text;
    input.size = std::strlen(text);
    for (bool with_ids : {false, true}) {
      input.ids = with_ids ? &channel_ids : nullptr;
      input.ids_count = with_ids ? 1 : 0;
      float probs[3];
      TextStats stats;
      REQUIRE(model.scores(input, workspace.data(), workspace.size(), probs, 3, nullptr, &stats) == Status::kOk);
      CHECK(stats.ids == (with_ids ? 3u : 0u));
      const std::vector<double> want =
          kinds_reference(n, text, with_ids ? std::vector<uint32_t>{3, 19, 3} : std::vector<uint32_t>{});
      for (int i = 0; i < 3; ++i) CHECK(probs[i] == doctest::Approx(want[i]).epsilon(1e-4));
    }
  }
  // Ids alone are evidence: a text without letters still gets an answer.
  Input only_ids;
  only_ids.ids = &channel_ids;
  only_ids.ids_count = 1;
  Prediction top[1];
  size_t count = 0;
  TextStats stats;
  REQUIRE(model.classify(only_ids, workspace.data(), workspace.size(), top, 1, &count, nullptr, &stats) == Status::kOk);
  CHECK(count == 1);
  CHECK(top[0].label_index != kNoLabel);
  CHECK(stats.letters == 0);
  REQUIRE(model.classify("12 34", 5, workspace, top, 1, &count) == Status::kOk);
  CHECK(top[0].label_index == kNoLabel);
}

TEST_CASE("feature kinds: bad caller ids are refused before anything is computed") {
  const std::vector<uint8_t> bytes = testing::build_kinds_model(testing::make_kinds_network(4));
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  Workspace workspace(model);
  const uint32_t good[] = {1, 2};
  const uint32_t too_big[] = {1, 20};
  float probs[3];
  auto run = [&](std::vector<ChannelIds> list) {
    Input input;
    input.text = "abc";
    input.size = 3;
    input.ids = list.data();
    input.ids_count = list.size();
    return model.scores(input, workspace.data(), workspace.size(), probs, 3);
  };
  CHECK(run({{6, good, 2}}) == Status::kOk);
  CHECK(run({{6, too_big, 2}}) == Status::kInvalidArgument);  // id >= buckets
  CHECK(run({{1, good, 2}}) == Status::kInvalidArgument);     // not an ids channel
  CHECK(run({{9, good, 2}}) == Status::kInvalidArgument);     // no such channel
  CHECK(run({{6, good, 2}, {6, good, 2}}) == Status::kInvalidArgument);  // listed twice
  CHECK(run({{6, nullptr, 2}}) == Status::kInvalidArgument);
  CHECK(run({{6, nullptr, 0}}) == Status::kOk);
  Input dangling;
  dangling.ids_count = 1;
  CHECK(model.scores(dangling, workspace.data(), workspace.size(), probs, 3) == Status::kInvalidArgument);
}
