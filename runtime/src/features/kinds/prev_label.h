// Feature kind `prev_label` (token models only): the labels the tagger
// predicted for earlier tokens, read greedily left to right. Its window
// offsets must all be negative (-1: the previous token). Rows: one per label,
// then the two padding rows of every token channel (rows - 2: before the
// sentence; rows - 1 is never used). In a tagger, rows = labels + 2 (checked
// when the labels are read). The feature API takes the labels from the
// caller (a trainer passes the gold labels, or its own predictions).
#ifndef FFNLP_FEATURES_KINDS_PREV_LABEL_H_
#define FFNLP_FEATURES_KINDS_PREV_LABEL_H_

#include "api/error.h"
#include "features/text_features.h"

namespace ffnlp {

struct PrevLabelKind {
  static constexpr FeatureKind kKind = FeatureKind::kPrevLabel;
  static constexpr const char* kName = "prev_label";
  static constexpr uint32_t kParams = 0;
  static constexpr uint32_t kRequired = 0;
  static constexpr uint32_t kFixedBuckets = 0;
  static constexpr bool kFromText = false;
  static constexpr const char* kSummary = "labels predicted for earlier tokens (token models; greedy, left to right)";

  static Status check(const ChannelSpec& spec, uint32_t index, const TextOptions& text, Error* error) {
    if (!text.tokens) {
      return fail(error, Status::kBadMetadata, "channel %u (prev_label): only token models have earlier labels", index);
    }
    for (uint32_t s = 0; s < spec.window_count; ++s) {
      if (spec.window[s] >= 0) {
        return fail(error, Status::kBadMetadata,
                    "channel %u (prev_label): window offset %d is not before the token (offsets must be negative)",
                    index, static_cast<int>(spec.window[s]));
      }
    }
    return Status::kOk;
  }
};

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_KINDS_PREV_LABEL_H_
