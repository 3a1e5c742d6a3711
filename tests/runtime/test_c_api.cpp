// The C API (ffnlp_c.h) against the C++ API it wraps: same statuses, same
// predictions, errors with messages, metadata, batches, workspaces.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/ffnlp_c.h"
#include "test_models.h"
#include "ffnlp/features.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

const char* const kApiTexts[] = {
    "The quick brown fox jumps over the lazy dog.",
    "Der schnelle braune Fuchs springt über den faulen Hund.",
    "Быстрая коричневая лиса прыгает через ленивую собаку.",
    "Η γρήγορη καφέ αλεπού",
    "敏捷的棕色狐狸",
    "x",
    "   42 !!! ",
    "",
};

std::vector<uint8_t> tiny(uint32_t seed = 9) { return build_tiny_model(make_tiny_network(seed, kScriptCount)); }

struct CModel {
  ffnlp_model* m = nullptr;
  ~CModel() { ffnlp_model_free(m); }
};

}  // namespace

TEST_CASE("c api: status codes and names match the C++ ones") {
  for (int s = 0; s <= FFNLP_UNSUPPORTED_FEATURES; ++s) {
    CHECK(std::strcmp(ffnlp_status_name(s), status_name(static_cast<Status>(s))) == 0);
  }
  CHECK(std::strcmp(ffnlp_status_name(FFNLP_BAD_CHECKSUM), "bad checksum") == 0);
  CHECK(std::strcmp(ffnlp_status_name(-1), "unknown status") == 0);
  CHECK(std::strcmp(ffnlp_status_name(999), "unknown status") == 0);
  CHECK(std::strcmp(ffnlp_version(), "1.0.0") == 0);
}

TEST_CASE("c api: create from a buffer, metadata getters") {
  const std::vector<uint8_t> bytes = tiny();
  CModel c;
  ffnlp_error err;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &c.m, &err) == FFNLP_OK);
  CHECK(err.status == FFNLP_OK);
  CHECK(err.message[0] == '\0');
  Model model;
  Error error;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk);
  CHECK(ffnlp_model_label_count(c.m) == 3);
  CHECK(std::strcmp(ffnlp_model_label(c.m, 1), "bb") == 0);
  CHECK(std::strcmp(ffnlp_model_label_name(c.m, 2), "Gamma") == 0);
  CHECK(std::strcmp(ffnlp_model_label(c.m, 3), "") == 0);
  CHECK(ffnlp_model_find_label(c.m, "cc") == 2);
  CHECK(ffnlp_model_find_label(c.m, "zz") == -1);
  CHECK(std::strcmp(ffnlp_model_task(c.m), "classifier") == 0);
  CHECK(std::strcmp(ffnlp_model_name(c.m), "tiny") == 0);
  CHECK(std::strcmp(ffnlp_model_unknown_label(c.m), "und") == 0);
  CHECK(ffnlp_model_is_classifier(c.m) == 1);
  CHECK(ffnlp_model_file_size(c.m) == bytes.size());
  CHECK(ffnlp_model_format_version(c.m) == 2);  // as written by tools/common/model_writer
  CHECK(ffnlp_model_input_width(c.m) == model.input_width());
  CHECK(ffnlp_model_tensor_count(c.m) == 7);
  CHECK(ffnlp_model_scratch_size(c.m) >= model.scratch_bytes());
  CHECK(ffnlp_model_scratch_size(c.m) % 64 == 0);
  // Labels are read in place, not copied.
  const char* label = ffnlp_model_label(c.m, 0);
  CHECK(reinterpret_cast<const uint8_t*>(label) >= bytes.data());
  CHECK(reinterpret_cast<const uint8_t*>(label) < bytes.data() + bytes.size());
  // Null handles are harmless.
  CHECK(ffnlp_model_label_count(nullptr) == 0);
  CHECK(std::strcmp(ffnlp_model_label(nullptr, 0), "") == 0);
  CHECK(ffnlp_model_scratch_size(nullptr) == 0);
  ffnlp_model_free(nullptr);
  ffnlp_workspace_free(nullptr);
}

