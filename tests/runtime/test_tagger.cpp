// Token models (docs/SPEC.md "Token models"): the token feature API's golden
// rows and weights (windows, padding rows, concat / mean / sum, prev_label),
// tag() and tag_tokens() against a reference computed in double from those
// records (greedy, left to right), the same bits through the C API and
// workspaces, features-only token files, and the loader's rules for every
// new key (one mutation per case, each with its own status and message).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/ffnlp_c.h"
#include "load_cases.h"
#include "test_models.h"

using namespace ffnlp;

namespace {

struct Loaded {
  std::vector<uint8_t> bytes;
  Model model;
  explicit Loaded(std::vector<uint8_t> b) : bytes(std::move(b)) {
    Error error;
    const Status s = Model::load(bytes.data(), bytes.size(), &model, &error);
    REQUIRE_MESSAGE(s == Status::kOk, error.message);
  }
};

std::vector<FeatureRef> token_features_of(const Model& m, const std::vector<std::string>& tokens, size_t i,
                                    const std::vector<uint32_t>& labels) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lengths;
  for (const std::string& t : tokens) {
    ptrs.push_back(t.data());
    lengths.push_back(t.size());
  }
  size_t count = 0;
  Status s = m.token_features(ptrs.data(), lengths.data(), ptrs.size(), i, labels.empty() ? nullptr : labels.data(),
                              nullptr, 0, &count);
  REQUIRE((s == Status::kBufferTooSmall || (s == Status::kOk && count == 0)));
  std::vector<FeatureRef> refs(count);
  size_t again = 0;
  REQUIRE(m.token_features(ptrs.data(), lengths.data(), ptrs.size(), i, labels.empty() ? nullptr : labels.data(),
                           refs.data(), refs.size(), &again) == Status::kOk);
  REQUIRE(again == count);
  return refs;
}

// (slot, row, weight) of one channel's records, sorted.
struct Rec {
  uint32_t slot, row;
  float weight;
  bool operator<(const Rec& o) const { return slot != o.slot ? slot < o.slot : row < o.row; }
  bool operator==(const Rec& o) const { return slot == o.slot && row == o.row && weight == o.weight; }
};
std::vector<Rec> channel_records(const std::vector<FeatureRef>& refs, uint32_t channel) {
  std::vector<Rec> out;
  for (const FeatureRef& r : refs) {
    if (r.channel == channel) out.push_back({r.slot, r.row, r.weight});
  }
  std::sort(out.begin(), out.end());
  return out;
}

uint32_t hashed(const std::string& ascii, uint32_t seed, uint32_t buckets) {
  std::vector<uint32_t> cps(ascii.begin(), ascii.end());
  return bucket_of(hash_code_points_forward(cps.data(), static_cast<uint32_t>(cps.size()), seed), buckets);
}
uint32_t ngram(const std::string& ascii, uint32_t seed, uint32_t buckets) {
  std::vector<uint32_t> cps(ascii.begin(), ascii.end());
  return bucket_of(hash_code_points(cps.data(), static_cast<uint32_t>(cps.size()), seed), buckets);
}
std::vector<Rec> bigrams(const std::string& token, uint32_t slot) {
  const std::string padded = " " + token + " ";
  std::vector<Rec> out;
  const float w = 1.0f / static_cast<float>(padded.size() - 1);
  for (size_t k = 0; k + 2 <= padded.size(); ++k) out.push_back({slot, ngram(padded.substr(k, 2), 11, 11), w});
  std::sort(out.begin(), out.end());
  return out;
}

