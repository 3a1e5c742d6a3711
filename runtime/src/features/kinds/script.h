// Feature kind `script`: the script of each letter (digits kept as word
// characters count as Common). Parameters: buckets. row = Script id
// (ffnlp/features.h), clamped to buckets - 1, so a table with fewer rows
// than scripts maps the rest to its last row.
#ifndef FFNLP_FEATURES_KINDS_SCRIPT_H_
#define FFNLP_FEATURES_KINDS_SCRIPT_H_

#include <cstdint>

#include "features/text_features.h"

namespace ffnlp {

struct ScriptKind {
  static constexpr FeatureKind kKind = FeatureKind::kScript;
  static constexpr const char* kName = "script";
  static constexpr uint32_t kParams = 0;
  static constexpr uint32_t kRequired = 0;
  static constexpr uint32_t kFixedBuckets = 0;
  static constexpr bool kFromText = true;
  static constexpr const char* kSummary = "script of each letter (row = script id)";

  static Status check(const ChannelSpec&, uint32_t, const TextOptions&, Error*) { return Status::kOk; }

  template <class Sink>
  static void emit(const internal::FeaturePlan& plan, uint32_t script, Sink& sink) {
    for (uint32_t a = 0; a < plan.script_count; ++a) {
      const internal::UnitPlan& ch = plan.scripts[a];
      sink(ch.channel, script < ch.buckets ? script : ch.buckets - 1);
    }
  }
};

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_KINDS_SCRIPT_H_
