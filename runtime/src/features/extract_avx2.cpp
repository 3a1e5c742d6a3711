// extract_rows_avx2 (features/extract_avx2.h). Two passes over a chunk of
// the text:
//  1. Decode exactly as extract_loop does (clean-up, classes, lowercasing)
//     into a buffer of padded words: each word as " w1 .. wL " with, per
//     position, its distance from the word's opening marker and whether it
//     is a letter, an opening or a closing marker. Script, han_variant and
//     word rows are made here (one per word character or Han letter, one per
//     word).
//  2. Per char_ngram channel of order n, 8 positions at a time: the window
//     of the last len code points ending there, len = n, or at a closing
//     marker min(n, distance + 1) (the whole short word), hashed last to
//     first with the channel's seed, finished and bucketed; kept where
//     extract_loop emits one (word characters with a complete window,
//     closing markers for n >= 2).
// A chunk ends between positions; the 8 code points before it stay in
// front of the next chunk, so windows reaching back over a chunk's start
// read what they would have read.
#include "features/extract_avx2.h"

#include <cstring>

#include "features/cleanup.h"
#include "features/text_walk.h"
#include "features/han_variant.h"
#include "features/hash.h"
#include "features/unicode.h"
#include "features/utf8.h"

#if (defined(__SSE2__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__)) && !defined(FFNLP_NO_AVX2)
#define FFNLP_EXTRACT_AVX2 1
#include <immintrin.h>
#endif

