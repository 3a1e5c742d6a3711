// Tests for the language-identification trainer (tools/train): analytic
// gradients against finite differences, lazy Adam, and the deterministic
// sampling of training spans.
//
// The trainer's sources are not part of the tool library the test binary
// links, so the library files are compiled into this test directly. The
// trainer reads its features only through the runtime's public feature API
// (no runtime/src include in tools/train).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/convert_model/converter.h"
#include "tools/convert_model/quantize_matrix.h"
#include "test_paths.h"
#include "tools/train/dataset.cpp"
#include "tools/train/export.cpp"
#include "tools/train/model.cpp"
#include "tools/train/teacher.cpp"

using ffnlp::kScriptCount;
using namespace ffnlp::train;

namespace {

ModelConfig tiny_config() {
  ModelConfig cfg;
  cfg.buckets = {7, 11, 13};
  cfg.dims = {4, 3, 9};
  cfg.seeds = {1, 2, 3};
  cfg.script_dims = 3;
  cfg.hidden = 6;
  cfg.labels = 4;
  cfg.finalize();
  return cfg;
}

double smoothed_loss(const ModelConfig& cfg, const Params& prm, ffnlp::train::Workspace* ws, uint32_t label,
                     double eps) {
  forward(cfg, prm, ws);
  double loss = -(1.0 - eps) * std::log(static_cast<double>(ws->p[label]));
  for (uint32_t l = 0; l < cfg.labels; ++l)
    loss -= eps / cfg.labels * std::log(static_cast<double>(ws->p[l]));
  return loss;
}

// The cross-entropy accumulate() minimises with a soft target: t = a soft
// + (1 - a) ((1 - e) onehot + e / L).
double soft_loss(const ModelConfig& cfg, const Params& prm, ffnlp::train::Workspace* ws, uint32_t label,
                 double eps, const std::vector<float>& soft, double a) {
  forward(cfg, prm, ws);
  double loss = 0;
  for (uint32_t l = 0; l < cfg.labels; ++l) {
    const double t = a * soft[l] + (1 - a) * ((l == label ? 1 - eps : 0) + eps / cfg.labels);
    loss -= t * std::log(static_cast<double>(ws->p[l]));
  }
  return loss;
}

// The gradients of two short texts, one shard each (labels 0 and 1), as
// one training step's threads leave them for adam_step.
std::vector<Grads> gradients_of_two_texts(const ModelConfig& cfg, const Params& prm) {
  std::vector<Grads> shards(2);
  for (auto& s : shards) s.init(cfg);
  ffnlp::train::Workspace ws;
  ws.init(cfg);
  const char* texts[2] = {"abc", "abd xyz"};
  for (int s = 0; s < 2; ++s) {
    extract(cfg, texts[s], std::strlen(texts[s]), &ws.feats);
    REQUIRE(accumulate(cfg, prm, static_cast<uint32_t>(s), 0.05f, 0.5f, &ws, &shards[s]));
  }
  return shards;
}

}  // namespace

TEST_CASE("train: input width and size estimate follow the configuration") {
  const ModelConfig cfg = tiny_config();
  CHECK(cfg.channels.size() == 4);
  CHECK(cfg.input_width == 4 + 3 + 9 + 3);
  CHECK(cfg.channels[3].kind == "script");
  CHECK(cfg.channels[3].buckets == kScriptCount);
  const uint64_t expect = 7 * (4 + 4) + 11 * (3 + 4) + 13 * (9 + 4) + kScriptCount * (3 + 4) +
                          4 * (6 * (19 + 1) + 4 * (6 + 1));
  CHECK(cfg.estimated_file_bytes() == expect);
  // 4-bit hashed tables: ceil(dims / 2) bytes a row (+ the scale); the
  // script table stays 8-bit.
  ModelConfig q4 = tiny_config();
  q4.embedding_bits = 4;
  q4.finalize();
  CHECK(q4.channel_bits(0) == 4);
  CHECK(q4.channel_bits(3) == 8);
  CHECK(q4.estimated_file_bytes() == expect - 7 * (4 - 2) - 11 * (3 - 2) - 13 * (9 - 5));
  // bf16 scales (q4_row_bf16): 2 bytes a row instead of 4 for the 4-bit
  // tables only; the script table keeps its f32 scales.
  ModelConfig bf16 = q4;
  bf16.embedding_bf16_scales = true;
  bf16.finalize();
  CHECK(bf16.channel_bf16_scales(0));
  CHECK(bf16.channel_bf16_scales(2));
  CHECK_FALSE(bf16.channel_bf16_scales(3));
  CHECK_FALSE(q4.channel_bf16_scales(0));
  CHECK(bf16.estimated_file_bytes() == q4.estimated_file_bytes() - 2 * (7 + 11 + 13));
  CHECK(bf16.estimated_file_bytes() == 7 * (2 + 2) + 11 * (2 + 2) + 13 * (5 + 2) + kScriptCount * (3 + 4) +
                                           4 * (6 * (19 + 1) + 4 * (6 + 1)));
  // Only with 4-bit tables.
  ModelConfig bf16_8 = tiny_config();
  bf16_8.embedding_bf16_scales = true;
  CHECK_THROWS_WITH_AS(bf16_8.finalize(), doctest::Contains("need 4-bit tables (--embedding-bits 4)"),
                       std::invalid_argument);
  q4.embedding_bits = 5;
  CHECK_THROWS_AS(q4.finalize(), std::invalid_argument);
  // 3-bit tables (q3_row_bf16): ceil(dims * 3 / 8) bytes a row + a
  // bfloat16 scale; they have no f32-scale form, so bf16 scales are required.
  ModelConfig q3 = tiny_config();
  q3.embedding_bits = 3;
  CHECK_THROWS_WITH_AS(q3.finalize(), doctest::Contains("add --embedding-scales bf16"), std::invalid_argument);
  q3.embedding_bf16_scales = true;
  q3.finalize();
  CHECK(q3.channel_bits(0) == 3);
  CHECK(q3.channel_bits(3) == 8);
  CHECK(q3.channel_bf16_scales(0));
  CHECK_FALSE(q3.channel_simulated(0));
  CHECK(q3.estimated_file_bytes() == 7 * (2 + 2) + 11 * (2 + 2) + 13 * (4 + 2) + kScriptCount * (3 + 4) +
                                         4 * (6 * (19 + 1) + 4 * (6 + 1)));
  ModelConfig q2 = q3;  // 2 bits stay simulated
  q2.embedding_bits = 2;
  q2.finalize();
  CHECK(q2.channel_simulated(0));
  CHECK_FALSE(q2.channel_simulated(3));
  // Per order (--ngram-bits): 4-bit 1- and 2-gram tables, a 3-bit 3-gram table.
  ModelConfig mixed = bf16;
  mixed.ngram_bits = {0, 4, 3};
  mixed.finalize();
  CHECK(mixed.channel_bits(0) == 4);
  CHECK(mixed.channel_bits(1) == 4);
  CHECK(mixed.channel_bits(2) == 3);
  CHECK(mixed.channel_bits(3) == 8);
  CHECK(mixed.estimated_file_bytes() == bf16.estimated_file_bytes() - 13 * (5 - 4));
  mixed.ngram_bits = {0, 4, 5};
  CHECK_THROWS_AS(mixed.finalize(), std::invalid_argument);
  mixed.ngram_bits = {0, 0, 3};
  mixed.embedding_bf16_scales = false;
  CHECK_THROWS_WITH_AS(mixed.finalize(), doctest::Contains("need --embedding-scales bf16"), std::invalid_argument);
  // The word table's own bits (--word-bits): 3-bit words beside 4-bit n-grams.
  ModelConfig words = bf16;
  words.word_buckets = 10;
  words.word_dims = 8;
  words.finalize();
  const size_t word = words.channels.size() - 1;
  REQUIRE(words.channels[word].kind == "word");
  CHECK(words.channel_bits(word) == 4);
  const uint64_t four_bit_bytes = words.estimated_file_bytes();
  words.word_bits = 3;
  words.finalize();
  CHECK(words.channel_bits(word) == 3);
  CHECK(words.channel_bits(0) == 4);
  // An 8-wide row: 4 bytes + scale at 4 bits, 3 bytes + scale at 3 bits.
  CHECK(words.estimated_file_bytes() == four_bit_bytes - 10 * (4 - 3));
  words.word_bits = 5;
  CHECK_THROWS_WITH_AS(words.finalize(), doctest::Contains("word bits must be 8, 4 or 3"), std::invalid_argument);
}

