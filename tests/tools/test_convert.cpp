// convert(): arrays + spec -> a model the runtime loads, with the values the
// quantization formula promises; imports of already-quantized tables.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "test_models.h"
#include "test_paths.h"
#include "tools/common/file_io.h"
#include "tools/common/npy.h"
#include "tools/convert_model/converter.h"
#include "tools/convert_model/model_spec.h"

using namespace ffnlp;
using namespace ffnlp::tools;

namespace {

NpyArray f32_array(const std::vector<uint64_t>& shape, const std::vector<float>& v) { return make_npy_f32(shape, v.data()); }

NpyArray u8(const std::vector<uint64_t>& shape, const std::vector<uint8_t>& v) {
  NpyArray a;
  a.shape = shape;
  a.dtype = "|u1";
  a.raw = v;
  return a;
}

Model load_converted(const std::vector<uint8_t>& bytes) {
  Model m;
  Error e;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kOk, e.message);
  return m;
}

const char kSpec[] = R"(# a complete classifier
[model]
task = classifier
name = tiny
source = unit test
[text]
lowercase = 1
drop_digits = true
max_bytes = 4096
[channel]
kind = char_ngram
order = 1
seed = 7
embedding = e1
[channel]
kind = script
embedding = es
[layer]
weights = w0
bias = b0
activation = relu
[layer]
weights = w1
bias = b1
activation = softmax
[classifier]
reliable_probability = 0.6
reliable_letters = 5
unknown_label = und
[labels]
en	English
sr-Cyrl	Serbian (Cyrillic)
[metadata]
general.trained_on = unit test
)";

std::map<std::string, NpyArray> spec_arrays() {
  std::mt19937 rng(9);
  std::map<std::string, NpyArray> a;
  a["e1"] = f32_array({10, 3}, testing::random_values(rng, 30, 1.0f));
  a["es"] = f32_array({kScriptCount, 2}, testing::random_values(rng, kScriptCount * 2, 1.0f));
  a["w0"] = f32_array({4, 5}, testing::random_values(rng, 20, 1.0f));
  a["b0"] = f32_array({4}, testing::random_values(rng, 4, 1.0f));
  a["w1"] = f32_array({2, 4}, testing::random_values(rng, 8, 1.0f));
  a["b1"] = f32_array({2}, testing::random_values(rng, 2, 1.0f));
  return a;
}

}  // namespace

TEST_CASE("a bare matrix converts to a quantized table with the golden bytes") {
  std::map<std::string, NpyArray> arrays;
  arrays["golden"] = f32_array({3, 4}, {20000, 3000, 1000, 1000, 1999999, 20000, 1999999, 1999999, 20000, 3000, 1000, 1000});
  const std::vector<uint8_t> bytes = convert(arrays, ConvertOptions());
  const Model m = load_converted(bytes);
  CHECK(std::string(m.task()) == "embedding");
  const TensorView* t = m.find_tensor("golden");
  REQUIRE(t != nullptr);
  CHECK(t->dtype == DType::kQ8Row);
  CHECK(t->zero_point == 128);
  const uint8_t expected[] = {255, 147, 134, 134, 255, 129, 255, 255, 255, 147, 134, 134};
  CHECK(std::memcmp(t->data, expected, 12) == 0);
  CHECK(t->row_scale(1) == doctest::Approx(15748.0236f));
  CHECK(t->at(0, 1) == doctest::Approx(2992.126f));
  CHECK(t->at(1, 1) == doctest::Approx(15748.024f));
}