namespace ffnlp {
namespace detail {

bool avx2_extraction_fits(const internal::FeaturePlan& plan) {
#if defined(FFNLP_EXTRACT_AVX2)
  if (plan.tokens || plan.script_count > 1 || plan.word_count > kMaxHashedWords || plan.han_count > 1 ||
      plan.prev_count != 0) {
    return false;
  }
  for (uint32_t a = 0; a < plan.word_count; ++a) {
    if (plan.words[a].kind != FeatureKind::kWord || plan.words[a].vocab_count != 0) return false;
  }
  return __builtin_cpu_supports("avx2");
#else
  (void)plan;
  return false;
#endif
}

#if defined(FFNLP_EXTRACT_AVX2)
namespace {

constexpr uint32_t kChunk = 512;             // positions per chunk
constexpr uint32_t kBack = kMaxNgramOrder;   // code points kept in front of a chunk
constexpr uint32_t kMarker = 0x20;
constexpr uint32_t kLetter = 0, kOpen = 1, kClose = 2;  // position kinds

constexpr uint32_t kPad = 16;  // positions past the end that a 16-lane step reads

struct Chunk {
  uint32_t cp_store[kBack + kChunk + kPad];  // [kBack]: the previous chunk's last code points
  uint32_t* cp = cp_store + kBack;
  uint32_t distance[kChunk + kPad];  // from the word's opening marker (saturated)
  uint32_t kind[kChunk + kPad];
  uint32_t n = 0;
  uint32_t script_rows[kChunk];
  uint32_t script_n = 0;
  uint32_t word_rows[kMaxHashedWords][kChunk];  // per word channel
  uint32_t word_hashes[kChunk];  // the first word channel's, only when the sink takes them
  uint32_t word_n = 0;
  uint32_t han_rows[kChunk];
  uint32_t han_n = 0;
  static constexpr uint32_t kGroup = 4;  // n-gram channels hashed before their rows are handed over
  uint32_t rows[kGroup][kChunk + kPad];
  bool wide = false;  // hash 16 positions at a time (AVX-512F)
};

// For each 8-bit mask, the indices of its set bits packed to the front (one
// byte each): the lanes to keep, in order, for one permute.
struct PackTable {
  uint64_t entry[256];
  constexpr PackTable() : entry() {
    for (uint32_t m = 0; m < 256; ++m) {
      uint64_t packed = 0;
      uint32_t k = 0;
      for (uint32_t lane = 0; lane < 8; ++lane) {
        if ((m >> lane) & 1u) packed |= static_cast<uint64_t>(lane) << (8 * k++);
      }
      entry[m] = packed;
    }
  }
};
constexpr PackTable kPack;

__attribute__((target("avx2"))) inline __m256i mullo(__m256i a, uint32_t b) {
  return _mm256_mullo_epi32(a, _mm256_set1_epi32(static_cast<int32_t>(b)));
}

// The char_ngram channel `ch` over positions [0, c.n): its rows to
// rows_out (kChunk + kPad entries); returns how many.
__attribute__((target("avx2"))) uint32_t hash_channel(const Chunk& c, const internal::NgramPlan& ch, uint32_t init,
                                                      uint32_t* rows_out) {
  const uint32_t order = ch.order;
  const __m256i v_order = _mm256_set1_epi32(static_cast<int32_t>(order));
  const __m256i v_order_less1 = _mm256_set1_epi32(static_cast<int32_t>(order) - 1);
  const __m256i v_letter = _mm256_set1_epi32(kLetter), v_close = _mm256_set1_epi32(kClose);
  const __m256i v_one = _mm256_set1_epi32(1);
  const __m256i v_init = _mm256_set1_epi32(static_cast<int32_t>(init));
  const __m256i v_buckets = _mm256_set1_epi32(static_cast<int32_t>(ch.buckets));
  const __m256i close_emits = order >= 2 ? _mm256_set1_epi32(-1) : _mm256_setzero_si256();
  uint32_t out = 0;
  for (uint32_t t = 0; t < c.n; t += 8) {
    const __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c.distance + t));
    const __m256i kind = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c.kind + t));
    const __m256i is_letter = _mm256_cmpeq_epi32(kind, v_letter);
    const __m256i is_close = _mm256_cmpeq_epi32(kind, v_close);
    // Letters: a complete window (d >= order - 1); closing markers: order >= 2.
    const __m256i emit = _mm256_or_si256(_mm256_and_si256(is_letter, _mm256_cmpgt_epi32(d, _mm256_sub_epi32(v_order_less1, v_one))),
                                         _mm256_and_si256(is_close, close_emits));
    const int mask = _mm256_movemask_ps(_mm256_castsi256_ps(emit));
    if (mask == 0) continue;
    // Window length: order, or at a closing marker min(order, d + 1).
    const __m256i len = _mm256_blendv_epi8(v_order, _mm256_min_epu32(v_order, _mm256_add_epi32(d, v_one)), is_close);
    __m256i h = v_init;
    for (uint32_t k = 1; k <= order; ++k) {
      const __m256i cp = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c.cp + t + 1 - k));
      const __m256i stepped = mullo(_mm256_xor_si256(h, cp), kFnvPrime);
      const __m256i active = _mm256_cmpgt_epi32(len, _mm256_set1_epi32(static_cast<int32_t>(k) - 1));
      h = _mm256_blendv_epi8(h, stepped, active);
    }
    // fnv_finish: fmix32(h ^ len); then bucket_of: (h * buckets) >> 32.
    h = _mm256_xor_si256(h, len);
    h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 16));
    h = mullo(h, 0x85EBCA6Bu);
    h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 13));
    h = mullo(h, 0xC2B2AE35u);
    h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 16));
    const __m256i even = _mm256_srli_epi64(_mm256_mul_epu32(h, v_buckets), 32);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(h, 32), v_buckets);
    const __m256i rows = _mm256_blend_epi32(even, odd, 0xAA);
    // The kept lanes packed to the front, stored at rows_out[out] (8 spare
    // entries for the lanes past them).
    const __m256i keep = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(&kPack.entry[mask])));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(rows_out + out), _mm256_permutevar8x32_epi32(rows, keep));
    out += static_cast<uint32_t>(__builtin_popcount(static_cast<unsigned>(mask)));
  }
  return out;
}