TEST_CASE("train: round_trip_rows with 3 bits is what the converter stores and the runtime reads, bit for bit") {
  std::mt19937 rng(17);
  const size_t rows = 64;
  for (size_t cols : {1u, 5u, 8u, 16u, 17u}) {
    CAPTURE(cols);
    std::vector<float> values(rows * cols);
    std::normal_distribution<float> normal(0.0f, 0.3f);
    for (float& v : values) v = normal(rng);
    for (size_t c = 0; c < cols; ++c) values[c] = 0.0f;  // a row of zeros
    std::vector<float> rounded = values;
    round_trip_rows(rounded.data(), rows, cols, 3, true);
    const ffnlp::tools::TensorToWrite t =
        ffnlp::tools::quantize_matrix_q3("e", rows, cols, values, ffnlp::Rounding::kHalfUp, nullptr);
    ffnlp::tools::ModelWriter w;
    w.add_tensor(t);
    const std::vector<uint8_t> bytes = w.build();
    ffnlp::Model model;
    ffnlp::Error error;
    REQUIRE_MESSAGE(ffnlp::Model::load(bytes.data(), bytes.size(), &model, &error) == ffnlp::Status::kOk, error.message);
    const ffnlp::TensorView& view = *model.find_tensor("e");
    REQUIRE(view.dtype == ffnlp::DType::kQ3RowBf16);
    size_t same = 0, moved = 0;
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < cols; ++c) {
        const float stored = ffnlp::dequantize(ffnlp::q3_at(t.q.data() + r * ffnlp::q3_row_bytes(cols), c), t.scales[r],
                                               t.zero_point);
        same += rounded[r * cols + c] == stored && rounded[r * cols + c] == view.at(r, c);
        moved += rounded[r * cols + c] != values[r * cols + c];
      }
    }
    CHECK(same == rows * cols);
    CHECK(moved > 0);  // (the values did change: 7 levels a row)
  }
}

