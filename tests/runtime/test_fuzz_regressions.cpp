// Inputs that fuzzing (tests/fuzz/, `make fuzz`) found to break an invariant,
// committed under tests/fuzz/regressions/<target>/, each with the answer it
// must give now. Every committed input also goes through its fuzz target's
// own code under ASan+UBSan in `make fuzz-check` (part of `make test`).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "test_models.h"
#include "test_paths.h"
#include "tools/common/file_io.h"
#include "tools/common/npz.h"
#include "tools/convert_model/converter.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

const std::string kRegressions = source_path("tests/fuzz/regressions");

// classify() either answers with real probabilities or says the numbers
// overflowed; never garbage with kOk.
void check_answer_or_overflow(const Model& model, const std::string& text) {
  Workspace workspace(model);
  REQUIRE(workspace.ok());
  Prediction top[3];
  size_t count = 99;
  const Status s = model.classify(text.data(), text.size(), workspace, top, 3, &count);
  CHECK((s == Status::kOk || s == Status::kNonFinite));
  if (s != Status::kOk) {
    CHECK(count == 0);
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    CHECK(top[i].probability >= 0.0f);
    CHECK(top[i].probability <= 1.0f);
  }
  std::vector<float> probs(model.label_count());
  REQUIRE(model.scores(text.data(), text.size(), workspace.data(), workspace.size(), probs.data(), probs.size()) ==
          Status::kOk);
  for (float p : probs) CHECK(std::isfinite(p));
}

std::vector<uint8_t> with_f32(std::vector<uint8_t> bytes, const char* tensor, uint64_t element, float value) {
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  const size_t at = static_cast<size_t>(model.find_tensor(tensor)->data - bytes.data()) + 4 * element;
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  put_u32(bytes, at, bits);
  reseal(bytes);
  return bytes;
}

}  // namespace

TEST_CASE("fuzz_model_load: finite but huge weights overflow to NaN; classify says so instead of answering NaN") {
  // Found by fuzz_model_load: a valid file whose weights are all finite but
  // up to 2e38, so the hidden layer overflows to infinity and the softmax
  // made NaN "probabilities" that classify() returned with kOk.
  const std::vector<uint8_t> bytes =
      tools::read_file_bytes(kRegressions + "/fuzz_model_load/huge_weights_nan_probabilities.ffm");
  Model model;
  Error error;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk);
  Workspace workspace(model);
  Prediction top[3];
  size_t count = 99;
  const std::string text = "The quick brown fox jumps over the lazy dog.";
  CHECK(model.classify(text.data(), text.size(), workspace, top, 3, &count) == Status::kNonFinite);
  CHECK(count == 0);
  std::vector<float> probs(model.label_count());
  CHECK(model.scores(text.data(), text.size(), workspace.data(), workspace.size(), probs.data(), probs.size()) ==
        Status::kNonFinite);
  // Text without letters still gets the unknown label: nothing is computed.
  CHECK(model.classify("123", 3, workspace, top, 3, &count) == Status::kOk);
  CHECK(count == 1);
  CHECK(std::string(top[0].label) == "und");
}

TEST_CASE("overflow in a dense layer or in the embedding sum is reported, not answered") {
  const std::vector<uint8_t> good = build_tiny_model(make_tiny_network(1, kScriptCount), true);
  SUBCASE("one huge hidden weight") {
    // Inputs are averages of embedding rows (|x| <= 1); 3e38 * x plus the
    // other terms overflows for most texts, so probe several.
    const std::vector<uint8_t> bytes = with_f32(good, "hidden_w", 0, 3.0e38f);
    Model model;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
    for (const char* t : {"abc", "hello world", "zzzz", "Привет"}) check_answer_or_overflow(model, t);
  }
  SUBCASE("huge embedding values summed over many occurrences") {
    std::vector<uint8_t> bytes = good;
    for (uint64_t e = 0; e < TinyNetwork::kBuckets1 * TinyNetwork::kDims1; ++e) bytes = with_f32(bytes, "emb1", e, 3.0e38f);
    Model model;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
    Workspace workspace(model);
    Prediction top[3];
    size_t count = 0;
    const std::string text(1000, 'a');  // 1000 x 3e38 overflows the sum before averaging
    CHECK(model.classify(text.data(), text.size(), workspace, top, 3, &count) == Status::kNonFinite);
    CHECK(count == 0);
    check_answer_or_overflow(model, "a");
  }
}

TEST_CASE("fuzz_npy_convert: an empty .npz is refused with std::runtime_error, not std::invalid_argument") {
  // Found by fuzz_npy_convert: a zip with no members gave convert() no
  // arrays; ModelWriter::build threw std::invalid_argument, which escaped the
  // converter's documented std::runtime_error contract.
  const std::vector<uint8_t> input = tools::read_file_bytes(kRegressions + "/fuzz_npy_convert/empty_npz");
  REQUIRE(input.size() > 1);
  const auto arrays = tools::read_npz(input.data() + 1, input.size() - 1, "empty.npz");
  CHECK(arrays.empty());
  tools::ConvertOptions options;
  std::string message;
  try {
    tools::convert(arrays, options);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  CHECK_MESSAGE(message.find("no arrays; nothing to convert") != std::string::npos, message);
}

TEST_CASE("fuzz_npy_convert: a bad [metadata] key in the spec is a std::runtime_error naming the key") {
  std::map<std::string, tools::NpyArray> arrays;
  const float v[4] = {1, 2, 3, 4};
  arrays["t"] = tools::make_npy_f32({2, 2}, v);
  tools::ConvertOptions options;
  options.spec_text = "[model]\ntask = embedding\n[metadata]\nBad-Key = 1\n";
  std::string message;
  try {
    tools::convert(arrays, options);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  CHECK_MESSAGE(message.find("Bad-Key") != std::string::npos, message);
}