// The tagger computed in double from the public feature records and the
// model's tensor views: greedy, left to right.
std::vector<std::pair<uint32_t, double>> reference_tags(const Model& m, const std::vector<std::string>& tokens) {
  std::vector<std::pair<uint32_t, double>> out;
  std::vector<uint32_t> labels;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::vector<FeatureRef> refs = token_features_of(m, tokens, i, labels);
    std::vector<double> x(m.input_width(), 0.0);
    for (const FeatureRef& r : refs) {
      const ChannelInfo& c = m.channel(r.channel);
      for (uint32_t d = 0; d < c.dims; ++d) {
        x[c.input_offset + r.slot * c.dims + d] += static_cast<double>(r.weight) * c.embedding.at(r.row, d);
      }
    }
    for (uint32_t l = 0; l < m.layer_count(); ++l) {
      const LayerInfo& layer = m.layer(l);
      std::vector<double> y(layer.out);
      for (uint32_t o = 0; o < layer.out; ++o) {
        double s = layer.bias.at(o, 0);
        for (uint32_t k = 0; k < layer.in; ++k) s += layer.weight(o, k) * x[k];
        y[o] = (layer.activation == Activation::kRelu && s < 0) ? 0 : s;
      }
      x = y;
    }
    uint32_t best = 0;
    for (uint32_t l = 1; l < x.size(); ++l) {
      if (x[l] > x[best]) best = l;
    }
    double sum = 0;
    for (double v : x) sum += std::exp(v - x[best]);
    out.push_back({best, 1.0 / sum});
    labels.push_back(best);
  }
  return out;
}

const std::vector<std::string> kSentence = {"The", "old", "man", "boats", "."};

}  // namespace

TEST_CASE("tagger: token features, golden rows and weights per channel, window and padding") {
  Loaded t(testing::build_token_model(testing::make_token_network(1)));
  const Model& m = t.model;
  REQUIRE(m.is_tagger());
  CHECK_FALSE(m.is_classifier());
  CHECK(m.is_token_model());
  CHECK(std::string(m.tokenizer()) == "words");
  CHECK(m.tokenizer_version() == 1);
  CHECK(m.features_version() == kTokenFeaturesVersion);
  // Input width: word 3 x 3 slots + suffix 2 + shape 2 + char_ngram 2 x 2 + script 1 + prev_label 2 x 2.
  CHECK(m.input_width() == 9 + 2 + 2 + 4 + 1 + 4);
  CHECK(m.channel(0).slots == 3);
  CHECK(m.channel(2).slots == 1);
  CHECK(m.channel(2).window_count == 3);
  CHECK(m.channel(5).window[0] == -2);
  CHECK(m.channel(1).input_offset == 9);

  // Token 0: "The" with "old" after it, nothing before.
  std::vector<FeatureRef> refs = token_features_of(m, kSentence, 0, {});
  CHECK(channel_records(refs, 0) == std::vector<Rec>{{0, 7, 1.0f}, {1, 3, 1.0f}, {2, 2, 1.0f}});  // pad, "the", "old"
  CHECK(channel_records(refs, 1) == std::vector<Rec>{{0, hashed("he", 8, 7), 1.0f}});
  const float third = 1.0f / 3.0f;
  // Shape (mean over the window): padding row 100, "The" title 2-3 letters = 41, "old" lower = 21.
  CHECK(channel_records(refs, 2) == std::vector<Rec>{{0, 21, third}, {0, 41, third}, {0, 100, third}});
  std::vector<Rec> grams = bigrams("the", 0);
  for (const Rec& r : bigrams("old", 1)) grams.push_back(r);
  std::sort(grams.begin(), grams.end());
  CHECK(channel_records(refs, 3) == grams);
  // Script (sum): the padding row 4 once, Latin (1) per letter of "The".
  CHECK(channel_records(refs, 4) == std::vector<Rec>{{0, 1, 1.0f}, {0, 1, 1.0f}, {0, 1, 1.0f}, {0, 4, 1.0f}});
  CHECK(channel_records(refs, 5) == std::vector<Rec>{{0, 3, 1.0f}, {1, 3, 1.0f}});  // both before the sequence

  // Token 4: "." after "boats" (out of the vocabulary), labels given.
  refs = token_features_of(m, kSentence, 4, {2, 0, 0, 1});
  CHECK(channel_records(refs, 0) ==
        std::vector<Rec>{{0, 4 + hashed("boats", 5, 3), 1.0f}, {1, 4 + hashed(".", 5, 3), 1.0f}, {2, 8, 1.0f}});
  CHECK(channel_records(refs, 1) == std::vector<Rec>{{0, hashed(".", 8, 7), 1.0f}});
  // "boats" lower 4-6 = 22, "." no case, punctuation, 1 = 12, after the sequence 101.
  CHECK(channel_records(refs, 2) == std::vector<Rec>{{0, 12, third}, {0, 22, third}, {0, 101, third}});
  std::vector<Rec> dot = bigrams(".", 0);
  dot.push_back({1, 12, 1.0f});  // offset +1 is after the sequence: row 13 - 1
  std::sort(dot.begin(), dot.end());
  CHECK(channel_records(refs, 3) == dot);
  CHECK(channel_records(refs, 4).size() == 5);  // the letters of "boats"; "." has none
  CHECK(channel_records(refs, 5) == std::vector<Rec>{{0, 0, 1.0f}, {1, 1, 1.0f}});

  // Lowercasing and the vocabulary: "MAN" is "man".
  refs = token_features_of(m, {"MAN"}, 0, {});
  CHECK(channel_records(refs, 0) == std::vector<Rec>{{0, 7, 1.0f}, {1, 1, 1.0f}, {2, 8, 1.0f}});
  CHECK(channel_records(refs, 2) == std::vector<Rec>{{0, 61, third}, {0, 100, third}, {0, 101, third}});
}