TEST_CASE("c api: failures carry the loader's status and message") {
  std::vector<uint8_t> bytes = tiny();
  ffnlp_model* m = reinterpret_cast<ffnlp_model*>(&bytes);  // must be reset to null
  ffnlp_error err;
  SUBCASE("bad magic") {
    bytes[0] = 'X';
    CHECK(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &m, &err) == FFNLP_BAD_MAGIC);
    CHECK(err.status == FFNLP_BAD_MAGIC);
    CHECK(std::strlen(err.message) > 0);
  }
  SUBCASE("truncated") {
    CHECK(ffnlp_model_create_from_buffer(bytes.data(), bytes.size() - 1, &m, &err) == FFNLP_TRUNCATED);
    CHECK(err.status == FFNLP_TRUNCATED);
  }
  SUBCASE("bad checksum, unless skipped") {
    bytes[bytes.size() - 1] ^= 0x01;  // inside the padding/data: only the CRC notices
    const int status = ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &m, &err);
    CHECK(status != FFNLP_OK);
    CHECK(err.status == status);
    Model model;
    Error error;
    CHECK(static_cast<int>(Model::load(bytes.data(), bytes.size(), &model, &error)) == status);
    CHECK(std::strcmp(error.message, err.message) == 0);
    if (status == FFNLP_BAD_CHECKSUM) {
      LoadOptions options;
      options.verify_checksum = false;
      const int skipped = static_cast<int>(Model::load(bytes.data(), bytes.size(), &model, &error, options));
      CHECK(ffnlp_model_create_from_buffer_ex(bytes.data(), bytes.size(), FFNLP_LOAD_SKIP_CHECKSUM, &m, &err) ==
            skipped);
      ffnlp_model_free(m);
      m = nullptr;
    }
  }
  SUBCASE("null arguments and unknown flags") {
    CHECK(ffnlp_model_create_from_buffer(nullptr, 10, &m, &err) == FFNLP_INVALID_ARGUMENT);
    CHECK(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), nullptr, &err) == FFNLP_INVALID_ARGUMENT);
    CHECK(std::strlen(err.message) > 0);
    m = reinterpret_cast<ffnlp_model*>(&bytes);
    CHECK(ffnlp_model_create_from_buffer_ex(bytes.data(), bytes.size(), 0x80, &m, &err) == FFNLP_INVALID_ARGUMENT);
    CHECK(ffnlp_model_create_from_file(nullptr, &m, &err) == FFNLP_INVALID_ARGUMENT);
  }
  SUBCASE("missing file") {
    CHECK(ffnlp_model_create_from_file("/nonexistent/dir/model.ffm", &m, &err) == FFNLP_IO_ERROR);
    CHECK(std::strstr(err.message, "/nonexistent/dir/model.ffm") != nullptr);
  }
  SUBCASE("error pointer may be null") {
    bytes[0] = 'X';
    CHECK(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &m, nullptr) == FFNLP_BAD_MAGIC);
  }
  CHECK(m == nullptr);
}

TEST_CASE("c api: create from a file maps it and matches the buffer") {
  const std::vector<uint8_t> bytes = tiny(12);
  const std::string path = "c_api_test_model.tmp.ffm";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
  std::fclose(f);
  CModel from_file, from_buffer;
  ffnlp_error err;
  REQUIRE(ffnlp_model_create_from_file(path.c_str(), &from_file.m, &err) == FFNLP_OK);
  std::remove(path.c_str());  // the mapping stays valid
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &from_buffer.m, &err) == FFNLP_OK);
  CHECK(ffnlp_model_file_size(from_file.m) == bytes.size());
  std::vector<unsigned char> scratch(ffnlp_model_scratch_size(from_file.m));
  for (const char* text : kApiTexts) {
    ffnlp_prediction a[3], b[3];
    size_t na = 0, nb = 0;
    REQUIRE(ffnlp_classify(from_file.m, text, FFNLP_NUL_TERMINATED, scratch.data(), scratch.size(), a, 3, &na) ==
            FFNLP_OK);
    REQUIRE(ffnlp_classify(from_buffer.m, text, std::strlen(text), scratch.data(), scratch.size(), b, 3, &nb) ==
            FFNLP_OK);
    REQUIRE(na == nb);
    for (size_t i = 0; i < na; ++i) {
      CHECK(a[i].probability == b[i].probability);
      CHECK(std::strcmp(a[i].label, b[i].label) == 0);
    }
  }
}

