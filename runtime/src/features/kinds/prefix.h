// Feature kind `prefix`: the first `length` code points of each word (the
// whole word when it is shorter), normalised as words are. Parameters:
// length (1..kMaxAffixLength), seed, buckets.
//   row = bucket_of(hash_code_points_forward(first min(L, length) code points, n, seed), buckets)
#ifndef FFNLP_FEATURES_KINDS_PREFIX_H_
#define FFNLP_FEATURES_KINDS_PREFIX_H_

#include "api/error.h"
#include "features/text_features.h"

namespace ffnlp {

struct PrefixKind {
  static constexpr FeatureKind kKind = FeatureKind::kPrefix;
  static constexpr const char* kName = "prefix";
  static constexpr uint32_t kParams = kParamLength | kParamSeed;
  static constexpr uint32_t kRequired = kParamLength | kParamSeed;
  static constexpr uint32_t kFixedBuckets = 0;
  static constexpr bool kFromText = true;
  static constexpr const char* kSummary = "first k code points of each word (whole word if shorter), hashed";

  static Status check(const ChannelSpec& spec, uint32_t index, const TextOptions&, Error* error) {
    if (spec.length < 1 || spec.length > kMaxAffixLength) {
      return fail(error, Status::kBadMetadata, "channel %u (prefix): length %u outside 1..%u", index, spec.length,
                  kMaxAffixLength);
    }
    return Status::kOk;
  }
};

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_KINDS_PREFIX_H_
