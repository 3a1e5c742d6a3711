// Text flow inside the runtime: UTF-8 bytes -> normalised code points ->
// feature rows per channel. One implementation, used by classify(), by
// Model::text_features() (and so by every trainer) and by the tests.
//
//   ChannelSpec / TextOptions  one channel's parameters and the text switches,
//                              as the loader reads them from the metadata
//   build_feature_plan()       validates them through the registry and
//                              decides everything per channel, once (load)
//   extract_features()         streams every feature occurrence of a text to
//                              a sink, reading only the plan (defined in
//                              extract.h: include that to call it)
#ifndef FFNLP_FEATURES_TEXT_FEATURES_H_
#define FFNLP_FEATURES_TEXT_FEATURES_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"

namespace ffnlp {

using ChannelKind = FeatureKind;  // older name, kept for the tests
constexpr uint32_t kMaxChannels = internal::kMaxChannels;

// A vocabulary: `count` NUL-terminated strings, sorted, inside the model bytes.
struct VocabView {
  uint32_t count = 0;
  const uint8_t* offsets = nullptr;  // count + 1 little-endian u32
  const char* blob = nullptr;
};

struct ChannelSpec {
  ChannelSpec() = default;
  ChannelSpec(FeatureKind kind_, uint32_t order_, uint32_t buckets_, uint32_t seed_)
      : kind(kind_), order(order_), buckets(buckets_), seed(seed_) {}

  FeatureKind kind = FeatureKind::kCharNgram;
  uint32_t order = 0;    // char_ngram: n (1..kMaxNgramOrder)
  uint32_t buckets = 0;  // rows of the channel's table (> 0)
  uint32_t seed = 0;     // hashed kinds
  uint32_t length = 0;       // prefix, suffix: code points (1..kMaxAffixLength)
  Pooling pooling = Pooling::kMean;
  VocabView vocab;           // word: optional vocabulary
  uint32_t oov_buckets = 0;  // word with vocabulary: hashed rows after it
  uint32_t window_count = 1;             // token models: window offsets (text models: offset 0 only)
  int32_t window[kMaxWindow] = {0};
};

struct TextOptions {
  bool lowercase = true;
  bool drop_digits = true;  // digits act as word separators, never features
  uint32_t max_bytes = 0;   // 0: read the whole text; else only the first max_bytes
  uint8_t cleanup = 0;      // 1: skip URLs, e-mail addresses, handles, paths, numbers with units, markup;
                            // 2: and laughter (haha, jajaja; features/cleanup.h)
  bool tokens = false;      // a token model (features per token over windows; docs/SPEC.md)
};

// Validates channels[0 .. count) (each through its kind's rules in the
// registry) and fills *plan. On failure returns kBadMetadata (or kBadShape)
// with a message naming the channel. With skip_invalid, invalid channels are
// left out of the plan instead (they emit nothing; for tests and tools).
Status build_feature_plan(const ChannelSpec* channels, uint32_t count, const TextOptions& options,
                          internal::FeaturePlan* plan, Error* error, bool skip_invalid = false);

// Streams every feature occurrence of text[0, size) to sink(channel, row),
// reading only the plan; returns the number of letters read (0: no language
// evidence), saturated at 2^32 - 1. Never allocates; O(size + features)
// time. The exact behaviour (part of the model format) is documented at the
// definition in extract.h and in docs/SPEC.md.
template <class Sink>
uint32_t extract_features(const uint8_t* text, size_t size, const internal::FeaturePlan& plan, Sink&& sink);

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_TEXT_FEATURES_H_
