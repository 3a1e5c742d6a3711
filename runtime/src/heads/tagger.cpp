// The tagger head: one label per token, greedy left to right (heads/tagger.h).
//
// For each token i the input vector is built from the token units of its
// window: a unit holds, per channel read from tokens, the sum of the
// dequantized rows of one token (or of a padding row) and their count. The
// units of tokens i + reach_before .. i + reach_after sit in a ring in the
// scratch memory, each computed once, when it enters the window. Per channel:
//   concat: slot s gets unit(i + window[s]) / its count (zeros for none);
//   mean:   the sum over the window's units / their total count;
//   sum:    the sum over the window's units.
// prev_label channels take the rows of the labels already predicted for
// tokens i + window[s] (row rows - 2 before the first token). Then the dense
// layers, the best label (the lowest index among equal logits) and its
// softmax probability. Nothing here allocates; everything lives in the
// caller's scratch (network/scratch.h).
#include "heads/tagger.h"

#include <cstring>

#include "features/token_features.h"
#include "features/tokenizer.h"
#include "ffnlp/ffnlp_c.h"
#include "network/dense.h"
#include "network/kernels.h"
#include "network/pooling.h"

namespace ffnlp {
namespace internal {
namespace {

inline void scale(float* values, uint32_t count, float factor) {
  for (uint32_t d = 0; d < count; ++d) values[d] *= factor;
}

// Units of the window ring, in the scratch memory.
class UnitRing {
 public:
  UnitRing(const FeaturePlan& plan, const TaggerPlan& tagger, const RowTable* tables, uint8_t* scratch,
           const ScratchLayout& layout)
      : plan_(plan),
        tagger_(tagger),
        tables_(tables),
        channels_(plan.channel_count),
        units_(reinterpret_cast<float*>(scratch + layout.units)),
        counts_(reinterpret_cast<uint32_t*>(scratch + layout.unit_counts)),
        rows_(plan) {}

  float* unit(int64_t j) { return units_ + slot(j) * tagger_.unit_width; }
  uint32_t* counts(int64_t j) { return counts_ + slot(j) * channels_; }

  // Fills the unit of token j from its bytes.
  void fill(int64_t j, const uint8_t* bytes, size_t size) {
    float* u = unit(j);
    uint32_t* n = counts(j);
    std::memset(u, 0, sizeof(float) * tagger_.unit_width);
    for (uint32_t c = 0; c < channels_; ++c) n[c] = 0;
    const RowTable* tables = tables_;
    const uint32_t* offsets = tagger_.unit_offset;
    auto sink = [tables, offsets, u, n](uint32_t c, uint32_t row) {
      add_row(tables[c], row, u + offsets[c]);
      ++n[c];
    };
    rows_.run(bytes, size, sink);
  }

  // The unit of a position outside the sequence: each channel's padding row.
  void fill_padding(int64_t j, bool before) {
    float* u = unit(j);
    uint32_t* n = counts(j);
    std::memset(u, 0, sizeof(float) * tagger_.unit_width);
    for (uint32_t c = 0; c < channels_; ++c) {
      n[c] = 0;
      if (plan_.window_count[c] == 0 || is_prev(c)) continue;
      add_row(tables_[c], plan_.rows[c] - (before ? 2 : 1), u + tagger_.unit_offset[c]);
      n[c] = 1;
    }
  }

  bool is_prev(uint32_t c) const { return tagger_.prev[c]; }

 private:
  size_t slot(int64_t j) const {
    return static_cast<size_t>(static_cast<uint64_t>(j - plan_.reach_before) % tagger_.ring);
  }