TEST_CASE("c api: classify gives exactly the C++ predictions, for every k") {
  const std::vector<uint8_t> bytes = tiny(21);
  Model model;
  Error error;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk);
  Workspace workspace(model);
  CModel c;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &c.m, nullptr) == FFNLP_OK);
  std::vector<unsigned char> scratch(ffnlp_model_scratch_size(c.m));
  for (size_t k : {size_t(1), size_t(2), size_t(3), size_t(16), size_t(17), size_t(40)}) {
    for (const char* text : kApiTexts) {
      CAPTURE(k);
      CAPTURE(text);
      std::vector<Prediction> expected(k);
      size_t expected_n = 0;
      REQUIRE(model.classify(text, std::strlen(text), workspace, expected.data(), k, &expected_n) == Status::kOk);
      std::vector<ffnlp_prediction> got(k);
      size_t n = 99;
      REQUIRE(ffnlp_classify(c.m, text, std::strlen(text), scratch.data(), scratch.size(), got.data(), k, &n) ==
              FFNLP_OK);
      REQUIRE(n == expected_n);
      for (size_t i = 0; i < n; ++i) {
        CHECK(got[i].label_index == expected[i].label_index);
        CHECK(std::strcmp(got[i].label, expected[i].label) == 0);
        CHECK(std::strcmp(got[i].name, expected[i].name) == 0);
        if (k <= 16) {
          CHECK(got[i].probability == expected[i].probability);
        } else {
          // k > 16 selects from scores(), a separately compiled path: on
          // CPUs with fused multiply-add (aarch64) GCC's default
          // -ffp-contract=fast may round it 1 ulp apart from classify().
          CHECK(got[i].probability == doctest::Approx(expected[i].probability).epsilon(1e-6));
        }
        CHECK(got[i].reliable == (expected[i].reliable ? 1 : 0));
        CHECK(got[i].reserved == 0);
      }
    }
  }
}

TEST_CASE("c api: empty text answers the unknown label") {
  const std::vector<uint8_t> bytes = tiny();
  CModel c;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &c.m, nullptr) == FFNLP_OK);
  std::vector<unsigned char> scratch(ffnlp_model_scratch_size(c.m));
  ffnlp_prediction top[2];
  size_t n = 0;
  REQUIRE(ffnlp_classify(c.m, nullptr, 0, scratch.data(), scratch.size(), top, 2, &n) == FFNLP_OK);
  REQUIRE(n == 1);
  CHECK(std::strcmp(top[0].label, "und") == 0);
  CHECK(top[0].label_index == FFNLP_NO_LABEL);
  CHECK(top[0].probability == 0.0f);
  CHECK(top[0].reliable == 0);
}

TEST_CASE("c api: argument errors") {
  const std::vector<uint8_t> bytes = tiny();
  CModel c;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &c.m, nullptr) == FFNLP_OK);
  std::vector<unsigned char> scratch(ffnlp_model_scratch_size(c.m));
  ffnlp_prediction top[20];
  size_t n = 7;
  CHECK(ffnlp_classify(nullptr, "a", 1, scratch.data(), scratch.size(), top, 1, &n) == FFNLP_INVALID_ARGUMENT);
  CHECK(n == 0);
  CHECK(ffnlp_classify(c.m, "a", 1, scratch.data(), scratch.size(), nullptr, 1, &n) == FFNLP_INVALID_ARGUMENT);
  CHECK(ffnlp_classify(c.m, "a", 1, scratch.data(), scratch.size(), top, 0, &n) == FFNLP_INVALID_ARGUMENT);
  CHECK(ffnlp_classify(c.m, "a", 1, scratch.data(), scratch.size(), top, 1, nullptr) == FFNLP_INVALID_ARGUMENT);
  CHECK(ffnlp_classify(c.m, nullptr, 5, scratch.data(), scratch.size(), top, 1, &n) == FFNLP_INVALID_ARGUMENT);
  CHECK(ffnlp_classify(c.m, "a", 1, nullptr, scratch.size(), top, 1, &n) == FFNLP_INVALID_ARGUMENT);
  CHECK(ffnlp_classify(c.m, "a", 1, scratch.data(), 4, top, 1, &n) == FFNLP_BUFFER_TOO_SMALL);
  // One scratch size: the C++ one, whatever k.
  Model model;
  Error error;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk);
  CHECK(ffnlp_model_scratch_size(c.m) == model.scratch_bytes());
  CHECK(ffnlp_classify(c.m, "a", 1, scratch.data(), model.scratch_bytes() - 1, top, 20, &n) == FFNLP_BUFFER_TOO_SMALL);
  CHECK(ffnlp_classify(c.m, "a", 1, scratch.data(), scratch.size(), top, 20, &n) == FFNLP_OK);
  CHECK(n == 3);
  float probs[3];
  CHECK(ffnlp_scores(c.m, "a", 1, scratch.data(), scratch.size(), probs, 2) == FFNLP_INVALID_ARGUMENT);
  CHECK(ffnlp_scores(c.m, "a", 1, scratch.data(), scratch.size(), probs, 3) == FFNLP_OK);
  CHECK(probs[0] + probs[1] + probs[2] == doctest::Approx(1.0));
  ffnlp_workspace* ws = reinterpret_cast<ffnlp_workspace*>(&n);
  ffnlp_error err;
  CHECK(ffnlp_workspace_create(nullptr, &ws, &err) == FFNLP_INVALID_ARGUMENT);
  CHECK(ws == nullptr);
  CHECK(ffnlp_workspace_classify(nullptr, "a", 1, top, 1, &n) == FFNLP_INVALID_ARGUMENT);
}