TEST_CASE("train: bf16 embedding scales change the evaluated copy and the spec, not the trained weights") {
  ModelConfig f32 = tiny_config();
  f32.word_buckets = 5;
  f32.word_dims = 6;
  f32.embedding_bits = 4;
  f32.finalize();
  ModelConfig bf16 = f32;
  bf16.embedding_bf16_scales = true;
  bf16.finalize();
  // The same steps from the same start give the same float weights.
  Params trained[2];
  for (int k = 0; k < 2; ++k) {
    const ModelConfig& cfg = k == 0 ? f32 : bf16;
    std::mt19937_64 rng(3);
    trained[k].init(cfg, rng);
    AdamState st;
    st.init(cfg);
    std::vector<Grads> shards(2);
    for (auto& g : shards) g.init(cfg);
    ffnlp::train::Workspace ws;
    ws.init(cfg);
    const char* texts[] = {"hello world", "bonjour le monde", "hallo welt", "ciao mondo"};
    for (int step = 0; step < 5; ++step) {
      for (uint32_t i = 0; i < 4; ++i) {
        extract(cfg, texts[i], std::strlen(texts[i]), &ws.feats);
        accumulate(cfg, trained[k], i, 0.05f, 0.25f, &ws, &shards[i % 2]);
      }
      adam_step(cfg, AdamOptions{}, 0.01f, shards, &trained[k], &st);
    }
  }
  CHECK(trained[0].emb == trained[1].emb);
  CHECK(trained[0].w1 == trained[1].w1);
  CHECK(trained[0].w2 == trained[1].w2);
  // The evaluated copy: every 4-bit row exactly as quantize_row_q4_bf16
  // stores it (the script table as 8 bits, as before).
  const Params qf = quantized_copy(f32, trained[0]);
  const Params qb = quantized_copy(bf16, trained[1]);
  size_t differ = 0;
  for (size_t c = 0; c < bf16.channels.size(); ++c) {
    CAPTURE(c);
    const uint32_t rows = bf16.channel_rows(c), dims = bf16.channel_dims(c);
    std::vector<uint8_t> q(dims);
    for (uint32_t r = 0; r < rows; ++r) {
      const float* row = trained[1].emb[c].data() + size_t{r} * dims;
      uint16_t bits = 0;
      const float scale = bf16.channel_bf16_scales(c)
                              ? quantize_row_q4_bf16(row, dims, 8, ffnlp::Rounding::kHalfUp, q.data(), &bits)
                              : quantize_row(row, dims, 128, ffnlp::Rounding::kHalfUp, q.data());
      const uint32_t zero_point = bf16.channel_bf16_scales(c) ? 8 : 128;
      for (uint32_t j = 0; j < dims; ++j) {
        CHECK(qb.emb[c][size_t{r} * dims + j] == ffnlp::dequantize(q[j], scale, zero_point));
        differ += qb.emb[c][size_t{r} * dims + j] != qf.emb[c][size_t{r} * dims + j];
      }
    }
    CHECK(bf16.channel_bf16_scales(c) == (bf16.channels[c].kind != "script"));
  }
  CHECK(differ > 0);  // (f32 scales give other values)
  // The spec: scales = bf16 in each 4-bit channel's section, nowhere else.
  SpecInfo info;
  info.license = "test";
  info.command = "train --embedding-bits 4 --embedding-scales bf16";
  LabelSet labels;
  labels.codes = {"a", "b", "c", "d"};
  labels.names = {"A", "B", "C", "D"};
  const std::string spec = spec_text(info, bf16, labels);
  size_t count = 0;
  for (size_t at = spec.find("bits = 4\nscales = bf16\n"); at != std::string::npos;
       at = spec.find("bits = 4\nscales = bf16\n", at + 1))
    ++count;
  CHECK(count == 4);  // three n-gram orders and the words
  CHECK(spec.find("\n# train --embedding-bits 4 --embedding-scales bf16\n") != std::string::npos);  // the header comment
  CHECK(spec_text(info, f32, labels).find("scales = ") == std::string::npos);
  const ffnlp::tools::ModelSpec parsed = ffnlp::tools::parse_model_spec(spec, "langid.spec");
  for (size_t c = 0; c < parsed.channels.size(); ++c) CHECK(parsed.channels[c].bf16_scales == bf16.channel_bf16_scales(c));
}

TEST_CASE("train: backward pass matches finite differences") {
  ModelConfig cfg = tiny_config();
  cfg.second_hash = {2};  // two channels read the 2-gram table: both add to its gradient
  cfg.finalize();
  REQUIRE(cfg.table_count() + 1 == cfg.channels.size());
  std::mt19937_64 rng(7);
  Params prm;
  prm.init(cfg, rng);
  for (float& b : prm.b1) b = 0.3f;  // keep most ReLUs active
  ffnlp::train::Workspace ws;
  ws.init(cfg);
  const std::string text = "Ein kleiner Text, mit Wörtern und Ελληνικά";
  extract(cfg, text.data(), text.size(), &ws.feats);
  REQUIRE(ws.feats.letters > 0);
  const uint32_t label = 2;
  const float eps = 0.1f;
  Grads g;
  g.init(cfg);
  REQUIRE(accumulate(cfg, prm, label, eps, 1.0f, &ws, &g));
  CHECK(g.loss == doctest::Approx(smoothed_loss(cfg, prm, &ws, label, eps)).epsilon(1e-4));

  auto check = [&](std::vector<float>* param, const std::vector<float>& grad, size_t i) {
    const float saved = (*param)[i];
    const float h = 1e-2f;
    (*param)[i] = saved + h;
    const double up = smoothed_loss(cfg, prm, &ws, label, eps);
    (*param)[i] = saved - h;
    const double down = smoothed_loss(cfg, prm, &ws, label, eps);
    (*param)[i] = saved;
    const double numeric = (up - down) / (2 * h);
    CHECK(grad[i] == doctest::Approx(numeric).epsilon(2e-2).scale(1e-2));
  };
  for (size_t i = 0; i < prm.w1.size(); i += 5) check(&prm.w1, g.w1, i);
  for (size_t i = 0; i < prm.b1.size(); ++i) check(&prm.b1, g.b1, i);
  for (size_t i = 0; i < prm.w2.size(); i += 3) check(&prm.w2, g.w2, i);
  for (size_t i = 0; i < prm.b2.size(); ++i) check(&prm.b2, g.b2, i);
  size_t checked_rows = 0;
  for (size_t t = 0; t < cfg.table_count(); ++t) {
    const uint32_t d = cfg.channel_dims(cfg.table_channel[t]);
    for (uint32_t row : g.touched[t]) {
      for (uint32_t j = 0; j < d; ++j) check(&prm.emb[t], g.emb[t], static_cast<size_t>(row) * d + j);
      ++checked_rows;
    }
  }
  CHECK(checked_rows > 10);
}

TEST_CASE("train: a soft target (distillation) gives the loss and gradient of its cross-entropy") {
  const ModelConfig cfg = tiny_config();
  std::mt19937_64 rng(11);
  Params prm;
  prm.init(cfg, rng);
  for (float& b : prm.b1) b = 0.3f;
  ffnlp::train::Workspace ws;
  ws.init(cfg);
  const std::string text = "Ein kleiner Text, mit Wörtern";
  extract(cfg, text.data(), text.size(), &ws.feats);
  std::vector<float> soft(cfg.labels, 0.0f);
  soft[0] = 0.7f;
  soft[cfg.labels - 1] = 0.3f;
  const uint32_t label = 1;
  const float eps = 0.05f, a = 0.4f;
  Grads g;
  g.init(cfg);
  REQUIRE(accumulate(cfg, prm, label, eps, 1.0f, &ws, &g, soft.data(), a));
  CHECK(g.loss == doctest::Approx(soft_loss(cfg, prm, &ws, label, eps, soft, a)).epsilon(1e-4));
  // The output bias's gradient is p - t exactly.
  forward(cfg, prm, &ws);
  for (uint32_t l = 0; l < cfg.labels; ++l) {
    const double t = a * soft[l] + (1 - a) * ((l == label ? 1 - eps : 0) + eps / cfg.labels);
    CHECK(g.b2[l] == doctest::Approx(ws.p[l] - t).epsilon(1e-5).scale(1e-5));
  }
  // And the hidden layer's, by finite differences.
  for (size_t i = 0; i < prm.w1.size(); i += 7) {
    const float saved = prm.w1[i], h = 1e-2f;
    prm.w1[i] = saved + h;
    const double up = soft_loss(cfg, prm, &ws, label, eps, soft, a);
    prm.w1[i] = saved - h;
    const double down = soft_loss(cfg, prm, &ws, label, eps, soft, a);
    prm.w1[i] = saved;
    CHECK(g.w1[i] == doctest::Approx((up - down) / (2 * h)).epsilon(2e-2).scale(1e-2));
  }
  // Weight 0 is the plain smoothed target.
  Grads plain, zero;
  plain.init(cfg);
  zero.init(cfg);
  REQUIRE(accumulate(cfg, prm, label, eps, 1.0f, &ws, &plain));
  REQUIRE(accumulate(cfg, prm, label, eps, 1.0f, &ws, &zero, soft.data(), 0.0f));
  CHECK(plain.loss == doctest::Approx(zero.loss).epsilon(1e-9));
  CHECK(plain.b2 == zero.b2);
}

