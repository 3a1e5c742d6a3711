// Model accessors and inference: text -> feature channels -> averaged
// embeddings -> dense layers -> softmax -> top-k. Nothing here allocates.
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

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// Texts (after max_bytes) of at least this many bytes take the counting path
// in forward() when the scratch is large enough (scratch_bytes_long_texts()).
// Below it, clearing the counters costs more than it saves.
constexpr size_t kHistogramMinBytes = 4096;

}  // namespace

float TensorView::at(uint64_t r, uint64_t c) const {
  const uint64_t i = r * cols + c;
  if (dtype == DType::kQ8Row) return static_cast<float>(static_cast<int32_t>(data[i]) - static_cast<int32_t>(zero_point)) * row_scale(r);
  return read_f32(data + 4 * i);
}

float TensorView::row_scale(uint64_t r) const { return scales != nullptr ? read_f32(scales + 4 * r) : 1.0f; }

const TensorView* Model::find_tensor(const char* name) const {
  if (name == nullptr) return nullptr;
  for (uint32_t i = 0; i < tensor_count_; ++i) {
    if (tensors_[i].name != nullptr && std::strcmp(tensors_[i].name, name) == 0) return &tensors_[i];
  }
  return nullptr;
}

bool Model::metadata_u32(const char* key, uint32_t* value) const {
  MetaEntry e;
  if (key == nullptr || !find_metadata(metadata_, metadata_size_, metadata_count_, key, &e) || e.type != format::MetaType::kU32) return false;
  *value = meta_u32(e);
  return true;
}

bool Model::metadata_f32(const char* key, float* value) const {
  MetaEntry e;
  if (key == nullptr || !find_metadata(metadata_, metadata_size_, metadata_count_, key, &e) || e.type != format::MetaType::kF32) return false;
  *value = meta_f32(e);
  return true;
}

bool Model::metadata_string(const char* key, const char** value) const {
  MetaEntry e;
  if (key == nullptr || !find_metadata(metadata_, metadata_size_, metadata_count_, key, &e) || e.type != format::MetaType::kString) return false;
  *value = meta_string(e);
  return true;
}

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

size_t Model::scratch_bytes() const {
  if (!is_classifier()) return 0;
  // input vector + two layer buffers, then one occurrence counter per channel
  const size_t floats = static_cast<size_t>(input_width_) + 2 * static_cast<size_t>(max_width_);
  return round_up(floats * sizeof(float) + kMaxChannels * sizeof(uint32_t), 64);
}

size_t Model::scratch_bytes_long_texts() const {
  if (!is_classifier()) return 0;
  size_t buckets = 0;
  for (uint32_t c = 0; c < channel_count_; ++c) buckets += channels_[c].buckets;
  return scratch_bytes() + round_up(buckets * sizeof(uint32_t), 64);
}