#if !defined(FFNLP_NO_AVX512)
#define FFNLP_EXTRACT_AVX512 1
// hash_channel 16 positions at a time: per lane the same integer
// operations, so the same rows in the same order; the kept lanes packed by
// vpcompressd.
__attribute__((target("avx2,avx512f"))) uint32_t hash_channel16(const Chunk& c, const internal::NgramPlan& ch,
                                                               uint32_t init, uint32_t* rows_out) {
  const uint32_t order = ch.order;
  const __m512i v_order = _mm512_set1_epi32(static_cast<int32_t>(order));
  const __m512i v_order_less1 = _mm512_set1_epi32(static_cast<int32_t>(order) - 1);
  const __m512i v_letter = _mm512_set1_epi32(kLetter), v_close = _mm512_set1_epi32(kClose);
  const __m512i v_one = _mm512_set1_epi32(1);
  const __m512i v_init = _mm512_set1_epi32(static_cast<int32_t>(init));
  const __m512i v_buckets = _mm512_set1_epi32(static_cast<int32_t>(ch.buckets));
  const __m512i v_prime = _mm512_set1_epi32(static_cast<int32_t>(kFnvPrime));
  const __m512i v_m1 = _mm512_set1_epi32(static_cast<int32_t>(0x85EBCA6Bu));
  const __m512i v_m2 = _mm512_set1_epi32(static_cast<int32_t>(0xC2B2AE35u));
  const __mmask16 close_emits = order >= 2 ? 0xFFFF : 0;
  uint32_t out = 0;
  for (uint32_t t = 0; t < c.n; t += 16) {
    const __m512i d = _mm512_loadu_si512(c.distance + t);
    const __m512i kind = _mm512_loadu_si512(c.kind + t);
    const __mmask16 is_letter = _mm512_cmpeq_epi32_mask(kind, v_letter);
    const __mmask16 is_close = _mm512_cmpeq_epi32_mask(kind, v_close);
    // Letters: a complete window (d >= order - 1); closing markers: order >= 2.
    const __mmask16 emit = static_cast<__mmask16>(
        _mm512_mask_cmpgt_epi32_mask(is_letter, d, _mm512_sub_epi32(v_order_less1, v_one)) | (is_close & close_emits));
    if (emit == 0) continue;
    // Window length: order, or at a closing marker min(order, d + 1).
    const __m512i len = _mm512_mask_min_epu32(v_order, is_close, v_order, _mm512_add_epi32(d, v_one));
    __m512i h = v_init;
    for (uint32_t k = 1; k <= order; ++k) {
      const __m512i cp = _mm512_loadu_si512(c.cp + t + 1 - k);
      const __mmask16 active = _mm512_cmpgt_epi32_mask(len, _mm512_set1_epi32(static_cast<int32_t>(k) - 1));
      h = _mm512_mask_mullo_epi32(h, active, _mm512_xor_si512(h, cp), v_prime);
    }
    // (The masked forms with every lane selected: the plain ones trip GCC 12's
    // -Wmaybe-uninitialized inside its own headers.)
    // fnv_finish: fmix32(h ^ len); then bucket_of: (h * buckets) >> 32.
    h = _mm512_xor_si512(h, len);
    h = _mm512_xor_si512(h, _mm512_maskz_srli_epi32(0xFFFF, h, 16));
    h = _mm512_mullo_epi32(h, v_m1);
    h = _mm512_xor_si512(h, _mm512_maskz_srli_epi32(0xFFFF, h, 13));
    h = _mm512_mullo_epi32(h, v_m2);
    h = _mm512_xor_si512(h, _mm512_maskz_srli_epi32(0xFFFF, h, 16));
    const __m512i even = _mm512_maskz_srli_epi64(0xFF, _mm512_maskz_mul_epu32(0xFF, h, v_buckets), 32);
    const __m512i odd = _mm512_maskz_mul_epu32(0xFF, _mm512_maskz_srli_epi64(0xFF, h, 32), v_buckets);
    const __m512i rows = _mm512_mask_blend_epi32(0xAAAA, even, odd);
    // The kept lanes packed to the front, stored at rows_out[out] (kPad
    // spare entries for the lanes past them).
    _mm512_storeu_si512(rows_out + out, _mm512_maskz_compress_epi32(emit, rows));
    out += static_cast<uint32_t>(__builtin_popcount(static_cast<unsigned>(emit)));
  }
  return out;
}

