// Inline part of text_features.h: hot-path helpers and the extract_features
// template. Include text_features.h, not this file.
#ifndef FFNLP_TEXT_FEATURES_INL_H_
#define FFNLP_TEXT_FEATURES_INL_H_

#include <cstddef>
#include <cstdint>

#include "features/text_features.h"

namespace ffnlp {
namespace detail {

// ---- Character tables (generated: text_tables.cpp / tools/text_tables/gen_text_tables.py) ---
// One uint16 per code point below kCharTableLimit, two-level lookup:
//   entry = kCharBlocks[(kCharBlockIndex[cp >> kCharBlockBits] << kCharBlockBits)
//                       | (cp & (2^kCharBlockBits - 1))]
//   bits 0-1: CharClass, bits 2-7: Script, bits 8-15: index into kLowerDelta
//   (lowercase = cp + kLowerDelta[index]).
// Block 0 (ASCII and the rest of U+0000-007F) is stored at offset 0, so
// kCharBlocks[b] is the entry of ASCII byte b.
constexpr uint32_t kCharTableLimit = 0x40000;
constexpr uint32_t kCharBlockBits = 7;
extern const int32_t kLowerDelta[256];
extern const uint16_t kCharBlockIndex[kCharTableLimit >> kCharBlockBits];
extern const uint16_t kCharBlocks[];

constexpr uint32_t kInfoClassMask = 3;
constexpr uint32_t kInfoScriptShift = 2;
constexpr uint32_t kInfoScriptMask = 63;
constexpr uint32_t kInfoLowerShift = 8;
// Entries for code points >= kCharTableLimit (checked by the generator):
// variation selectors supplement E0100-E01EF are combining marks (letter,
// Common); everything else there (unassigned, tags, private use) separates.
constexpr uint32_t kInfoLetterCommon = static_cast<uint32_t>(CharClass::kLetter);
constexpr uint32_t kInfoSeparator = static_cast<uint32_t>(CharClass::kSeparator);

inline uint32_t char_info(uint32_t cp) {
  if (cp < kCharTableLimit) {
    const uint32_t block = kCharBlockIndex[cp >> kCharBlockBits];
    return kCharBlocks[(block << kCharBlockBits) | (cp & ((1u << kCharBlockBits) - 1))];
  }
  return cp - 0xE0100u < 0xF0u ? kInfoLetterCommon : kInfoSeparator;
}

inline uint32_t lower_from_info(uint32_t cp, uint32_t info) {
  return static_cast<uint32_t>(static_cast<int32_t>(cp) + kLowerDelta[info >> kInfoLowerShift]);
}

// ---- UTF-8 (strict, Unicode Table 3-7 "well-formed byte sequences") --------
inline size_t decode_utf8_inline(const uint8_t* s, size_t n, uint32_t* code_point) {
  const uint32_t b0 = s[0];
  if (b0 < 0x80) {
    *code_point = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (n >= 2) {
      const uint32_t b1 = s[1];
      if ((b1 & 0xC0) == 0x80) {
        *code_point = ((b0 & 0x1F) << 6) | (b1 & 0x3F);
        return 2;
      }
    }
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (n >= 3) {
      const uint32_t b1 = s[1], b2 = s[2];
      // E0: A0-BF (no overlongs); ED: 80-9F (no surrogates).
      const uint32_t lo = b0 == 0xE0 ? 0xA0 : 0x80;
      const uint32_t hi = b0 == 0xED ? 0x9F : 0xBF;
      if (b1 >= lo && b1 <= hi && (b2 & 0xC0) == 0x80) {
        *code_point = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
        return 3;
      }
    }
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (n >= 4) {
      const uint32_t b1 = s[1], b2 = s[2], b3 = s[3];
      // F0: 90-BF (no overlongs); F4: 80-8F (<= U+10FFFF).
      const uint32_t lo = b0 == 0xF0 ? 0x90 : 0x80;
      const uint32_t hi = b0 == 0xF4 ? 0x8F : 0xBF;
      if (b1 >= lo && b1 <= hi && (b2 & 0xC0) == 0x80 && (b3 & 0xC0) == 0x80) {
        *code_point =
            ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((b2 & 0x3F) << 6) | (b3 & 0x3F);
        return 4;
      }
    }
  }
  // 80-BF lone continuation, C0/C1 (always overlong), F5-FF, bad or missing
  // continuation bytes: one replacement character per byte.
  *code_point = kReplacementChar;
  return 1;
}

// End of the text to read: all of it, or the last character boundary
// <= max_bytes (a character straddling max_bytes is dropped whole). The
// boundaries are the positions decode_utf8 visits when decoding the whole
// text; a non-continuation byte is always one, so only the (at most 3) bytes
// before max_bytes need a look.
inline size_t text_end(const uint8_t* s, size_t size, uint32_t max_bytes) {
  if (max_bytes == 0 || max_bytes >= size) return size;
  const size_t end = max_bytes;
  for (size_t k = end; k > 0 && end - k < 3;) {
    --k;
    if ((s[k] & 0xC0) != 0x80) {
      uint32_t cp;
      const size_t len = decode_utf8_inline(s + k, size - k, &cp);
      return k + len > end ? k : end;
    }
  }
  return end;
}

// ---- Hash (part of the model format) --------------------------------------
// murmur3's 32-bit finaliser.
inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}
constexpr uint32_t kFnvOffset = 0x811C9DC5u;
constexpr uint32_t kFnvPrime = 0x01000193u;
// FNV-1a over whole 32-bit code points (not bytes), taken from the LAST code
// point to the first, seeded through the offset basis; then the count is mixed
// in and the murmur3 finaliser applied:
//   h = 0x811C9DC5 ^ seed
//   for i = count-1 .. 0:  h = (h ^ cp[i]) * 0x01000193
//   hash = fmix32(h ^ count)
// Last-to-first lets extract_features share one running state among all the
// n-grams (orders 1..N) that end at the same character; the count in the
// finaliser makes n-grams of different lengths hash differently.
inline uint32_t fnv_step(uint32_t h, uint32_t cp) { return (h ^ cp) * kFnvPrime; }
inline uint32_t hash_code_points_inline(const uint32_t* code_points, uint32_t count,
                                        uint32_t seed) {
  uint32_t h = kFnvOffset ^ seed;
  for (uint32_t i = count; i > 0; --i) h = fnv_step(h, code_points[i - 1]);
  return fmix32(h ^ count);
}

}  // namespace detail

