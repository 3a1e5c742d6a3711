// The classifier head: top-k (against a full sort, and its cost), the prior
// over labels, the allow-list, logits, and the C API giving the C++ bits.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/ffnlp_c.h"
#include "heads/top_k.h"
#include "load_cases.h"
#include "test_models.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

// The tiny classifier with a log prior over its three labels.
const float kLogPrior[3] = {0.0f, 2.302585f, -1.0f};

std::vector<uint8_t> tiny_with_prior(uint32_t seed) {
  tools::ModelWriter w;
  add_tiny_tensors(w, make_tiny_network(seed, kScriptCount), false);
  set_tiny_metadata(w);
  w.add_tensor(f32_tensor("log_prior", 3, 1, std::vector<float>(kLogPrior, kLogPrior + 3), 1));
  w.set_string("classifier.log_prior", "log_prior");
  return w.build();
}

// The tiny classifier (network from seed) as the base of load-refusal cases.
std::function<void(tools::ModelWriter&)> tiny_classifier(uint32_t seed) {
  return [seed](tools::ModelWriter& w) {
    add_tiny_tensors(w, make_tiny_network(seed, kScriptCount), false);
    set_tiny_metadata(w);
  };
}

Model load(const std::vector<uint8_t>& bytes) {
  Model m;
  Error e;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kOk, e.message);
  return m;
}

}  // namespace

TEST_CASE("head: top_k equals a full sort (ties to the lower index), for every k") {
  std::mt19937 rng(41);
  for (uint32_t n : {1u, 2u, 3u, 7u, 16u, 100u, 453u}) {
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>(static_cast<int>(rng() % 9)) * 0.5f;  // many ties
    std::vector<uint32_t> sorted(n);
    std::iota(sorted.begin(), sorted.end(), 0u);
    std::stable_sort(sorted.begin(), sorted.end(), [&](uint32_t a, uint32_t b) { return v[a] > v[b]; });
    for (size_t k : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{n / 2}, size_t{n}, size_t{n + 5}}) {
      std::vector<uint32_t> out(k + 1, 0xDEADu);
      const size_t m = top_k(v.data(), n, k, out.data());
      CHECK(m == std::min<size_t>(k, n));
      for (size_t i = 0; i < m; ++i) CHECK(out[i] == sorted[i]);
    }
  }
}

TEST_CASE("head: top_k of all 453 labels is cheap (O(n log k))") {
  std::mt19937 rng(42);
  std::vector<float> v(453);
  for (float& x : v) x = std::uniform_real_distribution<float>(-5, 5)(rng);
  std::vector<uint32_t> out(453);
  const std::clock_t t0 = std::clock();  // CPU time: a loaded machine must not fail this
  size_t total = 0;
  for (int i = 0; i < 20000; ++i) total += top_k(v.data(), 453, 453, out.data());
  const double seconds = double(std::clock() - t0) / CLOCKS_PER_SEC;
  CHECK(total == 20000u * 453u);
  CHECK(seconds < 20.0);  // about 1 s under ASan here; the former selection (O(k^2 n)) would take hours
}

