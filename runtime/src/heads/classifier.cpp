// The classifier head (heads/classifier.h): labels, prior, hints, neighbour
// words, lexicon, allow-list, top-k, probabilities, reliability, the unknown
// label. Nothing here allocates.
#include "heads/classifier.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "file/byte_order.h"
#include "heads/lexicon.h"
#include "heads/neighbour_words.h"
#include "heads/top_k.h"
#include "network/kernels.h"

namespace ffnlp {

namespace {

const char* string_at(const uint8_t* offsets, const char* blob, uint32_t i) {
  return blob + read_u32(offsets + 4 * static_cast<size_t>(i));
}

Input text_input(const char* text, size_t size) {
  Input input;
  input.text = text;
  input.size = size;
  return input;
}

// The scratch mask's bits: one byte per label, for the allow-list and the
// hints (each list's repeats are found through its own bit).
constexpr uint8_t kAllowed = 1;
constexpr uint8_t kPreferred = 2;

// Marks each of `list`'s labels with `bit`; false for an index out of
// range or a repeat.
bool mark_labels(const uint32_t* list, size_t count, uint32_t label_count, uint8_t bit, uint8_t* mask) {
  for (size_t i = 0; i < count; ++i) {
    const uint32_t label_index = list[i];
    if (label_index >= label_count || (mask[label_index] & bit) != 0) return false;
    mask[label_index] |= bit;
  }
  return true;
}

}  // namespace

const char* Model::label(uint32_t i) const {
  return i < label_count_ ? string_at(labels_offsets_, labels_blob_, i) : "";
}

const char* Model::label_name(uint32_t i) const {
  return (i < label_count_ && names_offsets_ != nullptr) ? string_at(names_offsets_, names_blob_, i) : "";
}

int32_t Model::find_label(const char* wanted) const {
  if (wanted == nullptr) return -1;
  for (uint32_t i = 0; i < label_count_; ++i) {
    if (std::strcmp(label(i), wanted) == 0) return static_cast<int32_t>(i);
  }
  return -1;
}

float Model::log_prior(uint32_t i) const {
  return (log_prior_ != nullptr && i < label_count_) ? read_f32(log_prior_ + 4 * static_cast<size_t>(i)) : 0.0f;
}

// Network, then prior, hints, neighbour words, lexicon and allow-list: the candidates' logits.
Status Model::prepare_head(const Input& input, void* scratch, size_t scratch_size, const ClassifyOptions* options,
                           internal::HeadResult* r) const {
  *r = internal::HeadResult();
  if (!is_classifier()) return Status::kNotClassifier;
  const Prior prior = options != nullptr ? options->prior : Prior::kModel;
  if (prior != Prior::kModel && prior != Prior::kUniform) return Status::kInvalidArgument;
  const bool allow_list = options != nullptr && options->only != nullptr;
  if (allow_list && options->only_count == 0) return Status::kInvalidArgument;
  const bool hints = options != nullptr && options->prefer != nullptr;
  if (hints && options->prefer_count == 0) return Status::kInvalidArgument;
  // NaN fails both comparisons.
  if (options != nullptr && !(options->prefer_weight >= 0.0f && options->prefer_weight <= kMaxPreferWeight)) {
    return Status::kInvalidArgument;
  }
  float* logits = nullptr;
  const Status s = forward(input, scratch, scratch_size, &logits, &r->stats);
  if (s != Status::kOk) return s;
  const ScratchLayout layout = internal::ModelAccess::layout(*this);
  uint8_t* base = static_cast<uint8_t*>(scratch);
  uint8_t* mask = base + layout.mask;
  if (allow_list || hints) std::memset(mask, 0, label_count_);
  if (allow_list && !mark_labels(options->only, options->only_count, label_count_, kAllowed, mask)) {
    return Status::kInvalidArgument;
  }
  if (hints && !mark_labels(options->prefer, options->prefer_count, label_count_, kPreferred, mask)) {
    return Status::kInvalidArgument;
  }
  r->values = logits;
  r->n = label_count_;
  r->answered = !r->stats.no_evidence();
  if (!r->answered) return Status::kOk;
  // The prior added, every logit checked (forward leaves the last layer's
  // check here) and the largest found, in one pass. A non-finite logit
  // stays non-finite with a prior added, so the status is the same as
  // checking before and after.
  const uint8_t* add = prior == Prior::kModel ? log_prior_ : nullptr;
  if (!add_finite_max(add, logits, label_count_, &r->logits_max)) return Status::kNonFinite;
  if (hints) {
    // The caller's hints, before the word heads so that the neighbour
    // words' group is chosen with them. Only additions of a weight >= 0:
    // the largest logit is the old one or a hinted label's.
    for (size_t i = 0; i < options->prefer_count; ++i) {
      float& logit = logits[options->prefer[i]];
      logit += options->prefer_weight;
      if (!std::isfinite(logit)) return Status::kNonFinite;
      if (logit > r->logits_max) r->logits_max = logit;
    }
  }
  // The words' hashes forward() kept, for the word heads whose seed is the
  // first word channel's (else they read the text).
  const uint32_t* kept_hashes = reinterpret_cast<const uint32_t*>(base + layout.counts);
  auto word_hashes_for = [&](uint32_t seed) {
    return plan_.word_count != 0 && plan_.words[0].seed == seed ? kept_hashes : nullptr;
  };
  const uint8_t* text = reinterpret_cast<const uint8_t*>(input.text);
  if (neighbours_.group_count != 0) {
    // Whole-word evidence inside the best allowed label's group of close
    // neighbours (heads/neighbour_words.h); the largest logit found again.
    uint32_t best = allow_list ? label_count_ : internal::best_grouped_label(neighbours_, logits, label_count_, r->logits_max);
    if (allow_list) {
      best = label_count_;
      for (uint32_t i = 0; i < label_count_; ++i) {
        if ((mask[i] & kAllowed) != 0 && (best == label_count_ || logits[i] > logits[best])) best = i;
      }
    }
    if (internal::add_neighbour_evidence(neighbours_, plan_, text, input.size, word_hashes_for(neighbours_.seed), best,
                                         logits)) {
      // Only the group's logits changed; the others are at most the old
      // largest, so a member above it is the new largest, else scan again.
      float members_max = 0.0f;
      if (!internal::group_finite_max(neighbours_, best, logits, &members_max)) return Status::kNonFinite;
      if (members_max >= r->logits_max) {
        r->logits_max = members_max;
      } else if (!add_finite_max(nullptr, logits, label_count_, &r->logits_max)) {
        return Status::kNonFinite;
      }
    }
  }
  if (lexicon_.count != 0) {
    // Whole words that name one label, on texts of a few words
    // (heads/lexicon.h): the word count as forward() counted it, when a
    // channel gives one row per word.
    const uint32_t channel = lexicon_.count_channel;
    const uint32_t words = channel != internal::LexiconPlan::kNoChannel
                               ? reinterpret_cast<const uint32_t*>(base + layout.occurrences)[channel]
                               : internal::kUnknownWords;
    float changed_max = 0.0f;
    if (internal::add_lexicon_evidence(lexicon_, plan_, text, input.size, words, word_hashes_for(lexicon_.seed),
                                       logits, &changed_max)) {
      // Only additions: the largest logit is the larger of the two.
      if (!std::isfinite(changed_max)) return Status::kNonFinite;
      if (changed_max > r->logits_max) r->logits_max = changed_max;
    }
  }
  if (allow_list) {
    float* values = reinterpret_cast<float*>(base + layout.values);
    uint32_t* labels = reinterpret_cast<uint32_t*>(base + layout.labels);
    uint32_t n = 0;
    for (uint32_t i = 0; i < label_count_; ++i) {  // label order: ties still go to the lower label index
      if ((mask[i] & kAllowed) == 0) continue;
      values[n] = logits[i];
      labels[n] = i;
      ++n;
    }
    r->values = values;
    r->labels = labels;
    r->n = n;
  }
  return Status::kOk;
}

namespace internal {

Status ModelAccess::classify(const Model& model, const Input& input, void* scratch, size_t scratch_size, size_t k,
                             const ClassifyOptions* options, HeadResult* r) {
  const Status s = model.prepare_head(input, scratch, scratch_size, options, r);
  if (s != Status::kOk || !r->answered || k == 0) return s;
  // Rank the logits (softmax is monotonic), then normalise only the answers:
  // p = exp(logit - max) / sum_j exp(logit_j - max).
  uint32_t* heap = reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(scratch) + layout(model).heap);
  if (k == 1 && r->labels == nullptr) {
    // top_k's answer for k = 1 (argmax: the first largest), the largest known.
    heap[0] = first_index_of(r->values, r->n, r->logits_max);
    r->count = 1;
  } else {
    r->count = top_k(r->values, r->n, k, heap);
  }
  r->order = heap;
  r->max_value = r->values[heap[0]];
  r->inv_sum = 1.0f / sum_exp(r->values, r->n, r->max_value);
  return Status::kOk;
}

}  // namespace internal

