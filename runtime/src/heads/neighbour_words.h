// Neighbour words: evidence from whole words for labels that the network
// confuses with each other (Croatian / Bosnian / Serbian, Malay /
// Indonesian, Danish / Norwegian ...). Their distinctive words share hashed
// rows in the network's word table; here each group of close neighbours has
// its own list of words, each with a score per member (log-odds within the
// group, from the training text's word counts: tools/train/neighbour_words.py).
//
// Precise behaviour (docs/FORMAT.md, "neighbours.*"): after the prior, when
// the best allowed label belongs to a group, every word of the text (the
// model's text options; the key is the row of a `word` channel with seed
// neighbours.seed and 4294967295 buckets; its top 24 bits in a file of
// 24-bit keys, neighbours.key_bits) found in that group's keys adds its
// scores; each member's logit gets weight * its sum. Other labels are
// untouched. Allocates nothing.
#ifndef FFNLP_HEADS_NEIGHBOUR_WORDS_H_
#define FFNLP_HEADS_NEIGHBOUR_WORDS_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/ffnlp.h"

namespace ffnlp {
namespace internal {

constexpr uint32_t kMaxNeighbourGroups = 64;
constexpr uint32_t kMaxNeighbourGroupSize = 16;
constexpr uint32_t kMaxNeighbourWords = 1u << 20;
constexpr uint32_t kNeighbourBuckets = 0xFFFFFFFFu;  // keys: word rows with this many buckets
// forward() keeps the words' hashes when the model's word channel has the
// neighbours' seed (AVX2 path, short texts); this count says it did not.
constexpr uint32_t kNoWordHashes = 0xFFFFFFFFu;

// The best label (the first of the largest logit, `max`) when it belongs
// to a group, else label_count: reads the groups' members, not every logit.
uint32_t best_grouped_label(const NeighbourPlan& plan, const float* logits, uint32_t label_count, float max);

// Adds the words' scores to the logits of best's group (if best has one).
// Returns true when a logit changed.
// `text_options`: the model's feature plan (its lowercase, drop_digits,
// cleanup and max_bytes apply).
// The largest logit of best's group's members; false when one is not finite.
bool group_finite_max(const NeighbourPlan& plan, uint32_t best, const float* logits, float* max);

// `word_hashes`: the words' hashes forward() kept ([0] the count, then the
// hashes), or null / a count of kNoWordHashes: then the text is read again.
bool add_neighbour_evidence(const NeighbourPlan& plan, const FeaturePlan& text_options, const uint8_t* text, size_t size,
                            const uint32_t* word_hashes, uint32_t best, float* logits);

}  // namespace internal
}  // namespace ffnlp

#endif  // FFNLP_HEADS_NEIGHBOUR_WORDS_H_