TEST_CASE("c api: a tensors-only model is not a classifier") {
  tools::ModelWriter w;
  w.add_tensor(f32_tensor("vectors", 2, 2, {1, 2, 3, 4}));
  w.set_string("general.task", "embedding");
  const std::vector<uint8_t> bytes = w.build();
  CModel c;
  ffnlp_error err;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &c.m, &err) == FFNLP_OK);
  CHECK(ffnlp_model_is_classifier(c.m) == 0);
  CHECK(ffnlp_model_label_count(c.m) == 0);
  CHECK(ffnlp_model_scratch_size(c.m) == 0);
  CHECK(std::strcmp(ffnlp_model_task(c.m), "embedding") == 0);
  ffnlp_workspace* ws = nullptr;
  CHECK(ffnlp_workspace_create(c.m, &ws, &err) == FFNLP_NOT_CLASSIFIER);
  CHECK(err.status == FFNLP_NOT_CLASSIFIER);
  unsigned char scratch[64];
  ffnlp_prediction top[1];
  size_t n = 0;
  CHECK(ffnlp_classify(c.m, "a", 1, scratch, sizeof(scratch), top, 1, &n) == FFNLP_NOT_CLASSIFIER);
}

TEST_CASE("c api: batch equals one text at a time; workspace convenience") {
  const std::vector<uint8_t> bytes = tiny(33);
  CModel c;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &c.m, nullptr) == FFNLP_OK);
  ffnlp_workspace* ws = nullptr;
  ffnlp_error err;
  REQUIRE(ffnlp_workspace_create(c.m, &ws, &err) == FFNLP_OK);
  CHECK(ffnlp_workspace_size(ws) == ffnlp_model_scratch_size(c.m));
  CHECK(reinterpret_cast<uintptr_t>(ffnlp_workspace_data(ws)) % 64 == 0);
  const size_t n = sizeof(kApiTexts) / sizeof(kApiTexts[0]);
  const size_t k = 2;
  std::vector<size_t> lengths(n);
  for (size_t i = 0; i < n; ++i) lengths[i] = std::strlen(kApiTexts[i]);
  std::vector<ffnlp_prediction> results(n * k);
  std::vector<size_t> counts(n, 99);
  REQUIRE(ffnlp_workspace_classify_batch(ws, kApiTexts, lengths.data(), n, results.data(), k, counts.data()) == FFNLP_OK);
  std::vector<ffnlp_prediction> nul_results(n * k);
  std::vector<size_t> nul_counts(n);
  std::vector<unsigned char> scratch(ffnlp_model_scratch_size(c.m));
  REQUIRE(ffnlp_classify_batch(c.m, kApiTexts, nullptr, n, scratch.data(), scratch.size(), nul_results.data(), k,
                               nul_counts.data()) == FFNLP_OK);
  for (size_t i = 0; i < n; ++i) {
    ffnlp_prediction top[k];
    size_t count = 0;
    REQUIRE(ffnlp_workspace_classify(ws, kApiTexts[i], lengths[i], top, k, &count) == FFNLP_OK);
    REQUIRE(counts[i] == count);
    REQUIRE(nul_counts[i] == count);
    for (size_t j = 0; j < count; ++j) {
      CHECK(results[i * k + j].label_index == top[j].label_index);
      CHECK(results[i * k + j].probability == top[j].probability);
      CHECK(nul_results[i * k + j].probability == top[j].probability);
    }
  }
  // A failing element: reported, the others still classified.
  const char* texts[] = {"abc", nullptr, "def"};
  const size_t lens[] = {3, 4, 3};
  REQUIRE(ffnlp_workspace_classify_batch(ws, texts, lens, 3, results.data(), k, counts.data()) ==
          FFNLP_INVALID_ARGUMENT);
  CHECK(counts[0] == 2);
  CHECK(counts[1] == 0);
  CHECK(counts[2] == 2);
  CHECK(ffnlp_classify_batch(c.m, kApiTexts, nullptr, 0, nullptr, 0, nullptr, 1, nullptr) == FFNLP_OK);
  ffnlp_workspace_free(ws);
}