Status Model::classify(const Input& input, void* scratch, size_t scratch_size, Prediction* top, size_t k,
                       size_t* count, const ClassifyOptions* options, TextStats* stats) const {
  if (count != nullptr) *count = 0;
  if (top == nullptr || count == nullptr || k == 0) return is_classifier() ? Status::kInvalidArgument : Status::kNotClassifier;
  internal::HeadResult r;
  const Status s = internal::ModelAccess::classify(*this, input, scratch, scratch_size, k, options, &r);
  if (s != Status::kOk) return s;
  if (stats != nullptr) *stats = r.stats;
  if (!r.answered) {
    if (unknown_label_[0] == '\0') return Status::kOk;
    top[0] = Prediction();
    top[0].label = unknown_label_;
    top[0].name = "";
    *count = 1;
    return Status::kOk;
  }
  for (size_t i = 0; i < r.count; ++i) {
    const uint32_t best = r.label_at(i);
    const float p = r.probability_at(i);
    top[i].label_index = best;
    top[i].label = label(best);
    top[i].name = label_name(best);
    top[i].probability = p;
    top[i].reliable = internal::ModelAccess::reliable(*this, p, r.stats);
  }
  *count = r.count;
  return Status::kOk;
}

Status Model::classify(const char* text, size_t size, void* scratch, size_t scratch_size, Prediction* top, size_t k,
                       size_t* count, TextStats* stats) const {
  return classify(text_input(text, size), scratch, scratch_size, top, k, count, nullptr, stats);
}

