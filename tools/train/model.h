// The language-identification network (Botha et al. 2017 / CLD3 style) in
// float32, with what training needs: features through the runtime's public
// feature API, forward and backward passes, lazy Adam.
//
//   text -> Model::text_features() of a features-only model built from this
//           configuration (ffnlp/ffnlp.h): (channel, row, weight) records,
//           exactly the rows the converted model will look up
//        -> per channel: weighted sum of its rows (mean pooling: 1/n each)
//        -> concat -> hidden (ReLU) -> output -> softmax
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "tools/common/feature_metadata.h"

namespace ffnlp {
namespace train {

// The features-only model the trainer reads its features from: the bytes
// and the Model viewing them, shared by every copy of a configuration.
struct FeatureSource {
  std::vector<uint8_t> bytes;
  Model model;
};

struct ModelConfig {
  std::vector<uint32_t> buckets;  // per n-gram order 1..k
  std::vector<uint32_t> dims;     // per n-gram order 1..k
  std::vector<uint32_t> seeds;    // per n-gram order 1..k
  uint32_t script_dims = 8;
  uint32_t word_buckets = 0;      // hashed word unigrams (mean pooled); 0: no word channel
  uint32_t word_dims = 16;
  uint32_t word_seed = 2001;
  uint32_t han_variant_dims = 0;  // Simplified/Traditional form of each Han letter (3 rows); 0: no channel
  uint32_t hidden = 32;
  uint32_t labels = 0;
  bool quantize_dense = false;    // hidden and output layers stored q8_row
  // The hashed tables (char n-grams, words): 8 (q8_row), 4 (q4_row) or 3
  // (q3_row_bf16, which needs embedding_bf16_scales).
  uint32_t embedding_bits = 8;
  // With embedding_bits 4: their row scales bfloat16 (q4_row_bf16); 3: required.
  bool embedding_bf16_scales = false;
  // Per n-gram order (1..k), the bits of its table where not 0: 8, 4 or 3
  // (experiments: e.g. 3 bits for the 3- and 4-gram tables only).
  std::vector<uint32_t> ngram_bits;
  // The word table's bits where not 0 (8, 4 or 3; experiments).
  uint32_t word_bits = 0;
  // Experiments: 2 bits are simulated (the same rule, zero point 2, scale
  // max|row|); no tensor type stores them, so the exported tables hold the
  // rounded values, written 8-bit.
  // Quantization-aware training: the forward pass reads the tables as they
  // will be stored (Params::emb_q), the gradient updates the float rows
  // (straight-through).
  bool qat = false;
  // With qat: only the tables stored with at most this many bits are read
  // rounded (experiments: QAT for the 3-bit tables, the 4-bit ones read as
  // floats); the others' emb_q rows stay copies of the float rows.
  uint32_t qat_max_bits = 8;
  // Whether table channel c is trained as it is stored (qat, qat_max_bits).
  bool qat_channel(size_t c) const;
  // Second hashes: n-gram orders (0 = the word channel) whose table is also
  // read by a second channel of the same kind with another seed. Both
  // channels look up the one table, so a feature whose row collides under
  // one seed rarely collides under the other; the input gets both slices.
  // An order listed twice is read a third time, with a third seed.
  std::vector<uint32_t> second_hash;
  tools::TextMetadata text;