TEST_CASE("train: a teacher model's distribution over the student's labels") {
  LabelSet labels;
  labels.codes = {"de", "en", "fr", "zz-not-a-label"};
  for (uint32_t i = 0; i < labels.codes.size(); ++i) labels.index[labels.codes[i]] = i;
  const std::string path = ffnlp::testing::source_path("models/langid.ffm");
  const ffnlp::train::Teacher teacher(path, labels, 1.0f);
  CHECK(teacher.shared_labels() == 3);
  ffnlp::train::Teacher::State state = teacher.make_state();
  const std::string english = "The weather is lovely today and we are going for a walk.";
  REQUIRE(teacher.distribution(english.data(), english.size(), &state));
  double sum = 0;
  for (float p : state.probs) sum += p;
  CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
  CHECK(state.probs[1] > 0.9f);  // en
  CHECK(state.probs[3] == 0.0f);  // a label the teacher does not have
  // The same text through the model with a uniform prior, renormalised over
  // de, en, fr: the teacher's numbers.
  ffnlp::MappedFile file;
  ffnlp::Model model;
  ffnlp::Error error;
  REQUIRE(ffnlp::load_file(path.c_str(), &file, &model, &error) == ffnlp::Status::kOk);
  ffnlp::Workspace workspace(model);
  std::vector<float> logits(model.label_count());
  ffnlp::ClassifyOptions uniform;
  uniform.prior = ffnlp::Prior::kUniform;
  ffnlp::Input input;
  input.text = english.data();
  input.size = english.size();
  REQUIRE(model.logits(input, workspace.data(), workspace.size(), logits.data(), logits.size(), &uniform) ==
          ffnlp::Status::kOk);
  double z[3], zsum = 0;
  const char* codes[3] = {"de", "en", "fr"};
  for (int k = 0; k < 3; ++k) {
    for (uint32_t t = 0; t < model.label_count(); ++t)
      if (std::string(model.label(t)) == codes[k]) z[k] = std::exp(static_cast<double>(logits[t]));
    zsum += z[k];
  }
  for (int k = 0; k < 3; ++k) CHECK(state.probs[k] == doctest::Approx(z[k] / zsum).epsilon(1e-4));
  // A high temperature flattens it; no letters, no distribution.
  const ffnlp::train::Teacher flat(path, labels, 1000.0f);
  ffnlp::train::Teacher::State flat_state = flat.make_state();
  REQUIRE(flat.distribution(english.data(), english.size(), &flat_state));
  CHECK(flat_state.probs[0] == doctest::Approx(1.0 / 3).epsilon(0.02));
  CHECK_FALSE(teacher.distribution("12345 !!", 8, &state));
  // Not a classifier, or no such file: refused.
  CHECK_THROWS_AS(ffnlp::train::Teacher(ffnlp::testing::source_path("models/pos-en.ffm"), labels, 1.0f),
                  std::runtime_error);
  CHECK_THROWS_AS(ffnlp::train::Teacher(path + ".missing", labels, 1.0f), std::runtime_error);
}

TEST_CASE("train: lazy Adam updates only touched embedding rows, deterministically") {
  const ModelConfig cfg = tiny_config();
  auto run_once = [&](Params* out) {
    std::mt19937_64 rng(3);
    Params prm;
    prm.init(cfg, rng);
    const Params before = prm;
    AdamState st;
    st.init(cfg);
    std::vector<Grads> shards = gradients_of_two_texts(cfg, prm);
    std::vector<std::vector<uint8_t>> touched(cfg.channels.size());
    for (size_t c = 0; c < cfg.channels.size(); ++c) {
      touched[c].assign(cfg.channels[c].buckets, 0);
      for (auto& s : shards)
        for (uint32_t r : s.touched[c]) touched[c][r] = 1;
    }
    adam_step(cfg, AdamOptions{}, 0.01f, shards, &prm, &st);
    for (size_t c = 0; c < cfg.channels.size(); ++c) {
      const uint32_t d = cfg.channel_dims(c);
      for (uint32_t r = 0; r < cfg.channels[c].buckets; ++r) {
        const bool changed =
            std::memcmp(&prm.emb[c][r * d], &before.emb[c][r * d], d * sizeof(float)) != 0;
        CHECK(changed == (touched[c][r] != 0));
      }
      for (auto& s : shards) {
        CHECK(s.touched[c].empty());
        for (float v : s.emb[c]) REQUIRE(v == 0.0f);
      }
    }
    *out = prm;
  };
  Params a, b;
  run_once(&a);
  run_once(&b);
  CHECK(a.w1 == b.w1);
  CHECK(a.w2 == b.w2);
  for (size_t c = 0; c < a.emb.size(); ++c) CHECK(a.emb[c] == b.emb[c]);
}

