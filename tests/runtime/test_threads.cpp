// One loaded model shared by many threads, each with its own workspace (or
// scratch): every answer must equal the single-threaded one, bit for bit.
// `make tsan-test` runs this suite under ThreadSanitizer.
#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/ffnlp_c.h"
#include "test_models.h"
#include "ffnlp/features.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

// Texts mixing scripts, cases, digits and punctuation, some invalid UTF-8.
std::vector<std::string> make_texts(size_t n) {
  static const char* const kPieces[] = {"the ", "Fuchs ", "über ", "лиса ", "собаку ", "αλεπού ", "狐狸", "مرحبا ",
                                        "42 ", "!? ", "ÀÉÎ ", "straße ", "\xff\xfe", "a", "Zz ", "नमस्ते "};
  std::mt19937 rng(1234);
  std::vector<std::string> texts;
  for (size_t i = 0; i < n; ++i) {
    std::string t;
    const size_t parts = rng() % 12;
    for (size_t p = 0; p < parts; ++p) t += kPieces[rng() % (sizeof(kPieces) / sizeof(kPieces[0]))];
    texts.push_back(t);
  }
  return texts;
}

struct ThreadAnswer {
  uint32_t index[3] = {0, 0, 0};
  float prob[3] = {0, 0, 0};
  size_t count = 0;
  bool operator==(const ThreadAnswer& o) const {
    return count == o.count && std::memcmp(index, o.index, sizeof(index)) == 0 &&
           std::memcmp(prob, o.prob, sizeof(prob)) == 0;
  }
};

ThreadAnswer classify_cpp(const Model& model, Workspace& ws, const std::string& text) {
  Prediction top[3];
  ThreadAnswer a;
  if (model.classify(text.data(), text.size(), ws, top, 3, &a.count) != Status::kOk) a.count = 999;
  for (size_t i = 0; i < a.count && i < 3; ++i) {
    a.index[i] = top[i].label_index;
    a.prob[i] = top[i].probability;
  }
  return a;
}

ThreadAnswer classify_c(const ffnlp_model* model, ffnlp_workspace* ws, const std::string& text) {
  ffnlp_prediction top[3];
  ThreadAnswer a;
  if (ffnlp_workspace_classify(ws, text.data(), text.size(), top, 3, &a.count) != FFNLP_OK) a.count = 999;
  (void)model;
  for (size_t i = 0; i < a.count && i < 3; ++i) {
    a.index[i] = top[i].label_index;
    a.prob[i] = top[i].probability;
  }
  return a;
}

}  // namespace

TEST_SUITE("threads") {
  TEST_CASE("threads: 8 threads share one model, each with its own workspace") {
    const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(77, kScriptCount));
    Model model;
    Error error;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk);
    ffnlp_model* cmodel = nullptr;
    REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &cmodel, nullptr) == FFNLP_OK);

    const std::vector<std::string> texts = make_texts(600);
    std::vector<ThreadAnswer> expected(texts.size());
    {
      Workspace ws(model);
      for (size_t i = 0; i < texts.size(); ++i) expected[i] = classify_cpp(model, ws, texts[i]);
    }
    constexpr int kThreads = 8;
    constexpr int kRounds = 4;
    std::atomic<int> mismatches{0}, calls{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        Workspace ws(model);
        ffnlp_workspace* cws = nullptr;
        if (!ws.ok() || ffnlp_workspace_create(cmodel, &cws, nullptr) != FFNLP_OK) {
          mismatches.fetch_add(1000000);
          return;
        }
        for (int r = 0; r < kRounds; ++r) {
          // Each thread walks the texts from its own start, so threads hit
          // different texts at the same time; odd threads use the C API.
          for (size_t j = 0; j < texts.size(); ++j) {
            const size_t i = (j + static_cast<size_t>(t) * 97) % texts.size();
            const ThreadAnswer a = (t % 2 == 0) ? classify_cpp(model, ws, texts[i]) : classify_c(cmodel, cws, texts[i]);
            if (!(a == expected[i])) mismatches.fetch_add(1);
            calls.fetch_add(1, std::memory_order_relaxed);
          }
        }
        ffnlp_workspace_free(cws);
      });
    }
    for (std::thread& th : threads) th.join();
    CHECK(mismatches.load() == 0);
    CHECK(calls.load() == kThreads * kRounds * static_cast<int>(texts.size()));
    ffnlp_model_free(cmodel);
  }

  TEST_CASE("threads: options, logits and the feature API from several threads at once") {
    const KindsNetwork n = make_kinds_network(79);
    const std::vector<uint8_t> bytes = build_kinds_model(n);
    Model model;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
    const std::vector<std::string> texts = make_texts(300);
    const uint32_t only[] = {2, 0};
    const uint32_t prefer[] = {0};
    ClassifyOptions options;
    options.prior = Prior::kUniform;
    options.only = only;
    options.only_count = 2;
    options.prefer = prefer;
    options.prefer_count = 1;
    options.prefer_weight = 0.5f;
    auto run = [&](Workspace& ws, const std::string& text, std::vector<float>* out) {
      Prediction top[2];
      size_t count = 0;
      float logits[3];
      FeatureRef refs[512];
      size_t features = 0;
      Input in;
      in.text = text.data();
      in.size = text.size();
      out->clear();
      if (model.classify(in, ws.data(), ws.size(), top, 2, &count, &options) != Status::kOk) out->push_back(-1);
      for (size_t i = 0; i < count; ++i) out->push_back(top[i].probability + static_cast<float>(top[i].label_index));
      if (model.logits(in, ws.data(), ws.size(), logits, 3) != Status::kOk) out->push_back(-2);
      out->insert(out->end(), logits, logits + 3);
      if (model.text_features(text.data(), text.size(), refs, 512, &features) != Status::kOk) out->push_back(-3);
      for (size_t i = 0; i < features && i < 512; ++i) out->push_back(static_cast<float>(refs[i].row) + refs[i].weight);
    };
    std::vector<std::vector<float>> expected(texts.size());
    {
      Workspace ws(model);
      for (size_t i = 0; i < texts.size(); ++i) run(ws, texts[i], &expected[i]);
    }
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        Workspace ws(model);
        std::vector<float> got;
        for (int r = 0; r < 3; ++r) {
          for (size_t j = 0; j < texts.size(); ++j) {
            const size_t i = (j + static_cast<size_t>(t) * 61) % texts.size();
            run(ws, texts[i], &got);
            if (got != expected[i]) mismatches.fetch_add(1);
          }
        }
      });
    }
    for (std::thread& th : threads) th.join();
    CHECK(mismatches.load() == 0);
  }

  TEST_CASE("threads: concurrent model loads and frees of one buffer") {
    const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(78, kScriptCount));
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 20; ++i) {
          ffnlp_model* m = nullptr;
          if (ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &m, nullptr) != FFNLP_OK) failures++;
          ffnlp_workspace* ws = nullptr;
          if (ffnlp_workspace_create(m, &ws, nullptr) != FFNLP_OK) failures++;
          ffnlp_prediction top[1];
          size_t n = 0;
          if (ffnlp_workspace_classify(ws, "hello world", FFNLP_NUL_TERMINATED, top, 1, &n) != FFNLP_OK || n != 1) {
            failures++;
          }
          ffnlp_workspace_free(ws);
          ffnlp_model_free(m);
        }
      });
    }
    for (std::thread& th : threads) th.join();
    CHECK(failures.load() == 0);
  }
}