TEST_CASE("head: the model's prior is added to the logits; kUniform leaves it out") {
  const std::vector<uint8_t> bytes = tiny_with_prior(51);
  const Model m = load(bytes);
  CHECK(m.has_prior());
  CHECK(m.log_prior(1) == kLogPrior[1]);
  CHECK(m.log_prior(7) == 0.0f);
  Workspace ws(m);
  ClassifyOptions uniform;
  uniform.prior = Prior::kUniform;
  for (const char* text : {"hello world", "Grüße", "привет"}) {
    CAPTURE(text);
    Input in;
    in.text = text;
    in.size = std::strlen(text);
    float with[3], without[3], p_with[3], p_without[3];
    REQUIRE(m.logits(in, ws.data(), ws.size(), with, 3) == Status::kOk);
    REQUIRE(m.logits(in, ws.data(), ws.size(), without, 3, &uniform) == Status::kOk);
    REQUIRE(m.scores(in, ws.data(), ws.size(), p_with, 3) == Status::kOk);
    REQUIRE(m.scores(in, ws.data(), ws.size(), p_without, 3, &uniform) == Status::kOk);
    double z = 0;
    for (int i = 0; i < 3; ++i) {
      CHECK(with[i] == without[i] + kLogPrior[i]);
      z += p_without[i] * std::exp(static_cast<double>(kLogPrior[i]));
    }
    for (int i = 0; i < 3; ++i) {
      CHECK(p_with[i] == doctest::Approx(p_without[i] * std::exp(static_cast<double>(kLogPrior[i])) / z).epsilon(1e-5));
    }
    Prediction top[3];
    size_t count = 0;
    REQUIRE(m.classify(in, ws.data(), ws.size(), top, 3, &count) == Status::kOk);
    REQUIRE(count == 3);
    for (int i = 0; i < 3; ++i) CHECK(top[i].probability == doctest::Approx(p_with[top[i].label_index]).epsilon(1e-5));
  }
  // A model without a prior: kModel and kUniform agree exactly.
  const std::vector<uint8_t> plain = build_tiny_model(make_tiny_network(51, kScriptCount));
  const Model n = load(plain);
  CHECK_FALSE(n.has_prior());
  Workspace wn(n);
  float a[3], b[3];
  REQUIRE(n.scores("hello", 5, wn.data(), wn.size(), a, 3) == Status::kOk);
  Input hello;
  hello.text = "hello";
  hello.size = 5;
  REQUIRE(n.scores(hello, wn.data(), wn.size(), b, 3, &uniform) == Status::kOk);
  for (int i = 0; i < 3; ++i) CHECK(a[i] == b[i]);
}

TEST_CASE("head: an allow-list renormalises over its labels") {
  const std::vector<uint8_t> bytes = tiny_with_prior(52);
  const Model m = load(bytes);
  Workspace ws(m);
  const uint32_t only[] = {2, 0};
  ClassifyOptions options;
  options.only = only;
  options.only_count = 2;
  Input in;
  in.text = "some text here";
  in.size = std::strlen(in.text);
  float all[3], subset[3], logits_all[3], logits_subset[3];
  REQUIRE(m.scores(in, ws.data(), ws.size(), all, 3) == Status::kOk);
  REQUIRE(m.scores(in, ws.data(), ws.size(), subset, 3, &options) == Status::kOk);
  REQUIRE(m.logits(in, ws.data(), ws.size(), logits_all, 3) == Status::kOk);
  REQUIRE(m.logits(in, ws.data(), ws.size(), logits_subset, 3, &options) == Status::kOk);
  CHECK(subset[1] == 0.0f);
  CHECK(subset[0] == doctest::Approx(all[0] / (all[0] + all[2])).epsilon(1e-5));
  CHECK(subset[2] == doctest::Approx(all[2] / (all[0] + all[2])).epsilon(1e-5));
  CHECK(logits_subset[0] == logits_all[0]);
  CHECK(logits_subset[2] == logits_all[2]);
  CHECK(logits_subset[1] == -std::numeric_limits<float>::infinity());
  Prediction top[3];
  size_t count = 0;
  REQUIRE(m.classify(in, ws.data(), ws.size(), top, 3, &count, &options) == Status::kOk);
  REQUIRE(count == 2);
  CHECK(top[0].label_index != 1);
  CHECK(top[1].label_index != 1);
  CHECK(top[0].probability + top[1].probability == doctest::Approx(1.0).epsilon(1e-5));
  // The text overloads take the options by reference.
  Prediction one[1];
  REQUIRE(m.classify(in.text, in.size, ws, one, 1, &count, options) == Status::kOk);
  CHECK(one[0].label_index == top[0].label_index);
  // Bad lists.
  const uint32_t repeated[] = {1, 1};
  const uint32_t out_of_range[] = {3};
  ClassifyOptions bad;
  bad.only = repeated;
  bad.only_count = 2;
  CHECK(m.classify(in, ws.data(), ws.size(), top, 3, &count, &bad) == Status::kInvalidArgument);
  bad.only = out_of_range;
  bad.only_count = 1;
  CHECK(m.scores(in, ws.data(), ws.size(), all, 3, &bad) == Status::kInvalidArgument);
  bad.only_count = 0;
  CHECK(m.logits(in, ws.data(), ws.size(), all, 3, &bad) == Status::kInvalidArgument);
  ClassifyOptions bad_prior;
  bad_prior.prior = static_cast<Prior>(7);
  CHECK(m.scores(in, ws.data(), ws.size(), all, 3, &bad_prior) == Status::kInvalidArgument);
}