TEST_CASE("train: --qat reads the tables as stored, kept in step by Adam; --qat-max-bits picks the tables") {
  ModelConfig cfg = tiny_config();
  cfg.embedding_bits = 4;
  cfg.embedding_bf16_scales = true;
  cfg.ngram_bits = {0, 4, 3};  // 4-bit 1- and 2-gram tables, a 3-bit 3-gram table, the 8-bit script table
  cfg.qat = true;
  cfg.qat_max_bits = 3;
  cfg.finalize();
  CHECK_FALSE(cfg.qat_channel(0));
  CHECK_FALSE(cfg.qat_channel(1));
  CHECK(cfg.qat_channel(2));
  CHECK_FALSE(cfg.qat_channel(3));
  // emb_q is the float rows, rounded as stored where the channel is trained
  // so and copied unchanged elsewhere.
  auto check_in_step = [&](const Params& prm) {
    REQUIRE(prm.emb_q.size() == prm.emb.size());
    for (size_t t = 0; t < cfg.table_count(); ++t) {
      const size_t c = cfg.table_channel[t];
      std::vector<float> expect = prm.emb[t];
      if (cfg.qat_channel(c))
        round_trip_rows(expect.data(), cfg.channel_rows(c), cfg.channel_dims(c), cfg.channel_bits(c),
                        cfg.channel_bf16_scales(c));
      CHECK(prm.emb_q[t] == expect);
      CHECK((prm.emb_q[t] != prm.emb[t]) == cfg.qat_channel(c));  // the rounding does change the 3-bit rows
    }
  };
  std::mt19937_64 rng(5);
  Params prm;
  prm.init(cfg, rng);
  refresh_quantized_tables(cfg, &prm);
  check_in_step(prm);
  // One Adam step on two texts: the touched rows change, emb_q follows.
  const Params before = prm;
  AdamState st;
  st.init(cfg);
  std::vector<Grads> shards = gradients_of_two_texts(cfg, prm);
  adam_step(cfg, AdamOptions{}, 0.01f, shards, &prm, &st);
  CHECK(prm.emb[2] != before.emb[2]);
  check_in_step(prm);
  // Every table at its stored width (the default, 8: all of them).
  cfg.qat_max_bits = 8;
  for (size_t c = 0; c < 4; ++c) CHECK(cfg.qat_channel(c));
  refresh_quantized_tables(cfg, &prm);
  check_in_step(prm);
  // Without --qat the forward pass reads the float rows.
  cfg.qat = false;
  refresh_quantized_tables(cfg, &prm);
  CHECK(prm.emb_q.empty());
}

TEST_CASE("train: epoch plan is deterministic and cuts at character boundaries") {
  std::map<std::string, std::vector<std::string>> tsv;
  tsv["aa"] = {"Ελληνικά κείμενα είναι εδώ και εκεί, πολλές λέξεις μαζί για δοκιμή.",
               "short"};
  tsv["bb"] = {std::string(400, 'x') + " tail words here and there", "Привет мир"};
  const LabelSet labels = make_labels(tsv, "");
  REQUIRE(labels.codes == std::vector<std::string>{"aa", "bb"});
  const Corpus corpus = make_corpus(tsv, labels, nullptr);
  SamplingOptions opt;
  opt.min_per_label = 50;
  opt.max_per_label = 50;
  const std::vector<uint32_t> quota = label_quota(corpus, labels, opt);
  CHECK(quota == std::vector<uint32_t>{50, 50});
  std::mt19937_64 r1(11), r2(11);
  const std::vector<Span> a = plan_epoch(corpus, 2, quota, opt, r1);
  const std::vector<Span> b = plan_epoch(corpus, 2, quota, opt, r2);
  REQUIRE(a.size() == 100);
  REQUIRE(b.size() == 100);
  size_t short_spans = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].line == b[i].line);
    CHECK(a[i].begin == b[i].begin);
    CHECK(a[i].end == b[i].end);
    CHECK(a[i].label == corpus.line_label[a[i].line]);
    REQUIRE(a[i].begin < a[i].end);
    REQUIRE(a[i].end <= corpus.line_size[a[i].line]);
    const char* s = corpus.text(a[i].line);
    CHECK((static_cast<uint8_t>(s[a[i].begin]) & 0xC0) != 0x80);
    if (a[i].end < corpus.line_size[a[i].line])
      CHECK((static_cast<uint8_t>(s[a[i].end]) & 0xC0) != 0x80);
    if (count_chars(s + a[i].begin, a[i].end - a[i].begin) <= 60) ++short_spans;
  }
  CHECK(short_spans > 10);
}

TEST_CASE("train: fine-tuning epochs keep each language's share, deterministically") {
  std::map<std::string, std::vector<std::string>> main_tsv, ft_tsv;
  main_tsv["aa"] = {"a long line of running text in the first language, with many words in it",
                    "another line of the first language"};
  main_tsv["bb"] = {"zweite Sprache mit einer langen Zeile laufenden Textes", "noch eine Zeile"};
  main_tsv["cc"] = {"third one"};
  ft_tsv["bb"] = {"hallo", "guten Tag", "danke schön"};
  ft_tsv["cc"] = {"x"};
  ft_tsv["zz"] = {"unknown label"};  // not a training label: ignored
  const LabelSet labels = make_labels(main_tsv, "");
  Corpus corpus = make_corpus(main_tsv, labels, nullptr);
  size_t unknown = 0;
  const Corpus ft = make_corpus(ft_tsv, labels, &unknown);
  CHECK(unknown == 1);
  SamplingOptions opt;
  opt.min_per_label = 40;
  opt.max_per_label = 40;
  opt.chars_per_example = 2;
  opt.rich_quota = 500;  // must not apply to the fine-tuning text
  const std::vector<uint32_t> quota = label_quota(corpus, labels, opt);
  REQUIRE(quota == std::vector<uint32_t>{40, 40, 40});
  const std::vector<uint32_t> cap = finetune_quota(ft, labels, opt);
  CHECK(cap == std::vector<uint32_t>{0, 13, 1});  // 26 bytes / 2; at least 1; none for aa
  SUBCASE("--boost multiplies the listed labels' main quota, not the fine-tuning cap") {
    SamplingOptions boosted = opt;
    boosted.boosted = {"cc", "aa", "zz"};  // zz has no lines: ignored here
    boosted.boost = 1.5;
    CHECK(label_quota(corpus, labels, boosted) == std::vector<uint32_t>{60, 40, 60});
    CHECK(finetune_quota(ft, labels, boosted) == cap);
  }
  std::vector<uint32_t> own, ordinary;
  finetune_counts(quota, cap, 0.5, 0.75, &own, &ordinary);  // 20 each, 15 of them own
  CHECK(own == std::vector<uint32_t>{0, 13, 1});             // capped
  CHECK(ordinary == std::vector<uint32_t>{20, 7, 19});       // each language still 20
  const size_t before = corpus.size(), first = append_lines(&corpus, ft);
  CHECK(first == before);
  REQUIRE(corpus.size() == before + 4);
  CHECK(std::string(corpus.text(first + 1), corpus.line_size[first + 1]) == "guten Tag");
  CHECK(corpus.label_lines[1].size() == 2);  // plan_epoch still sees only the main lines
  std::mt19937_64 r1(5), r2(5);
  const std::vector<Span> a = plan_finetune_epoch(corpus, ordinary, ft, own, first, 3, opt, r1);
  const std::vector<Span> b = plan_finetune_epoch(corpus, ordinary, ft, own, first, 3, opt, r2);
  REQUIRE(a.size() == 60);
  std::vector<size_t> per_label(3, 0), from_ft(3, 0);
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].line == b[i].line);
    CHECK(a[i].begin == b[i].begin);
    CHECK(a[i].end == b[i].end);
    CHECK(a[i].label == corpus.line_label[a[i].line]);
    REQUIRE(a[i].end <= corpus.line_size[a[i].line]);
    ++per_label[a[i].label];
    from_ft[a[i].label] += a[i].line >= first;
  }
  CHECK(per_label == std::vector<size_t>{20, 20, 20});
  CHECK(from_ft == std::vector<size_t>{0, 13, 1});
}