Status Model::classify(const char* text, size_t size, void* scratch, size_t scratch_size, Prediction* top, size_t k,
                       size_t* count, const ClassifyOptions& options, TextStats* stats) const {
  return classify(text_input(text, size), scratch, scratch_size, top, k, count, &options, stats);
}

Status Model::classify(const char* text, size_t size, Workspace& workspace, Prediction* top, size_t k, size_t* count,
                       TextStats* stats) const {
  return classify(text_input(text, size), workspace.data(), workspace.size(), top, k, count, nullptr, stats);
}

Status Model::classify(const char* text, size_t size, Workspace& workspace, Prediction* top, size_t k, size_t* count,
                       const ClassifyOptions& options, TextStats* stats) const {
  return classify(text_input(text, size), workspace.data(), workspace.size(), top, k, count, &options, stats);
}

Status Model::scores(const Input& input, void* scratch, size_t scratch_size, float* probs, size_t probs_count,
                     const ClassifyOptions* options, TextStats* stats) const {
  if (probs == nullptr || probs_count < label_count_) return is_classifier() ? Status::kInvalidArgument : Status::kNotClassifier;
  internal::HeadResult r;
  const Status s = prepare_head(input, scratch, scratch_size, options, &r);
  if (s != Status::kOk) return s;
  if (stats != nullptr) *stats = r.stats;
  if (!r.answered) {
    std::memset(probs, 0, sizeof(float) * label_count_);
    return Status::kOk;
  }
  softmax(r.values, r.n);
  if (r.labels == nullptr) {
    std::memcpy(probs, r.values, sizeof(float) * label_count_);
  } else {
    std::memset(probs, 0, sizeof(float) * label_count_);
    for (uint32_t i = 0; i < r.n; ++i) probs[r.labels[i]] = r.values[i];
  }
  return Status::kOk;
}

Status Model::scores(const char* text, size_t size, void* scratch, size_t scratch_size, float* probs,
                     size_t probs_count, TextStats* stats) const {
  return scores(text_input(text, size), scratch, scratch_size, probs, probs_count, nullptr, stats);
}

Status Model::logits(const Input& input, void* scratch, size_t scratch_size, float* out, size_t out_count,
                     const ClassifyOptions* options, TextStats* stats) const {
  if (out == nullptr || out_count < label_count_) return is_classifier() ? Status::kInvalidArgument : Status::kNotClassifier;
  internal::HeadResult r;
  const Status s = prepare_head(input, scratch, scratch_size, options, &r);
  if (s != Status::kOk) return s;
  if (stats != nullptr) *stats = r.stats;
  if (!r.answered) {
    std::memset(out, 0, sizeof(float) * label_count_);
    return Status::kOk;
  }
  if (r.labels == nullptr) {
    std::memcpy(out, r.values, sizeof(float) * label_count_);
  } else {
    for (uint32_t i = 0; i < label_count_; ++i) out[i] = -std::numeric_limits<float>::infinity();
    for (uint32_t i = 0; i < r.n; ++i) out[r.labels[i]] = r.values[i];
  }
  return Status::kOk;
}

Status Model::logits(const char* text, size_t size, void* scratch, size_t scratch_size, float* out, size_t out_count,
                     TextStats* stats) const {
  return logits(text_input(text, size), scratch, scratch_size, out, out_count, nullptr, stats);
}

}  // namespace ffnlp
