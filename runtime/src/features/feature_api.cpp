// Model::text_features and Model::token_features: the public feature API (a
// text's or a token's (channel, slot, row, weight) records), the same
// extraction classify() and tag() run.
#include "api/model_access.h"
#include "features/extract.h"
#include "features/token_features.h"
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

// Token i of tokens[0 .. n): for every channel and window offset o, the rows
// of token i + o (its padding rows outside the sequence; prev_label: the
// caller's labels). Records in window order (offsets ascending), channels in
// index order within a token.
template <class Record>
Status token_features_into(const internal::FeaturePlan& plan, const char* const* tokens, const size_t* lengths,
                           size_t n, size_t i, const uint32_t* labels, Record* out, size_t capacity, size_t* count) {
  if (tokens == nullptr || i >= n) return Status::kInvalidArgument;
  const int64_t at = static_cast<int64_t>(i);
  // Earlier labels (prev_label channels): checked before anything is written.
  for (uint32_t a = 0; a < plan.prev_count; ++a) {
    const uint32_t c = plan.prevs[a].channel;
    for (uint32_t s = 0; s < plan.window_count[c]; ++s) {
      const int64_t j = at + plan.window[c][s];
      if (j < 0) continue;
      if (labels == nullptr || labels[j] >= plan.prevs[a].buckets) return Status::kInvalidArgument;
    }
  }
  uint32_t occurrences[kMaxChannels][kMaxWindow] = {};
  size_t total = 0;
  auto emit = [&](uint32_t c, uint32_t slot, uint32_t row) {
    if (total < capacity) {
      Record& r = out[total];
      r.channel = c;
      r.slot = plan.pooling[c] == Pooling::kConcat ? slot : 0;
      r.row = row;
      r.weight = 1.0f;
    }
    ++total;
    ++occurrences[c][slot];
  };
  detail::TokenRows rows(plan);
  const uint32_t channels = plan.channel_count;
  for (int64_t j = at + plan.reach_before; j <= at + plan.reach_after; ++j) {
    const int32_t offset = static_cast<int32_t>(j - at);
    if (j < 0 || j >= static_cast<int64_t>(n)) {
      for (uint32_t c = 0; c < channels; ++c) {
        if (plan.window_count[c] == 0 || plan.rows[c] == 0) continue;
        bool prev = false;
        for (uint32_t a = 0; a < plan.prev_count; ++a) prev = prev || plan.prevs[a].channel == c;
        if (prev) continue;
        const int32_t slot = detail::window_slot(plan, c, offset);
        if (slot >= 0) emit(c, static_cast<uint32_t>(slot), plan.rows[c] - (j < 0 ? 2 : 1));
      }
      continue;
    }
    const char* t = tokens[j];
    const size_t size = lengths != nullptr ? lengths[j] : (t != nullptr ? std::strlen(t) : 0);
    if (t == nullptr && size != 0) return Status::kInvalidArgument;
    auto sink = [&](uint32_t c, uint32_t row) {
      const int32_t slot = detail::window_slot(plan, c, offset);
      if (slot >= 0) emit(c, static_cast<uint32_t>(slot), row);
    };
    rows.run(reinterpret_cast<const uint8_t*>(t), size, sink);
  }
  for (uint32_t a = 0; a < plan.prev_count; ++a) {
    const uint32_t c = plan.prevs[a].channel;
    for (uint32_t s = 0; s < plan.window_count[c]; ++s) {
      const int64_t j = at + plan.window[c][s];
      emit(c, s, j < 0 ? plan.rows[c] - 2 : labels[j]);
    }
  }
  // Weights: concat 1 / the slot's occurrences, mean 1 / the channel's, sum 1.
  const size_t written = total < capacity ? total : capacity;
  for (size_t k = 0; k < written; ++k) {
    Record& r = out[k];
    const uint32_t c = r.channel;
    if (plan.pooling[c] == Pooling::kConcat) {
      r.weight = 1.0f / static_cast<float>(occurrences[c][r.slot]);
    } else if (plan.pooling[c] == Pooling::kMean) {
      uint32_t sum = 0;
      for (uint32_t s = 0; s < plan.window_count[c]; ++s) sum += occurrences[c][s];
      r.weight = 1.0f / static_cast<float>(sum);
    }
  }
  *count = total;
  return total > capacity ? Status::kBufferTooSmall : Status::kOk;
}

}  // namespace

Status Model::token_features(const char* const* tokens, const size_t* lengths, size_t n, size_t i,
                             const uint32_t* labels, FeatureRef* refs, size_t capacity, size_t* count) const {
  if (count != nullptr) *count = 0;
  if (!plan_.tokens) return Status::kNotClassifier;
  if (count == nullptr || (refs == nullptr && capacity != 0)) return Status::kInvalidArgument;
  return token_features_into(plan_, tokens, lengths, n, i, labels, refs, capacity, count);
}

Status internal::ModelAccess::token_features(const Model& model, const char* const* tokens, const size_t* lengths,
                                             size_t n, size_t i, const uint32_t* labels, ffnlp_feature* out,
                                             size_t capacity, size_t* count) {
  if (count != nullptr) *count = 0;
  if (!model.plan_.tokens) return Status::kNotClassifier;
  if (count == nullptr || (out == nullptr && capacity != 0)) return Status::kInvalidArgument;
  return token_features_into(model.plan_, tokens, lengths, n, i, labels, out, capacity, count);
}

Status Model::text_features(const char* text, size_t size, FeatureRef* refs, size_t capacity, size_t* count,
                            TextStats* stats) const {
  if (count != nullptr) *count = 0;
  if (!has_features() || plan_.tokens) return Status::kNotClassifier;
  if (count == nullptr || (refs == nullptr && capacity != 0) || (text == nullptr && size != 0)) {
    return Status::kInvalidArgument;
  }
  return features_into(plan_, text, size, refs, capacity, count, stats);
}

Status internal::ModelAccess::text_features(const Model& model, const char* text, size_t size, ffnlp_feature* out,
                                            size_t capacity, size_t* count) {
  if (count != nullptr) *count = 0;
  if (!model.has_features() || model.plan_.tokens) return Status::kNotClassifier;
  if (count == nullptr || (out == nullptr && capacity != 0) || (text == nullptr && size != 0)) {
    return Status::kInvalidArgument;
  }
  return features_into(model.plan_, text, size, out, capacity, count, nullptr);
}

}  // namespace ffnlp
