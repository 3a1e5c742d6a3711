// Model::text_features: the public feature API (a text's (channel, slot,
// row, weight) records), the same extraction classify() runs.
#include "api/model_access.h"
#include "features/extract.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/ffnlp_c.h"

namespace ffnlp {
namespace {

// Records of any struct with channel, slot, row and weight members (the C++
// FeatureRef, the C ffnlp_feature).
template <class Record>
Status features_into(const internal::FeaturePlan& plan, const char* text, size_t size, Record* out, size_t capacity,
                     size_t* count, TextStats* stats) {
  uint64_t occurrences[kMaxChannels] = {};
  size_t total = 0;
  const uint32_t letters = extract_features(reinterpret_cast<const uint8_t*>(text), size, plan,
                                            [&](uint32_t channel, uint32_t row) {
                                              if (total < capacity) {
                                                Record& r = out[total];
                                                r.channel = channel;
                                                r.slot = 0;
                                                r.row = row;
                                                r.weight = 1.0f;
                                              }
                                              ++total;
                                              ++occurrences[channel];
                                            });
  // Mean pooling: every occurrence of a channel weighs 1/n.
  const size_t written = total < capacity ? total : capacity;
  for (size_t i = 0; i < written; ++i) {
    const uint32_t c = out[i].channel;
    if (plan.pooling[c] == Pooling::kMean) out[i].weight = 1.0f / static_cast<float>(occurrences[c]);
  }
  if (stats != nullptr) {
    *stats = TextStats();
    stats->letters = letters;
    stats->bytes_used = (plan.max_bytes != 0 && size > plan.max_bytes) ? plan.max_bytes : size;
  }
  *count = total;
  return total > capacity ? Status::kBufferTooSmall : Status::kOk;
}

}  // namespace

Status Model::text_features(const char* text, size_t size, FeatureRef* refs, size_t capacity, size_t* count,
                            TextStats* stats) const {
  if (count != nullptr) *count = 0;
  if (!has_features()) return Status::kNotClassifier;
  if (count == nullptr || (refs == nullptr && capacity != 0) || (text == nullptr && size != 0)) {
    return Status::kInvalidArgument;
  }
  return features_into(plan_, text, size, refs, capacity, count, stats);
}

Status internal::ModelAccess::text_features(const Model& model, const char* text, size_t size, ffnlp_feature* out,
                                            size_t capacity, size_t* count) {
  if (count != nullptr) *count = 0;
  if (!model.has_features()) return Status::kNotClassifier;
  if (count == nullptr || (out == nullptr && capacity != 0) || (text == nullptr && size != 0)) {
    return Status::kInvalidArgument;
  }
  return features_into(model.plan_, text, size, out, capacity, count, nullptr);
}

}  // namespace ffnlp
