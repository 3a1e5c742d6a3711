// Tests for the tagger trainer (tools/train_pos): analytic gradients against
// finite differences, and the round trip trainer -> arrays + spec ->
// convert() -> runtime, which must tag exactly as the trainer's own greedy
// decoder on the 8-bit round-tripped weights.
//
// The trainer's sources are not part of the tool library the test binary
// links, so they are compiled into this test directly (as for tools/train).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/common/tagged_corpus.h"
#include "tools/convert_model/converter.h"
#include "tools/train_pos/tagger_export.cpp"
#include "tools/train_pos/tagger_net.cpp"

using namespace ffnlp;
using namespace ffnlp::train;

namespace {

TaggerConfig tiny_tagger(bool with_prev) {
  TaggerConfig cfg;
  tools::ChannelMetadata word;
  word.kind = "word";
  word.seed = 3;
  word.vocab = {"a", "dog", "the"};
  word.oov_buckets = 2;
  word.buckets = 3 + 2 + 2;
  word.dims = 3;
  word.pooling = "concat";
  word.window = {-1, 0, 1};
  word.embedding = "emb_word";
  cfg.channels.push_back(word);
  tools::ChannelMetadata suffix;
  suffix.kind = "suffix";
  suffix.length = 2;
  suffix.seed = 9;
  suffix.buckets = 11 + 2;
  suffix.dims = 2;
  suffix.pooling = "concat";
  suffix.window = {0};
  suffix.embedding = "emb_suffix2";
  cfg.channels.push_back(suffix);
  tools::ChannelMetadata ngram;
  ngram.kind = "char_ngram";
  ngram.order = 2;
  ngram.seed = 5;
  ngram.buckets = 17 + 2;
  ngram.dims = 2;
  ngram.pooling = "concat";
  ngram.window = {0};
  ngram.embedding = "emb_ngram2";
  cfg.channels.push_back(ngram);
  if (with_prev) {
    tools::ChannelMetadata prev;
    prev.kind = "prev_label";
    prev.buckets = 12 + 2;
    prev.dims = 2;
    prev.pooling = "concat";
    prev.window = {-2, -1};
    prev.embedding = "emb_prev";
    cfg.channels.push_back(prev);
  }
  cfg.hidden = 5;
  cfg.labels = 12;
  cfg.quantize_dense = false;
  cfg.finalize();
  return cfg;
}

TokenSpan span(const std::vector<std::string>& words) {
  TokenSpan s;
  for (const std::string& w : words) {
    s.tokens.push_back(w.data());
    s.lengths.push_back(w.size());
  }
  return s;
}

double loss_of(const TaggerConfig& cfg, const TaggerParams& prm, const TokenSpan& s, size_t i, const uint32_t* labels,
               uint32_t gold) {
  TaggerScratch scratch;
  scratch.init(cfg);
  tagger_forward(cfg, prm, s, i, labels, &scratch);
  return -std::log(static_cast<double>(scratch.p[gold]));
}

}  // namespace

TEST_CASE("train_pos: analytic gradients match finite differences") {
  const TaggerConfig cfg = tiny_tagger(true);
  std::mt19937_64 rng(7);
  TaggerParams prm;
  prm.init(cfg, rng);
  const std::vector<std::string> words = {"The", "dog", "barked", "loudly", "."};
  const TokenSpan s = span(words);
  const uint32_t labels[] = {5, 0, 1, 3, 10};
  const size_t i = 2;
  TaggerScratch scratch;
  scratch.init(cfg);
  TaggerGrads g;
  g.init(cfg);
  tagger_accumulate(cfg, prm, s, i, labels, labels[i], 0.0f, &scratch, &g);
  const double h = 1e-3;
  auto check = [&](float* p, float analytic, const char* what) {
    CAPTURE(what);
    const float saved = *p;
    *p = saved + static_cast<float>(h);
    const double up = loss_of(cfg, prm, s, i, labels, labels[i]);
    *p = saved - static_cast<float>(h);
    const double down = loss_of(cfg, prm, s, i, labels, labels[i]);
    *p = saved;
    const double numeric = (up - down) / (2 * h);
    CHECK(std::fabs(numeric - analytic) < 2e-3 + 2e-2 * std::fabs(numeric));
  };
  for (size_t k = 0; k < prm.w1.size(); k += 7) check(&prm.w1[k], g.w1[k], "w1");
  for (size_t k = 0; k < prm.w2.size(); k += 5) check(&prm.w2[k], g.w2[k], "w2");
  for (size_t k = 0; k < prm.b1.size(); ++k) check(&prm.b1[k], g.b1[k], "b1");
  // Every embedding row the token's window touched.
  size_t rows = 0;
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    for (uint32_t row : g.touched[c]) {
      const size_t base = static_cast<size_t>(row) * cfg.channels[c].dims;
      for (uint32_t j = 0; j < cfg.channels[c].dims; ++j) check(&prm.emb[c][base + j], g.emb[c][base + j], "emb");
      ++rows;
    }
  }
  CHECK(rows >= 6);  // 3 word slots, suffix, n-grams, 2 previous tags
}

