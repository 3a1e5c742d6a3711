// Model::forward: text -> feature rows (features/) -> pooled input vector
// (network/pooling) -> dense layers (network/kernels) -> logits or softmax.
// Reads only what the loader decided (plan_, tables_, layers_); allocates
// nothing.
#include <cstring>

#include "features/extract.h"
#include "ffnlp/ffnlp.h"
#include "file/byte_order.h"
#include "network/dense.h"
#include "network/kernels.h"
#include "network/pooling.h"

namespace ffnlp {

namespace {

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// Texts (after max_bytes) of at least this many bytes take the counting path
// in forward() when the scratch is large enough (scratch_bytes_long_texts()).
// Below it, clearing the counters costs more than it saves.
constexpr size_t kHistogramMinBytes = 4096;

}  // namespace

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
Status Model::forward(const Input& input, void* scratch, size_t scratch_size, float** probs, TextStats* stats,
                      bool logits) const {
  if (!is_classifier()) return Status::kNotClassifier;
  const char* text = input.text;
  const size_t size = input.size;
  if (scratch == nullptr || (text == nullptr && size != 0)) return Status::kInvalidArgument;
  if (scratch_size < scratch_bytes()) return Status::kBufferTooSmall;
  if (reinterpret_cast<uintptr_t>(scratch) % alignof(float) != 0) return Status::kInvalidArgument;
  // Caller ids: checked whole before anything is added.
  if (input.ids_count != 0 && input.ids == nullptr) return Status::kInvalidArgument;
  uint32_t listed = 0;  // bit c: channel c's ids were given
  uint64_t ids_total = 0;
  for (size_t k = 0; k < input.ids_count; ++k) {
    const ChannelIds& ci = input.ids[k];
    if (ci.channel >= channel_count_ || channels_[ci.channel].kind != FeatureKind::kIds) return Status::kInvalidArgument;
    if ((listed >> ci.channel) & 1u) return Status::kInvalidArgument;
    listed |= 1u << ci.channel;
    if (ci.count != 0 && ci.ids == nullptr) return Status::kInvalidArgument;
    const uint32_t buckets = channels_[ci.channel].buckets;
    for (size_t j = 0; j < ci.count; ++j) {
      if (ci.ids[j] >= buckets) return Status::kInvalidArgument;
    }
    ids_total += ci.count;
  }

  float* vec = static_cast<float*>(scratch);
  float* buffer_a = vec + input_width_;
  float* buffer_b = buffer_a + max_width_;
  uint32_t* occurrences = reinterpret_cast<uint32_t*>(buffer_b + max_width_);
  std::memset(vec, 0, sizeof(float) * input_width_);
  for (uint32_t c = 0; c < channel_count_; ++c) occurrences[c] = 0;

  const internal::RowTable* tables = tables_;
  float* const in_vec = vec;
  auto sink = [tables, in_vec, occurrences](uint32_t c, uint32_t row) {
    add_row(tables[c], row, in_vec + tables[c].offset);
    ++occurrences[c];
  };
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(text);
  const size_t read = (plan_.max_bytes != 0 && size > plan_.max_bytes) ? plan_.max_bytes : size;
  uint32_t letters = 0;
  if (read >= kHistogramMinBytes && read <= 0xFFFFFFFFu && scratch_size >= scratch_bytes_long_texts()) {
    // Long text: count the occurrences of each row (integer, one increment
    // per feature), then add each distinct row once, dequantized and scaled
    // by its count: sum_b n_b * s_b * (q_b - zero_point). The rows are
    // visited once per distinct row instead of once per occurrence. Counts
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
    auto count_sink = [&count_base](uint32_t c, uint32_t row) { ++count_base[c][row]; };
    letters = extract_features(bytes, size, plan_, count_sink);
    for (uint32_t c = 0; c < channel_count_; ++c) {
      const internal::RowTable& t = tables_[c];
      float* acc = vec + t.offset;
      const uint32_t* n = count_base[c];
      uint64_t seen = 0;
      for (uint32_t b = 0; b < channels_[c].buckets; ++b) {
        if (n[b] == 0) continue;
        seen += n[b];
        const float weight = static_cast<float>(n[b]);
        const size_t row = static_cast<size_t>(b) * t.dims;
        switch (t.dtype) {
          case DType::kQ8Row:
            accumulate_q8_row(t.data + row, weight * read_f32(t.scales + 4 * static_cast<size_t>(b)), t.zero_point, acc,
                              t.dims);
            break;
          case DType::kQ8RowFzp:
            accumulate_q8f_row(t.data + row, weight * read_f32(t.scales + 4 * static_cast<size_t>(b)),
                               read_f32(t.zero_points + 4 * static_cast<size_t>(b)), acc, t.dims);
            break;
          case DType::kF32:
            for (uint32_t j = 0; j < t.dims; ++j) acc[j] += weight * read_f32(t.data + 4 * (row + j));
            break;
        }
      }
      occurrences[c] = static_cast<uint32_t>(seen);
    }
  } else if (size != 0) {
    letters = extract_features(bytes, size, plan_, sink);
  }
  for (size_t k = 0; k < input.ids_count; ++k) {
    const ChannelIds& ci = input.ids[k];
    for (size_t j = 0; j < ci.count; ++j) sink(ci.channel, ci.ids[j]);
  }
  TextStats local;
  local.letters = letters;
  local.bytes_used = read;
  local.ids = ids_total;
  if (stats != nullptr) *stats = local;
  const uint32_t outputs = layers_[layer_count_ - 1].out;
  if (local.no_evidence()) {
    std::memset(buffer_a, 0, sizeof(float) * outputs);
    *probs = buffer_a;
    return Status::kOk;
  }
  // Pooling: mean channels divide by their occurrences; sum channels keep the sum.
  for (uint32_t c = 0; c < channel_count_; ++c) {
    if (occurrences[c] == 0 || plan_.pooling[c] != Pooling::kMean) continue;
    const float inv = 1.0f / static_cast<float>(occurrences[c]);
    float* slice = vec + tables_[c].offset;
    for (uint32_t j = 0; j < channels_[c].dims; ++j) slice[j] *= inv;
  }
  const float* in = vec;
  float* out = buffer_a;
  for (uint32_t l = 0; l < layer_count_; ++l) {
    const LayerInfo& layer = layers_[l];
    dense_layer(layer, in, out);
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

}  // namespace ffnlp
