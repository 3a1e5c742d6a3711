// libFuzzer target: classification of arbitrary bytes as text.
//
// The model is loaded once at start-up: the file named by $FFNLP_FUZZ_MODEL,
// else the shipped language identifier (models/langid.ffm of this checkout;
// missing is an error), or with FFNLP_FUZZ_MODEL=tiny the tiny test
// classifier of tests/test_models.h built in memory.
// Invariants checked on every input: classify() and scores() succeed; at most
// k answers, best first, probabilities in [0, 1]; a text with letters gives a
// distribution summing to 1 and agreeing with classify(); a text without
// letters gives all-zero scores and the unknown label; the same text with an
// exact-size copy gives the same answer (no reads past `size`); the
// features text_features() returns are inside their tables and agree on the
// letters; an allow-list with a uniform prior answers only from the list;
// hints (labels and weight from the input's bytes) give a valid answer,
// weight 0 changes no bit, and (models without neighbour words, whose group
// a hint may change) hinting the top label alone keeps it on top with at
// least its probability.
#include "fuzz_check.h"
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "test_models.h"
#include "test_paths.h"

namespace {

struct Loaded {
  std::vector<uint8_t> owned;
  ffnlp::MappedFile file;
  ffnlp::Model model;
  std::unique_ptr<ffnlp::Workspace> workspace;
  bool neighbour_words = false;
};
Loaded* g = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g = new Loaded;
  const char* env = std::getenv("FFNLP_FUZZ_MODEL");
  const std::string path = env != nullptr ? env : ffnlp::testing::source_path("models/langid.ffm");
  ffnlp::Error error;
  if (path != "tiny") {
    if (ffnlp::load_file(path.c_str(), &g->file, &g->model, &error) != ffnlp::Status::kOk) {
      std::fprintf(stderr, "fuzz_classify_text: %s: %s\n", path.c_str(), error.message);
      std::exit(1);
    }
  } else {
    g->owned = ffnlp::testing::build_tiny_model(ffnlp::testing::make_tiny_network(1, ffnlp::kScriptCount));
    check(ffnlp::Model::load(g->owned.data(), g->owned.size(), &g->model, &error) == ffnlp::Status::kOk);
  }
  check(g->model.is_classifier());
  uint32_t seed = 0;
  g->neighbour_words = g->model.metadata_u32("neighbours.seed", &seed);
  g->workspace.reset(new ffnlp::Workspace(g->model));
  check(g->workspace->ok());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ffnlp::Model& model = g->model;
  ffnlp::Workspace& ws = *g->workspace;
  // An exactly sized copy, so ASan catches any read past `size`.
  std::vector<char> text(data, data + size);
  const char* p = size != 0 ? text.data() : nullptr;