TEST_CASE("train: --init arrays round-trip and wrong shapes are refused") {
  const ModelConfig cfg = tiny_config();
  std::mt19937_64 rng(9);
  Params prm;
  prm.init(cfg, rng);
  auto arrays = model_arrays(cfg, prm);
  Params back;
  params_from_arrays(cfg, arrays, &back);
  CHECK(back.w1 == prm.w1);
  CHECK(back.b1 == prm.b1);
  CHECK(back.w2 == prm.w2);
  CHECK(back.b2 == prm.b2);
  REQUIRE(back.emb.size() == prm.emb.size());
  for (size_t c = 0; c < prm.emb.size(); ++c) CHECK(back.emb[c] == prm.emb[c]);
  ModelConfig wider = cfg;
  wider.hidden = cfg.hidden + 1;
  wider.finalize();
  CHECK_THROWS_AS(params_from_arrays(wider, arrays, &back), std::runtime_error);
  arrays.erase("output_b");
  CHECK_THROWS_AS(params_from_arrays(cfg, arrays, &back), std::runtime_error);
}

TEST_CASE("train: averaging phases gives every weight's mean, and one run is itself") {
  const ModelConfig cfg = tiny_config();
  std::mt19937_64 rng(3);
  Params a, b, c;
  a.init(cfg, rng);
  b.init(cfg, rng);
  c.init(cfg, rng);
  a.b2 = {1.0f, -2.0f, 0.5f, 3.0f};
  b.b2 = {2.0f, -4.0f, 0.25f, 0.0f};
  c.b2 = {6.0f, 0.0f, 0.0f, -3.0f};

  std::vector<std::vector<double>> sum;
  accumulate_params(a, &sum);
  Params one = b;  // overwritten everywhere
  set_mean_params(sum, 1, &one);
  CHECK(one.w1 == a.w1);
  CHECK(one.b2 == a.b2);
  REQUIRE(one.emb.size() == a.emb.size());
  for (size_t k = 0; k < a.emb.size(); ++k) CHECK(one.emb[k] == a.emb[k]);

  accumulate_params(b, &sum);
  accumulate_params(c, &sum);
  Params mean = a;
  set_mean_params(sum, 3, &mean);
  CHECK(mean.b2 == std::vector<float>{3.0f, -2.0f, 0.25f, 0.0f});
  for (size_t i = 0; i < a.w1.size(); ++i)
    CHECK(mean.w1[i] == doctest::Approx((double(a.w1[i]) + b.w1[i] + c.w1[i]) / 3).epsilon(1e-6));
  for (size_t k = 0; k < a.emb.size(); ++k)
    for (size_t i = 0; i < a.emb[k].size(); ++i)
      CHECK(mean.emb[k][i] ==
            doctest::Approx((double(a.emb[k][i]) + b.emb[k][i] + c.emb[k][i]) / 3).epsilon(1e-6));
  // Sums of another configuration are refused, not read or written past an end.
  ModelConfig wider = cfg;
  wider.hidden = cfg.hidden + 1;
  wider.finalize();
  Params other;
  other.init(wider, rng);
  CHECK_THROWS_AS(set_mean_params(sum, 3, &other), std::runtime_error);
  CHECK_THROWS_AS(accumulate_params(other, &sum), std::runtime_error);
  std::vector<std::vector<double>> short_sum(1);
  CHECK_THROWS_AS(set_mean_params(short_sum, 1, &other), std::runtime_error);
}

TEST_CASE("train: features come from the runtime's public API, word channel included") {
  ModelConfig cfg = tiny_config();
  cfg.word_buckets = 40;
  cfg.word_dims = 5;
  cfg.finalize();
  REQUIRE(cfg.channels.size() == 5);
  CHECK(cfg.channels[4].kind == "word");
  CHECK(cfg.features->model.channel_count() == 5);
  CHECK(std::string(cfg.features->model.task()) == "features");
  Features f;
  const std::string text = "Hello hello world, Grüße";
  extract(cfg, text.data(), text.size(), &f);
  CHECK(f.letters == 20);
  // The word channel: mean pooled, 4 words (hello twice).
  REQUIRE(f.ids[4].size() == 4);
  CHECK(f.ids[4][0] == f.ids[4][1]);
  for (float w : f.weights[4]) CHECK(w == 0.25f);
  // Exactly the records Model::text_features gives.
  std::vector<ffnlp::FeatureRef> refs(256);
  size_t count = 0;
  REQUIRE(cfg.features->model.text_features(text.data(), text.size(), refs.data(), refs.size(), &count) ==
          ffnlp::Status::kOk);
  size_t total = 0;
  for (const auto& ids : f.ids) total += ids.size();
  CHECK(total == count);
  // A text longer than the record buffer grows it.
  std::string big;
  while (big.size() < 5000) big += "many words here ";
  extract(cfg, big.data(), big.size(), &f);
  CHECK(f.refs.size() > 256);
  // Clean-up reaches the trainer's features too.
  ModelConfig clean = tiny_config();
  clean.text.cleanup = true;
  clean.finalize();
  Features a, b;
  extract(clean, "see http://example.org now", 26, &a);
  extract(clean, "see now", 7, &b);
  CHECK(a.ids == b.ids);
}

