// Neighbour words (heads/neighbour_words.h).
#include "heads/neighbour_words.h"

#include "features/word_keys.h"
#include "network/kernels.h"
#include "file/byte_order.h"

namespace ffnlp {
namespace internal {

namespace {

uint32_t u32_at(const uint8_t* p, size_t i) { return read_u32(p + 4 * i); }

// Index of `key` in keys[0 .. n) (strictly ascending), or n. The keys are
// hashes, spread evenly over 32 bits: interpolation search takes two or
// three probes where a binary search takes nine.
size_t find_key(const uint8_t* keys, size_t n, uint32_t key) {
  if (n == 0) return n;
  size_t lo = 0, hi = n - 1;
  uint32_t lo_key = u32_at(keys, lo), hi_key = u32_at(keys, hi);
  while (key >= lo_key && key <= hi_key) {
    if (hi_key == lo_key) return key == lo_key ? lo : n;
    // lo <= mid <= hi: (key - lo_key) / (hi_key - lo_key) is in [0, 1].
    const size_t mid = lo + static_cast<size_t>((static_cast<uint64_t>(key - lo_key) * (hi - lo)) / (hi_key - lo_key));
    const uint32_t k = u32_at(keys, mid);
    if (k == key) return mid;
    if (k < key) {
      lo = mid + 1;
      if (lo > hi) return n;
      lo_key = u32_at(keys, lo);
    } else {
      if (mid == 0) return n;
      hi = mid - 1;
      if (hi < lo) return n;
      hi_key = u32_at(keys, hi);
    }
  }
  return n;
}

// The scores of the words found, summed per member in quantized steps
// (integers: exact, whatever the order).
struct GroupSums {
  const uint8_t* keys;
  const uint8_t* scores;
  size_t word_count;
  uint32_t group_size;
  int32_t zero_point;
  int32_t sums[kMaxNeighbourGroupSize];
  uint32_t hits;

  static void add(void* context, uint32_t key) {
    GroupSums& g = *static_cast<GroupSums*>(context);
    const size_t j = find_key(g.keys, g.word_count, key);
    if (j == g.word_count) return;
    const uint8_t* row = g.scores + j * g.group_size;
    for (uint32_t m = 0; m < g.group_size; ++m) {
      // Saturating: a text of over 16 million scored words stops adding.
      const int64_t sum = static_cast<int64_t>(g.sums[m]) + (static_cast<int32_t>(row[m]) - g.zero_point);
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

bool add_neighbour_evidence(const NeighbourPlan& plan, const FeaturePlan& text_options, const uint8_t* text, size_t size,
                            uint32_t best, float* logits) {
  if (plan.group_count == 0 || text == nullptr || size == 0) return false;
  // best's group: where its words, scores and members start.
  size_t member_base = 0, word_base = 0, score_base = 0;
  uint32_t group_size = 0, word_count = 0;
  bool found = false;
  for (uint32_t g = 0; g < plan.group_count && !found; ++g) {
    group_size = u32_at(plan.sizes, g);
    word_count = u32_at(plan.word_counts, g);
    for (uint32_t m = 0; m < group_size; ++m) found = found || u32_at(plan.labels, member_base + m) == best;
    if (found) break;
    member_base += group_size;
    word_base += word_count;
    score_base += static_cast<size_t>(word_count) * group_size;
  }
  if (!found) return false;
  const uint8_t* keys = plan.words + 4 * word_base;
  const uint8_t* scores = plan.scores + score_base;
  GroupSums g{keys, scores, word_count, group_size, plan.zero_point, {}, 0};
  detail::for_each_word_key(text, size, text_options, plan.seed, kNeighbourBuckets, &GroupSums::add, &g);
  if (g.hits == 0) return false;
  const int32_t* sums = g.sums;
  const float step = plan.weight * plan.scale;
  for (uint32_t m = 0; m < group_size; ++m) {
    logits[u32_at(plan.labels, member_base + m)] += step * static_cast<float>(sums[m]);
  }
  return true;
}

}  // namespace internal
}  // namespace ffnlp
