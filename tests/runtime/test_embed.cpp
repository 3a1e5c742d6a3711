// The two ways of compiling a model into a program (ffnlp/embed.h): the
// .incbin macro and the array written by tools/embed_model/embed_model.py
// (linked in by mk/embedding.mk), both over tests/golden/tiny_golden.ffm. Their
// probabilities are pinned to golden values computed on x86-64, so the
// aarch64, armhf and big-endian s390x runs of `make cross-test` prove that
// the little-endian format is read the same everywhere.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "ffnlp/embed.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/ffnlp_c.h"
#include "test_paths.h"

// Mechanism 1: .incbin (path relative to the directory make runs in).
FFNLP_EMBED_FILE(ffnlp_test_golden_incbin, "tests/golden/tiny_golden.ffm");
// Mechanism 2: the generated array (build/emb/tiny_golden_array.cpp).
FFNLP_EMBED_DECLARE_ARRAY(ffnlp_test_golden_array);

namespace {

std::vector<unsigned char> read_file(const char* path) {
  std::vector<unsigned char> bytes;
  std::FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return bytes;
  unsigned char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  std::fclose(f);
  return bytes;
}

// Texts and the x86-64 probabilities of labels aa, bb, cc for each (tiny
// model, seed 42). Tolerance: 1e-5 absolute (float32 arithmetic; other CPUs
// may contract or reorder, nothing more).
struct Golden {
  const char* text;
  float probs[3];
};
const Golden kGolden[] = {
  {"The quick brown fox jumps over the lazy dog.", {0.346244097f, 0.311667264f, 0.342088699f}},
  {"Der schnelle braune Fuchs springt über den faulen Hund.", {0.354809314f, 0.310695708f, 0.334495038f}},
  {"Быстрая коричневая лиса прыгает через ленивую собаку.", {0.342501879f, 0.312057674f, 0.345440477f}},
  {"Η γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο.", {0.355780244f, 0.320834726f, 0.32338509f}},
  {"敏捷的棕色狐狸跳过了懒狗。", {0.342501879f, 0.312057674f, 0.345440477f}},
  {"مرحبا بالعالم", {0.461971909f, 0.379603982f, 0.158424005f}},
  {"MiXeD CaSe ÀÉÎÕÜ ßtraße 42 and digits 123", {0.35017094f, 0.311235189f, 0.3385939f}},
  {"a", {0.309433997f, 0.280422449f, 0.410143614f}},
  {"1234 5678 !!!", {0.0f, 0.0f, 0.0f}},
  {"", {0.0f, 0.0f, 0.0f}},
};
constexpr double kTolerance = 1e-5;

void check_golden(const ffnlp::Model& model) {
  ffnlp::Workspace workspace(model);
  REQUIRE(workspace.ok());
  for (const Golden& g : kGolden) {
    CAPTURE(g.text);
    float probs[3] = {-1, -1, -1};
    ffnlp::TextStats stats;
    REQUIRE(model.scores(g.text, std::strlen(g.text), workspace.data(), workspace.size(), probs, 3, &stats) ==
            ffnlp::Status::kOk);
    for (int i = 0; i < 3; ++i) CHECK(std::fabs(probs[i] - g.probs[i]) <= kTolerance);
  }
}

}  // namespace

TEST_CASE("embed: .incbin and the generated array hold the file's bytes, 64-byte aligned") {
  const std::vector<unsigned char> file = read_file(ffnlp::testing::source_path("tests/golden/tiny_golden.ffm").c_str());
  REQUIRE(!file.empty());
  REQUIRE(FFNLP_EMBED_SIZE(ffnlp_test_golden_incbin) == file.size());
  REQUIRE(ffnlp_test_golden_array_size == file.size());
  CHECK(std::memcmp(ffnlp_test_golden_incbin, file.data(), file.size()) == 0);
  CHECK(std::memcmp(ffnlp_test_golden_array, file.data(), file.size()) == 0);
  CHECK(reinterpret_cast<uintptr_t>(ffnlp_test_golden_incbin) % 64 == 0);
  CHECK(reinterpret_cast<uintptr_t>(ffnlp_test_golden_array) % 64 == 0);
}

TEST_CASE("embed: both embedded copies load in place through the C and C++ APIs") {
  const unsigned char* copies[] = {ffnlp_test_golden_incbin, ffnlp_test_golden_array};
  const size_t sizes[] = {FFNLP_EMBED_SIZE(ffnlp_test_golden_incbin), ffnlp_test_golden_array_size};
  for (int i = 0; i < 2; ++i) {
    ffnlp::Model model;
    ffnlp::Error error;
    REQUIRE(ffnlp::Model::load(copies[i], sizes[i], &model, &error) == ffnlp::Status::kOk);
    CHECK(model.label_count() == 3);
    CHECK(std::strcmp(model.model_name(), "tiny") == 0);
    ffnlp_model* m = nullptr;
    ffnlp_error err;
    REQUIRE(ffnlp_model_create_from_buffer(copies[i], sizes[i], &m, &err) == FFNLP_OK);
    // No copy: the labels point into the embedded bytes.
    const char* label = ffnlp_model_label(m, 0);
    CHECK(reinterpret_cast<const unsigned char*>(label) > copies[i]);
    CHECK(reinterpret_cast<const unsigned char*>(label) < copies[i] + sizes[i]);
    ffnlp_model_free(m);
  }
}

TEST_CASE("embed: golden probabilities, identical on every CPU (cross-test)") {
  ffnlp::Model model;
  ffnlp::Error error;
  REQUIRE(ffnlp::Model::load(ffnlp_test_golden_incbin, FFNLP_EMBED_SIZE(ffnlp_test_golden_incbin), &model, &error) ==
          ffnlp::Status::kOk);
  check_golden(model);
  ffnlp::Model from_array;
  REQUIRE(ffnlp::Model::load(ffnlp_test_golden_array, ffnlp_test_golden_array_size, &from_array, &error) ==
          ffnlp::Status::kOk);
  check_golden(from_array);
}

TEST_CASE("embed: golden top labels through the C API") {
  ffnlp_model* m = nullptr;
  REQUIRE(ffnlp_model_create_from_buffer(ffnlp_test_golden_array, ffnlp_test_golden_array_size, &m, nullptr) ==
          FFNLP_OK);
  ffnlp_workspace* ws = nullptr;
  REQUIRE(ffnlp_workspace_create(m, &ws, nullptr) == FFNLP_OK);
  for (const Golden& g : kGolden) {
    CAPTURE(g.text);
    ffnlp_prediction top[3];
    size_t n = 0;
    REQUIRE(ffnlp_workspace_classify(ws, g.text, FFNLP_NUL_TERMINATED, top, 3, &n) == FFNLP_OK);
    if (g.probs[0] == 0 && g.probs[1] == 0 && g.probs[2] == 0) {
      REQUIRE(n == 1);
      CHECK(std::strcmp(top[0].label, "und") == 0);
      continue;
    }
    REQUIRE(n == 3);
    for (size_t r = 0; r < n; ++r) {
      CHECK(std::fabs(top[r].probability - g.probs[top[r].label_index]) <= kTolerance);
      if (r > 0) CHECK(top[r - 1].probability >= top[r].probability);
    }
  }
  ffnlp_workspace_free(ws);
  ffnlp_model_free(m);
}