TEST_CASE("head: hints add prefer_weight to their labels' logits, with either prior, and exclude nothing") {
  const std::vector<uint8_t> bytes = tiny_with_prior(57);
  const Model m = load(bytes);
  Workspace ws(m);
  const uint32_t prefer[] = {2, 0};
  for (Prior prior : {Prior::kModel, Prior::kUniform}) {
    for (float weight : {kDefaultPreferWeight, 0.0f, 0.75f, kMaxPreferWeight}) {
      for (const char* text : {"hello world", "Grüße", "привет"}) {
        CAPTURE(static_cast<int>(prior));
        CAPTURE(weight);
        CAPTURE(text);
        Input in;
        in.text = text;
        in.size = std::strlen(text);
        ClassifyOptions plain;
        plain.prior = prior;
        ClassifyOptions hinted = plain;
        hinted.prefer = prefer;
        hinted.prefer_count = 2;
        hinted.prefer_weight = weight;
        float base[3], got[3], p_base[3], p_got[3];
        REQUIRE(m.logits(in, ws.data(), ws.size(), base, 3, &plain) == Status::kOk);
        REQUIRE(m.logits(in, ws.data(), ws.size(), got, 3, &hinted) == Status::kOk);
        CHECK(got[0] == base[0] + weight);
        CHECK(got[1] == base[1]);
        CHECK(got[2] == base[2] + weight);
        // Every label keeps a probability: the softmax of the tilted logits.
        REQUIRE(m.scores(in, ws.data(), ws.size(), p_base, 3, &plain) == Status::kOk);
        REQUIRE(m.scores(in, ws.data(), ws.size(), p_got, 3, &hinted) == Status::kOk);
        double z = 0;
        for (int i = 0; i < 3; ++i) z += std::exp(static_cast<double>(got[i]));
        for (int i = 0; i < 3; ++i) {
          CHECK(p_got[i] > 0.0f);
          CHECK(p_got[i] == doctest::Approx(std::exp(static_cast<double>(got[i])) / z).epsilon(1e-5));
        }
        if (weight > 0) CHECK(p_got[1] < p_base[1]);
        // classify() ranks by the same logits (its largest logit is kept up to date).
        Prediction top[3];
        size_t count = 0;
        REQUIRE(m.classify(in, ws.data(), ws.size(), top, 1, &count, &hinted) == Status::kOk);
        REQUIRE(count == 1);
        const uint32_t best = got[1] > got[0] ? (got[2] > got[1] ? 2 : 1) : (got[2] > got[0] ? 2 : 0);
        CHECK(top[0].label_index == best);
        CHECK(top[0].probability == doctest::Approx(p_got[best]).epsilon(1e-5));
      }
    }
  }
  // With an allow-list: a hinted label outside it changes nothing; inside it, it is tilted.
  Input in;
  in.text = "some text here";
  in.size = std::strlen(in.text);
  const uint32_t only[] = {1, 2};
  const uint32_t outside[] = {0};
  ClassifyOptions allow;
  allow.only = only;
  allow.only_count = 2;
  ClassifyOptions allow_outside = allow;
  allow_outside.prefer = outside;
  allow_outside.prefer_count = 1;
  ClassifyOptions allow_inside = allow;
  allow_inside.prefer = prefer;  // 2 inside, 0 outside
  allow_inside.prefer_count = 2;
  float a[3], b[3], c[3];
  REQUIRE(m.scores(in, ws.data(), ws.size(), a, 3, &allow) == Status::kOk);
  REQUIRE(m.scores(in, ws.data(), ws.size(), b, 3, &allow_outside) == Status::kOk);
  CHECK(std::memcmp(a, b, sizeof a) == 0);
  REQUIRE(m.logits(in, ws.data(), ws.size(), a, 3, &allow) == Status::kOk);
  REQUIRE(m.logits(in, ws.data(), ws.size(), c, 3, &allow_inside) == Status::kOk);
  CHECK(c[0] == -std::numeric_limits<float>::infinity());
  CHECK(c[1] == a[1]);
  CHECK(c[2] == a[2] + kDefaultPreferWeight);
  // A label may be both allowed and hinted; the lists' repeats are their own.
  const uint32_t both[] = {1};
  ClassifyOptions same = allow;
  same.prefer = both;
  same.prefer_count = 1;
  REQUIRE(m.logits(in, ws.data(), ws.size(), c, 3, &same) == Status::kOk);
  CHECK(c[1] == a[1] + kDefaultPreferWeight);
}