TEST_CASE("a spec builds a classifier whose tensors round-trip") {
  const std::map<std::string, NpyArray> arrays = spec_arrays();
  ConvertOptions options;
  options.spec_text = kSpec;
  const std::vector<uint8_t> bytes = convert(arrays, options);
  const Model m = load_converted(bytes);
  REQUIRE(m.is_classifier());
  CHECK(m.label_count() == 2);
  CHECK(std::string(m.label(1)) == "sr-Cyrl");
  CHECK(std::string(m.label_name(1)) == "Serbian (Cyrillic)");
  CHECK(m.reliable_probability() == doctest::Approx(0.6f));
  CHECK(m.reliable_letters() == 5);
  CHECK(m.max_bytes() == 4096);
  const char* source = nullptr;
  CHECK(m.metadata_string("general.source", &source));
  CHECK(std::string(source) == "unit test");
  const char* trained = nullptr;
  CHECK(m.metadata_string("general.trained_on", &trained));
  CHECK(std::string(trained) == "unit test");
  // Embeddings within half a step of the floats; layers exact.
  const std::vector<float> e1 = to_float32(arrays.at("e1"), "e1");
  const TensorView* t = m.find_tensor("e1");
  REQUIRE(t->dtype == DType::kQ8Row);
  for (uint64_t r = 0; r < 10; ++r)
    for (uint64_t c = 0; c < 3; ++c) CHECK(std::fabs(t->at(r, c) - e1[r * 3 + c]) <= t->row_scale(r) * 0.5f + 1e-7f);
  const std::vector<float> w0 = to_float32(arrays.at("w0"), "w0");
  for (uint64_t i = 0; i < 20; ++i) CHECK(m.find_tensor("w0")->at(i / 5, i % 5) == w0[i]);
  // Float mode keeps embeddings as f32.
  options.float_embeddings = true;
  const std::vector<uint8_t> float_bytes = convert(arrays, options);
  const Model f = load_converted(float_bytes);
  CHECK(f.find_tensor("e1")->dtype == DType::kF32);
  CHECK(f.find_tensor("e1")->at(3, 2) == e1[11]);
}

TEST_CASE("half-even rounding differs from half-up at ties") {
  std::map<std::string, NpyArray> arrays;
  arrays["t"] = f32_array({1, 4}, {127.0f, 0.5f, 1.5f, -0.5f});
  ConvertOptions options;
  const std::vector<uint8_t> up_bytes = convert(arrays, options);
  options.rounding = Rounding::kHalfEven;
  const std::vector<uint8_t> even_bytes = convert(arrays, options);
  const Model up = load_converted(up_bytes), even = load_converted(even_bytes);
  const uint8_t expected_up[] = {255, 129, 130, 128}, expected_even[] = {255, 128, 130, 128};
  CHECK(std::memcmp(up.find_tensor("t")->data, expected_up, 4) == 0);
  CHECK(std::memcmp(even.find_tensor("t")->data, expected_even, 4) == 0);
}

TEST_CASE("already-quantized tables are imported without requantizing") {
  std::map<std::string, NpyArray> arrays;
  arrays["emb"] = u8({2, 3}, {1, 128, 255, 10, 20, 30});
  arrays["emb_scales"] = f32_array({2}, {0.5f, 0.25f});
  std::vector<std::string> warnings;  // zero point 128 assumed: said, not silent
  const std::vector<uint8_t> bytes = convert(arrays, ConvertOptions(), &warnings);
  CHECK(warnings.size() == 1);
  const Model m = load_converted(bytes);
  const TensorView* t = m.find_tensor("emb");
  REQUIRE(t != nullptr);
  CHECK(t->dtype == DType::kQ8Row);
  CHECK(t->data[0] == 1);
  CHECK(t->at(0, 0) == doctest::Approx(-63.5f));
  CHECK(t->at(0, 2) == doctest::Approx(63.5f));
  CHECK(t->at(1, 2) == doctest::Approx((30 - 128) * 0.25f));
  CHECK(m.find_tensor("emb_scales") == nullptr);  // consumed, not a separate tensor

  // A torch-style zero point array: uniform gives q8_row, else q8_row_fzp
  // (tests/tools/test_import_quantized.cpp has the rest).
  arrays["emb"].raw[0] = 0;  // 0 is accepted for tables with their zero points
  NpyArray zp;
  zp.shape = {2};
  zp.dtype = "<i8";
  zp.raw.assign(16, 0);
  zp.raw[0] = 100;
  zp.raw[8] = 100;
  arrays["emb_zero_points"] = zp;
  const std::vector<uint8_t> z_bytes = convert(arrays, ConvertOptions());
  const Model z = load_converted(z_bytes);
  CHECK(z.find_tensor("emb")->zero_point == 100);
  arrays["emb_zero_points"].raw[8] = 101;
  const std::vector<uint8_t> fzp_bytes = convert(arrays, ConvertOptions());
  CHECK(load_converted(fzp_bytes).find_tensor("emb")->dtype == DType::kQ8RowFzp);
  arrays.erase("emb_scales");
  arrays.erase("emb_zero_points");
  CHECK_THROWS_WITH_AS(convert(arrays, ConvertOptions()), doctest::Contains("emb_scales"), std::runtime_error);
}