  const FeaturePlan& plan_;
  const TaggerPlan& tagger_;
  const RowTable* tables_;
  uint32_t channels_;
  float* units_;
  uint32_t* counts_;
  detail::TokenRows rows_;
};

}  // namespace

template <class Source, class Out>
Status TaggerAccess::run(const Model& m, const Source& source, size_t n, void* scratch, size_t scratch_size, Out* out) {
  if (!m.is_tagger()) return Status::kNotClassifier;
  if (scratch == nullptr) return Status::kInvalidArgument;
  const ScratchLayout layout = ModelAccess::layout(m);
  if (scratch_size < layout.total) return Status::kBufferTooSmall;
  if (reinterpret_cast<uintptr_t>(scratch) % alignof(double) != 0) return Status::kInvalidArgument;
  if (n == 0) return Status::kOk;
  const FeaturePlan& plan = m.plan_;
  const TaggerPlan& tp = m.tagger_;
  uint8_t* base = static_cast<uint8_t*>(scratch);
  float* x = reinterpret_cast<float*>(base + layout.input);
  float* buffer_a = reinterpret_cast<float*>(base + layout.layer_a);
  float* buffer_b = reinterpret_cast<float*>(base + layout.layer_b);
  int16_t* quantized = reinterpret_cast<int16_t*>(base + layout.quantized);
  uint32_t* history = reinterpret_cast<uint32_t*>(base + layout.history);
  UnitRing ring(plan, tp, m.tables_, base, layout);
  const int64_t count = static_cast<int64_t>(n);
  auto load = [&](int64_t j) {
    if (j < 0) {
      ring.fill_padding(j, true);
    } else if (j >= count) {
      ring.fill_padding(j, false);
    } else {
      size_t size = 0;
      const uint8_t* bytes = source.token(static_cast<size_t>(j), &size);
      ring.fill(j, bytes, size);
    }
  };
  for (int64_t j = plan.reach_before; j < plan.reach_after; ++j) load(j);
  const uint32_t labels = m.label_count_;
  const uint32_t channels = plan.channel_count;
  for (int64_t i = 0; i < count; ++i) {
    load(i + plan.reach_after);
    std::memset(x, 0, sizeof(float) * m.input_width_);
    for (uint32_t c = 0; c < channels; ++c) {
      const RowTable& t = m.tables_[c];
      const uint32_t dims = t.dims;
      const uint32_t slots = plan.window_count[c];
      float* slice = x + t.offset;
      const Pooling pooling = plan.pooling[c];
      if (tp.prev[c]) {
        for (uint32_t s = 0; s < slots; ++s) {
          const int64_t j = i + plan.window[c][s];
          const uint32_t row = j < 0 ? plan.rows[c] - 2 : history[static_cast<uint64_t>(j) % TaggerPlan::kHistory];
          add_row(t, row, pooling == Pooling::kConcat ? slice + s * dims : slice);
        }
        if (pooling == Pooling::kMean) scale(slice, dims, 1.0f / static_cast<float>(slots));
        continue;
      }
      uint32_t total = 0;
      for (uint32_t s = 0; s < slots; ++s) {
        const int64_t j = i + plan.window[c][s];
        const float* u = ring.unit(j) + tp.unit_offset[c];
        const uint32_t k = ring.counts(j)[c];
        if (pooling == Pooling::kConcat) {
          float* dst = slice + s * dims;
          if (k == 1) {
            std::memcpy(dst, u, sizeof(float) * dims);
          } else if (k > 1) {
            const float inv = 1.0f / static_cast<float>(k);
            for (uint32_t d = 0; d < dims; ++d) dst[d] = u[d] * inv;
          }
        } else {
          for (uint32_t d = 0; d < dims; ++d) slice[d] += u[d];
          total += k;
        }
      }
      if (pooling == Pooling::kMean && total > 1) scale(slice, dims, 1.0f / static_cast<float>(total));
    }
    const float* in = x;
    float* o = buffer_a;
    for (uint32_t l = 0; l < m.layer_count_; ++l) {
      const LayerInfo& layer = m.layers_[l];
      dense_layer(layer, in, o, quantized);
      if (!all_finite(o, layer.out)) return Status::kNonFinite;
      if (layer.activation == Activation::kRelu) relu(o, layer.out);
      in = o;
      o = o == buffer_a ? buffer_b : buffer_a;
    }
    uint32_t best = 0;
    for (uint32_t l = 1; l < labels; ++l) {
      if (in[l] > in[best]) best = l;
    }
    const float probability = 1.0f / sum_exp(in, labels, in[best]);
    history[static_cast<uint64_t>(i) % TaggerPlan::kHistory] = best;
    Out& r = out[i];
    r.label_index = best;
    r.label = m.label(best);
    r.probability = probability;
  }
  return Status::kOk;
}

}  // namespace internal
}  // namespace ffnlp

