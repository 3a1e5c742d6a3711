// Feature kind `char_ngram`: hashed character n-grams of one order inside
// words (the paper's main feature). Parameters: order n (1..8), seed,
// buckets.
//
// A word w1..wL (L >= 1) is padded to " w1 .. wL " (U+0020 marker). Order n:
//   n == 1: the L word characters (never the markers);
//   n >= 2 and L + 2 >= n: all L + 3 - n windows of n consecutive code
//     points of the padded word;
//   n >= 2 and L + 2 < n: ONE feature, the whole padded word (L + 2 code
//     points), so short words still count in high-order channels.
// row = bucket_of(hash_code_points(window, window_len, seed), buckets).
// Emission: at each word character, the window ending there (if complete);
// at the word's end, the window ending at the closing marker (or the whole
// short word).
#ifndef FFNLP_FEATURES_KINDS_CHAR_NGRAM_H_
#define FFNLP_FEATURES_KINDS_CHAR_NGRAM_H_

#include <cstdint>

#include "api/error.h"
#include "features/hash.h"
#include "features/text_features.h"

namespace ffnlp {

struct CharNgramKind {
  static constexpr FeatureKind kKind = FeatureKind::kCharNgram;
  static constexpr const char* kName = "char_ngram";
  static constexpr uint32_t kParams = kParamOrder | kParamSeed;
  static constexpr uint32_t kRequired = kParamOrder | kParamSeed;
  static constexpr uint32_t kFixedBuckets = 0;
  static constexpr bool kFromText = true;
  static constexpr const char* kSummary = "hashed character n-grams of one order (1-8) inside words";

  static Status check(const ChannelSpec& spec, uint32_t index, const TextOptions&, Error* error) {
    if (spec.order < 1 || spec.order > kMaxNgramOrder) {
      return fail(error, Status::kBadMetadata, "channel %u: n-gram order %u outside 1..%u", index, spec.order,
                  kMaxNgramOrder);
    }
    return Status::kOk;
  }
};

namespace detail {

// The running state of every char_ngram channel over the current word: the
// last kMaxNgramOrder code points of the padded word in a ring stored twice
// (every window is contiguous), and per seed group the running hashes of the
// windows ending at the newest code point (channels with the same seed share
// them: max-order steps per character, not the sum of the orders).
class NgramState {
 public:
  static constexpr uint32_t kMarker = 0x20;
  static constexpr uint32_t kRing = kMaxNgramOrder;
  static_assert((kRing & (kRing - 1)) == 0, "ring size must be a power of two");

  explicit NgramState(const internal::FeaturePlan& plan) : plan_(plan) {}

  uint32_t filled() const { return filled_; }
  void push(uint32_t cp) {
    ring_[pos_] = cp;
    ring_[pos_ + kRing] = cp;
    pos_ = (pos_ + 1) & (kRing - 1);
    filled_ += filled_ < kRing;
  }
  void start_word() { push(kMarker); }

  // After push(): the running hashes of the windows ending at the newest
  // code point, for each seed group.
  void update() {
    const uint32_t* last = ring_ + pos_ + kRing - 1;  // newest code point
    for (uint32_t g = 0; g < plan_.group_count; ++g) {
      const uint32_t steps = plan_.group_order[g] < filled_ ? plan_.group_order[g] : filled_;
      uint32_t h = plan_.group_init[g];
      uint32_t* out = state_ + g * (kMaxNgramOrder + 1);
      // for k in 1..steps: h = fnv_step(h, last[1 - k]); out[k] = h
      // unrolled (steps <= kMaxNgramOrder == 8): no loop control per step.
      static_assert(kMaxNgramOrder == 8, "unrolled for 8 steps");
#define FFNLP_FNV_STEP(k)              \
  if (steps < (k)) continue;           \
  h = fnv_step(h, *(last + 1 - (k)));  \
  out[k] = h;
      FFNLP_FNV_STEP(1)
      FFNLP_FNV_STEP(2)
      FFNLP_FNV_STEP(3)
      FFNLP_FNV_STEP(4)
      FFNLP_FNV_STEP(5)
      FFNLP_FNV_STEP(6)
      FFNLP_FNV_STEP(7)
      FFNLP_FNV_STEP(8)
#undef FFNLP_FNV_STEP
    }
  }

  // The windows ending at the newest word character, channel by channel.
  template <class Sink>
  void emit_char(Sink& sink) const {
    if (filled_ == kRing) {  // inside long words every window is complete
      for (uint32_t a = 0; a < plan_.ngram_count; ++a) emit(plan_.ngrams[a], plan_.ngrams[a].order, sink);
    } else {
      for (uint32_t a = 0; a < plan_.ngram_count; ++a) {
        if (filled_ >= plan_.ngrams[a].order) emit(plan_.ngrams[a], plan_.ngrams[a].order, sink);
      }
    }
  }

  // Closing marker: the windows ending there (orders >= 2), or the whole
  // short word; then the ring starts over.
  template <class Sink>
  void end_word(Sink& sink) {
    push(kMarker);
    update();
    for (uint32_t a = 0; a < plan_.ngram_count; ++a) {
      const internal::NgramPlan& ch = plan_.ngrams[a];
      // filled == min(L + 2, kRing) >= order, or the whole short word.
      if (ch.order >= 2) emit(ch, ch.order <= filled_ ? ch.order : filled_, sink);
    }
    filled_ = 0;
  }

 private:
  template <class Sink>
  void emit(const internal::NgramPlan& ch, uint32_t len, Sink& sink) const {
    sink(ch.channel, bucket_of(fnv_finish(state_[ch.state + len], len), ch.buckets));
  }

  const internal::FeaturePlan& plan_;
  // ring_[p] == ring_[p + kRing]; the k-th last pushed code point (k >= 1)
  // is ring_[pos_ + kRing - k].
  uint32_t ring_[2 * kRing] = {};
  uint32_t pos_ = 0;
  uint32_t filled_ = 0;  // code points of the current padded word in the ring (<= kRing)
  // state_[g * (kMaxNgramOrder + 1) + k]: running hash of group g over the
  // last k code points.
  uint32_t state_[internal::kMaxChannels * (kMaxNgramOrder + 1)];
};

}  // namespace detail
}  // namespace ffnlp

#endif  // FFNLP_FEATURES_KINDS_CHAR_NGRAM_H_
