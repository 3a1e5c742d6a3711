// The classifier head: what happens to a network's logits. One routine for
// every API (Model::classify/scores/logits, the C API, the CLI):
//   1. the model's log prior (classifier.log_prior) is added, unless the
//      caller asks for Prior::kUniform;
//   1a. the caller's hints (ClassifyOptions::prefer): prefer_weight added
//      to each hinted label's logit, before 1b chooses its group;
//   1b. whole-word evidence for the best allowed label's close neighbours,
//      when the model has it (neighbours.*, heads/neighbour_words.h);
//   1c. on a text of a few words, a fixed weight for the label of each of
//      its words in the lexicon, when the model has one (lexicon.*,
//      heads/lexicon.h);
//   2. an allow-list (ClassifyOptions::only) keeps some labels, and the
//      softmax is renormalised over them;
//   3. top-k in O(n log k) (heads/top_k.h), each answer's probability
//      exp(l - max) / sum_j exp(l_j - max), reliability (probability and
//      letters), the unknown label when there is no evidence.
#ifndef FFNLP_HEADS_CLASSIFIER_H_
#define FFNLP_HEADS_CLASSIFIER_H_

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ffnlp/ffnlp.h"
#include "api/model_access.h"

namespace ffnlp {
namespace internal {

// One call's result, held in the caller's scratch.
struct HeadResult {
  TextStats stats;
  bool answered = false;             // false: no evidence (no letters, no ids)
  float* values = nullptr;           // candidates' logits (prior added), contiguous
  const uint32_t* labels = nullptr;  // candidates' label indices; null: every label, in order
  uint32_t n = 0;                    // candidates
  float logits_max = 0.0f;           // the largest logit of all labels (prior, hints, word heads added)
  float max_value = 0.0f;            // classify: the best candidate's logit
  float inv_sum = 0.0f;              // classify: 1 / sum_j exp(values[j] - max_value)
  const uint32_t* order = nullptr;   // classify: candidate positions, best first
  size_t count = 0;                  // classify: answers (min(k, n))

  uint32_t label_at(size_t r) const { return labels != nullptr ? labels[order[r]] : order[r]; }
  float probability_at(size_t r) const {
    return (r == 0 ? 1.0f : std::exp(values[order[r]] - max_value)) * inv_sum;
  }
};

}  // namespace internal
}  // namespace ffnlp

#endif  // FFNLP_HEADS_CLASSIFIER_H_