TEST_CASE("tagger: the feature API refuses what it cannot answer") {
  Loaded t(testing::build_token_model(testing::make_token_network(1)));
  const Model& m = t.model;
  const char* tokens[] = {"a", "b", "c"};
  FeatureRef refs[256];
  size_t count = 7;
  CHECK(m.token_features(tokens, nullptr, 3, 3, nullptr, refs, 256, &count) == Status::kInvalidArgument);
  CHECK(count == 0);
  CHECK(m.token_features(nullptr, nullptr, 3, 0, nullptr, refs, 256, &count) == Status::kInvalidArgument);
  // Token 1 reads the label of token 0; token 2 those of 0 and 1.
  CHECK(m.token_features(tokens, nullptr, 3, 1, nullptr, refs, 256, &count) == Status::kInvalidArgument);
  const uint32_t bad[] = {0, 3};
  CHECK(m.token_features(tokens, nullptr, 3, 2, bad, refs, 256, &count) == Status::kInvalidArgument);
  const uint32_t good[] = {0, 2};
  CHECK(m.token_features(tokens, nullptr, 3, 2, good, refs, 256, &count) == Status::kOk);
  const size_t needed = count;
  CHECK(m.token_features(tokens, nullptr, 3, 2, good, refs, 2, &count) == Status::kBufferTooSmall);
  CHECK(count == needed);
  CHECK(m.token_features(tokens, nullptr, 3, 0, nullptr, refs, 256, &count) == Status::kOk);
  // Text features are for text models; token features for token models.
  CHECK(m.text_features("abc", 3, refs, 256, &count) == Status::kNotClassifier);
  Loaded c(testing::build_kinds_model(testing::make_kinds_network(2)));
  CHECK(c.model.token_features(tokens, nullptr, 3, 0, nullptr, refs, 256, &count) == Status::kNotClassifier);
  Token spans[4];
  CHECK(c.model.tokenize("a b", 3, spans, 4, &count) == Status::kNotClassifier);
}

