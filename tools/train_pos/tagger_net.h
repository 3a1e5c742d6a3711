// The window tagger network (Botha et al. 2017) in float32, with what
// training needs. Features come only from the runtime, through its public
// token feature API (Model::token_features() of a features-only token model
// built from this configuration), so the trainer learns exactly the rows the
// converted tagger looks up:
//
//   tokens, i, earlier labels -> (channel, slot, row, weight) records
//     -> per channel and window slot: weighted sum of its rows (concat)
//     -> hidden (ReLU) -> output -> softmax over the 12 tags
//
// prev_label channels see the gold labels in training and the greedy
// predictions when tagging (as the runtime does).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/common/feature_metadata.h"

namespace ffnlp {
namespace train {

struct TaggerConfig {
  // Channels, in input-vector order; buckets include the 2 padding rows.
  std::vector<tools::ChannelMetadata> channels;
  uint32_t hidden = 128;
  uint32_t labels = 12;
  bool quantize_dense = true;

  // Derived by finalize().
  std::vector<uint32_t> offset;  // of each channel in the input vector
  std::vector<uint32_t> slots;   // window positions of a concat channel, else 1
  uint32_t input_width = 0;
  std::shared_ptr<const std::vector<uint8_t>> feature_bytes;  // the features-only model file
  std::shared_ptr<const Model> features;                      // viewing feature_bytes
  void finalize();
  // Size of the converted file without metadata and vocabulary (q8_row
  // embeddings with their scales; dense layers q8_row or float).
  uint64_t weight_bytes() const;
};

struct TaggerParams {
  std::vector<std::vector<float>> emb;  // per channel: rows x dims
  std::vector<float> w1, b1, w2, b2;    // hidden x input, hidden, labels x hidden, labels
  void init(const TaggerConfig& cfg, std::mt19937_64& rng);
};

// A sentence as the feature API takes it.
struct TokenSpan {
  std::vector<const char*> tokens;
  std::vector<size_t> lengths;
};

// Scratch of one forward/backward pass.
struct TaggerScratch {
  std::vector<FeatureRef> refs;
  size_t ref_count = 0;
  std::vector<float> x, a, h, z, p, gz, gh, gx;
  void init(const TaggerConfig& cfg);
};

// Gradients of a minibatch: dense buffers for the layers; per channel a
// dense buffer of which only the listed rows are non-zero.
struct TaggerGrads {
  std::vector<float> w1, b1, w2, b2;
  std::vector<std::vector<float>> emb;
  std::vector<std::vector<uint8_t>> mark;
  std::vector<std::vector<uint32_t>> touched;
  double loss = 0;
  uint64_t examples = 0, correct = 0;
  void init(const TaggerConfig& cfg);
};

// The features of token i (labels: of tokens 0..i-1), then the forward pass:
// probabilities in s->p; returns the best label (lowest index among ties,
// as the runtime).
uint32_t tagger_forward(const TaggerConfig& cfg, const TaggerParams& prm, const TokenSpan& sentence, size_t i,
                        const uint32_t* labels, TaggerScratch* s);

// Forward and backward of token i with gold label `gold` and label
// smoothing; adds the gradient of the loss to g.
void tagger_accumulate(const TaggerConfig& cfg, const TaggerParams& prm, const TokenSpan& sentence, size_t i,
                       const uint32_t* labels, uint32_t gold, float smoothing, TaggerScratch* s, TaggerGrads* g);

// Greedy tags of a sentence, left to right (what the runtime computes).
void tagger_tag(const TaggerConfig& cfg, const TaggerParams& prm, const TokenSpan& sentence, TaggerScratch* s,
                std::vector<uint32_t>* out);

struct TaggerAdam {
  std::vector<std::vector<float>> emb_m, emb_v;
  std::vector<float> w1_m, w1_v, b1_m, b1_v, w2_m, w2_v, b2_m, b2_v;
  uint64_t step = 0;
  void init(const TaggerConfig& cfg);
};

// One Adam step from g (lazy for embedding rows: only touched rows move),
// scaled by 1/g.examples; clears g.
void tagger_adam_step(const TaggerConfig& cfg, float lr, float emb_lr_scale, TaggerGrads* g, TaggerParams* prm,
                      TaggerAdam* st);

// What the runtime computes with: embedding rows (and with quantize_dense the
// layers' rows) through quantize_row and back.
TaggerParams tagger_quantized_copy(const TaggerConfig& cfg, const TaggerParams& prm);

}  // namespace train
}  // namespace ffnlp