bool has_avx512f() { return __builtin_cpu_supports("avx512f"); }
#endif

// Hands over batches[0 .. count) (distinct channels).
inline void hand_over(RowBatchSink sink, const RowBatch* batches, uint32_t count) {
  if (count == 0) return;
  if (sink.add_group != nullptr) {
    sink.add_group(sink.context, batches, count);
  } else {
    for (uint32_t k = 0; k < count; ++k) sink.add(sink.context, batches[k].channel, batches[k].rows, batches[k].n);
  }
}

// Hashes and hands over everything in the chunk, then keeps its last kBack
// code points in front and starts it over.
__attribute__((target("avx2"))) void flush_chunk(Chunk& c, const internal::FeaturePlan& plan, RowBatchSink sink) {
  // Positions past the end (up to the next multiple of 16) emit nothing.
  for (uint32_t p = c.n; p < c.n + kPad; ++p) {
    c.kind[p] = kOpen;
    c.distance[p] = 0;
    c.cp[p] = 0;
  }
  // Up to kGroup n-gram channels hashed, then handed over together (with
  // the word and script rows in the last group, or a group of their own).
  RowBatch group[kMaxGroupBatches];
  static_assert(Chunk::kGroup <= kMaxGroupBatches && kMaxHashedWords + 1 <= kMaxGroupBatches,
                "a group holds kGroup n-gram channels, or the word and script rows");
  uint32_t count = 0;
  for (uint32_t a = 0; a < plan.ngram_count; ++a) {
    const internal::NgramPlan& ch = plan.ngrams[a];
    uint32_t* rows = c.rows[count];
    const uint32_t init = plan.group_init[ch.state / (kMaxNgramOrder + 1)];
#if defined(FFNLP_EXTRACT_AVX512)
    const uint32_t n = c.wide ? hash_channel16(c, ch, init, rows) : hash_channel(c, ch, init, rows);
#else
    const uint32_t n = hash_channel(c, ch, init, rows);
#endif
    if (n != 0) group[count++] = {ch.channel, rows, n};
    if (count == Chunk::kGroup) {
      hand_over(sink, group, count);
      count = 0;
    }
  }
  if (c.word_n != 0 && sink.add_word_hashes != nullptr) sink.add_word_hashes(sink.context, c.word_hashes, c.word_n);
  if (count + plan.word_count + 1 > kMaxGroupBatches) {
    hand_over(sink, group, count);
    count = 0;
  }
  for (uint32_t a = 0; a < plan.word_count && c.word_n != 0; ++a) {
    group[count++] = {plan.words[a].channel, c.word_rows[a], c.word_n};
  }
  if (c.script_n != 0) group[count++] = {plan.scripts[0].channel, c.script_rows, c.script_n};
  hand_over(sink, group, count);
  if (c.han_n != 0) {  // its own batch, after the word and script rows
    const RowBatch han = {plan.hans[0].channel, c.han_rows, c.han_n};
    hand_over(sink, &han, 1);
  }
  if (c.n >= kBack) {
    std::memcpy(c.cp_store, c.cp + c.n - kBack, sizeof(uint32_t) * kBack);
  } else {
    std::memmove(c.cp_store + (kBack - c.n), c.cp, sizeof(uint32_t) * c.n);
  }
  c.n = 0;
  c.script_n = 0;
  c.word_n = 0;
  c.han_n = 0;
}

