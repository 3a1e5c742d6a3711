// libFuzzer target: classification of arbitrary bytes as text.
//
// The model is loaded once at start-up: the file named by $FFNLP_FUZZ_MODEL,
// else models/langid.ffm (the shipped language identifier) when it exists,
// else the tiny test classifier of tests/test_models.h built in memory.
// Invariants checked on every input: classify() and scores() succeed; at most
// k answers, best first, probabilities in [0, 1]; a text with letters gives a
// distribution summing to 1 and agreeing with classify(); a text without
// letters gives all-zero scores and the unknown label; the same text with an
// exact-size copy gives the same answer (no reads past `size`).
#include "fuzz_check.h"
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "test_models.h"
#include "features/text_features.h"

namespace {

struct Loaded {
  std::vector<uint8_t> owned;
  ffnlp::MappedFile file;
  ffnlp::Model model;
  std::unique_ptr<ffnlp::Workspace> workspace;
};
Loaded* g = nullptr;


bool file_exists(const char* path) {
  FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return false;
  std::fclose(f);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g = new Loaded;
  const char* path = std::getenv("FFNLP_FUZZ_MODEL");
  if (path == nullptr && file_exists("models/langid.ffm")) path = "models/langid.ffm";
  ffnlp::Error error;
  if (path != nullptr) {
    if (ffnlp::load_file(path, &g->file, &g->model, &error) != ffnlp::Status::kOk) {
      std::fprintf(stderr, "fuzz_classify_text: %s: %s\n", path, error.message);
      std::exit(1);
    }
    std::fprintf(stderr, "fuzz_classify_text: model %s (%u labels)\n", path, g->model.label_count());
  } else {
    g->owned = ffnlp::testing::build_tiny_model(ffnlp::testing::make_tiny_network(1, ffnlp::kScriptCount));
    check(ffnlp::Model::load(g->owned.data(), g->owned.size(), &g->model, &error) == ffnlp::Status::kOk);
    std::fprintf(stderr, "fuzz_classify_text: tiny test model (no models/langid.ffm)\n");
  }
  check(g->model.is_classifier());
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
