// Model::forward: text (and caller ids) -> feature rows (features/) ->
// pooled input vector (network/pooling.h) -> dense layers (network/dense) ->
// logits. Reads only what the loader decided (plan_, tables_, layers_);
// allocates nothing; its scratch is laid out by network/scratch.h.
#include <cstring>

#include "features/extract.h"
#include "features/extract_avx2.h"
#include "ffnlp/ffnlp.h"
#include "heads/classifier.h"
#include "heads/neighbour_words.h"
#include "network/dense.h"
#include "network/kernels.h"
#include "network/pooling.h"
#include "network/scratch.h"

namespace ffnlp {

namespace {

// Texts (after max_bytes) of at least this many bytes take the counting
// path: occurrences per row first, then each distinct row once, times its
// count, summed in double. Below it, clearing the counters costs more than
// it saves. The same for every API: the scratch always has the counters.
constexpr size_t kCountingMinBytes = 4096;

// Where extract_rows_avx2 hands a channel's rows: added to its slice.
struct PoolTarget {
  const internal::RowTable* tables;
  float* vec;
  uint32_t* occurrences;
  uint32_t* word_hashes = nullptr;  // neighbour words: [0] the count, then the hashes
  uint32_t word_capacity = 0;
  static void add_word_hashes(void* context, const uint32_t* hashes, uint32_t n) {
    PoolTarget& p = *static_cast<PoolTarget*>(context);
    uint32_t& count = p.word_hashes[0];
    if (count == internal::kNoWordHashes) return;
    if (n > p.word_capacity - count) {
      count = internal::kNoWordHashes;  // more words than room: the head walks the text
      return;
    }
    std::memcpy(p.word_hashes + 1 + count, hashes, sizeof(uint32_t) * n);
    count += n;
  }
  static void add(void* context, uint32_t c, const uint32_t* rows, uint32_t n) {
    PoolTarget& p = *static_cast<PoolTarget*>(context);
    add_rows(p.tables[c], rows, n, p.vec + p.tables[c].offset);
    p.occurrences[c] += n;
  }
  // Several channels at once: q8_row, q4_row and q3_row_bf16 tables summed
  // side by side.
  static void add_group(void* context, const detail::RowBatch* batches, uint32_t count) {
    PoolTarget& p = *static_cast<PoolTarget*>(context);
    Q8RowsJob jobs[detail::kMaxGroupBatches];
    uint32_t jobs_n = 0;
    for (uint32_t k = 0; k < count; ++k) {
      const detail::RowBatch& b = batches[k];
      const internal::RowTable& t = p.tables[b.channel];
      p.occurrences[b.channel] += b.n;
      const uint32_t bits = group_bits(t);
      if (bits == 0 || jobs_n == detail::kMaxGroupBatches) {
        add_rows(t, b.rows, b.n, p.vec + t.offset);
      } else {
        jobs[jobs_n++] = {t.data, t.scales, t.zero_point, t.dims, b.rows, b.n, p.vec + t.offset, bits, scale_bytes(t)};
      }
    }
    accumulate_q8_rows_group(jobs, jobs_n);
  }
};

}  // namespace

ScratchLayout internal::ModelAccess::layout(const Model& m) {
  if (m.plan_.tokens) {
    // Taggers: no long-text counters (a token's features are few); the
    // window ring and the label history instead.
    return scratch_layout(m.input_width_, m.max_width_, m.channel_count_, 0, m.label_count_, m.tagger_.ring,
                          m.tagger_.unit_width, internal::TaggerPlan::kHistory);
  }
  return scratch_layout(m.input_width_, m.max_width_, m.channel_count_, m.total_buckets_, m.label_count_);
}

size_t Model::scratch_bytes() const {
  if (layer_count_ == 0) return 0;
  return internal::ModelAccess::layout(*this).total;
}

size_t Model::scratch_bytes_long_texts() const { return scratch_bytes(); }

Status Model::forward(const Input& input, void* scratch, size_t scratch_size, float** logits,
                      TextStats* stats) const {
  if (!is_classifier()) return Status::kNotClassifier;
  const char* text = input.text;
  const size_t size = input.size;
  if (scratch == nullptr || (text == nullptr && size != 0)) return Status::kInvalidArgument;
  const ScratchLayout layout = internal::ModelAccess::layout(*this);
  if (scratch_size < layout.total) return Status::kBufferTooSmall;
  if (reinterpret_cast<uintptr_t>(scratch) % alignof(double) != 0) return Status::kInvalidArgument;
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

  uint8_t* base = static_cast<uint8_t*>(scratch);
  float* vec = reinterpret_cast<float*>(base + layout.input);
  float* buffer_a = reinterpret_cast<float*>(base + layout.layer_a);
  float* buffer_b = reinterpret_cast<float*>(base + layout.layer_b);
  int16_t* quantized = reinterpret_cast<int16_t*>(base + layout.quantized);
  uint32_t* occurrences = reinterpret_cast<uint32_t*>(base + layout.occurrences);
  std::memset(vec, 0, sizeof(float) * input_width_);
  for (uint32_t c = 0; c < channel_count_; ++c) occurrences[c] = 0;
  bool kept_word_hashes = false;

  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(text);
  const size_t read = (plan_.max_bytes != 0 && size > plan_.max_bytes) ? plan_.max_bytes : size;
  uint32_t letters = 0;
  if (read >= kCountingMinBytes) {
    // Long text: count the occurrences of each row (integer, one increment
    // per feature), then add each distinct row once, times its count, in
    // double: no drift however long the text (float sums of millions of
    // rows lose the small terms). Counts are 32-bit: a row seen more than
    // 2^32 - 1 times (a text of over 4 GB of one n-gram) saturates.
    uint32_t* counts = reinterpret_cast<uint32_t*>(base + layout.counts);
    double* acc = reinterpret_cast<double*>(base + layout.acc);
    std::memset(counts, 0, sizeof(uint32_t) * static_cast<size_t>(total_buckets_));
    std::memset(acc, 0, sizeof(double) * input_width_);
    uint32_t* count_base[kMaxChannels];
    size_t total = 0;
    for (uint32_t c = 0; c < channel_count_; ++c) {
      count_base[c] = counts + total;
      total += channels_[c].buckets;
    }
    auto count_sink = [&count_base](uint32_t c, uint32_t row) {
      uint32_t& n = count_base[c][row];
      n += n != 0xFFFFFFFFu;
    };
    letters = extract_features(bytes, size, plan_, count_sink);
    for (uint32_t c = 0; c < channel_count_; ++c) {
      if (channels_[c].kind == FeatureKind::kIds) continue;
      const internal::RowTable& t = tables_[c];
      double* slice = acc + t.offset;
      const uint32_t* n = count_base[c];
      uint64_t seen = 0;
      for (uint32_t b = 0; b < channels_[c].buckets; ++b) {
        if (n[b] == 0) continue;
        seen += n[b];
        add_row_counted(t, b, static_cast<double>(n[b]), slice);
      }
      // The occurrences as the short path counts them (a word channel's are
      // the text's words: the lexicon reads them; saturated).
      occurrences[c] = seen < 0xFFFFFFFFu ? static_cast<uint32_t>(seen) : 0xFFFFFFFFu;
      if (seen == 0) continue;
      // Mean channels: the average in double, then float; sum channels: the sum.
      const double scale = plan_.pooling[c] == Pooling::kMean ? 1.0 / static_cast<double>(seen) : 1.0;
      for (uint32_t j = 0; j < t.dims; ++j) vec[t.offset + j] = static_cast<float>(slice[j] * scale);
    }
  } else if (size != 0 && detail::avx2_extraction_fits(plan_)) {
    // The same rows per channel, in the same order, hashed 8 at a time.
    PoolTarget target{tables_, vec, occurrences};
    detail::RowBatchSink sink{&PoolTarget::add, &target, &PoolTarget::add_group};
    // (extract_rows_avx2 hands over the first word channel's hashes.)
    if (plan_.word_count >= 1 && total_buckets_ >= 2 &&
        ((neighbours_.group_count != 0 && plan_.words[0].seed == neighbours_.seed) ||
         (lexicon_.count != 0 && plan_.words[0].seed == lexicon_.seed))) {
      // The words' hashes for neighbour words and the lexicon, in the
      // long-text counters (unused by short texts; network/scratch.h): no
      // second pass. The head uses them where its seed is this channel's.
      target.word_hashes = reinterpret_cast<uint32_t*>(base + layout.counts);
      target.word_hashes[0] = 0;
      target.word_capacity = static_cast<uint32_t>(total_buckets_ - 1);
      sink.add_word_hashes = &PoolTarget::add_word_hashes;
      kept_word_hashes = true;
    }
    letters = detail::extract_rows_avx2(bytes, size, plan_, sink);
  } else if (size != 0) {
    RowPooler pooler(tables_, vec, occurrences);
    letters = extract_features(bytes, size, plan_, [&pooler](uint32_t c, uint32_t row) { pooler.add(c, row); });
    pooler.finish(channel_count_);
  }
  if ((neighbours_.group_count != 0 || lexicon_.count != 0) && !kept_word_hashes) {
    *reinterpret_cast<uint32_t*>(base + layout.counts) = internal::kNoWordHashes;  // the head walks the text
  }
  if (read < kCountingMinBytes && size != 0) {
    // Pooling: mean channels divide by their occurrences; sum channels keep the sum.
    for (uint32_t c = 0; c < channel_count_; ++c) {
      if (occurrences[c] == 0 || plan_.pooling[c] != Pooling::kMean) continue;
      const float inv = 1.0f / static_cast<float>(occurrences[c]);
      float* slice = vec + tables_[c].offset;
      for (uint32_t j = 0; j < channels_[c].dims; ++j) slice[j] *= inv;
    }
  }
  // Caller ids (ids channels), pooled the same way.
  for (size_t k = 0; k < input.ids_count; ++k) {
    const ChannelIds& ci = input.ids[k];
    if (ci.count == 0) continue;
    const internal::RowTable& t = tables_[ci.channel];
    for (size_t j = 0; j < ci.count; ++j) add_row(t, ci.ids[j], vec + t.offset);
    if (plan_.pooling[ci.channel] == Pooling::kMean) {
      const float inv = 1.0f / static_cast<float>(ci.count);
      for (uint32_t j = 0; j < t.dims; ++j) vec[t.offset + j] *= inv;
    }
  }
  TextStats local;
  local.letters = letters;
  local.bytes_used = read;
  local.ids = ids_total;
  if (stats != nullptr) *stats = local;
  const uint32_t outputs = layers_[layer_count_ - 1].out;
  if (local.no_evidence()) {
    std::memset(buffer_a, 0, sizeof(float) * outputs);
    *logits = buffer_a;
    return Status::kOk;
  }
  const float* in = vec;
  float* out = buffer_a;
  for (uint32_t l = 0; l < layer_count_; ++l) {
    const LayerInfo& layer = layers_[l];
    dense_layer(layer, in, out, quantized);
    // Finite but huge weights (or embedding sums over a long text) can
    // overflow float: report it rather than let relu hide a NaN or the
    // softmax turn it into NaN "probabilities". The last layer's logits
    // (no relu) are checked by the head, in one pass with the prior.
    if ((l + 1 < layer_count_ || layer.activation == Activation::kRelu) && !all_finite(out, layer.out)) {
      return Status::kNonFinite;
    }
    if (layer.activation == Activation::kRelu) relu(out, layer.out);
    // The last layer's softmax is the head's (heads/classifier.cpp).
    in = out;
    out = out == buffer_a ? buffer_b : buffer_a;
  }
  *logits = const_cast<float*>(in);
  return Status::kOk;
}

}  // namespace ffnlp
