// Neighbour words (heads/neighbour_words.h).
#include "heads/neighbour_words.h"

#include "features/word_keys.h"
#include "file/byte_order.h"

namespace ffnlp {
namespace internal {

namespace {

uint32_t u32_at(const uint8_t* p, size_t i) { return read_u32(p + 4 * i); }

// Index of `key` in keys[0 .. n) (ascending), or n.
size_t find_key(const uint8_t* keys, size_t n, uint32_t key) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const uint32_t k = u32_at(keys, mid);
    if (k == key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid;
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
