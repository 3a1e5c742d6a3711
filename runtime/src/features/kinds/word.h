// Feature kind `word`: one feature per word (a maximal run of word
// characters, normalised: lowercased when text.lowercase). Parameters:
// seed, buckets; optionally a vocabulary and oov_buckets.
//   hashed:          row = bucket_of(hash_code_points_forward(word, L, seed), buckets)
//   with vocabulary: row = the word's index in the sorted vocabulary (exact
//                    bytes of the normalised word); other words, when
//                    oov_buckets > 0: vocab_size + bucket_of(hash, oov_buckets);
//                    else nothing. buckets = vocab_size + oov_buckets.
// The vocabulary is a string array in the model, strictly ascending by
// bytes; each entry is a normalised word (1..kMaxVocabEntryBytes bytes of
// word characters, already lowercase when the model lowercases), so every
// entry can match. Checked at load. In token models the word is the whole
// token (any characters) and buckets = vocab_size + oov_buckets + 2 padding
// rows; entries are normalised tokens (letters lowercase when the model
// lowercases; no spaces, controls or U+FFFD).
#ifndef FFNLP_FEATURES_KINDS_WORD_H_
#define FFNLP_FEATURES_KINDS_WORD_H_

#include <cstdint>
#include <cstring>

#include "api/error.h"
#include "features/text_features.h"
#include "features/unicode.h"
#include "features/utf8.h"
#include "file/byte_order.h"

namespace ffnlp {

struct WordKind {
  static constexpr FeatureKind kKind = FeatureKind::kWord;
  static constexpr const char* kName = "word";
  static constexpr uint32_t kParams = kParamSeed | kParamVocab | kParamOovBuckets;
  static constexpr uint32_t kRequired = kParamSeed;
  static constexpr uint32_t kFixedBuckets = 0;
  static constexpr bool kFromText = true;
  static constexpr const char* kSummary = "each word, hashed or from a vocabulary (+ hashed rows for other words)";

  static Status check(const ChannelSpec& spec, uint32_t index, const TextOptions& text, Error* error) {
    const VocabView& v = spec.vocab;
    if (v.count == 0) {
      if (spec.oov_buckets != 0) {
        return fail(error, Status::kBadMetadata, "channel %u (word): oov_buckets needs a vocabulary", index);
      }
      return Status::kOk;
    }
    const uint32_t padding = text.tokens ? 2 : 0;
    if (static_cast<uint64_t>(v.count) + spec.oov_buckets + padding != spec.buckets) {
      return fail(error, Status::kBadShape, "channel %u (word): %u rows, but vocabulary %u + oov_buckets %u%s", index,
                  spec.buckets, v.count, spec.oov_buckets, padding ? " + 2 padding rows" : "");
    }
    const char* previous = nullptr;
    uint32_t previous_length = 0;
    for (uint32_t i = 0; i < v.count; ++i) {
      const uint32_t begin = read_u32(v.offsets + 4 * static_cast<size_t>(i));
      const uint32_t length = read_u32(v.offsets + 4 * static_cast<size_t>(i) + 4) - begin - 1;
      const char* entry = v.blob + begin;
      if (length == 0 || length > kMaxVocabEntryBytes) {
        return fail(error, Status::kBadMetadata, "channel %u (word): vocabulary entry %u has %u bytes (1..%u)", index, i,
                    length, kMaxVocabEntryBytes);
      }
      if (text.tokens ? !is_normalized_token(reinterpret_cast<const uint8_t*>(entry), length, text)
                      : !is_normalized_word(reinterpret_cast<const uint8_t*>(entry), length, text)) {
        return fail(error, Status::kBadMetadata, "channel %u (word): vocabulary entry %u '%s' is not a normalised %s", index,
                    i, entry,
                    text.tokens ? (text.lowercase ? "token (lowercase letters, no spaces)" : "token (no spaces)")
                                : (text.lowercase ? "word (word characters only, lowercase)" : "word (word characters only)"));
      }
      if (previous != nullptr && compare(previous, previous_length, entry, length) >= 0) {
        return fail(error, Status::kBadMetadata, "channel %u (word): vocabulary entry %u '%s' is not after '%s' (sorted by bytes, no repeats)",
                    index, i, entry, previous);
      }
      previous = entry;
      previous_length = length;
    }
    return Status::kOk;
  }

  // Byte-wise order of two strings (memcmp, then length).
  static int compare(const char* a, uint32_t a_length, const char* b, uint32_t b_length) {
    const int c = std::memcmp(a, b, a_length < b_length ? a_length : b_length);
    if (c != 0) return c;
    return a_length < b_length ? -1 : (a_length > b_length ? 1 : 0);
  }

  // What the extraction loop would produce for a word made of these bytes:
  // only word characters, and each its own lowercase when lowercasing.
  static bool is_normalized_word(const uint8_t* s, uint32_t n, const TextOptions& text) {
    uint32_t i = 0;
    while (i < n) {
      uint32_t cp = 0;
      i += static_cast<uint32_t>(detail::decode_utf8_inline(s + i, n - i, &cp));
      const uint32_t info = detail::char_info(cp);
      const uint32_t cls = detail::class_from_info(info);
      if (cls == static_cast<uint32_t>(CharClass::kLetter)) {
        if (text.lowercase && detail::lower_from_info(cp, info) != cp) return false;
      } else if (cls != static_cast<uint32_t>(CharClass::kDigit) || text.drop_digits) {
        return false;
      }
    }
    return true;
  }

  // What a token model could look up for some token: no spaces or
  // controls (the tokenizer never makes them part of a token), no U+FFFD
  // (an invalid byte), and each letter its own lowercase when lowercasing.
  static bool is_normalized_token(const uint8_t* s, uint32_t n, const TextOptions& text) {
    uint32_t i = 0;
    while (i < n) {
      uint32_t cp = 0;
      i += static_cast<uint32_t>(detail::decode_utf8_inline(s + i, n - i, &cp));
      if (cp <= 0x20 || cp == 0x7F || cp == kReplacementChar) return false;
      const uint32_t info = detail::char_info(cp);
      if (text.lowercase && detail::class_from_info(info) == static_cast<uint32_t>(CharClass::kLetter) &&
          detail::lower_from_info(cp, info) != cp) {
        return false;
      }
    }
    return true;
  }

  // Index of the word's bytes in the vocabulary, or -1. O(log count).
  static int64_t find(const internal::WordPlan& w, const uint8_t* word, uint32_t length) {
    uint32_t lo = 0, hi = w.vocab_count;
    while (lo < hi) {
      const uint32_t mid = lo + (hi - lo) / 2;
      const uint32_t begin = read_u32(w.vocab_offsets + 4 * static_cast<size_t>(mid));
      const uint32_t entry_length = read_u32(w.vocab_offsets + 4 * static_cast<size_t>(mid) + 4) - begin - 1;
      const int c = compare(w.vocab_blob + begin, entry_length, reinterpret_cast<const char*>(word), length);
      if (c == 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }
};

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_KINDS_WORD_H_