TEST_CASE("head: bad hints are refused (empty list, index, repeat, weight), before and without evidence") {
  const std::vector<uint8_t> bytes = tiny_with_prior(58);
  const Model m = load(bytes);
  Workspace ws(m);
  const uint32_t ok[] = {1};
  const uint32_t repeated[] = {0, 2, 0};
  const uint32_t out_of_range[] = {0, 3};
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<ClassifyOptions> bad;
  auto hints = [&](const uint32_t* list, size_t count, float weight) {
    ClassifyOptions o;
    o.prefer = list;
    o.prefer_count = count;
    o.prefer_weight = weight;
    bad.push_back(o);
  };
  hints(ok, 0, kDefaultPreferWeight);
  hints(repeated, 3, kDefaultPreferWeight);
  hints(out_of_range, 2, kDefaultPreferWeight);
  for (float w : {nan, inf, -inf, -1.0f, -1e-30f, kMaxPreferWeight * 1.0000001f, 20.5f, 1e30f}) hints(ok, 1, w);
  hints(nullptr, 0, nan);  // the weight is checked without hints too
  for (const char* text : {"hello world", "123 !!"}) {  // the second has no evidence
    CAPTURE(text);
    for (size_t i = 0; i < bad.size(); ++i) {
      CAPTURE(i);
      float out[3];
      Prediction top[1];
      size_t count = 0;
      Input in;
      in.text = text;
      in.size = std::strlen(text);
      CHECK(m.logits(in, ws.data(), ws.size(), out, 3, &bad[i]) == Status::kInvalidArgument);
      CHECK(m.scores(in, ws.data(), ws.size(), out, 3, &bad[i]) == Status::kInvalidArgument);
      CHECK(m.classify(in, ws.data(), ws.size(), top, 1, &count, &bad[i]) == Status::kInvalidArgument);
    }
  }
  // The bounds themselves, and a null list whatever its count, are accepted.
  float out[3];
  for (float w : {0.0f, -0.0f, kMaxPreferWeight}) {
    ClassifyOptions o;
    o.prefer = ok;
    o.prefer_count = 1;
    o.prefer_weight = w;
    CHECK(m.logits("hello", 5, ws.data(), ws.size(), out, 3) == Status::kOk);
    Input in;
    in.text = "hello";
    in.size = 5;
    CHECK(m.logits(in, ws.data(), ws.size(), out, 3, &o) == Status::kOk);
  }
  ClassifyOptions none;
  none.prefer_count = 5;
  Input in;
  in.text = "hello";
  in.size = 5;
  CHECK(m.logits(in, ws.data(), ws.size(), out, 3, &none) == Status::kOk);
  // Without evidence, valid hints leave the zeros.
  ClassifyOptions o;
  o.prefer = ok;
  o.prefer_count = 1;
  in.text = "123 !!";
  in.size = 6;
  REQUIRE(m.logits(in, ws.data(), ws.size(), out, 3, &o) == Status::kOk);
  for (float v : out) CHECK(v == 0.0f);
}

