// A second implementation of extract_features() for the plans of language
// identifiers (char_ngram channels, at most one script channel and two
// hashed word channels), on CPUs with AVX2: the text is decoded into a buffer of padded
// words first, then each n-gram channel hashes 8 window positions per
// instruction. Hands over, channel by channel, the very rows
// extract_features() would give that channel, in the same order (the hash
// is integer arithmetic: bit for bit the same rows; tests compare the two).
// Channel-to-channel order differs, which no consumer depends on.
#ifndef FFNLP_FEATURES_EXTRACT_AVX2_H_
#define FFNLP_FEATURES_EXTRACT_AVX2_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/ffnlp.h"

namespace ffnlp {
namespace detail {

// rows[0 .. n) of one channel, next in that channel's text order.
struct RowBatch {
  uint32_t channel;
  const uint32_t* rows;
  uint32_t n;
};

// The most batches one add_group call gets.
constexpr uint32_t kMaxGroupBatches = 6;

// The most hashed word channels a plan here may have (a word table read
// with a second seed is the second).
constexpr uint32_t kMaxHashedWords = 2;

// Receives the rows. add_group (optional; without it, add per batch) gets
// the batches of several distinct channels at once, so that their sums can
// run side by side.
struct RowBatchSink {
  void (*add)(void* context, uint32_t channel, const uint32_t* rows, uint32_t n);
  void* context;
  void (*add_group)(void* context, const RowBatch* batches, uint32_t count) = nullptr;
  // Optional: the word channel's words, each as its full 32-bit hash (the
  // value its row is bucket_of of), in text order (neighbour words read them).
  void (*add_word_hashes)(void* context, const uint32_t* hashes, uint32_t n) = nullptr;
};

// True when extract_rows_avx2 handles this plan on this CPU: a text plan
// (not tokens), only char_ngram, script (at most one), han_variant (at most
// one) and hashed word (at most kMaxHashedWords, no vocabulary) channels,
// and a CPU with AVX2.
bool avx2_extraction_fits(const internal::FeaturePlan& plan);

// extract_features(text, size, plan, ...) for a plan that fits; returns the
// letters read, as it does.
// The n-grams are hashed 16 positions at a time where the CPU has AVX-512F,
// else 8; allow_avx512 = false keeps 8 (the tests compare both).
uint32_t extract_rows_avx2(const uint8_t* text, size_t size, const internal::FeaturePlan& plan, RowBatchSink sink,
                           bool allow_avx512 = true);

}  // namespace detail
}  // namespace ffnlp

#endif  // FFNLP_FEATURES_EXTRACT_AVX2_H_