TEST_CASE("transposed (in, out) layer weights are accepted with transpose = 1") {
  std::map<std::string, NpyArray> arrays = spec_arrays();
  const std::vector<float> w0 = to_float32(arrays.at("w0"), "w0");
  std::vector<float> t(20);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 5; ++c) t[c * 4 + r] = w0[r * 5 + c];
  arrays["w0"] = f32_array({5, 4}, t);
  std::string spec = kSpec;
  spec.replace(spec.find("weights = w0"), 12, "weights = w0\ntranspose = 1");
  ConvertOptions options;
  options.spec_text = spec;
  const std::vector<uint8_t> bytes = convert(arrays, options);
  const Model m = load_converted(bytes);
  for (int i = 0; i < 20; ++i) CHECK(m.find_tensor("w0")->at(i / 5, i % 5) == w0[i]);
}

TEST_CASE("spec errors name the file and line") {
  CHECK_THROWS_WITH_AS(parse_model_spec("[model]\nbogus = 1\n", "s.spec"), doctest::Contains("s.spec:2: unknown key 'bogus'"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[nope]\n", "s.spec"), doctest::Contains("s.spec:1: unknown section"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("task = x\n", "s.spec"), doctest::Contains("before any [section]"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[text]\nmax_bytes = -1\n", "s.spec"), doctest::Contains("must be a decimal number"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = sentence\n", "s.spec"), doctest::Contains("s.spec:1: channel 0: unknown channel kind 'sentence' (known: char_ngram, script, word, prefix, suffix, shape, ids, prev_label, han_variant)"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = word\norder = 2\n", "s.spec"), doctest::Contains("'order' does not apply"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = script\nseed = 2\n", "s.spec"), doctest::Contains("'seed' does not apply"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = prefix\nseed = 2\n", "s.spec"), doctest::Contains("needs 'length'"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = suffix\nlength = 9\n", "s.spec"), doctest::Contains("'length' must be 1..8"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = shape\nbuckets = 50\n", "s.spec"), doctest::Contains("exactly 100 rows"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = word\npooling = max\n", "s.spec"), doctest::Contains("mean or sum"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = word\noov_buckets = 5\n", "s.spec"), doctest::Contains("needs a vocabulary"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[channel]\nkind = char_ngram\nembedding = e\n", "s.spec"), doctest::Contains("order"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[layer]\nweights = w\n", "s.spec"), doctest::Contains("layer 0"), std::runtime_error);
  const ModelSpec ok = parse_model_spec(kSpec, "k");
  CHECK(ok.channels.size() == 2);
  CHECK(ok.layers.size() == 2);
  CHECK(ok.labels.size() == 2);
  CHECK(ok.max_bytes == 4096);
}