// With `logits`, the last layer's softmax is left out (classify() ranks the
// logits and normalises only the answers it returns).
Status Model::forward(const char* text, size_t size, void* scratch, size_t scratch_size, float** probs,
                      TextStats* stats, bool logits) const {
  if (!is_classifier()) return Status::kNotClassifier;
  if (scratch == nullptr || (text == nullptr && size != 0)) return Status::kInvalidArgument;
  if (scratch_size < scratch_bytes()) return Status::kBufferTooSmall;
  if (reinterpret_cast<uintptr_t>(scratch) % alignof(float) != 0) return Status::kInvalidArgument;

  float* input = static_cast<float*>(scratch);
  float* buffer_a = input + input_width_;
  float* buffer_b = buffer_a + max_width_;
  uint32_t* occurrences = reinterpret_cast<uint32_t*>(buffer_b + max_width_);
  std::memset(input, 0, sizeof(float) * input_width_);

  ChannelSpec specs[kMaxChannels];
  float* slices[kMaxChannels];
  uint32_t offset = 0;
  for (uint32_t c = 0; c < channel_count_; ++c) {
    const ChannelInfo& info = channels_[c];
    specs[c].kind = info.kind == ChannelKindId::kScript ? ChannelKind::kScript : ChannelKind::kCharNgram;
    specs[c].order = info.order;
    specs[c].buckets = info.buckets;
    specs[c].seed = info.seed;
    slices[c] = input + offset;
    offset += info.dims;
    occurrences[c] = 0;
  }
  TextOptions options;
  options.lowercase = lowercase_;
  options.drop_digits = drop_digits_;
  options.max_bytes = max_bytes_;

  // Per-channel table pointers, resolved once per call rather than per row.
  struct Table {
    const uint8_t* data;
    const uint8_t* scales;  // null: f32 rows
    int32_t zero_point;
    uint32_t dims;
    float* acc;
  };
  Table tables[kMaxChannels];
  for (uint32_t c = 0; c < channel_count_; ++c) {
    const TensorView& t = *channels_[c].embedding;
    tables[c] = {t.data, t.dtype == DType::kQ8Row ? t.scales : nullptr, static_cast<int32_t>(t.zero_point),
                 channels_[c].dims, slices[c]};
  }
  auto sink = [&tables, occurrences](uint32_t c, uint32_t bucket) {
    const Table& t = tables[c];
    const size_t row = static_cast<size_t>(bucket) * t.dims;
    if (t.scales != nullptr) {
      const float scale = read_f32(t.scales + 4 * static_cast<size_t>(bucket));
      if (t.dims == 16) {
        accumulate_q8_row16(t.data + row, scale, t.zero_point, t.acc);
      } else {
        accumulate_q8_row(t.data + row, scale, t.zero_point, t.acc, t.dims);
      }
    } else {
      accumulate_f32_row(t.data + 4 * row, t.acc, t.dims);
    }
    ++occurrences[c];
  };
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(text);
  const size_t read = (max_bytes_ != 0 && size > max_bytes_) ? max_bytes_ : size;
  uint32_t letters = 0;
  if (read >= kHistogramMinBytes && read <= 0xFFFFFFFFu && scratch_size >= scratch_bytes_long_texts()) {
    // Long text: count the occurrences of each bucket (integer, one increment
    // per feature), then add each distinct row once, dequantized and scaled
    // by its count: sum_b n_b * s_b * (q_b - zero_point). The rows are
    // visited once per distinct bucket instead of once per occurrence. Counts
    // cannot overflow: fewer than 2^32 bytes give fewer than 2^32 features
    // per channel.
    uint32_t* counts = reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(scratch) + scratch_bytes());
    uint32_t* count_base[kMaxChannels];
    size_t total = 0;
    for (uint32_t c = 0; c < channel_count_; ++c) {
      count_base[c] = counts + total;
      total += channels_[c].buckets;
    }
    std::memset(counts, 0, total * sizeof(uint32_t));
    auto count_sink = [&count_base](uint32_t c, uint32_t bucket) { ++count_base[c][bucket]; };
    letters = extract_features(bytes, size, options, specs, channel_count_, count_sink);
    for (uint32_t c = 0; c < channel_count_; ++c) {
      const Table& t = tables[c];
      const uint32_t* n = count_base[c];
      uint64_t seen = 0;
      for (uint32_t b = 0; b < channels_[c].buckets; ++b) {
        if (n[b] == 0) continue;
        seen += n[b];
        const float weight = static_cast<float>(n[b]);
        const size_t row = static_cast<size_t>(b) * t.dims;
        if (t.scales != nullptr) {
          accumulate_q8_row(t.data + row, weight * read_f32(t.scales + 4 * static_cast<size_t>(b)), t.zero_point, t.acc,
                            t.dims);
        } else {
          for (uint32_t j = 0; j < t.dims; ++j) t.acc[j] += weight * read_f32(t.data + 4 * (row + j));
        }
      }
      occurrences[c] = static_cast<uint32_t>(seen);
    }
  } else if (size != 0) {
    letters = extract_features(bytes, size, options, specs, channel_count_, sink);
  }
  if (stats != nullptr) {
    stats->letters = letters;
    stats->bytes_used = (max_bytes_ != 0 && size > max_bytes_) ? max_bytes_ : size;
  }
  const uint32_t outputs = layers_[layer_count_ - 1].out;
  if (letters == 0) {
    std::memset(buffer_a, 0, sizeof(float) * outputs);
    *probs = buffer_a;
    return Status::kOk;
  }
  // The bag of n-grams: each channel's average row.
  for (uint32_t c = 0; c < channel_count_; ++c) {
    if (occurrences[c] == 0) continue;
    const float inv = 1.0f / static_cast<float>(occurrences[c]);
    for (uint32_t j = 0; j < channels_[c].dims; ++j) slices[c][j] *= inv;
  }
  const float* in = input;
  float* out = buffer_a;
  for (uint32_t l = 0; l < layer_count_; ++l) {
    const LayerInfo& layer = layers_[l];
    dense(layer.weights->data, layer.bias->data, in, layer.in, out, layer.out);
    // Finite but huge weights (or embedding sums over a long text) can
    // overflow float: report it rather than let relu hide a NaN or the
    // softmax turn it into NaN "probabilities".
    if (!all_finite(out, layer.out)) return Status::kNonFinite;
    if (layer.activation == Activation::kRelu) relu(out, layer.out);
    if (layer.activation == Activation::kSoftmax && !logits) softmax(out, layer.out);
    in = out;
    out = out == buffer_a ? buffer_b : buffer_a;
  }
  *probs = const_cast<float*>(in);
  return Status::kOk;
}

Status Model::scores(const char* text, size_t size, void* scratch, size_t scratch_size, float* probs,
                     size_t probs_count, TextStats* stats) const {
  if (probs == nullptr || probs_count < label_count_) return is_classifier() ? Status::kInvalidArgument : Status::kNotClassifier;
  float* result = nullptr;
  const Status status = forward(text, size, scratch, scratch_size, &result, stats, false);
  if (status != Status::kOk) return status;
  std::memcpy(probs, result, sizeof(float) * label_count_);
  return Status::kOk;
}

Status Model::classify(const char* text, size_t size, void* scratch, size_t scratch_size, Prediction* top,
                       size_t k, size_t* count, TextStats* stats) const {
  if (count != nullptr) *count = 0;
  if (top == nullptr || count == nullptr || k == 0) return is_classifier() ? Status::kInvalidArgument : Status::kNotClassifier;
  float* probs = nullptr;
  TextStats local;
  const Status status = forward(text, size, scratch, scratch_size, &probs, &local, true);
  if (status != Status::kOk) return status;
  if (stats != nullptr) *stats = local;
  if (local.letters == 0) {
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

Workspace::Workspace(const Model& model) {
  const size_t bytes = model.scratch_bytes_long_texts();
  if (bytes == 0) return;
  data_ = ::operator new(bytes, std::nothrow);
  if (data_ != nullptr) size_ = bytes;
}

Workspace::~Workspace() { ::operator delete(data_); }

}  // namespace ffnlp
