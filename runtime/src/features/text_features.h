// Text flow, shared by the runtime and the trainer: UTF-8 bytes -> normalised
// code points -> hashed feature ids per channel. One implementation, so the
// trainer and the runtime can never disagree about what a feature is.
#ifndef FFNLP_TEXT_FEATURES_H_
#define FFNLP_TEXT_FEATURES_H_

#include <cstddef>
#include <cstdint>

namespace ffnlp {

// ---- UTF-8 ----------------------------------------------------------------
// Decodes one code point from s[0..n). n must be > 0. Returns the number of
// bytes consumed (1..4, never more than n). Invalid, overlong, surrogate or
// truncated sequences yield kReplacementChar and consume exactly one byte, so
// decoding always makes progress and never reads past s + n.
constexpr uint32_t kReplacementChar = 0xFFFD;
size_t decode_utf8(const uint8_t* s, size_t n, uint32_t* code_point);

// ---- Scripts --------------------------------------------------------------
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

// ---- Normalisation --------------------------------------------------------
enum class CharClass : uint8_t {
  kLetter,     // letters and combining marks of any script: part of a word
  kDigit,      // decimal digits of any script
  kSeparator,  // spaces, punctuation, symbols, controls, invalid bytes
};
struct NormalizedChar {
  uint32_t code_point;  // lowercased when requested and the char is a letter
  CharClass char_class;
};
// Unicode-aware simple lowercasing (at least Latin incl. extended blocks,
// Greek, Cyrillic, Armenian, Georgian Mtavruli, Cherokee, fullwidth Latin).
uint32_t to_lower(uint32_t code_point);
NormalizedChar normalize_char(uint32_t code_point, bool lowercase);

// ---- Feature channels -----------------------------------------------------
enum class ChannelKind : uint8_t {
  kCharNgram = 1,  // hashed character n-grams of one order inside words
  kScript = 2,     // script of each letter; bucket = Script id
};
struct ChannelSpec {
  ChannelKind kind;
  uint32_t order;    // n for kCharNgram (1..kMaxNgramOrder); 0 for kScript
  uint32_t buckets;  // rows of the channel's embedding table (> 0)
  uint32_t seed;     // hash seed for kCharNgram
};
constexpr uint32_t kMaxNgramOrder = 8;
constexpr uint32_t kMaxChannels = 16;

struct TextOptions {
  bool lowercase = true;
  bool drop_digits = true;  // digits act as word separators, never features
  uint32_t max_bytes = 0;   // 0: read the whole text; else only the first max_bytes
};

// Hash of a sequence of code points (for kCharNgram); part of the format.
uint32_t hash_code_points(const uint32_t* code_points, uint32_t count, uint32_t seed);
// Maps a 32-bit hash to [0, buckets) without division (multiply-shift).
inline uint32_t bucket_of(uint32_t hash, uint32_t buckets) {
  return static_cast<uint32_t>((static_cast<uint64_t>(hash) * buckets) >> 32);
}

// Streams every feature occurrence of `text` to sink(channel_index, bucket).
// Words are maximal runs of letters; each word is padded with one boundary
// marker (U+0020) on each side; n-grams of order >= 2 may include the
// markers, unigrams never do. Every n-gram occurrence of a word counts once,
// so averaging the sink's rows with equal weight is the paper's bag of
// n-grams weighted by relative frequency. Returns the number of letters seen
// (0 means "no language evidence"). Never allocates.
template <class Sink>
uint32_t extract_features(const uint8_t* text, size_t size, const TextOptions& options,
                          const ChannelSpec* channels, uint32_t channel_count, Sink&& sink);

}  // namespace ffnlp

#include "features/extract.h"

#endif  // FFNLP_TEXT_FEATURES_H_