// ---- extract_features -----------------------------------------------------
// Precise behaviour (part of the model format):
//  * Reads text[0, end) where end = size, or with options.max_bytes != 0 the
//    last character boundary <= max_bytes.
//  * Decodes strictly (decode_utf8); invalid bytes become U+FFFD, which
//    separates words. Each code point is classified by normalize_char:
//    letters (incl. combining marks) are word characters, lowercased when
//    options.lowercase; digits are separators when options.drop_digits, else
//    word characters (never lowercased, script Common, not counted as
//    letters); everything else separates words.
//  * A word w1..wL (L >= 1) is padded to " w1 .. wL " (U+0020 marker). For a
//    kCharNgram channel of order n:
//      n == 1: the L word characters (never the markers);
//      n >= 2 and L + 2 >= n: all L + 3 - n windows of n consecutive code
//        points of the padded word;
//      n >= 2 and L + 2 < n: ONE feature, the whole padded word (L + 2 code
//        points), so short words still count in high-order channels.
//    bucket = bucket_of(hash_code_points(window, window_len, channel.seed),
//                       channel.buckets).
//    Orders are told apart by window_len, which the hash mixes in.
//  * kScript channel: one feature per word character, bucket =
//    script_of(original code point) (Common for digits), clamped to
//    buckets - 1.
//  * Emission order: at each word character, the n-gram channels in index
//    order (the window ending at that character, if complete), then the
//    script channels in index order; at each word end, every n-gram channel of
//    order >= 2 in index order (the window ending at the closing marker, or
//    the whole short word). Consumers should not depend on the order.
//  * Channels with an invalid spec (buckets == 0, n-gram order not in
//    1..kMaxNgramOrder, unknown kind) emit nothing; only the first
//    kMaxChannels channels are used.
//  * Returns the number of letters (CharClass::kLetter code points) read,
//    saturated at 2^32 - 1.
// Time O(end + features), memory O(1): the last kMaxNgramOrder code points of
// the current word live in a ring buffer stored twice so that every window is
// contiguous; n-gram channels with the same seed share one running hash state
// per position (max order steps per character, not the sum of the orders).
template <class Sink>
uint32_t extract_features(const uint8_t* text, size_t size, const TextOptions& options,
                          const ChannelSpec* channels, uint32_t channel_count, Sink&& sink) {
  if (text == nullptr) return 0;
  if (channels == nullptr) channel_count = 0;
  const size_t end = detail::text_end(text, size, options.max_bytes);

  struct Ngram {
    uint32_t index;    // channel index reported to the sink
    uint32_t order;    // n
    uint32_t buckets;
    uint32_t state;    // offset of its hash group's states in `state`
  };
  struct ScriptChannel {
    uint32_t index;
    uint32_t buckets;
  };
  Ngram ngrams[kMaxChannels];
  ScriptChannel scripts[kMaxChannels];
  uint32_t num_ngrams = 0, num_scripts = 0;
  uint32_t group_init[kMaxChannels];   // kFnvOffset ^ seed
  uint32_t group_seed[kMaxChannels];
  uint32_t group_order[kMaxChannels];  // max order in the group
  uint32_t num_groups = 0;
  const uint32_t usable = channel_count < kMaxChannels ? channel_count : kMaxChannels;
  for (uint32_t c = 0; c < usable; ++c) {
    const ChannelSpec& spec = channels[c];
    if (spec.buckets == 0) continue;
    if (spec.kind == ChannelKind::kCharNgram) {
      if (spec.order < 1 || spec.order > kMaxNgramOrder) continue;
      uint32_t g = 0;
      while (g < num_groups && group_seed[g] != spec.seed) ++g;
      if (g == num_groups) {
        group_seed[g] = spec.seed;
        group_init[g] = detail::kFnvOffset ^ spec.seed;
        group_order[g] = 0;
        ++num_groups;
      }
      if (spec.order > group_order[g]) group_order[g] = spec.order;
      ngrams[num_ngrams++] = {c, spec.order, spec.buckets, g * (kMaxNgramOrder + 1)};
    } else if (spec.kind == ChannelKind::kScript) {
      scripts[num_scripts++] = {c, spec.buckets};
    }
  }

  const bool lowercase = options.lowercase;
  const bool keep_digits = !options.drop_digits;
  constexpr uint32_t kMarker = 0x20;
  constexpr uint32_t kRing = kMaxNgramOrder;
  static_assert((kRing & (kRing - 1)) == 0, "ring size must be a power of two");
  // ring[p] == ring[p + kRing]; the k-th last pushed code point (k >= 1) is
  // ring[pos + kRing - k].
  uint32_t ring[2 * kRing] = {};
  uint32_t pos = 0;
  uint32_t filled = 0;  // code points of the current padded word in the ring (<= kRing)
  size_t word_len = 0;  // word characters so far in the current word; 0: none
  size_t letters = 0;
  // state[g * (kMaxNgramOrder + 1) + k]: running hash of group g (n-gram
  // channels with the same seed) over the last k code points.
  uint32_t state[kMaxChannels * (kMaxNgramOrder + 1)];

  auto push = [&](uint32_t cp) {
    ring[pos] = cp;
    ring[pos + kRing] = cp;
    pos = (pos + 1) & (kRing - 1);
    filled += filled < kRing;
  };
  auto update_states = [&]() {
    const uint32_t* last = ring + pos + kRing - 1;  // newest code point
    for (uint32_t g = 0; g < num_groups; ++g) {
      const uint32_t steps = group_order[g] < filled ? group_order[g] : filled;
      uint32_t h = group_init[g];
      uint32_t* out = state + g * (kMaxNgramOrder + 1);
      // for k in 1..steps: h = fnv_step(h, last[1 - k]); out[k] = h
      // unrolled (steps <= kMaxNgramOrder == 8): no loop control per step.
      static_assert(kMaxNgramOrder == 8, "unrolled for 8 steps");
#define FFNLP_FNV_STEP(k)                        \
  if (steps < (k)) continue;                     \
  h = detail::fnv_step(h, *(last + 1 - (k)));    \
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
  };
  auto emit = [&](const Ngram& ch, uint32_t len) {
    sink(ch.index, bucket_of(detail::fmix32(state[ch.state + len] ^ len), ch.buckets));
  };
  auto end_word = [&]() {
    push(kMarker);
    update_states();
    for (uint32_t a = 0; a < num_ngrams; ++a) {
      const Ngram& ch = ngrams[a];
      // filled == min(L + 2, kRing) >= order, or the whole short word.
      if (ch.order >= 2) emit(ch, ch.order <= filled ? ch.order : filled);
    }
    word_len = 0;
    filled = 0;
  };

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
    const uint32_t cls = info & detail::kInfoClassMask;
    uint32_t script;
    if (cls == static_cast<uint32_t>(CharClass::kLetter)) {
      ++letters;
      script = (info >> detail::kInfoScriptShift) & detail::kInfoScriptMask;
      if (lowercase) cp = detail::lower_from_info(cp, info);
    } else if (cls == static_cast<uint32_t>(CharClass::kDigit) && keep_digits) {
      script = static_cast<uint32_t>(Script::kCommon);
    } else {
      if (word_len != 0) end_word();
      continue;
    }
    if (word_len == 0) push(kMarker);
    push(cp);
    ++word_len;
    update_states();
    if (filled == kRing) {  // inside long words every window is complete
      for (uint32_t a = 0; a < num_ngrams; ++a) emit(ngrams[a], ngrams[a].order);
    } else {
      for (uint32_t a = 0; a < num_ngrams; ++a) {
        if (filled >= ngrams[a].order) emit(ngrams[a], ngrams[a].order);
      }
    }
    for (uint32_t a = 0; a < num_scripts; ++a) {
      const ScriptChannel& ch = scripts[a];
      sink(ch.index, script < ch.buckets ? script : ch.buckets - 1);
    }
  }
  if (word_len != 0) end_word();
  return letters < 0xFFFFFFFFu ? static_cast<uint32_t>(letters) : 0xFFFFFFFFu;
}

}  // namespace ffnlp

#endif  // FFNLP_TEXT_FEATURES_INL_H_