// ---- entry points ------------------------------------------------------------
namespace ffnlp {
namespace {

// Tokens of text[0, size) into records with begin and end members.
template <class Record>
Status tokenize_into(const Model& model, const char* text, size_t size, Record* out, size_t capacity, size_t* count) {
  if (count != nullptr) *count = 0;
  if (!model.is_token_model()) return Status::kNotClassifier;
  if (count == nullptr || (text == nullptr && size != 0) || (out == nullptr && capacity != 0)) {
    return Status::kInvalidArgument;
  }
  const uint8_t* s = reinterpret_cast<const uint8_t*>(text);
  size_t pos = 0, begin = 0, end = 0, n = 0;
  while (detail::next_token(s, size, &pos, &begin, &end)) {
    if (n < capacity) {
      out[n].begin = begin;
      out[n].end = end;
    }
    ++n;
  }
  *count = n;
  return n > capacity ? Status::kBufferTooSmall : Status::kOk;
}

// tag(): the tokens go straight into the output records, then each is
// tagged; nothing is tagged when they do not fit.
template <class Record>
Status tag_text(const Model& model, const char* text, size_t size, void* scratch, size_t scratch_size, Record* out,
                size_t capacity, size_t* count) {
  if (count != nullptr) *count = 0;
  if (!model.is_tagger()) return Status::kNotClassifier;
  if (scratch == nullptr) return Status::kInvalidArgument;
  Status s = tokenize_into(model, text, size, out, capacity, count);
  if (s != Status::kOk) return s;
  const internal::TextSpans<Record> source{reinterpret_cast<const uint8_t*>(text), out};
  s = internal::TaggerAccess::run(model, source, *count, scratch, scratch_size, out);
  if (s != Status::kOk) *count = 0;
  return s;
}

template <class Record>
Status tag_token_list(const Model& model, const char* const* tokens, const size_t* lengths, size_t n, void* scratch,
                      size_t scratch_size, Record* out) {
  if (!model.is_tagger()) return Status::kNotClassifier;
  if (n != 0 && (tokens == nullptr || out == nullptr)) return Status::kInvalidArgument;
  for (size_t j = 0; j < n; ++j) {
    if (tokens[j] == nullptr && (lengths == nullptr || lengths[j] != 0)) return Status::kInvalidArgument;
  }
  const internal::TokenList source{tokens, lengths};
  const Status s = internal::TaggerAccess::run(model, source, n, scratch, scratch_size, out);
  if (s != Status::kOk) return s;
  for (size_t j = 0; j < n; ++j) {
    size_t size = 0;
    source.token(j, &size);
    out[j].begin = 0;
    out[j].end = size;
  }
  return Status::kOk;
}

}  // namespace

Status Model::tokenize(const char* text, size_t size, Token* tokens, size_t capacity, size_t* count) const {
  return tokenize_into(*this, text, size, tokens, capacity, count);
}

Status Model::tag(const char* text, size_t size, void* scratch, size_t scratch_size, TaggedToken* out, size_t capacity,
                  size_t* count) const {
  return tag_text(*this, text, size, scratch, scratch_size, out, capacity, count);
}

Status Model::tag(const char* text, size_t size, Workspace& workspace, TaggedToken* out, size_t capacity,
                  size_t* count) const {
  return tag_text(*this, text, size, workspace.data(), workspace.size(), out, capacity, count);
}

Status Model::tag_tokens(const char* const* tokens, const size_t* lengths, size_t n, void* scratch,
                         size_t scratch_size, TaggedToken* out) const {
  return tag_token_list(*this, tokens, lengths, n, scratch, scratch_size, out);
}

Status Model::tag_tokens(const char* const* tokens, const size_t* lengths, size_t n, Workspace& workspace,
                         TaggedToken* out) const {
  return tag_token_list(*this, tokens, lengths, n, workspace.data(), workspace.size(), out);
}

Status internal::TaggerAccess::tokenize(const Model& model, const char* text, size_t size, ffnlp_token* out,
                                        size_t capacity, size_t* count) {
  return tokenize_into(model, text, size, out, capacity, count);
}

Status internal::TaggerAccess::tag(const Model& model, const char* text, size_t size, void* scratch,
                                   size_t scratch_size, ffnlp_tagged_token* out, size_t capacity, size_t* count) {
  return tag_text(model, text, size, scratch, scratch_size, out, capacity, count);
}

Status internal::TaggerAccess::tag_tokens(const Model& model, const char* const* tokens, const size_t* lengths,
                                          size_t n, void* scratch, size_t scratch_size, ffnlp_tagged_token* out) {
  return tag_token_list(model, tokens, lengths, n, scratch, scratch_size, out);
}

}  // namespace ffnlp