  ffnlp::Prediction top[3];
  size_t count = 0;
  ffnlp::TextStats stats;
  check(model.classify(p, size, ws, top, 3, &count, &stats) == ffnlp::Status::kOk);
  check(count <= 3);
  std::vector<float> probs(model.label_count());
  ffnlp::TextStats stats2;
  check(model.scores(p, size, ws.data(), ws.size(), probs.data(), probs.size(), &stats2) == ffnlp::Status::kOk);
  check(stats.letters == stats2.letters && stats.bytes_used == stats2.bytes_used);
  check(stats.bytes_used <= size);
  // The features classify() reads: the same letters; a small buffer asks
  // for the size it needs; every reference inside its channel's table.
  ffnlp::FeatureRef small[16];
  size_t needed = 0;
  ffnlp::TextStats stats3;
  const ffnlp::Status fs = model.text_features(p, size, small, 16, &needed, &stats3);
  check(fs == ffnlp::Status::kOk || (fs == ffnlp::Status::kBufferTooSmall && needed > 16));
  check(stats3.letters == stats.letters);
  std::vector<ffnlp::FeatureRef> refs(needed);
  size_t got = 0;
  check(model.text_features(p, size, refs.data(), refs.size(), &got) == ffnlp::Status::kOk && got == needed);
  for (const ffnlp::FeatureRef& r : refs) {
    check(r.channel < model.channel_count() && r.row < model.channel(r.channel).buckets);
    check(std::isfinite(r.weight));
  }
  // An allow-list of two labels with no prior: answers only from it, and
  // their probabilities sum to 1 when there is evidence.
  const uint32_t only[2] = {0, model.label_count() - 1};
  ffnlp::ClassifyOptions options;
  options.prior = ffnlp::Prior::kUniform;
  options.only = only;
  options.only_count = model.label_count() > 1 ? 2 : 1;
  ffnlp::Prediction pair[2];
  size_t pair_count = 0;
  check(model.classify(p, size, ws, pair, 2, &pair_count, options) == ffnlp::Status::kOk);
  if (stats.letters != 0) {
    check(pair_count == options.only_count);
    float pair_sum = 0;
    for (size_t i = 0; i < pair_count; ++i) {
      check(pair[i].label_index == only[0] || pair[i].label_index == only[1]);
      pair_sum += pair[i].probability;
    }
    check(std::fabs(pair_sum - 1.0f) < 1e-3f);
  }
  // Hints: two labels chosen by the input's first and last bytes (one when
  // they agree), with the allow-list or without, a weight 0 ... 20 from the
  // second byte.
  const uint32_t n = model.label_count();
  uint32_t prefer[2] = {size != 0 ? data[0] % n : 0, size != 0 ? data[size - 1] % n : 0};
  ffnlp::ClassifyOptions hints;
  hints.prefer = prefer;
  hints.prefer_count = prefer[0] == prefer[1] ? 1 : 2;
  hints.prefer_weight = size > 1 ? static_cast<float>(data[1] % 41) * 0.5f : ffnlp::kDefaultPreferWeight;
  if (size > 2 && (data[2] & 1)) {
    hints.only = only;
    hints.only_count = options.only_count;
    hints.prior = ffnlp::Prior::kUniform;
  }
  ffnlp::Prediction hinted[3];
  size_t hinted_count = 0;
  check(model.classify(p, size, ws, hinted, 3, &hinted_count, hints) == ffnlp::Status::kOk);
  std::vector<float> hinted_probs(n);
  {
    ffnlp::Input in;
    in.text = p;
    in.size = size;
    check(model.scores(in, ws.data(), ws.size(), hinted_probs.data(), n, &hints) == ffnlp::Status::kOk);
    double hinted_sum = 0;
    for (float v : hinted_probs) {
      check(std::isfinite(v) && v >= 0.0f && v <= 1.0f);
      hinted_sum += v;
    }
    check(stats.letters == 0 ? hinted_sum == 0.0 : std::fabs(hinted_sum - 1.0) < 1e-3);
    for (size_t i = 0; i < hinted_count && stats.letters != 0; ++i) {
      check(std::fabs(hinted[i].probability - hinted_probs[hinted[i].label_index]) <= 1e-5f);
      check(i == 0 || hinted[i].probability <= hinted[i - 1].probability);
    }
    // Weight 0: the answer without hints, bit for bit.
    ffnlp::ClassifyOptions zero;
    zero.prefer = prefer;
    zero.prefer_count = hints.prefer_count;
    zero.prefer_weight = 0.0f;
    ffnlp::Prediction same[3];
    size_t same_count = 0;
    check(model.classify(p, size, ws, same, 3, &same_count, zero) == ffnlp::Status::kOk);
    check(same_count == count);
    for (size_t i = 0; i < count; ++i) {
      check(same[i].label_index == top[i].label_index && same[i].probability == top[i].probability);
    }
    // The top label hinted alone stays on top, no less probable (with
    // neighbour words the hint may choose another group, whose words move
    // other labels).
    if (stats.letters != 0 && !g->neighbour_words) {
      ffnlp::ClassifyOptions best;
      best.prefer = &top[0].label_index;
      best.prefer_count = 1;
      best.prefer_weight = hints.prefer_weight;
      ffnlp::Prediction again[1];
      size_t again_count = 0;
      check(model.classify(p, size, ws, again, 1, &again_count, best) == ffnlp::Status::kOk);
      check(again_count == 1 && again[0].label_index == top[0].label_index);
      check(again[0].probability >= top[0].probability - 1e-6f);
    }
  }
  if (stats.letters == 0) {
    for (float v : probs) check(v == 0.0f);
    if (model.unknown_label()[0] != '\0') {
      check(count == 1 && top[0].label_index == ffnlp::kNoLabel && top[0].probability == 0.0f);
      check(std::strcmp(top[0].label, model.unknown_label()) == 0);
    } else {
      check(count == 0);
    }
    return 0;
  }
  check(count == (model.label_count() < 3 ? model.label_count() : 3));
  double sum = 0;
  for (float v : probs) {
    check(std::isfinite(v) && v >= 0.0f && v <= 1.0f);
    sum += v;
  }
  check(std::fabs(sum - 1.0) < 1e-3);
  for (size_t i = 0; i < count; ++i) {
    check(top[i].label_index < model.label_count());
    // classify() normalises only its answers: scores() agrees up to rounding.
    check(std::fabs(top[i].probability - probs[top[i].label_index]) <= 1e-5f);
    check(i == 0 || top[i].probability <= top[i - 1].probability);
  }
  return 0;
}
