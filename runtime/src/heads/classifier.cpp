// The classifier head: labels, probabilities, top-k with reliability and
// the unknown label. Nothing here allocates.
#include <cmath>
#include <cstring>
#include <new>

#include "file/byte_order.h"
#include "api/error.h"
#include "ffnlp/ffnlp.h"
#include "network/kernels.h"
#include "file/metadata.h"
#include "features/text_features.h"

namespace ffnlp {

namespace {

const char* string_at(const uint8_t* offsets, const char* blob, uint32_t i) {
  return blob + read_u32(offsets + 4 * static_cast<size_t>(i));
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

namespace {
Input text_input(const char* text, size_t size) {
  Input input;
  input.text = text;
  input.size = size;
  return input;
}
}  // namespace

Status Model::scores(const char* text, size_t size, void* scratch, size_t scratch_size, float* probs,
                     size_t probs_count, TextStats* stats) const {
  return scores(text_input(text, size), scratch, scratch_size, probs, probs_count, stats);
}

Status Model::scores(const Input& input, void* scratch, size_t scratch_size, float* probs, size_t probs_count,
                     TextStats* stats) const {
  if (probs == nullptr || probs_count < label_count_) return is_classifier() ? Status::kInvalidArgument : Status::kNotClassifier;
  float* result = nullptr;
  const Status status = forward(input, scratch, scratch_size, &result, stats, false);
  if (status != Status::kOk) return status;
  std::memcpy(probs, result, sizeof(float) * label_count_);
  return Status::kOk;
}

Status Model::classify(const char* text, size_t size, void* scratch, size_t scratch_size, Prediction* top,
                       size_t k, size_t* count, TextStats* stats) const {
  return classify(text_input(text, size), scratch, scratch_size, top, k, count, stats);
}

Status Model::classify(const Input& input, void* scratch, size_t scratch_size, Prediction* top, size_t k,
                       size_t* count, TextStats* stats) const {
  if (count != nullptr) *count = 0;
  if (top == nullptr || count == nullptr || k == 0) return is_classifier() ? Status::kInvalidArgument : Status::kNotClassifier;
  float* probs = nullptr;
  TextStats local;
  const Status status = forward(input, scratch, scratch_size, &probs, &local, true);
  if (status != Status::kOk) return status;
  if (stats != nullptr) *stats = local;
  if (local.no_evidence()) {
    if (unknown_label_[0] == '\0') return Status::kOk;
    top[0] = Prediction();
    top[0].label = unknown_label_;
    top[0].name = "";
    *count = 1;
    return Status::kOk;
  }
  // probs holds the logits: rank them (softmax is monotonic), then normalise
  // only the answers: p = exp(logit - max) / sum_j exp(logit_j - max).
  const float* logits = probs;
  const uint32_t first_best = argmax(logits, label_count_);
  const float max_logit = logits[first_best];
  const float inv_sum = 1.0f / sum_exp(logits, label_count_, max_logit);
  const size_t n = k < label_count_ ? k : label_count_;
  // Selection of the n best, ties to the lower index (deterministic).
  for (size_t r = 0; r < n; ++r) {
    uint32_t best = kNoLabel;
    if (r == 0) {
      best = first_best;
    } else {
      for (uint32_t i = 0; i < label_count_; ++i) {
        bool taken = false;
        for (size_t t = 0; t < r && !taken; ++t) taken = top[t].label_index == i;
        if (taken) continue;
        if (best == kNoLabel || logits[i] > logits[best]) best = i;
      }
    }
    const float p = (r == 0 ? 1.0f : std::exp(logits[best] - max_logit)) * inv_sum;
    top[r].label_index = best;
    top[r].label = label(best);
    top[r].name = label_name(best);
    top[r].probability = p;
    top[r].reliable = p >= reliable_probability_ && local.letters >= reliable_letters_;
  }
  *count = n;
  return Status::kOk;
}

Status Model::classify(const char* text, size_t size, Workspace& workspace, Prediction* top, size_t k, size_t* count,
                       TextStats* stats) const {
  return classify(text, size, workspace.data(), workspace.size(), top, k, count, stats);
}

}  // namespace ffnlp
