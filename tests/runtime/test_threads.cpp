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
#include "features/text_features.h"

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

struct Answer {
  uint32_t index[3] = {0, 0, 0};
  float prob[3] = {0, 0, 0};
  size_t count = 0;
  bool operator==(const Answer& o) const {
    return count == o.count && std::memcmp(index, o.index, sizeof(index)) == 0 &&
           std::memcmp(prob, o.prob, sizeof(prob)) == 0;
  }
};

Answer classify_cpp(const Model& model, Workspace& ws, const std::string& text) {
  Prediction top[3];
  Answer a;
  if (model.classify(text.data(), text.size(), ws, top, 3, &a.count) != Status::kOk) a.count = 999;
  for (size_t i = 0; i < a.count && i < 3; ++i) {
    a.index[i] = top[i].label_index;
    a.prob[i] = top[i].probability;
  }
  return a;
}

Answer classify_c(const ffnlp_model* model, ffnlp_workspace* ws, const std::string& text) {
  ffnlp_prediction top[3];
  Answer a;
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
    std::vector<Answer> expected(texts.size());
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
            const Answer a = (t % 2 == 0) ? classify_cpp(model, ws, texts[i]) : classify_c(cmodel, cws, texts[i]);
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