namespace {

// The message parse_model_spec throws for `text` ("" when it parses).
std::string spec_error(const std::string& text) {
  try {
    parse_model_spec(text, "s.spec");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("spec numbers are strict decimals: no octal, hex, sign, spaces or leading zeros") {
  // Issue 14, defect 9: `seed = 010` was read as octal 8 and silently changed
  // the hashing. Leading zeros are now an error (neither eight nor ten).
  const std::string channel = "[channel]\nkind = char_ngram\norder = 1\nembedding = e\nseed = ";
  for (const char* bad : {"010", "00", "0x10", "0X10", "+5", "-1", "5 5", "5abc", "1e3", "4294967296", "99999999999999999999",
                          "\xd9\xa3", "", "0b1"}) {
    CAPTURE(bad);
    CHECK(spec_error(channel + bad + "\n") ==
          std::string("s.spec:5: 'seed' must be a decimal number from 0 to 4294967295 without sign or leading zeros, got '") +
              bad + "'");
  }
  CHECK(parse_model_spec(channel + "10\n", "s").channels[0].seed == 10);
  CHECK(parse_model_spec(channel + "0\n", "s").channels[0].seed == 0);
  CHECK(parse_model_spec(channel + "4294967295   # the largest\n", "s").channels[0].seed == 4294967295u);
  CHECK(parse_model_spec("[text]\nmax_bytes =\t4096 \r\n", "s").max_bytes == 4096);  // space around is fine
  CHECK(spec_error("[text]\nmax_bytes = 0x1000\n").find("'max_bytes' must be a decimal number") != std::string::npos);
  // cleanup: 0/1 (false/true) or 2 (laughter skipped too); nothing else.
  CHECK(parse_model_spec("[text]\ncleanup = 2\n", "s").cleanup == 2);
  CHECK(parse_model_spec("[text]\ncleanup = true\n", "s").cleanup == 1);
  CHECK(parse_model_spec("[text]\ncleanup = 0\n", "s").cleanup == 0);
  for (const char* bad : {"3", "02", "-1", "", "laughter"}) {
    CAPTURE(bad);
    CHECK(spec_error(std::string("[text]\ncleanup = ") + bad + "\n") ==
          std::string("s.spec:2: 'cleanup' must be 0, 1 or 2 (2: laughter skipped too), got '") + bad + "'");
  }
  CHECK(spec_error("[classifier]\nreliable_letters = 03\n").find("'reliable_letters' must be a decimal number") !=
        std::string::npos);
}

TEST_CASE("spec ranges: reliable_probability in 0..1 as a plain decimal, task, n-gram order") {
  for (const char* bad : {"-0.1", "1e-1", "0x1p-1", "nan", "inf", ".5", "0.", "0,7", "0.7.1", "", "00.5"}) {
    CAPTURE(bad);
    CHECK(spec_error(std::string("[classifier]\nreliable_probability = ") + bad + "\n") ==
          std::string("s.spec:2: 'reliable_probability' must be a decimal number such as 0.7, got '") + bad + "'");
  }
  CHECK(spec_error("[classifier]\nreliable_probability = 1.5\n") ==
        "s.spec:2: 'reliable_probability' must be between 0 and 1, got '1.5'");
  CHECK(spec_error("[classifier]\nreliable_probability = 1.0000001\n") ==
        "s.spec:2: 'reliable_probability' must be between 0 and 1, got '1.0000001'");
  for (const char* good : {"0", "1", "0.7", "1.0", "0.25"}) {
    CAPTURE(good);
    const ModelSpec spec = parse_model_spec(std::string("[classifier]\nreliable_probability = ") + good + "\n", "s");
    CHECK(spec.has_reliable_probability);
    CHECK(spec.reliable_probability == std::strtof(good, nullptr));
  }
  CHECK(spec_error("[model]\ntask = parser\n") == "s.spec:2: 'task' must be classifier, tagger, features or embedding, got 'parser'");
  CHECK(spec_error("[model]\ntask = Classifier\n") ==
        "s.spec:2: 'task' must be classifier, tagger, features or embedding, got 'Classifier'");
  CHECK(parse_model_spec("[model]\ntask = embedding\n", "s").task == "embedding");
  CHECK(parse_model_spec("[model]\ntask = features\n", "s").task == "features");
  CHECK(spec_error("[channel]\nkind = char_ngram\norder = 0\n") == "s.spec:1: channel 0 (char_ngram): 'order' must be 1..8");
  CHECK(spec_error("[channel]\nkind = char_ngram\norder = 9\n") == "s.spec:1: channel 0 (char_ngram): 'order' must be 1..8");
}

TEST_CASE("spec: a stricter bar for short texts converts, both keys or neither, never below the general bar") {
  std::string text = kSpec;
  const std::string general = "reliable_letters = 5\n";
  text.replace(text.find(general), general.size(), general + "reliable_short_letters = 12\nreliable_short_probability = 0.95\n");
  ConvertOptions options;
  options.spec_text = text;
  const Model m = load_converted(convert(spec_arrays(), options));
  CHECK(m.reliable_short_letters() == 12);
  CHECK(m.reliable_short_probability() == 0.95f);
  CHECK(m.is_reliable(0.6f, 12));
  CHECK_FALSE(m.is_reliable(0.94f, 11));
  CHECK(m.is_reliable(0.95f, 5));
  CHECK_FALSE(m.is_reliable(0.99f, 4));
  // Without the keys there is no such tier (the older files load as before).
  const Model plain = load_converted(convert(spec_arrays(), [] {
    ConvertOptions o;
    o.spec_text = kSpec;
    return o;
  }()));
  CHECK(plain.reliable_short_letters() == 0);
  CHECK(plain.is_reliable(0.6f, 5));
  CHECK(spec_error("[classifier]\nreliable_short_letters = 9\n") ==
        "s.spec: [classifier]: 'reliable_short_letters' and 'reliable_short_probability' come together");
  CHECK(spec_error("[classifier]\nreliable_short_probability = 0.9\n") ==
        "s.spec: [classifier]: 'reliable_short_letters' and 'reliable_short_probability' come together");
  CHECK(spec_error("[classifier]\nreliable_probability = 0.8\nreliable_short_letters = 9\nreliable_short_probability = 0.7\n") ==
        "s.spec: [classifier]: 'reliable_short_probability' must be at least 'reliable_probability' (short texts need "
        "more, not less)");
  CHECK(spec_error("[classifier]\nreliable_short_letters = 0\nreliable_short_probability = 0.9\n")
            .find("'reliable_short_letters' must be at least 1") != std::string::npos);
  CHECK(spec_error("[classifier]\nreliable_short_letters = 9\nreliable_short_probability = 1.5\n") ==
        "s.spec:3: 'reliable_short_probability' must be between 0 and 1, got '1.5'");
}

TEST_CASE("spec [prior] weights are plain decimals above 0") {
  const std::string head = "[prior]\nen ";
  for (const char* bad : {"0", "0.0", "-1", "+1", "1e3", "0x10", "inf", "nan", "010", ".5", "5.", "1,5", "abc"}) {
    CAPTURE(bad);
    CHECK(spec_error(head + bad + "\n") ==
          std::string("s.spec:2: prior weight of 'en' must be a plain decimal number > 0 (such as 30 or 0.5), got '") + bad +
              "'");
  }
  const ModelSpec spec = parse_model_spec("[prior]\nen 30\nfr 0.5\nhi 1400000000\n* 1\n", "s");
  REQUIRE(spec.prior.size() == 3);
  CHECK(spec.prior[0].second == 30.0);
  CHECK(spec.prior[1].second == 0.5);
  CHECK(spec.prior[2].second == 1.4e9);
  CHECK(spec.prior_default == 1.0);
  CHECK(spec_error("[prior]\nen 1\n[labels]\nen English\n[prior]\nfr 2\n") ==
        "s.spec:5: section [prior] appears twice (first on line 1); only [channel] and [layer] repeat");
}

TEST_CASE("spec [metadata] cannot set keys the converter writes or the runtime reads") {
  // Issue 14, defect 9: [metadata] classifier.unknown_label = en replaced the
  // unknown label.
  for (const char* key : {"classifier.unknown_label", "classifier.reliable_probability", "classifier.anything",
                          "general.task", "general.name", "general.description", "general.license", "general.source",
                          "labels", "label_names", "text.lowercase", "channel.count", "channel.0.seed", "layer.count",
                          "features.version", "tokenizer.name", "neighbours.seed", "neighbours.anything",
                          "lexicon.entries", "lexicon.anything"}) {
    CAPTURE(key);
    CHECK(spec_error(std::string("[metadata]\n") + key + " = en\n") ==
          std::string("s.spec:2: '") + key +
              "' is set by the converter (from [model], [text], [channel], [layer], [classifier], [labels], "
              "[neighbours] or [lexicon]); "
              "[metadata] holds only other keys");
  }
  const ModelSpec spec = parse_model_spec("[metadata]\ngeneral.trained_on = 2026-11-28\nauthor.team = x\n", "s");
  REQUIRE(spec.extra.size() == 2);
  CHECK(spec.extra[0].first == "general.trained_on");
  // End to end: the unknown label stays the one [classifier] gives.
  std::string text = kSpec;
  text += "classifier.unknown_label = en\n";
  ConvertOptions options;
  options.spec_text = text;
  CHECK_THROWS_WITH_AS(convert(spec_arrays(), options), doctest::Contains("'classifier.unknown_label' is set by the converter"),
                       std::runtime_error);
}

TEST_CASE("spec keys, sections and labels given twice are refused") {
  // Before: the last value silently won.
  CHECK(spec_error("[model]\nname = a\nname = b\n") ==
        "s.spec:3: 'name' is set twice in this [model] section (first on line 2)");
  CHECK(spec_error("[channel]\nkind = script\nembedding = e\nembedding = f\n") ==
        "s.spec:4: 'embedding' is set twice in this [channel] section (first on line 3)");
  CHECK(spec_error("[metadata]\na.b = 1\na.b = 2\n") == "s.spec:3: 'a.b' is set twice in this [metadata] section (first on line 2)");
  CHECK(spec_error("[model]\nname = a\n[text]\nlowercase = 1\n[model]\ndescription = b\n") ==
        "s.spec:5: section [model] appears twice (first on line 1); only [channel] and [layer] repeat");
  CHECK(spec_error("[labels]\nen English\nde German\nen Again\n") == "s.spec:4: label 'en' appears twice (first on line 2)");
  // The same key in two [channel] sections is two channels, not a repeat.
  const ModelSpec two = parse_model_spec("[channel]\nkind = script\nembedding = a\n[channel]\nkind = script\nembedding = b\n", "s");
  CHECK(two.channels.size() == 2);
}

TEST_CASE("the shipped models/langid.spec follows every rule") {
  const std::vector<uint8_t> bytes = read_file_bytes(testing::source_path("models/langid.spec"));
  const ModelSpec spec = parse_model_spec(std::string(bytes.begin(), bytes.end()), "models/langid.spec");
  // char 1-4-grams, script, word, han_variant; 2-4-grams and word with second seeds
  CHECK(spec.channels.size() == 11);
  CHECK(spec.prior.size() > 400);
  CHECK(spec.labels.size() > 400);
}

TEST_CASE("a spec whose arrays do not chain is refused before anything is written") {
  std::map<std::string, NpyArray> arrays = spec_arrays();
  std::mt19937 rng(1);
  arrays["w1"] = f32_array({3, 4}, testing::random_values(rng, 12, 1.0f));  // 3 outputs, 2 labels
  arrays["b1"] = f32_array({3}, testing::random_values(rng, 3, 1.0f));
  ConvertOptions options;
  options.spec_text = kSpec;
  CHECK_THROWS_WITH_AS(convert(arrays, options), doctest::Contains("2 labels but its output layer has 3"), std::runtime_error);
  arrays = spec_arrays();
  arrays.erase("b0");
  CHECK_THROWS_WITH_AS(convert(arrays, options), doctest::Contains("'b0'"), std::runtime_error);
}

TEST_CASE("a spec with every feature kind converts; a vocabulary file is sorted and its rows follow") {
  char dir_template[] = "/tmp/ffnlp_vocab_XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  const std::string dir = dir_template;
  {
    FILE* f = std::fopen((dir + "/words.txt").c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fputs("hund\nder\ndie\n", f);  // row order: hund = 0, der = 1, die = 2
    std::fclose(f);
  }
  const std::string spec = R"([model]
task = classifier
[channel]
kind = word
seed = 3
vocab_file = words.txt
oov_buckets = 2
pooling = sum
embedding = ew
quantize = 0
[channel]
kind = prefix
length = 2
seed = 4
embedding = ep
[channel]
kind = shape
embedding = es
[channel]
kind = ids
embedding = ei
[layer]
weights = w0
bias = b0
activation = softmax
[labels]
a
b
)";
  std::mt19937 rng(3);
  std::map<std::string, NpyArray> arrays;
  const std::vector<float> ew = testing::random_values(rng, 5 * 2, 1.0f);
  arrays["ew"] = f32_array({5, 2}, ew);
  arrays["ep"] = f32_array({30, 2}, testing::random_values(rng, 60, 1.0f));
  arrays["es"] = f32_array({kShapeRows, 2}, testing::random_values(rng, kShapeRows * 2, 1.0f));
  arrays["ei"] = f32_array({7, 3}, testing::random_values(rng, 21, 1.0f));
  arrays["w0"] = f32_array({2, 9}, testing::random_values(rng, 18, 1.0f));
  arrays["b0"] = f32_array({2}, testing::random_values(rng, 2, 1.0f));
  ConvertOptions options;
  options.spec_text = spec;
  options.spec_name = dir + "/model.spec";
  const std::vector<uint8_t> bytes = convert(arrays, options);
  const Model m = load_converted(bytes);
  uint32_t version = 0;
  CHECK(m.metadata_u32("features.version", &version));
  CHECK(version == kFeaturesVersion);
  REQUIRE(m.channel_count() == 4);
  CHECK(m.channel(0).kind == FeatureKind::kWord);
  CHECK(m.channel(0).vocab_size == 3);
  CHECK(m.channel(0).oov_buckets == 2);
  CHECK(m.channel(0).pooling == Pooling::kSum);
  CHECK(m.channel(1).length == 2);
  CHECK(m.channel(2).kind == FeatureKind::kShape);
  CHECK(m.channel(3).kind == FeatureKind::kIds);
  // Sorted: der (was row 1), die (row 2), hund (row 0); oov rows stay.
  const int was[] = {1, 2, 0, 3, 4};
  const TensorView* table = m.find_tensor("ew");
  for (int r = 0; r < 5; ++r) {
    for (int c = 0; c < 2; ++c) CHECK(table->at(r, c) == ew[was[r] * 2 + c]);
  }
  MetadataItem item;
  bool found = false;
  for (uint32_t i = 0; i < m.metadata_count(); ++i) {
    REQUIRE(m.metadata_item(i, &item));
    if (std::string(item.key, item.key_length) != "channel.0.vocab") continue;
    found = true;
    CHECK(item.count == 3);
    CHECK(std::string(item.string(0)) == "der");
    CHECK(std::string(item.string(2)) == "hund");
  }
  CHECK(found);
  // A vocabulary that does not fit the table, and a word listed twice.
  arrays["ew"] = f32_array({6, 2}, testing::random_values(rng, 12, 1.0f));
  CHECK_THROWS_WITH_AS(convert(arrays, options), doctest::Contains("3 words + oov_buckets 2 != 6 rows"), std::runtime_error);
  {
    FILE* f = std::fopen((dir + "/words.txt").c_str(), "wb");
    std::fputs("der\nhund\nder\n", f);
    std::fclose(f);
  }
  arrays["ew"] = f32_array({5, 2}, ew);
  CHECK_THROWS_WITH_AS(convert(arrays, options), doctest::Contains("'der' twice"), std::runtime_error);
  std::remove((dir + "/words.txt").c_str());
  std::remove(dir.c_str());
}

TEST_CASE("a prior over labels: [prior] weights become log(weight / total); prior = ARRAY is taken as it is") {
  std::map<std::string, NpyArray> arrays = spec_arrays();
  ConvertOptions options;
  options.spec_text = std::string(kSpec) + "[prior]\nen 3\n* 1\n";
  const std::vector<uint8_t> bytes = convert(arrays, options);
  const Model m = load_converted(bytes);
  REQUIRE(m.has_prior());
  CHECK(m.log_prior(0) == static_cast<float>(std::log(0.75)));
  CHECK(m.log_prior(1) == static_cast<float>(std::log(0.25)));

  std::string with_array = kSpec;
  with_array.replace(with_array.find("unknown_label = und"), 19, "unknown_label = und\nprior = lp");
  arrays["lp"] = f32_array({2}, {-0.5f, -2.0f});
  options.spec_text = with_array;
  const std::vector<uint8_t> array_bytes = convert(arrays, options);
  const Model a = load_converted(array_bytes);
  CHECK(a.log_prior(0) == -0.5f);
  CHECK(a.log_prior(1) == -2.0f);

  options.spec_text = std::string(kSpec) + "[prior]\nen 3\n";
  CHECK_THROWS_WITH_AS(convert(spec_arrays(), options), doctest::Contains("label 'sr-Cyrl' has no weight"), std::runtime_error);
  options.spec_text = std::string(kSpec) + "[prior]\nxx 3\n* 1\n";
  CHECK_THROWS_WITH_AS(convert(spec_arrays(), options), doctest::Contains("'xx' is not one of the [labels]"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[prior]\nen 0\n", "s.spec"), doctest::Contains("s.spec:2: prior weight of 'en'"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec("[prior]\nen 1\nen 2\n", "s.spec"), doctest::Contains("twice"), std::runtime_error);
  arrays["lp"] = f32_array({3}, {-0.5f, -2.0f, 0.0f});
  options.spec_text = with_array;
  CHECK_THROWS_WITH_AS(convert(arrays, options), doctest::Contains("one log weight per label (2)"), std::runtime_error);
}

TEST_CASE("channels sharing a table: stored once, read by both; stored two ways is refused") {
  std::string spec = kSpec;
  const std::string second = "[channel]\nkind = char_ngram\norder = 1\nseed = 8\nembedding = e1\n[layer]";
  spec.replace(spec.find("[layer]"), 7, second);
  std::map<std::string, NpyArray> arrays = spec_arrays();
  std::mt19937 rng(4);
  arrays["w0"] = f32_array({4, 8}, testing::random_values(rng, 32, 1.0f));  // input 3 + 2 + 3
  ConvertOptions options;
  options.spec_text = spec;
  const Model m = load_converted(convert(arrays, options));
  REQUIRE(m.channel_count() == 3);
  CHECK(m.tensor_count() == 6);  // e1, es, w0, b0, w1, b1
  CHECK(m.channel(2).embedding.data == m.channel(0).embedding.data);
  CHECK(m.channel(2).seed == 8);
  CHECK(m.input_width() == 8);
  // The two seeds pick different rows of the one table.
  FeatureRef refs[32];
  size_t count = 0;
  REQUIRE(m.text_features("abcdefg", 7, refs, 32, &count) == Status::kOk);
  std::vector<uint32_t> rows[3];
  for (size_t k = 0; k < count; ++k) rows[refs[k].channel].push_back(refs[k].row);
  CHECK(rows[0].size() == 7);
  CHECK(rows[2].size() == 7);
  CHECK(rows[0] != rows[2]);

  std::string mixed = spec;
  mixed.replace(mixed.find("seed = 8\n"), 9, "seed = 8\nbits = 4\n");
  options.spec_text = mixed;
  CHECK_THROWS_WITH_AS(convert(arrays, options), doctest::Contains("store it differently"), std::runtime_error);
}
