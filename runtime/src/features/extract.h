// The extraction loop: extract_features() (declared in text_features.h).
//
// Precise behaviour (part of the model format; docs/SPEC.md):
//  * Reads text[0, end) where end = size, or with plan.max_bytes != 0 the
//    last character boundary <= max_bytes.
//  * With plan.cleanup (text.cleanup = 1), spans without language (URLs,
//    e-mail addresses, handles, paths, file names, numbers with units,
//    markup; features/cleanup.h) are skipped and separate words.
//  * Decodes strictly (decode_utf8); invalid bytes become U+FFFD, which
//    separates words. Each code point is classified by the character tables:
//    letters (incl. combining marks) are word characters, lowercased when
//    plan.lowercase; digits are separators when plan.drop_digits, else word
//    characters (never lowercased, script Common, not counted as letters);
//    everything else separates words.
//  * Each kind's features are documented in its file (features/kinds/).
//  * Emission order: at each word character, the char_ngram channels in
//    index order (the window ending at that character, if complete), then
//    the script channels in index order, then the han_variant channels in
//    index order; at each word end, every char_ngram
//    channel of order >= 2 in index order, then the word, prefix, suffix and
//    shape channels in index order. Consumers should not depend on the
//    order across channels; within a channel it is text order.
//  * ids channels emit nothing here: the caller supplies their ids.
//  * Returns the number of letters (CharClass::kLetter code points) read,
//    saturated at 2^32 - 1.
// Time O(end + features), memory O(1) on the stack; nothing here depends on
// anything but the plan, which the loader built once.
#ifndef FFNLP_FEATURES_EXTRACT_H_
#define FFNLP_FEATURES_EXTRACT_H_

#include <cstddef>
#include <cstdint>

#include "features/cleanup.h"
#include "features/hash.h"
#include "features/kinds/char_ngram.h"
#include "features/kinds/han_variant.h"
#include "features/kinds/prefix.h"
#include "features/kinds/script.h"
#include "features/kinds/shape.h"
#include "features/kinds/suffix.h"
#include "features/text_walk.h"
#include "features/kinds/word.h"
#include "features/text_features.h"
#include "features/unicode.h"
#include "features/utf8.h"

namespace ffnlp {
namespace detail {

// The word-level kinds (word, prefix, suffix, shape) over the current word:
// running forward hashes per channel, the last kMaxAffixLength code points,
// the word's UTF-8 (for vocabulary lookups) and its shape counts. Emits at
// the word's end, channel by channel in index order.
class WordState {
 public:
  static constexpr uint32_t kRing = kMaxAffixLength;
  static_assert((kRing & (kRing - 1)) == 0, "ring size must be a power of two");

  explicit WordState(const internal::FeaturePlan& plan) : plan_(plan) {}

  void start() {
    length_ = 0;
    bytes_length_ = 0;
    shape_ = ShapeKind::Counter();
    for (uint32_t a = 0; a < plan_.word_count; ++a) hash_[a] = kFnvOffset ^ plan_.words[a].seed;
  }

  // One word character: `original` as in the text, `cp` normalised.
  void add(uint32_t original, uint32_t cp, uint32_t info) {
    for (uint32_t a = 0; a < plan_.word_count; ++a) {
      const internal::WordPlan& w = plan_.words[a];
      if (w.kind == FeatureKind::kWord || (w.kind == FeatureKind::kPrefix && length_ < w.length)) {
        hash_[a] = fnv_step(hash_[a], cp);
      }
    }
    ring_[length_ & (kRing - 1)] = cp;
    if (plan_.word_bytes && bytes_length_ <= kMaxVocabEntryBytes) {
      bytes_length_ += static_cast<uint32_t>(encode_utf8(cp, bytes_ + bytes_length_));
    }
    const uint32_t cls = class_from_info(info);
    const bool letter = cls == static_cast<uint32_t>(CharClass::kLetter);
    const bool upper = letter && lower_from_info(original, info) != original;
    const bool lower = letter && !upper && ShapeKind::bicameral(script_from_info(info));
    shape_.add(cls, upper, lower);
    ++length_;
  }

