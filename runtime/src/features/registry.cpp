// The public view of the kind registry and the common load-time rules.
#include "features/registry.h"

#include <cstring>

#include "api/error.h"

namespace ffnlp {
namespace {

#define FFNLP_KIND_INFO(K) {K::kKind, K::kName, K::kParams, K::kRequired, K::kFixedBuckets, K::kFromText, K::kSummary},
constexpr FeatureKindInfo kKinds[] = {FFNLP_FEATURE_KINDS(FFNLP_KIND_INFO)};
#undef FFNLP_KIND_INFO
constexpr uint32_t kKindCount = sizeof(kKinds) / sizeof(kKinds[0]);

// Ids are dense, in list order, starting at 1: kind id k is kKinds[k - 1].
constexpr bool ids_in_order() {
  for (uint32_t i = 0; i < kKindCount; ++i) {
    if (static_cast<uint32_t>(kKinds[i].kind) != i + 1) return false;
  }
  return true;
}
static_assert(ids_in_order(), "FFNLP_FEATURE_KINDS must list the kinds in FeatureKind id order, from 1");

}  // namespace

uint32_t feature_kind_count() { return kKindCount; }

const FeatureKindInfo* feature_kind_at(uint32_t index) { return index < kKindCount ? &kKinds[index] : nullptr; }

const FeatureKindInfo* feature_kind_info(FeatureKind kind) {
  const uint32_t id = static_cast<uint32_t>(kind);
  return id >= 1 && id <= kKindCount ? &kKinds[id - 1] : nullptr;
}

const FeatureKindInfo* find_feature_kind(const char* name) {
  if (name == nullptr) return nullptr;
  for (const FeatureKindInfo& k : kKinds) {
    if (std::strcmp(k.name, name) == 0) return &k;
  }
  return nullptr;
}

const char* pooling_name(Pooling pooling) {
  switch (pooling) {
    case Pooling::kMean: return "mean";
    case Pooling::kSum: return "sum";
    case Pooling::kConcat: return "concat";
  }
  return "unknown";
}

bool parse_pooling(const char* name, Pooling* pooling) {
  if (name == nullptr) return false;
  static constexpr Pooling kAll[] = {Pooling::kMean, Pooling::kSum, Pooling::kConcat};
  for (Pooling p : kAll) {
    if (std::strcmp(name, pooling_name(p)) == 0) {
      *pooling = p;
      return true;
    }
  }
  return false;
}

Status check_channel(const ChannelSpec& spec, uint32_t index, const TextOptions& options, Error* error) {
  const FeatureKindInfo* info = feature_kind_info(spec.kind);
  if (info == nullptr) {
    return fail(error, Status::kBadMetadata, "channel %u: unknown kind id %u", index, static_cast<uint32_t>(spec.kind));
  }
  if (spec.buckets == 0) return fail(error, Status::kBadMetadata, "channel %u (%s): zero buckets", index, info->name);
  // Token models: two padding rows after the kind's own (rows - 2 before
  // the sequence, rows - 1 after it).
  const uint32_t padding = options.tokens ? 2 : 0;
  if (spec.buckets <= padding) {
    return fail(error, Status::kBadShape, "channel %u (%s): %u rows; a token model's channel has its rows + 2 padding rows",
                index, info->name, spec.buckets);
  }
  if (info->fixed_buckets != 0 && spec.buckets != info->fixed_buckets + padding) {
    if (padding != 0) {
      return fail(error, Status::kBadShape, "channel %u (%s): has %u rows; the kind has exactly %u (%u + 2 padding rows)",
                  index, info->name, spec.buckets, info->fixed_buckets + padding, info->fixed_buckets);
    }
    return fail(error, Status::kBadShape, "channel %u (%s): has %u rows; the kind has exactly %u", index, info->name,
                spec.buckets, info->fixed_buckets);
  }
  if (spec.pooling == Pooling::kConcat && !options.tokens) {
    return fail(error, Status::kBadMetadata,
                "channel %u (%s): concat pooling is for token models (one slice per window offset)", index, info->name);
  }
  if (spec.window_count < 1 || spec.window_count > kMaxWindow) {
    return fail(error, Status::kBadMetadata, "channel %u (%s): %u window offsets (1..%u)", index, info->name,
                spec.window_count, kMaxWindow);
  }
  for (uint32_t s = 0; s < spec.window_count; ++s) {
    const int32_t o = spec.window[s];
    if (o < -kMaxWindowOffset || o > kMaxWindowOffset || (s > 0 && o <= spec.window[s - 1])) {
      return fail(error, Status::kBadMetadata,
                  "channel %u (%s): window offset %d: offsets must be strictly increasing, in -%d..%d", index,
                  info->name, static_cast<int>(o), static_cast<int>(kMaxWindowOffset), static_cast<int>(kMaxWindowOffset));
    }
  }
  if (!options.tokens && (spec.window_count != 1 || spec.window[0] != 0)) {
    return fail(error, Status::kBadMetadata, "channel %u (%s): a window is for token models", index, info->name);
  }
  if (spec.pooling != Pooling::kMean && spec.pooling != Pooling::kSum && spec.pooling != Pooling::kConcat) {
    return fail(error, Status::kBadMetadata, "channel %u (%s): unknown pooling %u", index, info->name,
                static_cast<uint32_t>(spec.pooling));
  }
  switch (spec.kind) {
#define FFNLP_KIND_CHECK(K) \
  case K::kKind:            \
    return K::check(spec, index, options, error);
    FFNLP_FEATURE_KINDS(FFNLP_KIND_CHECK)
#undef FFNLP_KIND_CHECK
    default:
      break;
  }
  return fail(error, Status::kBadMetadata, "channel %u: unknown kind id %u", index, static_cast<uint32_t>(spec.kind));
}

}  // namespace ffnlp
