// The lexicon: whole words that name one label, for texts of a few words.
// On a bare greeting ("Hola", "Merci", "Danke") the character n-grams have
// too little to go on and the network is often wrong; a list of words, each
// belonging to one label (tools/train/lexicon_words.py), does not depend on
// the network's rows (tools/train/EXPERIMENTS.md, "The written family's
// words as a lexicon for short texts": tools/train/lexicon_sim.py simulated
// exactly this rule).
//
// Precise behaviour (docs/FORMAT.md, "lexicon.*"): after the prior and the
// neighbour words, when the text has 1 to max_words words (the model's text
// options; cut as a `word` channel cuts them), each occurrence of a word
// whose key (the row of a `word` channel with seed lexicon.seed and
// 4294967295 buckets) has the high bits of an entry adds lexicon.weight to
// that entry's label's logit. An entry is (key & ~label_mask) | label: the
// label in the key's low bits makes an entry 4 bytes (the mask and the
// limits: format::lexicon_label_mask and kMaxLexicon* in ffnlp/toolkit.h).
//
// Cost: nothing for a text with more words than max_words when the model
// has a word-level channel (forward() counted its words); else at most
// max_words + 1 words read (the text's keys kept by forward() when the seeds
// agree), and a binary search per word. Allocates nothing.
#ifndef FFNLP_HEADS_LEXICON_H_
#define FFNLP_HEADS_LEXICON_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/ffnlp.h"

namespace ffnlp {
namespace internal {

// The text's word count when forward() did not count it.
constexpr uint32_t kUnknownWords = 0xFFFFFFFFu;

// The channel whose occurrences count a text's words (a word, prefix,
// suffix or shape channel that gives one row per word), or
// LexiconPlan::kNoChannel.
uint32_t word_count_channel(const FeaturePlan& plan);

// Adds the lexicon's weight to the logits of the labels of the text's words
// found in it, when the text has 1 .. plan.max_words words. `words`: the
// text's word count as forward() counted it, or kUnknownWords.
// `word_hashes`: the words' hashes forward() kept ([0] the count, then the
// hashes) when their seed is plan.seed, else null (or a count of
// kNoWordHashes): then the text is read. Returns true when a logit changed,
// with *changed_max the largest changed logit (every change adds, so the
// largest logit is the larger of it and the one before).
bool add_lexicon_evidence(const LexiconPlan& plan, const FeaturePlan& text_options, const uint8_t* text, size_t size,
                          uint32_t words, const uint32_t* word_hashes, float* logits, float* changed_max);

}  // namespace internal
}  // namespace ffnlp

#endif  // FFNLP_HEADS_LEXICON_H_