  template <class Sink>
  void end(Sink& sink) const {
    for (uint32_t a = 0; a < plan_.word_count; ++a) {
      const internal::WordPlan& w = plan_.words[a];
      switch (w.kind) {
        case FeatureKind::kWord: {
          if (w.vocab_count != 0) {
            const int64_t found =
                bytes_length_ <= kMaxVocabEntryBytes ? WordKind::find(w, bytes_, bytes_length_) : -1;
            if (found >= 0) {
              sink(w.channel, static_cast<uint32_t>(found));
            } else if (w.oov_buckets != 0) {
              sink(w.channel, w.vocab_count + bucket_of(fnv_finish(hash_[a], length_), w.oov_buckets));
            }
          } else {
            sink(w.channel, bucket_of(fnv_finish(hash_[a], length_), w.buckets));
          }
          break;
        }
        case FeatureKind::kPrefix: {
          const uint32_t n = length_ < w.length ? length_ : w.length;
          sink(w.channel, bucket_of(fnv_finish(hash_[a], n), w.buckets));
          break;
        }
        case FeatureKind::kSuffix: {
          const uint32_t n = length_ < w.length ? length_ : w.length;
          uint32_t h = kFnvOffset ^ w.seed;
          for (uint32_t k = n; k > 0; --k) h = fnv_step(h, ring_[(length_ - k) & (kRing - 1)]);
          sink(w.channel, bucket_of(fnv_finish(h, n), w.buckets));
          break;
        }
        case FeatureKind::kShape:
          sink(w.channel, shape_.row());
          break;
        default:
          break;
      }
    }
  }

 private:
  const internal::FeaturePlan& plan_;
  uint32_t length_ = 0;  // code points of the word (mod 2^32)
  uint32_t hash_[internal::kMaxChannels] = {};
  uint32_t ring_[kRing] = {};                  // the last kRing code points
  uint8_t bytes_[kMaxVocabEntryBytes + 5] = {};  // the word's UTF-8 while it fits a vocabulary entry
  uint32_t bytes_length_ = 0;                   // > kMaxVocabEntryBytes: too long for any entry
  ShapeKind::Counter shape_;
};

}  // namespace detail

namespace detail {

// The loop itself; kCleanup: skip the spans features/cleanup.h describes
// (a template argument, so models without clean-up pay nothing for it).
template <bool kCleanup, class Sink>
uint32_t extract_loop(const uint8_t* text, size_t end, const internal::FeaturePlan& plan, Sink& sink) {
  const bool lowercase = plan.lowercase;
  const bool keep_digits = !plan.drop_digits;
  const bool laughter = plan.cleanup == 2;

  NgramState ngrams(plan);
  WordState words(plan);
  const bool word_kinds = plan.word_count != 0;
  size_t word_len = 0;  // word characters so far in the current word; 0: none
  size_t letters = 0;
  bool token_start = true;  // kCleanup: text[i] begins a whitespace-delimited token

  auto end_word = [&]() {
    if (word_len != 0) {
      ngrams.end_word(sink);
      if (word_kinds) words.end(sink);
      word_len = 0;
    }
  };

  size_t i = 0;
  while (i < end) {
    uint32_t cp, info;
    if (!next_char<kCleanup>(text, end, &i, &token_start, laughter, &cp, &info)) {
      end_word();  // a skipped span separates words
      continue;
    }
    const uint32_t cls = class_from_info(info);
    const uint32_t original = cp;
    uint32_t script;
    if (cls == static_cast<uint32_t>(CharClass::kLetter)) {
      ++letters;
      script = script_from_info(info);
      if (lowercase) cp = lower_from_info(cp, info);
    } else if (cls == static_cast<uint32_t>(CharClass::kDigit) && keep_digits) {
      script = static_cast<uint32_t>(Script::kCommon);
    } else {
      end_word();
      continue;
    }
    if (word_len == 0) {
      ngrams.start_word();
      if (word_kinds) words.start();
    }
    ngrams.push(cp);
    ++word_len;
    ngrams.update();
    ngrams.emit_char(sink);
    ScriptKind::emit(plan, script, sink);
    HanVariantKind::emit(plan, script, cp, sink);
    if (word_kinds) words.add(original, cp, info);
  }
  end_word();
  return letters < 0xFFFFFFFFu ? static_cast<uint32_t>(letters) : 0xFFFFFFFFu;
}

}  // namespace detail

template <class Sink>
uint32_t extract_features(const uint8_t* text, size_t size, const internal::FeaturePlan& plan, Sink&& sink) {
  if (text == nullptr) return 0;
  const size_t end = detail::text_end(text, size, plan.max_bytes);
  return plan.cleanup != 0 ? detail::extract_loop<true>(text, end, plan, sink)
                           : detail::extract_loop<false>(text, end, plan, sink);
}

// Convenience for tests and tools: builds a plan from `channels` (invalid
// ones emit nothing) and extracts. Not for hot paths.
template <class Sink>
uint32_t extract_features(const uint8_t* text, size_t size, const TextOptions& options, const ChannelSpec* channels,
                          uint32_t channel_count, Sink&& sink) {
  internal::FeaturePlan plan;
  if (channels == nullptr) channel_count = 0;
  build_feature_plan(channels, channel_count, options, &plan, nullptr, true);
  return extract_features(text, size, plan, sink);
}


}  // namespace ffnlp

#endif  // FFNLP_FEATURES_EXTRACT_H_
