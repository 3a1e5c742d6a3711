// build_feature_plan: everything per channel, decided once (at load).
#include <cstring>

#include "api/error.h"
#include "features/hash.h"
#include "features/registry.h"

namespace ffnlp {

Status build_feature_plan(const ChannelSpec* channels, uint32_t count, const TextOptions& options,
                          internal::FeaturePlan* plan, Error* error, bool skip_invalid) {
  *plan = internal::FeaturePlan();
  plan->lowercase = options.lowercase;
  plan->drop_digits = options.drop_digits;
  plan->max_bytes = options.max_bytes;
  plan->cleanup = options.cleanup;
  plan->tokens = options.tokens;
  if (count > kMaxChannels) {
    if (!skip_invalid) {
      return fail(error, Status::kBadMetadata, "%u channels; at most %u", count, kMaxChannels);
    }
    count = kMaxChannels;  // only the first kMaxChannels are used
  }
  for (uint32_t c = 0; c < count; ++c) {
    const ChannelSpec& spec = channels[c];
    const Status s = check_channel(spec, c, options, skip_invalid ? nullptr : error);
    if (s != Status::kOk) {
      if (skip_invalid) continue;
      return s;
    }
    plan->pooling[c] = spec.pooling;
    plan->rows[c] = spec.buckets;
    plan->window_count[c] = static_cast<uint8_t>(spec.window_count);
    for (uint32_t k = 0; k < spec.window_count; ++k) plan->window[c][k] = static_cast<int8_t>(spec.window[k]);
    // Token models: the kinds' own rows come first, the two padding rows last.
    const uint32_t buckets = options.tokens ? spec.buckets - 2 : spec.buckets;
    if (options.tokens && spec.kind != FeatureKind::kPrevLabel) {
      if (spec.window[0] < plan->reach_before) plan->reach_before = spec.window[0];
      if (spec.window[spec.window_count - 1] > plan->reach_after) plan->reach_after = spec.window[spec.window_count - 1];
    }
    switch (spec.kind) {
      case FeatureKind::kCharNgram: {
        uint32_t g = 0;
        while (g < plan->group_count && plan->group_seed[g] != spec.seed) ++g;
        if (g == plan->group_count) {
          plan->group_seed[g] = spec.seed;
          plan->group_init[g] = detail::kFnvOffset ^ spec.seed;
          plan->group_order[g] = 0;
          ++plan->group_count;
        }
        if (spec.order > plan->group_order[g]) plan->group_order[g] = spec.order;
        plan->ngrams[plan->ngram_count++] = {c, spec.order, buckets, g * (kMaxNgramOrder + 1)};
        break;
      }
      case FeatureKind::kScript:
        plan->scripts[plan->script_count++] = {c, buckets};
        break;
      case FeatureKind::kWord:
      case FeatureKind::kPrefix:
      case FeatureKind::kSuffix:
      case FeatureKind::kShape: {
        internal::WordPlan& w = plan->words[plan->word_count++];
        w.channel = c;
        w.kind = spec.kind;
        w.buckets = buckets;
        w.seed = spec.seed;
        w.length = spec.length;
        if (spec.kind == FeatureKind::kWord && spec.vocab.count != 0) {
          w.vocab_count = spec.vocab.count;
          w.vocab_offsets = spec.vocab.offsets;
          w.vocab_blob = spec.vocab.blob;
          w.oov_buckets = spec.oov_buckets;
          plan->word_bytes = true;
        }
        if (spec.kind == FeatureKind::kSuffix && spec.length > plan->suffix_length) plan->suffix_length = spec.length;
        break;
      }
      case FeatureKind::kIds:
        plan->ids[plan->ids_count++] = {c, spec.buckets};
        break;
      case FeatureKind::kHanVariant:
        plan->hans[plan->han_count++] = {c, buckets};
        break;
      case FeatureKind::kPrevLabel:
        plan->prevs[plan->prev_count++] = {c, buckets};
        break;
      default:
        return fail(error, Status::kBadMetadata, "channel %u: kind %u has no plan", c, static_cast<uint32_t>(spec.kind));
    }
  }
  plan->channel_count = count;
  return Status::kOk;
}

}  // namespace ffnlp