TEST_CASE("head: no evidence gives zero logits and scores, the unknown label") {
  const std::vector<uint8_t> bytes = tiny_with_prior(53);
  const Model m = load(bytes);
  Workspace ws(m);
  float logits[3] = {1, 1, 1}, probs[3] = {1, 1, 1};
  TextStats stats;
  REQUIRE(m.logits("123 !!", 6, ws.data(), ws.size(), logits, 3, &stats) == Status::kOk);
  CHECK(stats.no_evidence());
  REQUIRE(m.scores("123 !!", 6, ws.data(), ws.size(), probs, 3) == Status::kOk);
  for (int i = 0; i < 3; ++i) {
    CHECK(logits[i] == 0.0f);
    CHECK(probs[i] == 0.0f);
  }
}

TEST_CASE("head: classifier.log_prior is validated at load") {
  check_writer_cases(tiny_classifier(54), {
      {"missing tensor", [](tools::ModelWriter& w) { w.set_string("classifier.log_prior", "nope"); }, Status::kNotFound, "nope"},
      {"wrong length", [](tools::ModelWriter& w) { w.set_string("classifier.log_prior", "hidden_b"); }, Status::kBadShape, "one per label"},
      {"a matrix", [](tools::ModelWriter& w) { w.set_string("classifier.log_prior", "out_w"); }, Status::kBadShape, "one per label"},
      {"quantized", [](tools::ModelWriter& w) {
         w.add_tensor(q8_tensor("q_prior", 3, 1, {0.5f, 1.0f, 2.0f}));
         w.set_string("classifier.log_prior", "q_prior");
       }, Status::kBadShape, "f32 vector"},
      {"wrong type", [](tools::ModelWriter& w) { w.set_u32("classifier.log_prior", 1); }, Status::kBadMetadata, "wrong type"},
  });
}