TEST_CASE("tagger: tag_tokens is the greedy reference computed from the feature records") {
  for (uint32_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    Loaded t(testing::build_token_model(testing::make_token_network(seed)));
    const Model& m = t.model;
    Workspace ws(m);
    REQUIRE(ws.ok());
    REQUIRE(ws.size() == m.scratch_bytes());
    for (const std::vector<std::string>& sentence :
         {kSentence, std::vector<std::string>{"x"}, std::vector<std::string>{"", "...", "Ünïcode", "\xFF\xFE", "42"},
          std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"}}) {
      std::vector<const char*> ptrs;
      std::vector<size_t> lengths;
      for (const std::string& s : sentence) {
        ptrs.push_back(s.data());
        lengths.push_back(s.size());
      }
      std::vector<TaggedToken> out(sentence.size());
      REQUIRE(m.tag_tokens(ptrs.data(), lengths.data(), ptrs.size(), ws, out.data()) == Status::kOk);
      const auto want = reference_tags(m, sentence);
      for (size_t i = 0; i < sentence.size(); ++i) {
        CAPTURE(i);
        CHECK(out[i].label_index == want[i].first);
        CHECK(std::string(out[i].label) == m.label(want[i].first));
        CHECK(out[i].probability == doctest::Approx(want[i].second).epsilon(1e-4));
        CHECK(out[i].begin == 0);
        CHECK(out[i].end == sentence[i].size());
      }
    }
  }
}

TEST_CASE("tagger: tag() is tokenize() then tag_tokens(), bit for bit, through C++, C and workspaces") {
  Loaded t(testing::build_token_model(testing::make_token_network(4)));
  const Model& m = t.model;
  Workspace ws(m);
  const std::string text = "  The old man -- don't ask -- boats 1,000 U.S. ships...\xFF";
  std::vector<Token> spans(text.size());
  size_t n = 0;
  REQUIRE(m.tokenize(text.data(), text.size(), spans.data(), spans.size(), &n) == Status::kOk);
  REQUIRE(n == 12);
  std::vector<std::string> words;
  for (size_t i = 0; i < n; ++i) words.push_back(text.substr(spans[i].begin, spans[i].end - spans[i].begin));
  CHECK(words[4] == "don't");
  CHECK(words[9] == "U.S.");
  std::vector<TaggedToken> tagged(text.size());
  size_t count = 0;
  REQUIRE(m.tag(text.data(), text.size(), ws, tagged.data(), tagged.size(), &count) == Status::kOk);
  REQUIRE(count == n);
  std::vector<const char*> ptrs;
  std::vector<size_t> lengths;
  for (const std::string& w : words) {
    ptrs.push_back(w.c_str());
    lengths.push_back(w.size());
  }
  std::vector<TaggedToken> listed(n);
  REQUIRE(m.tag_tokens(ptrs.data(), nullptr, n, ws, listed.data()) == Status::kOk);  // NUL-terminated
  for (size_t i = 0; i < n; ++i) {
    CAPTURE(i);
    CHECK(tagged[i].begin == spans[i].begin);
    CHECK(tagged[i].end == spans[i].end);
    CHECK(tagged[i].label_index == listed[i].label_index);
    CHECK(tagged[i].probability == listed[i].probability);
  }

  // The C API: same tokens, labels and probabilities (bit for bit).
  ffnlp_model* cm = nullptr;
  REQUIRE(ffnlp_model_create_from_buffer(t.bytes.data(), t.bytes.size(), &cm, nullptr) == FFNLP_OK);
  CHECK(ffnlp_model_is_tagger(cm) == 1);
  CHECK(ffnlp_model_is_classifier(cm) == 0);
  CHECK(std::string(ffnlp_model_tokenizer(cm)) == "words");
  CHECK(ffnlp_model_tokenizer_version(cm) == 1);
  int32_t offsets[kMaxWindow];
  size_t k = 0;
  REQUIRE(ffnlp_model_channel_window(cm, 0, offsets, kMaxWindow, &k) == FFNLP_OK);
  CHECK(k == 3);
  CHECK(offsets[0] == -1);
  CHECK(offsets[2] == 1);
  CHECK(ffnlp_model_channel_window(cm, 0, offsets, 2, &k) == FFNLP_BUFFER_TOO_SMALL);
  CHECK(k == 3);
  ffnlp_channel_info info;
  info.struct_size = sizeof info;
  REQUIRE(ffnlp_model_channel(cm, 3, &info) == FFNLP_OK);
  CHECK(info.pooling == FFNLP_POOLING_CONCAT);
  CHECK(info.slots == 2);
  REQUIRE(ffnlp_model_channel(cm, 5, &info) == FFNLP_OK);
  CHECK(info.kind == FFNLP_KIND_PREV_LABEL);
  std::vector<ffnlp_token> ctokens(text.size());
  size_t cn = 0;
  REQUIRE(ffnlp_tokenize(cm, text.c_str(), FFNLP_NUL_TERMINATED, ctokens.data(), ctokens.size(), &cn) == FFNLP_OK);
  REQUIRE(cn == n);
  std::vector<ffnlp_tagged_token> ctagged(text.size());
  std::vector<uint8_t> scratch(ffnlp_model_scratch_size(cm) + 64);
  void* aligned = scratch.data() + (64 - reinterpret_cast<uintptr_t>(scratch.data()) % 64) % 64;
  REQUIRE(ffnlp_tag(cm, text.data(), text.size(), aligned, ffnlp_model_scratch_size(cm), ctagged.data(), ctagged.size(),
                    &cn) == FFNLP_OK);
  REQUIRE(cn == n);
  ffnlp_workspace* cws = nullptr;
  REQUIRE(ffnlp_workspace_create(cm, &cws, nullptr) == FFNLP_OK);
  std::vector<ffnlp_tagged_token> wtagged(n), wlisted(n), clisted(n);
  size_t wn = 0;
  REQUIRE(ffnlp_workspace_tag(cws, text.data(), text.size(), wtagged.data(), n, &wn) == FFNLP_OK);
  REQUIRE(ffnlp_workspace_tag_tokens(cws, ptrs.data(), lengths.data(), n, wlisted.data()) == FFNLP_OK);
  REQUIRE(ffnlp_tag_tokens(cm, ptrs.data(), nullptr, n, aligned, ffnlp_model_scratch_size(cm), clisted.data()) ==
          FFNLP_OK);
  for (size_t i = 0; i < n; ++i) {
    CAPTURE(i);
    CHECK(ctokens[i].begin == spans[i].begin);
    CHECK(ctokens[i].end == spans[i].end);
    for (const ffnlp_tagged_token* c : {&ctagged[i], &wtagged[i]}) {
      CHECK(c->begin == tagged[i].begin);
      CHECK(c->end == tagged[i].end);
      CHECK(c->label_index == tagged[i].label_index);
      CHECK(c->label == tagged[i].label);
      CHECK(c->probability == tagged[i].probability);
    }
    for (const ffnlp_tagged_token* c : {&wlisted[i], &clisted[i]}) {
      CHECK(c->end == words[i].size());
      CHECK(c->label_index == tagged[i].label_index);
      CHECK(c->probability == tagged[i].probability);
    }
  }
  // ffnlp_token_features: the C++ records.
  const uint32_t labels[] = {tagged[0].label_index, tagged[1].label_index, tagged[2].label_index};
  std::vector<ffnlp_feature> cf(256);
  size_t cfn = 0;
  REQUIRE(ffnlp_token_features(cm, ptrs.data(), lengths.data(), n, 3, labels, cf.data(), cf.size(), &cfn) == FFNLP_OK);
  std::vector<FeatureRef> refs(256);
  size_t rn = 0;
  REQUIRE(m.token_features(ptrs.data(), lengths.data(), n, 3, labels, refs.data(), refs.size(), &rn) == Status::kOk);
  REQUIRE(cfn == rn);
  for (size_t i = 0; i < rn; ++i) {
    CHECK(cf[i].channel == refs[i].channel);
    CHECK(cf[i].slot == refs[i].slot);
    CHECK(cf[i].row == refs[i].row);
    CHECK(cf[i].weight == refs[i].weight);
  }
  // Wrong kind of call for the model, and bad arguments.
  ffnlp_prediction top[1];
  size_t tn = 0;
  CHECK(ffnlp_workspace_classify(cws, "abc", 3, top, 1, &tn) == FFNLP_NOT_CLASSIFIER);
  CHECK(ffnlp_workspace_tag(cws, text.data(), text.size(), wtagged.data(), 2, &wn) == FFNLP_BUFFER_TOO_SMALL);
  CHECK(wn == n);
  CHECK(ffnlp_tag(cm, text.data(), text.size(), nullptr, 0, ctagged.data(), ctagged.size(), &cn) ==
        FFNLP_INVALID_ARGUMENT);
  CHECK(ffnlp_tag(cm, text.data(), text.size(), aligned, 16, ctagged.data(), ctagged.size(), &cn) ==
        FFNLP_BUFFER_TOO_SMALL);
  CHECK(ffnlp_tag_tokens(nullptr, ptrs.data(), nullptr, n, aligned, 16, clisted.data()) == FFNLP_INVALID_ARGUMENT);
  ffnlp_workspace_free(cws);
  ffnlp_model_free(cm);
}

TEST_CASE("tagger: empty and hostile input, one answer per token, never a crash") {
  Loaded t(testing::build_token_model(testing::make_token_network(5)));
  const Model& m = t.model;
  Workspace ws(m);
  std::vector<TaggedToken> out(64);
  size_t n = 9;
  CHECK(m.tag("", 0, ws, out.data(), out.size(), &n) == Status::kOk);
  CHECK(n == 0);
  CHECK(m.tag(nullptr, 0, ws, out.data(), out.size(), &n) == Status::kOk);
  CHECK(m.tag(" \t\xFF\xFE ", 5, ws, out.data(), out.size(), &n) == Status::kOk);
  CHECK(n == 0);
  CHECK(m.tag_tokens(nullptr, nullptr, 0, ws, nullptr) == Status::kOk);
  CHECK(m.tag("?!.,;:", 6, ws, out.data(), out.size(), &n) == Status::kOk);
  CHECK(n == 6);
  for (size_t i = 0; i < n; ++i) CHECK(out[i].label_index < 3);
  // Nothing is tagged when the tokens do not fit.
  CHECK(m.tag("a b c", 5, ws, out.data(), 2, &n) == Status::kBufferTooSmall);
  CHECK(n == 3);
  // A 10,000-character token and a long line of them.
  const std::string big(10000, 'x');
  const char* one[] = {big.c_str()};
  CHECK(m.tag_tokens(one, nullptr, 1, ws, out.data()) == Status::kOk);
  std::string line;
  for (int i = 0; i < 2000; ++i) line += (i % 7 == 0 ? "\xC3" : "ab. ");
  std::vector<TaggedToken> many(line.size());
  CHECK(m.tag(line.data(), line.size(), ws, many.data(), many.size(), &n) == Status::kOk);
  CHECK(n > 1000);
  // Bad arguments.
  CHECK(m.tag("a", 1, nullptr, 0, out.data(), out.size(), &n) == Status::kInvalidArgument);
  CHECK(m.tag("a", 1, ws.data(), 8, out.data(), out.size(), &n) == Status::kBufferTooSmall);
  const char* holes[] = {"a", nullptr};
  const size_t hole_lengths[] = {1, 3};
  CHECK(m.tag_tokens(holes, hole_lengths, 2, ws, out.data()) == Status::kInvalidArgument);
  const size_t empty_lengths[] = {1, 0};
  CHECK(m.tag_tokens(holes, empty_lengths, 2, ws, out.data()) == Status::kOk);  // a null token of length 0 is empty
  // A classifier does not tag; a tagger does not classify.
  Loaded c(testing::build_kinds_model(testing::make_kinds_network(2)));
  Workspace cws(c.model);
  CHECK(c.model.tag("a b", 3, cws, out.data(), out.size(), &n) == Status::kNotClassifier);
  Prediction top[1];
  CHECK(m.classify("abc", 3, ws, top, 1, &n) == Status::kNotClassifier);
}

TEST_CASE("tagger: a features-only token file gives the tagger's records; it does not tag") {
  const testing::TokenNetwork net = testing::make_token_network(6);
  Loaded tagger(testing::build_token_model(net));
  Loaded features(testing::build_token_model(net, true));
  CHECK(std::string(features.model.task()) == "features");
  CHECK(features.model.is_token_model());
  CHECK_FALSE(features.model.is_tagger());
  CHECK(features.model.scratch_bytes() == 0);
  CHECK(features.model.input_width() == tagger.model.input_width());
  const std::vector<uint32_t> labels = {1, 2, 0, 0};
  for (size_t i = 0; i < kSentence.size(); ++i) {
    const std::vector<FeatureRef> a = token_features_of(tagger.model, kSentence, i, labels);
    const std::vector<FeatureRef> b = token_features_of(features.model, kSentence, i, labels);
    REQUIRE(a.size() == b.size());
    for (size_t k = 0; k < a.size(); ++k) {
      CHECK(a[k].channel == b[k].channel);
      CHECK(a[k].slot == b[k].slot);
      CHECK(a[k].row == b[k].row);
      CHECK(a[k].weight == b[k].weight);
    }
  }
  std::vector<uint8_t> scratch(1024);
  TaggedToken out[4];
  size_t n = 0;
  CHECK(features.model.tag("a b", 3, scratch.data(), scratch.size(), out, 4, &n) == Status::kNotClassifier);
  Token spans[4];
  CHECK(features.model.tokenize("a b", 3, spans, 4, &n) == Status::kOk);
  CHECK(n == 2);
}

// ---- the loader's rules for token models ------------------------------------------

namespace {

void set_window(tools::ModelWriter& w, const char* value) { w.set_string("channel.0.window", value); }

}  // namespace

TEST_CASE("tagger: every new key is validated at load, each failure with its own status and message") {
  const testing::TokenNetwork net = testing::make_token_network(7);
  const std::vector<testing::WriterCase> cases = {
      {"tokenizer missing", [](tools::ModelWriter& w) { w.remove("tokenizer"); }, Status::kBadMetadata, "'tokenizer' is missing"},
      {"tokenizer version missing", [](tools::ModelWriter& w) { w.remove("tokenizer.version"); }, Status::kBadMetadata,
       "'tokenizer.version' is missing"},
      {"unknown tokenizer", [](tools::ModelWriter& w) { w.set_string("tokenizer", "spaces"); },
       Status::kUnsupportedFeatures, "tokenizer 'spaces' version 1"},
      {"future tokenizer version", [](tools::ModelWriter& w) { w.set_u32("tokenizer.version", 2); },
       Status::kUnsupportedFeatures, "tokenizer 'words' version 2"},
      {"tokenizer of the wrong type", [](tools::ModelWriter& w) { w.set_u32("tokenizer", 1); }, Status::kBadMetadata,
       "wrong type"},
      {"features version 1", [](tools::ModelWriter& w) { w.set_u32("features.version", 1); }, Status::kBadMetadata,
       "records features.version 2"},
      {"features version 3", [](tools::ModelWriter& w) { w.set_u32("features.version", 3); },
       Status::kUnsupportedFeatures, "features.version 3"},
      {"digits dropped", [](tools::ModelWriter& w) { w.set_u32("text.drop_digits", 1); }, Status::kBadMetadata,
       "text.drop_digits is 1"},
      {"clean-up", [](tools::ModelWriter& w) { w.set_u32("text.cleanup", 1); }, Status::kBadMetadata, "text.cleanup is 1"},
      {"max_bytes", [](tools::ModelWriter& w) { w.set_u32("text.max_bytes", 100); }, Status::kBadMetadata,
       "text.max_bytes is 100"},
      {"window with a space", [](tools::ModelWriter& w) { set_window(w, "-1, 0"); }, Status::kBadMetadata, "window '-1, 0'"},
      {"window not increasing", [](tools::ModelWriter& w) { set_window(w, "0,-1"); }, Status::kBadMetadata, "window '0,-1'"},
      {"window repeated", [](tools::ModelWriter& w) { set_window(w, "0,0"); }, Status::kBadMetadata, "window '0,0'"},
      {"window too far", [](tools::ModelWriter& w) { set_window(w, "-9,0"); }, Status::kBadMetadata, "window '-9,0'"},
      {"window empty", [](tools::ModelWriter& w) { set_window(w, ""); }, Status::kBadMetadata, "window ''"},
      {"window +1", [](tools::ModelWriter& w) { set_window(w, "+1"); }, Status::kBadMetadata, "window '+1'"},
      {"window -0", [](tools::ModelWriter& w) { set_window(w, "-0"); }, Status::kBadMetadata, "window '-0'"},
      {"window 01", [](tools::ModelWriter& w) { set_window(w, "01"); }, Status::kBadMetadata, "window '01'"},
      {"window trailing comma", [](tools::ModelWriter& w) { set_window(w, "0,"); }, Status::kBadMetadata, "window '0,'"},
      {"window of the wrong type", [](tools::ModelWriter& w) { w.set_u32("channel.0.window", 0); }, Status::kBadMetadata,
       "wrong type"},
      {"window wider than the input", [](tools::ModelWriter& w) { set_window(w, "-2,-1,0,1"); }, Status::kBadShape,
       "layer 0"},
      {"prev_label at offset 0", [](tools::ModelWriter& w) { w.set_string("channel.5.window", "-1,0"); },
       Status::kBadMetadata, "window offset 0 is not before the token"},
      {"prev_label rows", [](tools::ModelWriter& w) { w.set_u32("channel.5.buckets", 4); }, Status::kBadShape,
       "channel.5.buckets is 4"},
      {"shape without padding rows", [](tools::ModelWriter& w) { w.set_u32("channel.2.buckets", 100); }, Status::kBadShape,
       "channel.2.buckets is 100"},
      {"unknown pooling", [](tools::ModelWriter& w) { w.set_string("channel.1.pooling", "max"); }, Status::kBadMetadata,
       "unknown pooling 'max'"},
      {"classifier key", [](tools::ModelWriter& w) { w.set_string("classifier.unknown_label", "X"); },
       Status::kBadMetadata, "'classifier.unknown_label' is for classifiers"},
      {"task classifier", [](tools::ModelWriter& w) { w.set_string("general.task", "classifier"); }, Status::kBadMetadata,
       "'tokenizer' belongs to token models"},
  };
  testing::check_writer_cases(
      [&net](tools::ModelWriter& w) {
        testing::add_token_tensors(w, net);
        testing::set_token_metadata(w, net);
      },
      cases);
}

TEST_CASE("tagger: token-model keys in a text model are refused") {
  const testing::KindsNetwork net = testing::make_kinds_network(8);
  const std::vector<testing::WriterCase> cases = {
      {"window", [](tools::ModelWriter& w) { w.set_string("channel.0.window", "0"); }, Status::kBadMetadata,
       "is for token models"},
      {"concat", [](tools::ModelWriter& w) { w.set_string("channel.0.pooling", "concat"); }, Status::kBadMetadata,
       "concat pooling is for token models"},
      {"prev_label", [](tools::ModelWriter& w) {
         w.set_string("channel.6.kind", "prev_label");
       }, Status::kBadMetadata, "only token models have earlier labels"},
      {"tokenizer", [](tools::ModelWriter& w) { w.set_string("tokenizer", "words"); }, Status::kBadMetadata,
       "'tokenizer' belongs to token models"},
  };
  testing::check_writer_cases(
      [&net](tools::ModelWriter& w) {
        testing::add_kinds_tensors(w, net);
        testing::set_kinds_metadata(w, net);
      },
      cases);
  // An ids channel is refused in a token model.
  testing::TokenNetwork tn = testing::make_token_network(9);
  tn.channels[4].kind = "ids";
  tools::ModelWriter w;
  testing::add_token_tensors(w, tn);
  testing::set_token_metadata(w, tn);
  const std::vector<uint8_t> bytes = w.build();
  Model m;
  Error error;
  CHECK(Model::load(bytes.data(), bytes.size(), &m, &error) == Status::kBadMetadata);
  CHECK_MESSAGE(std::strstr(error.message, "token models read no caller ids") != nullptr, error.message);
}

TEST_CASE("tagger: a copy tags like the original after the original is gone") {
  const std::vector<uint8_t> bytes = testing::build_token_model(testing::make_token_network(10));
  Model copy;
  TaggedToken want[8];
  size_t n = 0;
  {
    Model original;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &original, nullptr) == Status::kOk);
    Workspace ws(original);
    REQUIRE(original.tag("The old man the boat.", 21, ws, want, 8, &n) == Status::kOk);
    copy = original;
  }
  Workspace ws(copy);
  TaggedToken got[8];
  size_t m = 0;
  REQUIRE(copy.tag("The old man the boat.", 21, ws, got, 8, &m) == Status::kOk);
  REQUIRE(m == n);
  for (size_t i = 0; i < n; ++i) {
    CHECK(got[i].label_index == want[i].label_index);
    CHECK(got[i].probability == want[i].probability);
  }
}

