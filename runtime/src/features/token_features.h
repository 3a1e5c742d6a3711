// Token models: the feature rows of one token, and where a token's rows go
// in the windows of its neighbours. One implementation for the tagger
// (heads/tagger.cpp) and the public token feature API (feature_api.cpp).
//
// Precise behaviour (part of the model format; docs/SPEC.md "Token models"):
//  * A token is any byte string (from the tokenizer, or the caller's own):
//    decoded strictly, an invalid byte is U+FFFD. EVERY character counts:
//    letters are lowercased when plan.lowercase; digits, punctuation and
//    symbols stay as they are (there is no digit dropping and no clean-up
//    in token models).
//  * The token-level kinds see the whole token as they see a word of a text
//    model: char_ngram pads it with U+0020 markers (an empty token gives the
//    one window of the two markers), script reads its letters, word hashes it
//    (or looks its normalised UTF-8 up in the vocabulary), prefix/suffix take
//    its first/last code points, shape counts its characters (content 3 and 4
//    for punctuation).
//  * Hashed rows fall in [0, rows - 2): every channel of a token model has
//    two padding rows after them, rows - 2 for window positions before the
//    first token and rows - 1 for positions after the last.
//  * Emission order for one token: at each character the char_ngram windows
//    ending there (channel order), then its script (letters); at the end the
//    closing char_ngram windows, then word, prefix, suffix, shape (channel
//    order). prev_label channels emit nothing here (their rows are labels).
#ifndef FFNLP_FEATURES_TOKEN_FEATURES_H_
#define FFNLP_FEATURES_TOKEN_FEATURES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "features/extract.h"

namespace ffnlp {
namespace detail {

// The rows of one token, for every channel read from tokens.
class TokenRows {
 public:
  explicit TokenRows(const internal::FeaturePlan& plan) : plan_(plan), ngrams_(plan), words_(plan) {}

  template <class Sink>
  void run(const uint8_t* s, size_t n, Sink& sink) {
    const bool lowercase = plan_.lowercase;
    const bool word_kinds = plan_.word_count != 0;
    ngrams_.start_word();
    if (word_kinds) words_.start();
    size_t i = 0;
    while (i < n) {
      uint32_t cp = s[i];
      uint32_t info;
      if (cp < 0x80) {
        info = kCharBlocks[cp];
        ++i;
      } else {
        i += decode_utf8_inline(s + i, n - i, &cp);
        info = char_info(cp);
      }
      const uint32_t original = cp;
      const bool letter = class_from_info(info) == static_cast<uint32_t>(CharClass::kLetter);
      if (letter && lowercase) cp = lower_from_info(cp, info);
      ngrams_.push(cp);
      ngrams_.update();
      ngrams_.emit_char(sink);
      if (letter) {
        ScriptKind::emit(plan_, script_from_info(info), sink);
        HanVariantKind::emit(plan_, script_from_info(info), cp, sink);
      }
      if (word_kinds) words_.add(original, cp, info);
    }
    ngrams_.end_word(sink);
    if (word_kinds) words_.end(sink);
  }

 private:
  const internal::FeaturePlan& plan_;
  NgramState ngrams_;
  WordState words_;
};

// The window slot of `offset` in channel c, or -1 when c's window does not
// have it.
inline int32_t window_slot(const internal::FeaturePlan& plan, uint32_t c, int32_t offset) {
  for (uint32_t s = 0; s < plan.window_count[c]; ++s) {
    if (plan.window[c][s] == offset) return static_cast<int32_t>(s);
  }
  return -1;
}

}  // namespace detail
}  // namespace ffnlp

#endif  // FFNLP_FEATURES_TOKEN_FEATURES_H_