template <bool kCleanup>
__attribute__((target("avx2"))) uint32_t extract_chunks(const uint8_t* text, size_t end,
                                                        const internal::FeaturePlan& plan, RowBatchSink sink,
                                                        bool wide) {
  Chunk c;
  std::memset(c.cp_store, 0, sizeof(uint32_t) * kBack);
  c.wide = wide;
  const bool lowercase = plan.lowercase;
  const bool keep_digits = !plan.drop_digits;
  const bool laughter = plan.cleanup == 2;
  const bool has_script = plan.script_count == 1;
  const uint32_t script_buckets = has_script ? plan.scripts[0].buckets : 0;
  const bool has_han = plan.han_count == 1;
  const uint32_t words = plan.word_count;  // hashed word channels (<= kMaxHashedWords)
  const bool has_word = words != 0;
  uint32_t word_init[kMaxHashedWords] = {}, word_buckets[kMaxHashedWords] = {};
  for (uint32_t a = 0; a < words; ++a) {
    word_init[a] = kFnvOffset ^ plan.words[a].seed;
    word_buckets[a] = plan.words[a].buckets;
  }
  const bool keep_hashes = sink.add_word_hashes != nullptr;
  uint32_t word_hash[kMaxHashedWords] = {};
  uint32_t word_len = 0;  // code points of the current word (mod 2^32); 0: not in a word
  bool in_word = false;
  size_t letters = 0;
  bool token_start = true;

  auto end_word = [&]() {
    if (!in_word) return;
    c.cp[c.n] = kMarker;
    c.kind[c.n] = kClose;
    c.distance[c.n] = word_len < kChunk ? word_len + 1 : kChunk;
    ++c.n;
    if (has_word) {
      for (uint32_t a = 0; a < words; ++a) {
        const uint32_t hash = fnv_finish(word_hash[a], word_len);
        if (a == 0 && keep_hashes) c.word_hashes[c.word_n] = hash;
        c.word_rows[a][c.word_n] = bucket_of(hash, word_buckets[a]);
      }
      ++c.word_n;
    }
    in_word = false;
  };

  size_t i = 0;
  while (i < end) {
    uint32_t cp, info;
    if (!next_char<kCleanup>(text, end, &i, &token_start, laughter, &cp, &info)) {
      end_word();
      continue;
    }
    const uint32_t cls = class_from_info(info);
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
    // Room for this character, its closing marker and an opening marker.
    if (c.n + 3 > kChunk) flush_chunk(c, plan, sink);
    if (!in_word) {
      in_word = true;
      word_len = 0;
      for (uint32_t a = 0; a < words; ++a) word_hash[a] = word_init[a];
      c.cp[c.n] = kMarker;
      c.kind[c.n] = kOpen;
      c.distance[c.n] = 0;
      ++c.n;
    }
    ++word_len;
    c.cp[c.n] = cp;
    c.kind[c.n] = kLetter;
    c.distance[c.n] = word_len < kChunk ? word_len : kChunk;
    ++c.n;
    if (has_script) c.script_rows[c.script_n++] = script < script_buckets ? script : script_buckets - 1;
    if (has_han && script == static_cast<uint32_t>(Script::kHan)) {
      c.han_rows[c.han_n++] = static_cast<uint32_t>(han_variant_of(cp));
    }
    for (uint32_t a = 0; a < words; ++a) word_hash[a] = fnv_step(word_hash[a], cp);
  }
  end_word();
  flush_chunk(c, plan, sink);
  return letters < 0xFFFFFFFFu ? static_cast<uint32_t>(letters) : 0xFFFFFFFFu;
}

}  // namespace

uint32_t extract_rows_avx2(const uint8_t* text, size_t size, const internal::FeaturePlan& plan, RowBatchSink sink,
                           bool allow_avx512) {
  if (text == nullptr) return 0;
  const size_t end = text_end(text, size, plan.max_bytes);
#if defined(FFNLP_EXTRACT_AVX512)
  const bool wide = allow_avx512 && has_avx512f();
#else
  const bool wide = false;
  (void)allow_avx512;
#endif
  return plan.cleanup != 0 ? extract_chunks<true>(text, end, plan, sink, wide)
                           : extract_chunks<false>(text, end, plan, sink, wide);
}

#else

uint32_t extract_rows_avx2(const uint8_t*, size_t, const internal::FeaturePlan&, RowBatchSink, bool) { return 0; }

#endif

}  // namespace detail
}  // namespace ffnlp