TEST_CASE("train: exported model converts and the runtime agrees with the 8-bit (and 4- and 3-bit) simulation") {
 for (int variant = 0; variant < 7; ++variant) {
  CAPTURE(variant);
  // Three tiny "languages"; a few hundred Adam steps are enough to separate them.
  std::map<std::string, std::vector<std::string>> tsv;
  tsv["de"] = {"Der schnelle braune Fuchs springt über den faulen Hund.",
               "Alle Menschen sind frei und gleich an Würde und Rechten geboren."};
  tsv["en"] = {"The quick brown fox jumps over the lazy dog.",
               "All human beings are born free and equal in dignity and rights."};
  tsv["ru"] = {"Быстрая коричневая лиса прыгает через ленивую собаку.",
               "Все люди рождаются свободными и равными в своем достоинстве и правах."};
  if (variant == 2) {  // + Chinese in both forms, for the han_variant channel
    tsv["zh-Hans"] = {"我们在这里说中文，这个国家很大。", "人人生而自由，在尊严和权利上一律平等。"};
    tsv["zh-Hant"] = {"我們在這裡說中文，這個國家很大。", "人人生而自由，在尊嚴和權利上一律平等。"};
  }
  const LabelSet labels = make_labels(tsv, "");
  const Corpus corpus = make_corpus(tsv, labels, nullptr);
  ModelConfig cfg;
  cfg.buckets = {50, 200, 300, 300};
  cfg.dims = {8, 8, 8, 8};
  cfg.seeds = {1001, 1002, 1003, 1004};
  cfg.script_dims = 4;
  cfg.hidden = 16;
  cfg.labels = static_cast<uint32_t>(labels.codes.size());
  if (variant == 1) {  // whole words and 8-bit dense layers
    cfg.word_buckets = 64;
    cfg.word_dims = 8;
    cfg.quantize_dense = true;
  }
  if (variant == 2) cfg.han_variant_dims = 4;
  if (variant == 3 || variant == 4) {  // 4-bit hashed tables (n-grams and words; script stays 8-bit)
    cfg.word_buckets = 64;
    cfg.word_dims = 8;
    cfg.embedding_bits = 4;
    cfg.embedding_bf16_scales = variant == 4;  // their scales bfloat16 (q4_row_bf16)
  }
  if (variant == 6) {  // 3-bit hashed tables (q3_row_bf16; script stays 8-bit)
    cfg.word_buckets = 64;
    cfg.word_dims = 8;
    cfg.embedding_bits = 3;
    cfg.embedding_bf16_scales = true;
  }
  if (variant == 5) {  // second hashes of the 3-grams and words: two channels read one table each
    cfg.word_buckets = 64;
    cfg.word_dims = 8;
    cfg.embedding_bits = 4;
    cfg.embedding_bf16_scales = true;
    cfg.second_hash = {3, 0};
  }
  cfg.finalize();
  if (variant == 5) {
    REQUIRE(cfg.channels.size() == 8);
    REQUIRE(cfg.table_count() == 6);
    CHECK(cfg.channels[6].embedding == "emb_ngram3");
    CHECK(cfg.channels[7].embedding == "emb_word");
    CHECK(cfg.channels[6].seed != cfg.channels[2].seed);
    CHECK(cfg.input_width == 8 * 4 + 4 + 8 + 8 + 8);
  }
  if (variant == 2) {
    REQUIRE(cfg.channels.back().kind == "han_variant");
    CHECK(cfg.channels.back().buckets == 3);
  } else {
    CHECK(cfg.channels.back().kind != "han_variant");
  }
  std::mt19937_64 rng(5);
  Params prm;
  prm.init(cfg, rng);
  AdamState st;
  st.init(cfg);
  std::vector<Grads> shards(2);
  for (auto& g : shards) g.init(cfg);
  ffnlp::train::Workspace ws;
  ws.init(cfg);
  SamplingOptions opt;
  opt.min_per_label = opt.max_per_label = 200;
  const std::vector<uint32_t> quota = label_quota(corpus, labels, opt);
  const std::vector<Span> spans = plan_epoch(corpus, cfg.labels, quota, opt, rng);
  for (size_t b = 0; b + 16 <= spans.size(); b += 16) {
    for (size_t i = b; i < b + 16; ++i) {
      extract(cfg, corpus.text(spans[i].line) + spans[i].begin, spans[i].end - spans[i].begin,
              &ws.feats);
      accumulate(cfg, prm, spans[i].label, 0.05f, 1.0f / 16, &ws, &shards[(i - b) / 8]);
    }
    adam_step(cfg, AdamOptions{}, 0.01f, shards, &prm, &st);
  }

  ffnlp::tools::ConvertOptions copt;
  SpecInfo info;
  info.license = "test";
  info.command = "test";
  copt.spec_text = spec_text(info, cfg, labels);
  const std::vector<uint8_t> bytes = ffnlp::tools::convert(model_arrays(cfg, prm), copt);
  ffnlp::Model model;
  ffnlp::Error error;
  REQUIRE_MESSAGE(ffnlp::Model::load(bytes.data(), bytes.size(), &model, &error) ==
                      ffnlp::Status::kOk,
                  error.message);
  REQUIRE(model.label_count() == cfg.labels);
  REQUIRE(model.input_width() == cfg.input_width);
  REQUIRE(model.channel_count() == cfg.channels.size());
  CHECK(model.layer(0).weights.dtype == (variant == 1 ? ffnlp::DType::kQ8Row : ffnlp::DType::kF32));
  // (The output layer reads the hidden ReLU: convert_model stores it transposed, q8_col.)
  CHECK(model.layer(1).weights.dtype == (variant == 1 ? ffnlp::DType::kQ8Col : ffnlp::DType::kF32));
  CHECK(copt.spec_text.find(variant == 1 ? "quantize = 1" : "kind = char_ngram") != std::string::npos);
  CHECK(std::string(model.label(0)) == "de");
  CHECK(std::string(model.unknown_label()) == "und");
  CHECK((copt.spec_text.find("kind = han_variant") != std::string::npos) == (variant == 2));
  if (variant == 2) CHECK(std::string(model.channel(cfg.channels.size() - 1).kind_name) == "han_variant");
  for (uint32_t c = 0; c < model.channel_count(); ++c) {
    const bool packed = variant >= 3 && cfg.channels[c].kind != "script";
    CHECK(model.channel(c).embedding.dtype == (!packed        ? ffnlp::DType::kQ8Row
                                               : variant == 6 ? ffnlp::DType::kQ3RowBf16
                                               : variant >= 4 ? ffnlp::DType::kQ4RowBf16
                                                              : ffnlp::DType::kQ4Row));
    // A second-hash channel views its first channel's table (one tensor).
    CHECK(model.channel(c).embedding.data == model.channel(cfg.table_channel[cfg.table_of[c]]).embedding.data);
  }
  CHECK((copt.spec_text.find("scales = bf16") != std::string::npos) == (variant >= 4));
  CHECK((copt.spec_text.find("bits = 3\nscales = bf16\n") != std::string::npos) == (variant == 6));
  CHECK(model.tensor_count() == cfg.table_count() + 4);

  const Params q = quantized_copy(cfg, prm);
  // The simulation's table values are the runtime's, bit for bit.
  for (uint32_t c = 0; c < model.channel_count(); ++c) {
    CAPTURE(c);
    const ffnlp::TensorView& table = model.channel(c).embedding;
    REQUIRE(table.rows == cfg.channel_rows(c));
    REQUIRE(table.cols == cfg.channel_dims(c));
    size_t same = 0;
    for (uint64_t r = 0; r < table.rows; ++r)
      for (uint64_t j = 0; j < table.cols; ++j) same += table.at(r, j) == q.emb[cfg.table_of[c]][r * table.cols + j];
    CHECK(same == table.rows * table.cols);
  }
  std::vector<uint8_t> scratch(model.scratch_bytes() + 64);
  void* aligned = scratch.data() + (64 - reinterpret_cast<uintptr_t>(scratch.data()) % 64) % 64;
  std::vector<float> probs(cfg.labels);
  const char* texts[] = {"Hund und Fuchs", "the dog", "собака", "rights and dignity",
                         "Würde", "x", "свободными и равными"};
  size_t correct = 0;
  for (const char* t : texts) {
    extract(cfg, t, std::strlen(t), &ws.feats);
    REQUIRE(ws.feats.letters > 0);
    const uint32_t best = forward(cfg, q, &ws);
    ffnlp::TextStats stats;
    REQUIRE(model.scores(t, std::strlen(t), aligned, model.scratch_bytes(), probs.data(),
                         probs.size(), &stats) == ffnlp::Status::kOk);
    CHECK(stats.letters == ws.feats.letters);
    // Variant 1's 8-bit layers run the runtime's integer kernel, which also
    // rounds the activations to int16 (network/dense_q8_int.h): 2e-4 relative
    // measured, 1e-3 allowed.
    const double epsilon = variant == 1 ? 1e-3 : 1e-4;
    for (uint32_t l = 0; l < cfg.labels; ++l)
      CHECK(probs[l] == doctest::Approx(ws.p[l]).epsilon(epsilon).scale(1e-5));
    CHECK(std::max_element(probs.begin(), probs.end()) - probs.begin() == best);
    correct += best == static_cast<uint32_t>(std::string(t) == "the dog" ||
                                                     std::string(t) == "rights and dignity"
                                                 ? 1
                                                 : (t[0] & 0x80) ? 2 : 0);
  }
  CHECK(correct >= 5);  // the little model did learn something
  // The han_variant rows reach the runtime as the trainer saw them: same
  // probabilities on Chinese text (and on text without Han: a zero slice).
  const std::pair<const char*, size_t> chinese[] = {{"这个国家", 4}, {"這個國家", 4}, {"人人", 2}, {"中文 and English", 2}};
  for (const auto& c : chinese) {
    if (variant != 2) break;
    const char* t = c.first;
    CAPTURE(t);
    extract(cfg, t, std::strlen(t), &ws.feats);
    REQUIRE(ws.feats.ids.back().size() == c.second);  // one per Han letter
    forward(cfg, q, &ws);
    REQUIRE(model.scores(t, std::strlen(t), aligned, model.scratch_bytes(), probs.data(), probs.size()) ==
            ffnlp::Status::kOk);
    for (uint32_t l = 0; l < cfg.labels; ++l) CHECK(probs[l] == doctest::Approx(ws.p[l]).epsilon(1e-4).scale(1e-5));
  }
 }
}

TEST_CASE("train: --second-hash reads a table again per listing, each read with its own seed") {
  ModelConfig cfg = tiny_config();
  cfg.second_hash = {2, 3, 2};
  cfg.finalize();
  REQUIRE(cfg.channels.size() == 4 + 3);  // 1-3-grams, script, then the reads
  CHECK(cfg.table_count() == 4);
  CHECK(cfg.table_of[4] == 1);
  CHECK(cfg.table_of[5] == 2);
  CHECK(cfg.table_of[6] == 1);
  CHECK(cfg.channels[4].seed == cfg.channels[1].seed + 0x5000);
  CHECK(cfg.channels[6].seed == cfg.channels[1].seed + 0xA000);
  CHECK(cfg.input_width == 4 + 3 + 9 + 3 + 3 + 9 + 3);
  // The tables' bytes are counted once; the hidden layer sees every read.
  ModelConfig one = tiny_config();
  CHECK(cfg.parameter_count() - one.parameter_count() == uint64_t{cfg.hidden} * (3 + 9 + 3));
  cfg.second_hash = {5};
  CHECK_THROWS_AS(cfg.finalize(), std::invalid_argument);  // no 5-gram channel
}
