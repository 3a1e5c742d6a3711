// ffnlp/features.h: what a model's features are made of, for trainers and
// tools (the runtime's own trainer uses nothing else).
//
//   1. The feature-kind registry: every kind a channel can have, its name,
//      id and parameters (docs/SPEC.md describes each kind). The same table
//      the loader validates model files against.
//   2. UTF-8 decoding, character classes, scripts and lowercasing exactly as
//      the feature code sees them (Unicode tables: features version 1,
//      Unicode 14.0.0).
//   3. The hash of code point sequences and the bucket mapping.
//   4. The tokenizer of token models (rule set "words").
//
// A text's features for a loaded model (or a features-only model file) come
// from Model::text_features() (ffnlp.h) or ffnlp_text_features() (C): one
// (channel, slot, row, weight) record per feature occurrence, so a trainer in
// any language learns on exactly the rows the runtime will look up.
#ifndef FFNLP_FEATURES_H_
#define FFNLP_FEATURES_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/ffnlp.h"

namespace ffnlp {

// ---- 1. Registry ----------------------------------------------------------
// Parameters a kind takes besides buckets, dims and pooling (which every
// channel has): bits of FeatureKindInfo::params / ::required.
enum FeatureParam : uint32_t {
  kParamOrder = 1u << 0,       // channel.<i>.order: n-gram order, 1..kMaxNgramOrder
  kParamSeed = 1u << 1,        // channel.<i>.seed: hash seed
  kParamLength = 1u << 2,      // channel.<i>.length: code points, 1..kMaxAffixLength
  kParamVocab = 1u << 3,       // channel.<i>.vocab: sorted string array
  kParamOovBuckets = 1u << 4,  // channel.<i>.oov_buckets: hashed rows after the vocabulary
};

struct FeatureKindInfo {
  FeatureKind kind;
  const char* name;         // "char_ngram", ... (the channel.<i>.kind value)
  uint32_t params;          // FeatureParam bits the kind accepts
  uint32_t required;        // ... and must have (kParamSeed for word: when hashed)
  uint32_t fixed_buckets;   // 0, or the one row count the kind allows (shape)
  bool from_text;           // false: the caller supplies the ids (kind ids)
  const char* summary;      // one line, for --help and docs
};

constexpr uint32_t kMaxNgramOrder = 8;
constexpr uint32_t kMaxAffixLength = 8;
constexpr uint32_t kShapeRows = 100;            // 5 case x 5 content x 4 length classes
constexpr uint32_t kHanVariantRows = 3;         // han_variant: shared, Simplified-only, Traditional-only
constexpr uint32_t kMaxVocabEntryBytes = 255;   // longest word of a vocabulary, UTF-8 bytes
// Versions of the feature code and Unicode tables this runtime implements
// (metadata features.version; a model recording another is refused with
// Status::kUnsupportedFeatures): 1, the text features; 2, the same plus
// token models (windows, padding rows, the tokenizer, prev_label). Text
// models record 1 (so older runtimes still read them), token models 2.
constexpr uint32_t kFeaturesVersion = 1;
constexpr uint32_t kTokenFeaturesVersion = 2;

uint32_t feature_kind_count();
const FeatureKindInfo* feature_kind_at(uint32_t index);       // null when out of range
const FeatureKindInfo* find_feature_kind(const char* name);   // null when unknown
const FeatureKindInfo* feature_kind_info(FeatureKind kind);   // null when unknown
const char* pooling_name(Pooling pooling);                    // "mean", "sum", "concat"
bool parse_pooling(const char* name, Pooling* pooling);

// ---- 2. UTF-8, character classes, scripts ------------------------------------
// Decodes one code point from s[0..n). n must be > 0. Returns the number of
// bytes consumed (1..4, never more than n). Invalid, overlong, surrogate or
// truncated sequences yield kReplacementChar and consume exactly one byte, so
// decoding always makes progress and never reads past s + n.
constexpr uint32_t kReplacementChar = 0xFFFD;
size_t decode_utf8(const uint8_t* s, size_t n, uint32_t* code_point);

// Script ids are part of the model format (the script channel's embedding
// rows are indexed by them): append new scripts at the end, never renumber.
enum class Script : uint8_t {
  kCommon = 0,  // digits, punctuation, symbols, spaces, unassigned
  kLatin, kGreek, kCyrillic, kArmenian, kHebrew, kArabic, kSyriac, kThaana,
  kDevanagari, kBengali, kGurmukhi, kGujarati, kOriya, kTamil, kTelugu,
  kKannada, kMalayalam, kSinhala, kThai, kLao, kTibetan, kMyanmar, kGeorgian,
  kHangul, kEthiopic, kCherokee, kCanadianAboriginal, kOgham, kRunic, kKhmer,
  kMongolian, kHiragana, kKatakana, kHan, kYi, kTifinagh, kNko, kVai,
  kBopomofo, kOlChiki, kOther,  // kOther: a letter of a script not listed
  kCount
};
constexpr uint32_t kScriptCount = static_cast<uint32_t>(Script::kCount);
Script script_of(uint32_t code_point);
const char* script_name(Script script);  // e.g. "Latin"; never null

enum class CharClass : uint8_t {
  kLetter,     // letters and combining marks of any script: part of a word
  kDigit,      // decimal digits of any script
  kSeparator,  // spaces, punctuation, symbols, controls, invalid bytes
};
struct NormalizedChar {
  uint32_t code_point;  // lowercased when requested and the char is a letter
  CharClass char_class;
};
// Unicode's simple lowercase mapping for every script, plus U+0130 -> 'i'
// and final sigma -> sigma; no locale-dependent casing.
uint32_t to_lower(uint32_t code_point);
NormalizedChar normalize_char(uint32_t code_point, bool lowercase);

// ---- 3. Hash ------------------------------------------------------------------
// FNV-1a over whole code points from the LAST to the first, seeded through
// the offset basis, then the count mixed in and murmur3's finaliser:
//   h = 0x811C9DC5 ^ seed;  for i = count-1 .. 0: h = (h ^ cp[i]) * 0x01000193
//   hash = fmix32(h ^ count)
// Used for char_ngram windows (from the last code point, so the n-grams
// ending at one character share their running states).
uint32_t hash_code_points(const uint32_t* code_points, uint32_t count, uint32_t seed);
// The same steps from the FIRST code point to the last (a word is hashed as
// it streams by, whatever its length): word, prefix and suffix channels.
//   h = 0x811C9DC5 ^ seed;  for i = 0 .. count-1: h = (h ^ cp[i]) * 0x01000193
//   hash = fmix32(h ^ count)
uint32_t hash_code_points_forward(const uint32_t* code_points, uint32_t count, uint32_t seed);
// Maps a 32-bit hash to [0, buckets) without division (multiply-shift).
inline uint32_t bucket_of(uint32_t hash, uint32_t buckets) {
  return static_cast<uint32_t>((static_cast<uint64_t>(hash) * buckets) >> 32);
}

// ---- 4. Tokenizer -------------------------------------------------------------
// The rule set token models read text with (docs/SPEC.md "Tokens"): words
// (letters, marks and digits, with apostrophes and hyphens inside words and
// , . : / inside numbers), acronyms such as "U.S.", and each punctuation or
// symbol character (a run of one repeated character is one token); spaces,
// controls and invalid bytes separate. A token model records the rule set's
// name and version (metadata `tokenizer`, `tokenizer.version`); a model
// naming another is refused with Status::kUnsupportedFeatures.
constexpr const char* kTokenizerName = "words";
constexpr uint32_t kTokenizerVersion = 1;

// The tokens of text[0, size) into tokens[0 .. *count), in text order. When
// `capacity` is too small the first `capacity` tokens are written and
// kBufferTooSmall is returned with *count = the number needed. O(size),
// allocates nothing; at most one token per byte, so capacity >= size always
// suffices.
Status tokenize_words(const char* text, size_t size, Token* tokens, size_t capacity, size_t* count);

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_H_