TEST_CASE("head: the C API gives the C++ bits, short and 100 KB texts, with and without options (hints too)") {
  const std::vector<uint8_t> bytes = tiny_with_prior(55);
  const Model m = load(bytes);
  ffnlp_model* cm = nullptr;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &cm, nullptr) == FFNLP_OK);
  CHECK(ffnlp_model_has_prior(cm) == 1);
  CHECK(ffnlp_model_scratch_size(cm) == m.scratch_bytes());
  ffnlp_workspace* ws = nullptr;
  REQUIRE(ffnlp_workspace_create(cm, &ws, nullptr) == FFNLP_OK);
  Workspace cpp_ws(m);
  std::string long_text;
  while (long_text.size() < 100000) long_text += "Grüße aus Köln und привет мир, hello again. ";
  const uint32_t only[] = {0, 2};
  const uint32_t prefer[] = {1, 0};
  for (const std::string& text : {std::string("hello world"), long_text}) {
    // 0 defaults, 1 uniform prior, 2 allow-list, 3 hints, 4 all three.
    for (int variant = 0; variant < 5; ++variant) {
      CAPTURE(text.size());
      CAPTURE(variant);
      ffnlp_classify_options copts;
      std::memset(&copts, 0, sizeof copts);
      copts.struct_size = sizeof copts;
      copts.prior = variant == 1 || variant == 4 ? FFNLP_PRIOR_UNIFORM : FFNLP_PRIOR_MODEL;
      copts.only = variant == 2 || variant == 4 ? only : nullptr;
      copts.only_count = copts.only != nullptr ? 2 : 0;
      copts.prefer = variant >= 3 ? prefer : nullptr;
      copts.prefer_count = variant >= 3 ? 2 : 0;
      copts.prefer_weight = variant == 3 ? FFNLP_DEFAULT_PREFER_WEIGHT : 3.25f;
      ClassifyOptions options;
      options.prior = copts.prior == FFNLP_PRIOR_UNIFORM ? Prior::kUniform : Prior::kModel;
      options.only = copts.only;
      options.only_count = copts.only_count;
      options.prefer = copts.prefer;
      options.prefer_count = copts.prefer_count;
      options.prefer_weight = copts.prefer_weight;
      Input in;
      in.text = text.data();
      in.size = text.size();
      ffnlp_prediction ctop[3];
      Prediction top[3];
      size_t cn = 0, n = 0;
      REQUIRE(ffnlp_workspace_classify_ex(ws, text.data(), text.size(), &copts, ctop, 3, &cn) == FFNLP_OK);
      REQUIRE(m.classify(in, cpp_ws.data(), cpp_ws.size(), top, 3, &n, &options) == Status::kOk);
      REQUIRE(cn == n);
      for (size_t i = 0; i < n; ++i) {
        CHECK(ctop[i].label_index == top[i].label_index);
        CHECK(std::memcmp(&ctop[i].probability, &top[i].probability, 4) == 0);
        CHECK(ctop[i].reliable == (top[i].reliable ? 1 : 0));
      }
      float cp[3], p[3], cl[3], l[3];
      REQUIRE(ffnlp_workspace_scores_ex(ws, text.data(), text.size(), &copts, cp, 3) == FFNLP_OK);
      REQUIRE(m.scores(in, cpp_ws.data(), cpp_ws.size(), p, 3, &options) == Status::kOk);
      REQUIRE(ffnlp_workspace_logits(ws, text.data(), text.size(), &copts, cl, 3) == FFNLP_OK);
      REQUIRE(m.logits(in, cpp_ws.data(), cpp_ws.size(), l, 3, &options) == Status::kOk);
      CHECK(std::memcmp(cp, p, sizeof p) == 0);
      CHECK(std::memcmp(cl, l, sizeof l) == 0);
    }
  }
  // NULL options are the defaults; a too-small struct_size and an unknown prior are refused.
  ffnlp_prediction top[1];
  size_t n = 0;
  CHECK(ffnlp_workspace_classify_ex(ws, "hello", 5, nullptr, top, 1, &n) == FFNLP_OK);
  ffnlp_classify_options small;
  std::memset(&small, 0, sizeof small);
  small.struct_size = 4;
  CHECK(ffnlp_workspace_classify_ex(ws, "hello", 5, &small, top, 1, &n) == FFNLP_INVALID_ARGUMENT);
  small.struct_size = sizeof small;
  small.prior = 7;
  CHECK(ffnlp_workspace_classify_ex(ws, "hello", 5, &small, top, 1, &n) == FFNLP_INVALID_ARGUMENT);
  // Bad hints through the C API.
  std::memset(&small, 0, sizeof small);
  small.struct_size = sizeof small;
  small.prefer = prefer;
  small.prefer_count = 0;
  small.prefer_weight = FFNLP_DEFAULT_PREFER_WEIGHT;
  CHECK(ffnlp_workspace_classify_ex(ws, "hello", 5, &small, top, 1, &n) == FFNLP_INVALID_ARGUMENT);
  small.prefer_count = 1;
  small.prefer_weight = FFNLP_MAX_PREFER_WEIGHT + 1;
  CHECK(ffnlp_workspace_classify_ex(ws, "hello", 5, &small, top, 1, &n) == FFNLP_INVALID_ARGUMENT);
  ffnlp_workspace_free(ws);
  ffnlp_model_free(cm);
}

