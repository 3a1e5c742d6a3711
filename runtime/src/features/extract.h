// The extraction loop: extract_features() (declared in text_features.h).
//
// Precise behaviour (part of the model format; docs/SPEC.md):
//  * Reads text[0, end) where end = size, or with plan.max_bytes != 0 the
//    last character boundary <= max_bytes.
//  * Decodes strictly (decode_utf8); invalid bytes become U+FFFD, which
//    separates words. Each code point is classified by the character tables:
//    letters (incl. combining marks) are word characters, lowercased when
//    plan.lowercase; digits are separators when plan.drop_digits, else word
//    characters (never lowercased, script Common, not counted as letters);
//    everything else separates words.
//  * Each kind's features are documented in its file (features/kinds/).
//  * Emission order: at each word character, the char_ngram channels in
//    index order (the window ending at that character, if complete), then
//    the script channels in index order; at each word end, every char_ngram
//    channel of order >= 2 in index order. Consumers should not depend on
//    the order across channels; within a channel it is text order.
//  * Returns the number of letters (CharClass::kLetter code points) read,
//    saturated at 2^32 - 1.
// Time O(end + features), memory O(1) on the stack; nothing here depends on
// anything but the plan, which the loader built once.
#ifndef FFNLP_FEATURES_EXTRACT_H_
#define FFNLP_FEATURES_EXTRACT_H_

#include <cstddef>
#include <cstdint>

#include "features/kinds/char_ngram.h"
#include "features/kinds/script.h"
#include "features/text_features.h"
#include "features/unicode.h"
#include "features/utf8.h"

namespace ffnlp {

template <class Sink>
uint32_t extract_features(const uint8_t* text, size_t size, const internal::FeaturePlan& plan, Sink&& sink) {
  if (text == nullptr) return 0;
  const size_t end = detail::text_end(text, size, plan.max_bytes);
  const bool lowercase = plan.lowercase;
  const bool keep_digits = !plan.drop_digits;

  detail::NgramState ngrams(plan);
  size_t word_len = 0;  // word characters so far in the current word; 0: none
  size_t letters = 0;

  size_t i = 0;
  while (i < end) {
    uint32_t cp = text[i];
    uint32_t info;
    if (cp < 0x80) {
      info = detail::kCharBlocks[cp];
      ++i;
    } else {
      i += detail::decode_utf8_inline(text + i, end - i, &cp);
      info = detail::char_info(cp);
    }
    const uint32_t cls = detail::class_from_info(info);
    uint32_t script;
    if (cls == static_cast<uint32_t>(CharClass::kLetter)) {
      ++letters;
      script = detail::script_from_info(info);
      if (lowercase) cp = detail::lower_from_info(cp, info);
    } else if (cls == static_cast<uint32_t>(CharClass::kDigit) && keep_digits) {
      script = static_cast<uint32_t>(Script::kCommon);
    } else {
      if (word_len != 0) {
        ngrams.end_word(sink);
        word_len = 0;
      }
      continue;
    }
    if (word_len == 0) ngrams.start_word();
    ngrams.push(cp);
    ++word_len;
    ngrams.update();
    ngrams.emit_char(sink);
    ScriptKind::emit(plan, script, sink);
  }
  if (word_len != 0) ngrams.end_word(sink);
  return letters < 0xFFFFFFFFu ? static_cast<uint32_t>(letters) : 0xFFFFFFFFu;
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
