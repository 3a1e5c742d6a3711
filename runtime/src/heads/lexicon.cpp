// The lexicon (heads/lexicon.h).
#include "heads/lexicon.h"

#include <limits>

#include "features/word_keys.h"
#include "ffnlp/features.h"
#include "ffnlp/toolkit.h"
#include "heads/key_search.h"
#include "heads/neighbour_words.h"

namespace ffnlp {
namespace internal {

uint32_t word_count_channel(const FeaturePlan& plan) {
  for (uint32_t a = 0; a < plan.word_count; ++a) {
    const WordPlan& w = plan.words[a];
    // A vocabulary without hashed rows gives nothing for the other words.
    if (w.kind != FeatureKind::kWord || w.vocab_count == 0 || w.oov_buckets != 0) return w.channel;
  }
  return LexiconPlan::kNoChannel;
}

namespace {

// The keys of a text's first words: max_words + 1 are enough to tell a
// text that is too long.
struct Keys {
  uint32_t key[format::kMaxLexiconWords + 1];
  uint32_t n = 0;
  static void add(void* context, uint32_t key) {
    Keys& k = *static_cast<Keys*>(context);
    if (k.n < format::kMaxLexiconWords + 1) k.key[k.n++] = key;
  }
};

}  // namespace

bool add_lexicon_evidence(const LexiconPlan& plan, const FeaturePlan& text_options, const uint8_t* text, size_t size,
                          uint32_t words, const uint32_t* word_hashes, float* logits, float* changed_max) {
  if (plan.count == 0 || (words != kUnknownWords && (words == 0 || words > plan.max_words))) return false;
  Keys keys;
  size_t total = 0;
  if (word_hashes != nullptr && word_hashes[0] != kNoWordHashes) {
    total = word_hashes[0];
    if (total == 0 || total > plan.max_words) return false;
    for (uint32_t w = 1; w <= total; ++w) keys.key[keys.n++] = bucket_of(word_hashes[w], kNeighbourBuckets);
  } else {
    total = detail::for_each_word_key(text, size, text_options, plan.seed, kNeighbourBuckets, &Keys::add, &keys,
                                      plan.max_words + 1);
    if (total == 0 || total > plan.max_words) return false;
  }
  // Each word: the entries of its key's high bits, one per label it names.
  const uint32_t high = ~plan.label_mask;
  bool changed = false;
  float largest = -std::numeric_limits<float>::infinity();
  for (uint32_t w = 0; w < keys.n; ++w) {
    const uint32_t prefix = keys.key[w] & high;
    for (size_t i = lower_bound_key(plan.entries, plan.count, prefix); i < plan.count; ++i) {
      const uint32_t entry = u32_at(plan.entries, i);
      if ((entry & high) != prefix) break;
      float& logit = logits[entry & plan.label_mask];
      logit += plan.weight;
      largest = logit > largest ? logit : largest;
      changed = true;
    }
  }
  *changed_max = largest;
  return changed;
}

}  // namespace internal
}  // namespace ffnlp