TEST_CASE("head: a C caller compiled with the first, smaller ffnlp_classify_options still works (no hints read)") {
  // The struct as it was before the hints: 24 bytes with 8-byte pointers, 16 with 4-byte ones.
  struct OldOptions {
    uint32_t struct_size;
    uint32_t prior;
    const uint32_t* only;
    size_t only_count;
  };
  static_assert(sizeof(OldOptions) == 8 + 2 * sizeof(void*), "the first version's layout");
  static_assert(offsetof(ffnlp_classify_options, prefer) == sizeof(OldOptions), "hints come after only_count");
  CHECK(sizeof(ffnlp_classify_options) == 16 + 4 * sizeof(void*));  // 48 / 32 bytes
  const std::vector<uint8_t> bytes = tiny_with_prior(59);
  const Model m = load(bytes);
  ffnlp_model* cm = nullptr;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &cm, nullptr) == FFNLP_OK);
  ffnlp_workspace* ws = nullptr;
  REQUIRE(ffnlp_workspace_create(cm, &ws, nullptr) == FFNLP_OK);
  Workspace cpp_ws(m);
  const uint32_t only[] = {2, 1};
  // Exactly the old size on the heap: reading a byte past it is an ASan error.
  OldOptions* old = static_cast<OldOptions*>(std::malloc(sizeof(OldOptions)));
  REQUIRE(old != nullptr);
  old->struct_size = sizeof(OldOptions);
  old->prior = FFNLP_PRIOR_UNIFORM;
  old->only = only;
  old->only_count = 2;
  ClassifyOptions options;
  options.prior = Prior::kUniform;
  options.only = only;
  options.only_count = 2;
  const char* text = "hello world";
  float cl[3], l[3];
  REQUIRE(ffnlp_workspace_logits(ws, text, FFNLP_NUL_TERMINATED, reinterpret_cast<const ffnlp_classify_options*>(old),
                                 cl, 3) == FFNLP_OK);
  Input in;
  in.text = text;
  in.size = std::strlen(text);
  REQUIRE(m.logits(in, cpp_ws.data(), cpp_ws.size(), l, 3, &options) == Status::kOk);
  CHECK(std::memcmp(cl, l, sizeof l) == 0);
  ffnlp_prediction top[2];
  size_t n = 0;
  REQUIRE(ffnlp_workspace_classify_ex(ws, text, FFNLP_NUL_TERMINATED, reinterpret_cast<const ffnlp_classify_options*>(old),
                                      top, 2, &n) == FFNLP_OK);
  CHECK(n == 2);
  std::free(old);
  // The new struct with struct_size at the old size: its hints are not read.
  ffnlp_classify_options full;
  std::memset(&full, 0, sizeof full);
  full.struct_size = static_cast<uint32_t>(sizeof(OldOptions));
  full.prior = FFNLP_PRIOR_UNIFORM;
  full.only = only;
  full.only_count = 2;
  full.prefer = only;
  full.prefer_count = 1;
  full.prefer_weight = 5.0f;
  REQUIRE(ffnlp_workspace_logits(ws, text, FFNLP_NUL_TERMINATED, &full, cl, 3) == FFNLP_OK);
  CHECK(std::memcmp(cl, l, sizeof l) == 0);
  // Covering them, they are: label 2 gains 5.
  full.struct_size = sizeof full;
  REQUIRE(ffnlp_workspace_logits(ws, text, FFNLP_NUL_TERMINATED, &full, cl, 3) == FFNLP_OK);
  CHECK(cl[1] == l[1]);
  CHECK(cl[2] == l[2] + 5.0f);
  // The default, as the library states it to callers that cannot read macros.
  CHECK(ffnlp_default_prefer_weight() == FFNLP_DEFAULT_PREFER_WEIGHT);
  CHECK(ffnlp_default_prefer_weight() == kDefaultPreferWeight);
  CHECK(ClassifyOptions().prefer_weight == kDefaultPreferWeight);
  ffnlp_workspace_free(ws);
  ffnlp_model_free(cm);
}

