// A Model is a set of views into the caller's bytes and holds no pointer
// into itself, so copies are independent of the original: copy, destroy the
// original, classify with the copy (ASan reports any read of the original).
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/features.h"
#include "test_models.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

std::vector<float> probabilities(const Model& model, const char* text) {
  Workspace workspace(model);
  REQUIRE(workspace.ok());
  std::vector<float> probs(model.label_count());
  REQUIRE(model.scores(text, std::strlen(text), workspace.data(), workspace.size(), probs.data(), probs.size()) ==
          Status::kOk);
  return probs;
}

bool inside(const void* p, const std::vector<uint8_t>& bytes) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  return b >= bytes.data() && b < bytes.data() + bytes.size();
}

}  // namespace

TEST_CASE("model copy: the copy works after the original is destroyed") {
  for (bool float_embeddings : {false, true}) {
    const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(21, kScriptCount), float_embeddings);
    Model reference;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &reference, nullptr) == Status::kOk);
    const char* text = "Grüße aus Köln, привет мир";

    // Heap original, deleted before the copy is used.
    std::unique_ptr<Model> original(new Model());
    REQUIRE(Model::load(bytes.data(), bytes.size(), original.get(), nullptr) == Status::kOk);
    Model copy = *original;
    original.reset();
    CHECK(probabilities(copy, text) == probabilities(reference, text));

    // Stack original that goes out of scope; copy-assigned.
    Model assigned;
    {
      Model scoped;
      REQUIRE(Model::load(bytes.data(), bytes.size(), &scoped, nullptr) == Status::kOk);
      assigned = scoped;
    }
    CHECK(probabilities(assigned, text) == probabilities(reference, text));

    // Every view of the copy points into the caller's bytes, none into a Model.
    for (uint32_t c = 0; c < assigned.channel_count(); ++c) {
      CHECK(inside(assigned.channel(c).embedding.data, bytes));
      CHECK(inside(assigned.channel(c).embedding.name, bytes));
    }
    for (uint32_t l = 0; l < assigned.layer_count(); ++l) {
      CHECK(inside(assigned.layer(l).weights.data, bytes));
      CHECK(inside(assigned.layer(l).bias.data, bytes));
    }
    Prediction top[2];
    size_t count = 0;
    Workspace workspace(assigned);
    REQUIRE(assigned.classify(text, std::strlen(text), workspace, top, 2, &count) == Status::kOk);
    CHECK(count == 2);
    CHECK(inside(top[0].label, bytes));
  }
}

TEST_CASE("model copy: set_max_bytes on a copy leaves the original alone") {
  const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(22, kScriptCount));
  Model a;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &a, nullptr) == Status::kOk);
  Model b = a;
  b.set_max_bytes(3);
  CHECK(a.max_bytes() == 0);
  CHECK(b.max_bytes() == 3);
  CHECK(probabilities(b, "abc def ghi") == probabilities(a, "abc"));
  CHECK(probabilities(a, "abc def ghi") != probabilities(a, "abc"));
}
