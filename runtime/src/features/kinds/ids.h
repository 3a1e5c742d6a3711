// Feature kind `ids`: ids the caller passes for the channel with each call
// (Input::ids / ffnlp_channel_ids), e.g. from its own tokenizer and
// vocabulary; every id must be < buckets (else kInvalidArgument). Nothing is
// read from the text. Parameters: buckets.
#ifndef FFNLP_FEATURES_KINDS_IDS_H_
#define FFNLP_FEATURES_KINDS_IDS_H_

#include "api/error.h"
#include "features/text_features.h"

namespace ffnlp {

struct IdsKind {
  static constexpr FeatureKind kKind = FeatureKind::kIds;
  static constexpr const char* kName = "ids";
  static constexpr uint32_t kParams = 0;
  static constexpr uint32_t kRequired = 0;
  static constexpr uint32_t kFixedBuckets = 0;
  static constexpr bool kFromText = false;
  static constexpr const char* kSummary = "ids passed by the caller with each call (own tokenizer or vocabulary)";

  static Status check(const ChannelSpec&, uint32_t index, const TextOptions& text, Error* error) {
    if (text.tokens) {
      return fail(error, Status::kBadMetadata, "channel %u (ids): token models read no caller ids (pass tokens instead)",
                  index);
    }
    return Status::kOk;
  }
};

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_KINDS_IDS_H_