TEST_CASE("head: short texts clear a higher bar when the model sets one (classifier.reliable_short_*)") {
  tools::ModelWriter w;
  add_tiny_tensors(w, make_tiny_network(56, kScriptCount), false);
  set_tiny_metadata(w);
  w.set_f32("classifier.reliable_probability", 0.34f);  // of three labels the top one always has more
  w.set_u32("classifier.reliable_letters", 3);
  w.set_u32("classifier.reliable_short_letters", 9);
  w.set_f32("classifier.reliable_short_probability", 0.9f);
  const std::vector<uint8_t> bytes = w.build();
  const Model m = load(bytes);
  CHECK(m.reliable_short_letters() == 9);
  CHECK(m.reliable_short_probability() == 0.9f);
  // The rule at its edges.
  CHECK_FALSE(m.is_reliable(1.0f, 2));   // too few letters at any probability
  CHECK_FALSE(m.is_reliable(0.89f, 3));  // short: needs 0.9
  CHECK(m.is_reliable(0.9f, 3));
  CHECK(m.is_reliable(0.9f, 8));
  CHECK_FALSE(m.is_reliable(0.89f, 8));
  CHECK(m.is_reliable(0.34f, 9));  // from 9 letters the general bar
  CHECK_FALSE(m.is_reliable(0.33f, 9));
  // classify and the C API mark answers by that rule, for every length.
  ffnlp_model* cm = nullptr;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &cm, nullptr) == FFNLP_OK);
  ffnlp_workspace* cws = nullptr;
  REQUIRE(ffnlp_workspace_create(cm, &cws, nullptr) == FFNLP_OK);
  Workspace ws(m);
  int short_unmarked = 0;
  for (const char* text : {"ab", "abc", "hello", "zxcvbnm", "grüße ok", "abcdefghi", "hello world", "привет мир",
                           "the quick brown fox"}) {
    CAPTURE(text);
    Prediction top[3];
    size_t n = 0;
    TextStats stats;
    REQUIRE(m.classify(text, std::strlen(text), ws.data(), ws.size(), top, 3, &n, &stats) == Status::kOk);
    REQUIRE(n == 3);
    CHECK(top[0].reliable == m.is_reliable(top[0].probability, stats.letters));
    if (stats.letters >= 9) CHECK(top[0].reliable);
    if (stats.letters >= 3 && stats.letters < 9) short_unmarked += !top[0].reliable;
    ffnlp_prediction ctop[3];
    size_t cn = 0;
    REQUIRE(ffnlp_workspace_classify(cws, text, std::strlen(text), ctop, 3, &cn) == FFNLP_OK);
    REQUIRE(cn == n);
    CHECK(ctop[0].reliable == (top[0].reliable ? 1 : 0));
  }
  // The texts exercise the new tier: some short answer clears the general
  // bar (every answer does) and is still not marked.
  CHECK(short_unmarked > 0);
  ffnlp_workspace_free(cws);
  ffnlp_model_free(cm);
}

TEST_CASE("head: classifier.reliable_short_* are validated at load") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Status bad = Status::kBadMetadata;
  check_writer_cases(tiny_classifier(57), {
      {"letters alone", [](tools::ModelWriter& w) { w.set_u32("classifier.reliable_short_letters", 9); }, bad,
       "come together"},
      {"probability alone", [](tools::ModelWriter& w) { w.set_f32("classifier.reliable_short_probability", 0.9f); },
       bad, "come together"},
      {"below the general bar", [](tools::ModelWriter& w) {
         w.set_f32("classifier.reliable_probability", 0.8f);
         w.set_u32("classifier.reliable_short_letters", 9);
         w.set_f32("classifier.reliable_short_probability", 0.7f);
       }, bad, "between classifier.reliable_probability and 1"},
      {"above 1", [](tools::ModelWriter& w) {
         w.set_u32("classifier.reliable_short_letters", 9);
         w.set_f32("classifier.reliable_short_probability", 1.5f);
       }, bad, "between classifier.reliable_probability and 1"},
      {"NaN", [nan](tools::ModelWriter& w) {
         w.set_u32("classifier.reliable_short_letters", 9);
         w.set_f32("classifier.reliable_short_probability", nan);
       }, Status::kNonFinite, "not finite"},
      {"wrong type", [](tools::ModelWriter& w) {
         w.set_f32("classifier.reliable_short_letters", 9.0f);
         w.set_f32("classifier.reliable_short_probability", 0.9f);
       }, bad, "wrong type"},
  });
}