TEST_CASE("tagger: threads share one model, each with its own workspace, and get the single-thread bits") {
  Loaded t(testing::build_token_model(testing::make_token_network(11)));
  const Model& m = t.model;
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) {
    texts.push_back("Sentence " + std::to_string(i) + ": the old man the boats, don't he? U.S. 1,000 ships...");
  }
  auto tag_all = [&](std::vector<std::vector<TaggedToken>>* out) {
    Workspace ws(m);
    for (const std::string& text : texts) {
      std::vector<TaggedToken> tokens(text.size());
      size_t n = 0;
      if (m.tag(text.data(), text.size(), ws, tokens.data(), tokens.size(), &n) != Status::kOk) n = 0;
      tokens.resize(n);
      out->push_back(tokens);
    }
  };
  std::vector<std::vector<TaggedToken>> want;
  tag_all(&want);
  std::vector<std::vector<std::vector<TaggedToken>>> got(4);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) threads.emplace_back([&, k] { tag_all(&got[k]); });
  for (std::thread& th : threads) th.join();
  for (const auto& g : got) {
    REQUIRE(g.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      REQUIRE(g[i].size() == want[i].size());
      REQUIRE(!want[i].empty());
      for (size_t j = 0; j < want[i].size(); ++j) {
        CHECK(g[i][j].label_index == want[i][j].label_index);
        CHECK(g[i][j].probability == want[i][j].probability);
      }
    }
  }
}
