// Neighbour words (heads/neighbour_words.h).
#include "heads/neighbour_words.h"

#include <cmath>

#include "features/word_keys.h"
#include "heads/key_search.h"
#include "ffnlp/features.h"
#include "network/kernels.h"
#include "file/byte_order.h"

namespace ffnlp {
namespace internal {

namespace {

// The scores of the words found, summed per member in quantized steps
// (integers: exact, whatever the order). `scores` is the tensor's one row,
// `first` the group's first score in it (q4_row: two scores a byte).
struct GroupSums {
  const uint8_t* keys;
  const uint8_t* scores;
  size_t first;
  bool q4;
  size_t word_count;
  uint32_t group_size;
  int32_t zero_point;
  int32_t sums[kMaxNeighbourGroupSize];
  uint32_t hits;

  // `key` is the word's 32-bit key; a file of 3-byte keys holds its top 24 bits.
  template <unsigned kBytes>
  static void add(void* context, uint32_t key) {
    GroupSums& g = *static_cast<GroupSums*>(context);
    const size_t j = find_key<kBytes>(g.keys, g.word_count, key >> (32 - 8 * kBytes));
    if (j == g.word_count) return;
    const size_t at = g.first + j * g.group_size;
    for (uint32_t m = 0; m < g.group_size; ++m) {
      const int32_t q = g.q4 ? q4_at(g.scores, at + m) : g.scores[at + m];
      // Saturating: a text of over 16 million scored words stops adding.
      const int64_t sum = static_cast<int64_t>(g.sums[m]) + (q - g.zero_point);
      g.sums[m] = sum > INT32_MAX ? INT32_MAX : sum < INT32_MIN ? INT32_MIN : static_cast<int32_t>(sum);
    }
    ++g.hits;
  }
};

}  // namespace

uint32_t best_grouped_label(const NeighbourPlan& plan, const float* logits, uint32_t label_count, float max) {
  uint32_t members = 0;
  for (uint32_t g = 0; g < plan.group_count; ++g) members += u32_at(plan.sizes, g);
  uint32_t best = label_count;
  for (uint32_t i = 0; i < members; ++i) {
    const uint32_t label = u32_at(plan.labels, i);
    if (logits[label] == max && label < best) best = label;
  }
  // A label before it with the same logit comes first, and is in no group.
  if (best < label_count && first_index_of(logits, best, max) < best) return label_count;
  return best;
}

namespace {

// Where one group's members, words and scores start.
struct GroupAt {
  size_t member_base = 0, word_base = 0, score_base = 0;
  uint32_t size = 0, words = 0;
};

// The group holding `label`; false when none does.
bool find_group(const NeighbourPlan& plan, uint32_t label, GroupAt* at) {
  GroupAt g;
  for (uint32_t i = 0; i < plan.group_count; ++i) {
    g.size = u32_at(plan.sizes, i);
    g.words = u32_at(plan.word_counts, i);
    for (uint32_t m = 0; m < g.size; ++m) {
      if (u32_at(plan.labels, g.member_base + m) == label) {
        *at = g;
        return true;
      }
    }
    g.member_base += g.size;
    g.word_base += g.words;
    g.score_base += static_cast<size_t>(g.words) * g.size;
  }
  return false;
}

// Each word of the text looked up in g's keys (kBytes each): from the
// hashes forward() kept, else read from the text again.
template <unsigned kBytes>
void sum_words(const NeighbourPlan& plan, const FeaturePlan& text_options, const uint8_t* text, size_t size,
               const uint32_t* word_hashes, GroupSums* g) {
  if (word_hashes != nullptr && word_hashes[0] != kNoWordHashes) {
    for (uint32_t w = 1; w <= word_hashes[0]; ++w) GroupSums::add<kBytes>(g, bucket_of(word_hashes[w], kNeighbourBuckets));
  } else {
    detail::for_each_word_key(text, size, text_options, plan.seed, kNeighbourBuckets, &GroupSums::add<kBytes>, g);
  }
}

}  // namespace

bool group_finite_max(const NeighbourPlan& plan, uint32_t best, const float* logits, float* max) {
  GroupAt at;
  if (!find_group(plan, best, &at)) return true;
  bool finite = true;
  float largest = logits[u32_at(plan.labels, at.member_base)];
  for (uint32_t m = 0; m < at.size; ++m) {
    const float v = logits[u32_at(plan.labels, at.member_base + m)];
    finite = finite && std::isfinite(v);
    largest = v > largest ? v : largest;
  }
  *max = largest;
  return finite;
}

bool add_neighbour_evidence(const NeighbourPlan& plan, const FeaturePlan& text_options, const uint8_t* text, size_t size,
                            const uint32_t* word_hashes, uint32_t best, float* logits) {
  GroupAt at;
  if (plan.group_count == 0 || text == nullptr || size == 0 || !find_group(plan, best, &at)) return false;
  GroupSums g{plan.words + plan.key_bytes * at.word_base, plan.scores, at.score_base, plan.bits == 4, at.words, at.size,
              plan.zero_point, {}, 0};
  // The key width is chosen once per text, not per word.
  if (plan.key_bytes == 3) sum_words<3>(plan, text_options, text, size, word_hashes, &g);
  else sum_words<4>(plan, text_options, text, size, word_hashes, &g);
  if (g.hits == 0) return false;
  const float step = plan.weight * plan.scale;
  for (uint32_t m = 0; m < at.size; ++m) {
    logits[u32_at(plan.labels, at.member_base + m)] += step * static_cast<float>(g.sums[m]);
  }
  return true;
}

}  // namespace internal
}  // namespace ffnlp
