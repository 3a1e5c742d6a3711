// convert(): token models (taggers and their features-only files) from a
// spec: the tokenizer, windows, concat pooling, prev_label, the two padding
// rows of every table, a vocabulary whose table rows are reordered; the
// converted tagger gives the same tags as the same network written directly.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "temp_files.h"
#include "test_models.h"
#include "tools/common/npy.h"
#include "tools/convert_model/converter.h"
#include "tools/convert_model/model_spec.h"

using namespace ffnlp;
using namespace ffnlp::tools;
using ffnlp::testing::TempDir;

namespace {

const char kTaggerSpec[] = R"([model]
task = tagger
name = tokens
[text]
tokenizer = words
lowercase = 1
[channel]
kind = word
seed = 5
vocab_file = words.txt
oov_buckets = 3
pooling = concat
window = -1, 0, 1
embedding = emb0
[channel]
kind = suffix
length = 2
seed = 8
pooling = concat
window = 0
embedding = emb1
[channel]
kind = shape
window = -1,0,1
embedding = emb2
[channel]
kind = char_ngram
order = 2
seed = 11
pooling = concat
window = 0,1
embedding = emb3
[channel]
kind = script
pooling = sum
window = -1,0
embedding = emb4
[channel]
kind = prev_label
pooling = concat
window = -2,-1
embedding = emb5
[layer]
weights = hidden_w
bias = hidden_b
activation = relu
[layer]
weights = out_w
bias = out_b
activation = softmax
[labels]
NOUN
VERB
DET
)";

}  // namespace

TEST_CASE("convert tokens: a tagger spec gives the tagger the test writer builds, tag for tag") {
  const testing::TokenNetwork net = testing::make_token_network(21);
  TempDir dir;
  // The vocabulary in another row order than the sorted one the file keeps:
  // the converter reorders the table's first rows (not the padding rows).
  dir.write("words.txt", "the\nold\nboat\nman\n");
  std::map<std::string, NpyArray> arrays;
  for (size_t c = 0; c < net.channels.size(); ++c) {
    std::vector<float> table = net.tables[c];
    if (c == 0) {  // rows of {the, old, boat, man} = sorted rows {3, 2, 0, 1}
      const uint32_t d = net.channels[0].dims;
      const uint32_t from[] = {3, 2, 0, 1};
      for (uint32_t r = 0; r < 4; ++r) {
        for (uint32_t j = 0; j < d; ++j) table[r * d + j] = net.tables[0][from[r] * d + j];
      }
    }
    arrays[net.channels[c].embedding] = make_npy_f32({net.channels[c].buckets, net.channels[c].dims}, table.data());
  }
  arrays["hidden_w"] = make_npy_f32({testing::TokenNetwork::kHidden, net.input_width}, net.hidden_w.data());
  arrays["hidden_b"] = make_npy_f32({testing::TokenNetwork::kHidden}, net.hidden_b.data());
  arrays["out_w"] = make_npy_f32({testing::TokenNetwork::kLabels, testing::TokenNetwork::kHidden}, net.out_w.data());
  arrays["out_b"] = make_npy_f32({testing::TokenNetwork::kLabels}, net.out_b.data());
  ConvertOptions options;
  options.spec_text = kTaggerSpec;
  options.spec_name = dir.path + "/tagger.spec";
  const std::vector<uint8_t> converted = convert(arrays, options);
  const std::vector<uint8_t> direct = testing::build_token_model(net);
  Model a, b;
  Error error;
  REQUIRE_MESSAGE(Model::load(converted.data(), converted.size(), &a, &error) == Status::kOk, error.message);
  REQUIRE(Model::load(direct.data(), direct.size(), &b, nullptr) == Status::kOk);
  CHECK(a.is_tagger());
  CHECK(std::string(a.tokenizer()) == kTokenizerName);
  CHECK(a.channel(0).window_count == 3);
  CHECK(a.channel(0).vocab_size == 4);
  CHECK(a.input_width() == b.input_width());
  Workspace wa(a), wb(b);
  const std::string text = "The old man the boats, and boats the man. 1,000 U.S. ships!";
  std::vector<TaggedToken> ta(text.size()), tb(text.size());
  size_t na = 0, nb = 0;
  REQUIRE(a.tag(text.data(), text.size(), wa, ta.data(), ta.size(), &na) == Status::kOk);
  REQUIRE(b.tag(text.data(), text.size(), wb, tb.data(), tb.size(), &nb) == Status::kOk);
  REQUIRE(na == nb);
  for (size_t i = 0; i < na; ++i) {
    CAPTURE(i);
    CHECK(ta[i].label_index == tb[i].label_index);
    CHECK(ta[i].probability == tb[i].probability);
  }
}