TEST_CASE("train_pos: trained, exported and converted, the runtime tags as the trainer") {
  for (bool with_prev : {false, true}) {
    CAPTURE(with_prev);
    TaggerConfig cfg = tiny_tagger(with_prev);
    std::mt19937_64 rng(11);
    TaggerParams prm;
    prm.init(cfg, rng);
    TaggerAdam adam;
    adam.init(cfg);
    TaggerGrads g;
    g.init(cfg);
    TaggerScratch scratch;
    scratch.init(cfg);
    const std::vector<std::vector<std::string>> sentences = {
        {"The", "dog", "barked", "."}, {"A", "dog", "ran", "away", "."}, {"the", "dogs", "ran", "."}};
    const std::vector<std::vector<uint32_t>> gold = {{5, 0, 1, 10}, {5, 0, 1, 3, 10}, {5, 0, 1, 10}};
    for (int epoch = 0; epoch < 30; ++epoch) {
      for (size_t k = 0; k < sentences.size(); ++k) {
        const TokenSpan s = span(sentences[k]);
        for (size_t i = 0; i < s.tokens.size(); ++i) {
          tagger_accumulate(cfg, prm, s, i, gold[k].data(), gold[k][i], 0.05f, &scratch, &g);
        }
        tagger_adam_step(cfg, 0.05f, 1.0f, &g, &prm, &adam);
      }
    }
    const TaggerParams q = tagger_quantized_copy(cfg, prm);
    char dir[] = "/tmp/ffnlp_train_pos_XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    const std::string words_path = std::string(dir) + "/w.txt";
    {
      FILE* f = std::fopen(words_path.c_str(), "wb");
      REQUIRE(f != nullptr);
      for (const std::string& w : cfg.channels[0].vocab) std::fprintf(f, "%s\n", w.c_str());
      std::fclose(f);
    }
    tools::ConvertOptions options;
    options.spec_text = tagger_spec_text(cfg, "w.txt", "test");
    options.spec_name = std::string(dir) + "/t.spec";
    const std::vector<uint8_t> bytes = tools::convert(tagger_arrays(cfg, prm), options);
    std::remove(words_path.c_str());
    std::remove(dir);
    Model model;
    Error error;
    REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk, error.message);
    REQUIRE(model.is_tagger());
    CHECK(model.label_count() == 12);
    ffnlp::Workspace ws(model);
    const std::vector<std::vector<std::string>> probes = {
        {"The", "dog", "barked", "."}, {"a", "dogs", "away", "the", "ran"}, {""}, {"x"}, {"!!", "Dog", "DOG", "ran"}};
    size_t agree = 0, total = 0;
    for (const auto& words : probes) {
      const TokenSpan s = span(words);
      std::vector<uint32_t> mine;
      tagger_tag(cfg, q, s, &scratch, &mine);
      std::vector<TaggedToken> out(words.size());
      REQUIRE(model.tag_tokens(s.tokens.data(), s.lengths.data(), words.size(), ws, out.data()) == Status::kOk);
      for (size_t i = 0; i < words.size(); ++i) {
        agree += out[i].label_index == mine[i];
        ++total;
        tagger_forward(cfg, q, s, i, mine.data(), &scratch);
        CHECK(std::fabs(out[i].probability - scratch.p[mine[i]]) < 1e-4f);
      }
    }
    CHECK(agree == total);
    // And it learnt the toy data.
    std::vector<uint32_t> tags;
    tagger_tag(cfg, q, span(sentences[0]), &scratch, &tags);
    CHECK(tags == gold[0]);
  }
}
