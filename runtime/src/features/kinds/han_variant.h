// Feature kind `han_variant`: one feature per Han letter (script Han), its
// Chinese variant from the compiled-in Unihan table (features/han_variant.h):
// row 0 shared, 1 Simplified-only, 2 Traditional-only. Other letters emit
// nothing, so text without Han gives the channel zeros; with mean pooling
// the channel holds the proportions of the three. Parameters: buckets (must
// be 3). Sees the normalised code point (lowercasing leaves Han alone).
#ifndef FFNLP_FEATURES_KINDS_HAN_VARIANT_H_
#define FFNLP_FEATURES_KINDS_HAN_VARIANT_H_

#include <cstdint>

#include "features/han_variant.h"
#include "features/text_features.h"

namespace ffnlp {

struct HanVariantKind {
  static constexpr FeatureKind kKind = FeatureKind::kHanVariant;
  static constexpr const char* kName = "han_variant";
  static constexpr uint32_t kParams = 0;
  static constexpr uint32_t kRequired = 0;
  static constexpr uint32_t kFixedBuckets = kHanVariantRows;
  static constexpr bool kFromText = true;
  static constexpr const char* kSummary = "each Han letter: shared, Simplified-only or Traditional-only form (Unihan)";

  static Status check(const ChannelSpec&, uint32_t, const TextOptions&, Error*) { return Status::kOk; }

  // `script` as ScriptKind::emit gets it; `cp` normalised.
  template <class Sink>
  static void emit(const internal::FeaturePlan& plan, uint32_t script, uint32_t cp, Sink& sink) {
    if (plan.han_count == 0 || script != static_cast<uint32_t>(Script::kHan)) return;
    const uint32_t row = static_cast<uint32_t>(han_variant_of(cp));
    for (uint32_t a = 0; a < plan.han_count; ++a) sink(plan.hans[a].channel, row);
  }
};

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_KINDS_HAN_VARIANT_H_