TEST_CASE("convert tokens: a tagger spec without arrays is a token features-only file") {
  TempDir dir;
  dir.write("words.txt", "the\nold\nboat\nman\n");
  std::string spec = kTaggerSpec;
  // Features-only: buckets and dims in the spec; vocabulary and shape rows derived (+ 2 padding rows).
  auto add_after = [&](const std::string& anchor, const std::string& text) {
    const size_t at = spec.find(anchor);
    REQUIRE(at != std::string::npos);
    spec.insert(at + anchor.size(), text);
  };
  add_after("embedding = emb0\n", "dims = 3\n");
  add_after("embedding = emb1\n", "buckets = 9\ndims = 2\n");
  add_after("embedding = emb2\n", "dims = 2\n");
  add_after("embedding = emb3\n", "buckets = 13\ndims = 2\n");
  add_after("embedding = emb4\n", "buckets = 6\ndims = 1\n");
  add_after("embedding = emb5\n", "buckets = 5\ndims = 2\n");
  ConvertOptions options;
  options.spec_text = spec;
  options.spec_name = dir.path + "/features.spec";
  const std::vector<uint8_t> bytes = convert({}, options);
  Model m;
  Error error;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &m, &error) == Status::kOk, error.message);
  CHECK(std::string(m.task()) == "features");
  CHECK(m.is_token_model());
  CHECK(m.channel(0).buckets == 4 + 3 + 2);
  CHECK(m.channel(2).buckets == kShapeRows + 2);
  const testing::TokenNetwork net = testing::make_token_network(21);
  const std::vector<uint8_t> tagger = testing::build_token_model(net);
  Model t;
  REQUIRE(Model::load(tagger.data(), tagger.size(), &t, nullptr) == Status::kOk);
  CHECK(m.input_width() == t.input_width());
  const char* tokens[] = {"The", "old", "boat", "sank", "."};
  const uint32_t labels[] = {2, 1, 0, 1};
  for (size_t i = 0; i < 5; ++i) {
    FeatureRef ra[128], rb[128];
    size_t na = 0, nb = 0;
    REQUIRE(m.token_features(tokens, nullptr, 5, i, labels, ra, 128, &na) == Status::kOk);
    REQUIRE(t.token_features(tokens, nullptr, 5, i, labels, rb, 128, &nb) == Status::kOk);
    REQUIRE(na == nb);
    for (size_t k = 0; k < na; ++k) {
      CHECK(ra[k].channel == rb[k].channel);
      CHECK(ra[k].row == rb[k].row);
      CHECK(ra[k].slot == rb[k].slot);
      CHECK(ra[k].weight == rb[k].weight);
    }
  }
}

TEST_CASE("convert tokens: token-model keys need a tokenizer; windows are checked") {
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = word\nseed = 1\nwindow = -1,0\n", "s.spec"),
                       doctest::Contains("are for token models"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = word\nseed = 1\npooling = concat\n", "s.spec"),
                       doctest::Contains("are for token models"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = prev_label\n", "s.spec"),
                       doctest::Contains("are for token models"), std::runtime_error);
  CHECK_THROWS_WITH_AS(
      parse_model_spec("[text]\ntokenizer = words\n[channel]\nkind = word\nseed = 1\nwindow = 1,0\n", "s.spec"),
      doctest::Contains("strictly increasing"), std::runtime_error);
  CHECK_THROWS_WITH_AS(
      parse_model_spec("[text]\ntokenizer = words\n[channel]\nkind = word\nseed = 1\nwindow = -1;0\n", "s.spec"),
      doctest::Contains("window offsets such as"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[text]\ntokenizer = words\n[channel]\nkind = shape\nbuckets = 100\n", "s.spec"),
                       doctest::Contains("exactly 102 rows"), std::runtime_error);
  const ModelSpec ok =
      parse_model_spec("[model]\ntask = tagger\n[text]\ntokenizer = words\n[channel]\nkind = shape\nwindow = -2,0,2\n", "s.spec");
  REQUIRE(ok.channels.size() == 1);
  CHECK(ok.channels[0].window == std::vector<int32_t>{-2, 0, 2});
  CHECK(format_channel_section(ok.channels[0]).find("window = -2,0,2\n") != std::string::npos);
}