  // Derived (call finalize() after setting the fields above).
  std::vector<tools::ChannelMetadata> channels;  // n-gram orders, script, word; kind, buckets, dims, embedding name
  std::vector<uint32_t> channel_offset;          // into the input vector
  std::vector<uint32_t> table_of;                // channel -> its table (second-hash channels share one)
  std::vector<uint32_t> table_channel;           // table -> the first channel reading it
  uint32_t input_width = 0;
  std::shared_ptr<const FeatureSource> features;  // built from `channels` and `text`
  void finalize();
  uint32_t channel_rows(size_t c) const { return channels[c].buckets; }
  uint32_t channel_dims(size_t c) const { return channels[c].dims; }
  size_t table_count() const { return table_channel.size(); }
  // 8, 4 or 3 (2: simulated): how channel c's table is stored (script and
  // Han variant tables are tiny and always 8-bit).
  uint32_t channel_bits(size_t c) const;
  // Whether channel c's table keeps its row scales as bfloat16 (2 bytes,
  // q4_row_bf16 or q3_row_bf16): its tables of 4 bits or fewer with
  // embedding_bf16_scales.
  bool channel_bf16_scales(size_t c) const;
  // Whether channel c's bits are only simulated (2: no tensor type stores
  // them; the export writes the rounded values 8-bit).
  bool channel_simulated(size_t c) const { return channel_bits(c) < 3; }
  // Throws std::invalid_argument for embedding bits and scales that do not
  // go together (finalize() calls it; the trainer before reading its corpus).
  void check_embedding_storage() const;
  // Estimated size of the converted model file in bytes (q8_row, q4_row,
  // q4_row_bf16 or q3_row_bf16 embeddings, dense layers f32 or q8_row,
  // without metadata).
  uint64_t estimated_file_bytes() const;
  uint64_t parameter_count() const;
};

struct Params {
  std::vector<std::vector<float>> emb;  // per table (ModelConfig::table_of): rows x dims, row-major
  std::vector<float> w1, b1;            // hidden x input, hidden
  std::vector<float> w2, b2;            // labels x hidden, labels
  // With ModelConfig::qat: each table rounded as it will be stored, kept in
  // step with `emb` (refresh_quantized_tables, adam_step); forward() reads
  // it when it is not empty.
  std::vector<std::vector<float>> emb_q;
  void init(const ModelConfig& cfg, std::mt19937_64& rng);
};

// Rows of a (rows x cols) matrix rounded to `bits` and back: 8, 4 with f32
// or bfloat16 scales, or 3 (always bfloat16 scales, quantize_row_q3_bf16)
// as the converter stores them, each value dequantized as the runtime
// reads it; 2 simulated.
void round_trip_rows(float* values, size_t rows, size_t cols, uint32_t bits = 8, bool bf16_scales = false);
// With cfg.qat: prm->emb_q from prm->emb; without: emb_q cleared.
void refresh_quantized_tables(const ModelConfig& cfg, Params* prm);

// Weight averaging: adds every weight of prm to *sum (in double; sized on
// first use, arrays in a fixed order), then sets *prm to sum / count.
void accumulate_params(const Params& prm, std::vector<std::vector<double>>* sum);
void set_mean_params(const std::vector<std::vector<double>>& sum, uint32_t count, Params* prm);

// Feature occurrences of one text, per channel, with their pooling weights.
struct Features {
  std::vector<std::vector<uint32_t>> ids;     // [channel] row of each occurrence
  std::vector<std::vector<float>> weights;    // [channel] its weight (mean: 1/n)
  std::vector<FeatureRef> refs;               // buffer for Model::text_features()
  uint32_t letters = 0;
};
void extract(const ModelConfig& cfg, const char* text, size_t size, Features* f);

// Scratch vectors of one forward/backward pass.
struct Workspace {
  Features feats;
  std::vector<float> x, a, h, z, p, gz, gh, gx;
  void init(const ModelConfig& cfg);
};

// Computes softmax probabilities into ws->p from ws->feats. Returns argmax.
uint32_t forward(const ModelConfig& cfg, const Params& prm, Workspace* ws);

// Gradients of one shard of a minibatch. Embedding gradients are dense
// buffers, of which only the touched rows are non-zero (and listed).
struct Grads {
  std::vector<float> w1, b1, w2, b2;
  std::vector<std::vector<float>> emb;
  std::vector<std::vector<uint8_t>> mark;
  std::vector<std::vector<uint32_t>> touched;
  double loss = 0;
  uint64_t examples = 0, correct = 0;
  void init(const ModelConfig& cfg);
  void clear_dense();  // dense layers and counters (embedding rows are cleared on merge)
};

// Forward + backward of one example with label smoothing; adds `scale` x the
// gradient of the loss to g. Returns false (and does nothing) when the text
// has no features. With `soft` (a distribution over the labels, e.g. a
// teacher model's), the target is (1 - soft_weight) x the smoothed one-hot
// target + soft_weight x soft.
bool accumulate(const ModelConfig& cfg, const Params& prm, uint32_t label, float smoothing,
                float scale, Workspace* ws, Grads* g, const float* soft = nullptr,
                float soft_weight = 0.0f);

struct AdamState {
  std::vector<std::vector<float>> emb_m, emb_v;
  std::vector<float> w1_m, w1_v, b1_m, b1_v, w2_m, w2_v, b2_m, b2_v;
  uint64_t step = 0;
  void init(const ModelConfig& cfg);
};

struct AdamOptions {
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  float emb_lr_scale = 1.0f;  // embedding learning rate = lr x this
};

// Sums the shard gradients in shard order and applies one Adam step (lazy
// for embedding rows: only rows touched in this batch are updated). Clears
// the touched embedding rows of every shard.
void adam_step(const ModelConfig& cfg, const AdamOptions& opt, float lr,
               std::vector<Grads>& shards, Params* prm, AdamState* st);

}  // namespace train
}  // namespace ffnlp
