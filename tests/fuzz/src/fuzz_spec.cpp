// libFuzzer target: model spec files (tools/convert_model/model_spec.h),
// then convert() of the tiny test network with whatever spec parsed.
// Invariants on every spec that parses: channel kinds in the registry,
// n-gram orders and affix lengths 1..8 where the kind needs them, pooling
// mean or sum, [prior] weights finite and above 0, layers complete,
// reliable_probability in [0, 1], the task known, label codes unique,
// [metadata] keys unique and none reserved, a [lexicon] complete and in
// range, [neighbours] bits 8 or 4 and key_bits 32 or 24; convert() then
// either fails with std::runtime_error or returns a model the runtime loads.
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "fuzz_check.h"
#include "test_models.h"
#include "tools/common/npy.h"
#include "tools/convert_model/converter.h"
#include "tools/convert_model/model_spec.h"

namespace {

std::map<std::string, ffnlp::tools::NpyArray>* g_arrays = nullptr;

std::map<std::string, ffnlp::tools::NpyArray> tiny_arrays() {
  using T = ffnlp::testing::TinyNetwork;
  const T n = ffnlp::testing::make_tiny_network(3, 4);
  auto f32 = [](std::vector<uint64_t> shape, const std::vector<float>& v) { return ffnlp::tools::make_npy_f32(shape, v.data()); };
  std::map<std::string, ffnlp::tools::NpyArray> a;
  a["emb1"] = f32({T::kBuckets1, T::kDims1}, n.emb1);
  a["emb2"] = f32({T::kBuckets2, T::kDims2}, n.emb2);
  a["emb_script"] = f32({n.script_rows, T::kScriptDims}, n.emb_script);
  a["hidden_w"] = f32({T::kHidden, T::kDims1 + T::kDims2 + T::kScriptDims}, n.hidden_w);
  a["hidden_b"] = f32({T::kHidden}, n.hidden_b);
  a["out_w"] = f32({T::kLabels, T::kHidden}, n.out_w);
  a["out_b"] = f32({T::kLabels}, n.out_b);
  return a;
}

bool reserved(const std::string& key) {
  for (const char* p : {"text.", "channel.", "layer.", "classifier.", "features.", "tokenizer.", "neighbours.",
                        "lexicon."}) {
    if (key.rfind(p, 0) == 0) return true;
  }
  return key == "general.task" || key == "general.name" || key == "general.description" || key == "general.license" ||
         key == "general.source" || key == "labels" || key == "label_names";
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_arrays = new std::map<std::string, ffnlp::tools::NpyArray>(tiny_arrays());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ffnlp::tools;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ModelSpec spec;
  try {
    spec = parse_model_spec(text, "fuzz.spec");
  } catch (const std::runtime_error&) {
    return 0;
  }
  check(spec.task == "classifier" || spec.task == "features" || spec.task == "embedding");
  for (const ChannelSpecEntry& c : spec.channels) {
    const ffnlp::FeatureKindInfo* info = ffnlp::find_feature_kind(c.kind.c_str());
    check(info != nullptr);
    if (info->required & ffnlp::kParamOrder) check(c.order >= 1 && c.order <= ffnlp::kMaxNgramOrder);
    if (info->required & ffnlp::kParamLength) check(c.length >= 1 && c.length <= ffnlp::kMaxAffixLength);
    check(c.pooling == "mean" || c.pooling == "sum");
  }
  for (const auto& w : spec.prior) check(w.second > 0 && std::isfinite(w.second));
  check(!spec.has_prior_default || (spec.prior_default > 0 && std::isfinite(spec.prior_default)));
  for (const LayerSpecEntry& l : spec.layers) check(!l.weights.empty() && !l.bias.empty() && !l.activation.empty());
  check(spec.reliable_probability >= 0.0f && spec.reliable_probability <= 1.0f);
  // The short-text bar: both keys or neither, never below the general bar.
  check((spec.reliable_short_letters != 0) == spec.has_reliable_short_probability);
  check(!spec.has_reliable_short_probability || (spec.reliable_short_probability >= spec.reliable_probability &&
                                                 spec.reliable_short_probability <= 1.0f));
  // A lexicon section parses complete, in range, in a classifier's spec only.
  if (spec.lexicon.present) {
    check(spec.task == "classifier" && !spec.lexicon.words_file.empty());
    check(spec.lexicon.weight > 0.0f && spec.lexicon.weight <= 64.0f);
    check(spec.lexicon.max_words >= 1 && spec.lexicon.max_words <= 64);
  }
  // [neighbours]: scores at 8 or 4 bits, keys at 32 or 24 (the default 32 without one).
  check(spec.neighbours.bits == 8 || spec.neighbours.bits == 4);
  check(spec.neighbours.key_bits == 32 || spec.neighbours.key_bits == 24);
  std::set<std::string> seen;
  for (const auto& l : spec.labels) check(seen.insert(l.first).second);
  seen.clear();
  for (const auto& kv : spec.extra) {
    check(seen.insert(kv.first).second);
    check(!reserved(kv.first));
  }
  ConvertOptions options;
  options.spec_text = text;
  options.spec_name = "fuzz.spec";
  try {
    const std::vector<uint8_t> bytes = convert(*g_arrays, options);
    ffnlp::Model model;
    check(ffnlp::Model::load(bytes.data(), bytes.size(), &model, nullptr) == ffnlp::Status::kOk);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
