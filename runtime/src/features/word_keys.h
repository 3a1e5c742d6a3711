// The words of a text as a hashed `word` channel sees them, one 32-bit key
// each: the same decoding, clean-up, lowercasing and digit rule as the
// extraction loop (features/extract.h), word kinds only. Neighbour words
// (heads/neighbour_words.cpp) and the lexicon (heads/lexicon.cpp) read a
// text's words with it; a walker of its own rather than a further
// instantiation of the whole extraction loop, which would cost the wasm
// build about 10 KB. The test
// "word keys equal a word channel's rows" holds the two together.
#ifndef FFNLP_FEATURES_WORD_KEYS_H_
#define FFNLP_FEATURES_WORD_KEYS_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/ffnlp.h"

namespace ffnlp {
namespace detail {

// Calls add(context, key) for each word of text[0 .. size) read with
// options' lowercase / drop_digits / cleanup / max_bytes, in text order;
// key = bucket_of(hash of the word's normalised code points with `seed`,
// buckets). Returns the number of words. With stop_after, the walk ends
// once that many words have been handed over (the lexicon needs to know
// only whether a text has more than a few words): it returns at most
// stop_after.
size_t for_each_word_key(const uint8_t* text, size_t size, const internal::FeaturePlan& options, uint32_t seed,
                         uint32_t buckets, void (*add)(void* context, uint32_t key), void* context,
                         size_t stop_after = SIZE_MAX);

}  // namespace detail
}  // namespace ffnlp

#endif  // FFNLP_FEATURES_WORD_KEYS_H_
