// Small models built in memory for tests: a valid classifier that mutations
// can start from, and the helpers to re-seal a mutated file.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/toolkit.h"
#include "tools/common/feature_metadata.h"
#include "tools/common/model_writer.h"

namespace ffnlp {
namespace testing {

// The layer keys of a network hidden_w/hidden_b (ReLU) -> out_w/out_b
// (softmax), the shape most test models have.
inline void set_two_layer_metadata(tools::ModelWriter& w) {
  w.set_u32("layer.count", 2);
  w.set_string("layer.0.weights", "hidden_w");
  w.set_string("layer.0.bias", "hidden_b");
  w.set_string("layer.0.activation", "relu");
  w.set_string("layer.1.weights", "out_w");
  w.set_string("layer.1.bias", "out_b");
  w.set_string("layer.1.activation", "softmax");
}

struct TinyNetwork {
  // channels: 1-gram (13 x 4), 2-gram (17 x 3), script (kScriptCount x 2)
  std::vector<float> emb1, emb2, emb_script;
  std::vector<float> hidden_w, hidden_b, out_w, out_b;  // hidden 5, labels 3
  static constexpr uint32_t kBuckets1 = 13, kDims1 = 4, kBuckets2 = 17, kDims2 = 3, kScriptDims = 2;
  static constexpr uint32_t kHidden = 5, kLabels = 3;
  uint32_t script_rows = 0;
};

inline std::vector<float> random_values(std::mt19937& rng, size_t n, float scale) {
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

inline TinyNetwork make_tiny_network(uint32_t seed, uint32_t script_rows) {
  std::mt19937 rng(seed);
  TinyNetwork n;
  n.script_rows = script_rows;
  n.emb1 = random_values(rng, TinyNetwork::kBuckets1 * TinyNetwork::kDims1, 1.0f);
  n.emb2 = random_values(rng, TinyNetwork::kBuckets2 * TinyNetwork::kDims2, 0.5f);
  n.emb_script = random_values(rng, script_rows * TinyNetwork::kScriptDims, 1.0f);
  const uint32_t in = TinyNetwork::kDims1 + TinyNetwork::kDims2 + TinyNetwork::kScriptDims;
  n.hidden_w = random_values(rng, TinyNetwork::kHidden * in, 1.0f);
  n.hidden_b = random_values(rng, TinyNetwork::kHidden, 0.1f);
  n.out_w = random_values(rng, TinyNetwork::kLabels * TinyNetwork::kHidden, 1.0f);
  n.out_b = random_values(rng, TinyNetwork::kLabels, 0.1f);
  return n;
}

inline tools::TensorToWrite f32_tensor(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& v,
                                       uint32_t rank = 2) {
  tools::TensorToWrite t;
  t.name = name;
  t.rank = rank;
  t.rows = rows;
  t.cols = cols;
  t.values = v;
  return t;
}

inline tools::TensorToWrite q8_tensor(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& v) {
  tools::TensorToWrite t;
  t.name = name;
  t.dtype = DType::kQ8Row;
  t.rows = rows;
  t.cols = cols;
  t.zero_point = kDefaultZeroPoint;
  t.q.resize(rows * cols);
  t.scales.resize(rows);
  for (uint64_t r = 0; r < rows; ++r) {
    t.scales[r] = quantize_row(v.data() + r * cols, cols, kDefaultZeroPoint, Rounding::kHalfUp, t.q.data() + r * cols);
  }
  return t;
}

// A packed table of v: dtype kQ4Row (q4_row, dtype 5: zero point 8, rows
// packed two values a byte, quantize_row_q4), kQ4RowBf16 (the same with
// bfloat16 scales, quantize_row_q4_bf16) or kQ3RowBf16 (q3_row_bf16, dtype
// 7: zero point 4, 3 bits a value, quantize_row_q3_bf16).
inline tools::TensorToWrite packed_tensor(const std::string& name, uint64_t rows, uint64_t cols,
                                          const std::vector<float>& v, DType dtype) {
  const bool q3 = dtype == DType::kQ3RowBf16;
  tools::TensorToWrite t;
  t.name = name;
  t.dtype = dtype;
  t.rows = rows;
  t.cols = cols;
  t.zero_point = q3 ? kDefaultZeroPointQ3 : kDefaultZeroPointQ4;
  const size_t row_bytes = tensor_row_bytes(dtype, cols);
  t.q.resize(rows * row_bytes);
  std::vector<uint8_t> values(cols);
  for (uint64_t r = 0; r < rows; ++r) {
    const float* row = v.data() + r * cols;
    uint16_t bf16 = 0;
    if (q3) {
      t.scales.push_back(quantize_row_q3_bf16(row, cols, t.zero_point, Rounding::kHalfUp, values.data(), &bf16));
    } else if (dtype == DType::kQ4RowBf16) {
      t.scales.push_back(quantize_row_q4_bf16(row, cols, t.zero_point, Rounding::kHalfUp, values.data(), &bf16));
    } else {
      t.scales.push_back(quantize_row_q4(row, cols, t.zero_point, Rounding::kHalfUp, values.data()));
    }
    if (q3) {
      pack_q3(values.data(), cols, t.q.data() + r * row_bytes);
    } else {
      pack_q4(values.data(), cols, t.q.data() + r * row_bytes);
    }
  }
  return t;
}

inline tools::TensorToWrite q4_tensor(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& v,
                                      DType dtype = DType::kQ4Row) {
  return packed_tensor(name, rows, cols, v, dtype);
}

inline tools::TensorToWrite q3_tensor(const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& v) {
  return packed_tensor(name, rows, cols, v, DType::kQ3RowBf16);
}

// The tiny classifier's tensors; quantized embeddings unless float_embeddings.
inline void add_tiny_tensors(tools::ModelWriter& w, const TinyNetwork& n, bool float_embeddings) {
  auto emb = [&](const std::string& name, uint64_t rows, uint64_t cols, const std::vector<float>& v) {
    w.add_tensor(float_embeddings ? f32_tensor(name, rows, cols, v) : q8_tensor(name, rows, cols, v));
  };
  emb("emb1", TinyNetwork::kBuckets1, TinyNetwork::kDims1, n.emb1);
  emb("emb2", TinyNetwork::kBuckets2, TinyNetwork::kDims2, n.emb2);
  emb("emb_script", n.script_rows, TinyNetwork::kScriptDims, n.emb_script);
  const uint32_t in = TinyNetwork::kDims1 + TinyNetwork::kDims2 + TinyNetwork::kScriptDims;
  w.add_tensor(f32_tensor("hidden_w", TinyNetwork::kHidden, in, n.hidden_w));
  w.add_tensor(f32_tensor("hidden_b", TinyNetwork::kHidden, 1, n.hidden_b, 1));
  w.add_tensor(f32_tensor("out_w", TinyNetwork::kLabels, TinyNetwork::kHidden, n.out_w));
  w.add_tensor(f32_tensor("out_b", TinyNetwork::kLabels, 1, n.out_b, 1));
}

// The tiny classifier's metadata: 1-gram, 2-gram and script channels, a ReLU
// hidden layer, three labels.
inline void set_tiny_metadata(tools::ModelWriter& w) {
  w.set_string("general.task", "classifier");
  w.set_string("general.name", "tiny");
  w.set_u32("text.lowercase", 1);
  w.set_u32("text.drop_digits", 1);
  w.set_u32("channel.count", 3);
  w.set_string("channel.0.kind", "char_ngram");
  w.set_u32("channel.0.order", 1);
  w.set_u32("channel.0.seed", 7);
  w.set_string("channel.0.embedding", "emb1");
  w.set_string("channel.1.kind", "char_ngram");
  w.set_u32("channel.1.order", 2);
  w.set_u32("channel.1.seed", 11);
  w.set_string("channel.1.embedding", "emb2");
  w.set_string("channel.2.kind", "script");
  w.set_string("channel.2.embedding", "emb_script");
  set_two_layer_metadata(w);
  w.set_strings("labels", {"aa", "bb", "cc"});
  w.set_strings("label_names", {"Alpha", "Beta", "Gamma"});
  w.set_string("classifier.unknown_label", "und");
}

// A complete classifier file.
inline std::vector<uint8_t> build_tiny_model(const TinyNetwork& n, bool float_embeddings = false) {
  tools::ModelWriter w;
  add_tiny_tensors(w, n, float_embeddings);
  set_tiny_metadata(w);
  return w.build();
}

// A classifier with one channel of every kind (format version 2 metadata,
// written through tools/common/feature_metadata like the converter does):
//   0 char_ngram order 2 (17 x 3, mean)   1 word hashed (50 x 3, mean)
//   2 word + vocabulary {der, die, hund} + 6 oov rows (9 x 2, sum)
//   3 prefix 3 (40 x 2, mean)   4 suffix 2 (30 x 2, mean)
//   5 shape (100 x 2, mean)     6 ids (20 x 3, sum)   7 script (kScriptCount x 2)
// -> hidden 4 (relu) -> 3 labels.
struct KindsNetwork {
  std::vector<tools::ChannelMetadata> channels;
  std::vector<std::vector<float>> tables;
  std::vector<float> hidden_w, hidden_b, out_w, out_b;
  uint32_t input_width = 0;
  static constexpr uint32_t kHidden = 4, kLabels = 3;
};

inline KindsNetwork make_kinds_network(uint32_t seed) {
  std::mt19937 rng(seed);
  KindsNetwork n;
  auto add = [&](const char* kind, uint32_t buckets, uint32_t dims, const char* pooling) -> tools::ChannelMetadata& {
    tools::ChannelMetadata c;
    c.kind = kind;
    c.buckets = buckets;
    c.dims = dims;
    c.pooling = pooling;
    c.embedding = "emb" + std::to_string(n.channels.size());
    n.channels.push_back(c);
    n.tables.push_back(random_values(rng, static_cast<size_t>(buckets) * dims, 1.0f));
    n.input_width += dims;
    return n.channels.back();
  };
  add("char_ngram", 17, 3, "mean").order = 2;
  n.channels.back().seed = 11;
  add("word", 50, 3, "mean").seed = 5;
  tools::ChannelMetadata& vocab = add("word", 9, 2, "sum");
  vocab.seed = 6;
  vocab.vocab = {"der", "die", "hund"};
  vocab.oov_buckets = 6;
  add("prefix", 40, 2, "mean").length = 3;
  n.channels.back().seed = 7;
  add("suffix", 30, 2, "mean").length = 2;
  n.channels.back().seed = 8;
  add("shape", kShapeRows, 2, "mean");
  add("ids", 20, 3, "sum");
  add("script", kScriptCount, 2, "mean");
  n.hidden_w = random_values(rng, KindsNetwork::kHidden * n.input_width, 1.0f);
  n.hidden_b = random_values(rng, KindsNetwork::kHidden, 0.1f);
  n.out_w = random_values(rng, KindsNetwork::kLabels * KindsNetwork::kHidden, 1.0f);
  n.out_b = random_values(rng, KindsNetwork::kLabels, 0.1f);
  return n;
}

inline void add_kinds_tensors(tools::ModelWriter& w, const KindsNetwork& n) {
  for (size_t c = 0; c < n.channels.size(); ++c) {
    w.add_tensor(f32_tensor(n.channels[c].embedding, n.channels[c].buckets, n.channels[c].dims, n.tables[c]));
  }
  w.add_tensor(f32_tensor("hidden_w", KindsNetwork::kHidden, n.input_width, n.hidden_w));
  w.add_tensor(f32_tensor("hidden_b", KindsNetwork::kHidden, 1, n.hidden_b, 1));
  w.add_tensor(f32_tensor("out_w", KindsNetwork::kLabels, KindsNetwork::kHidden, n.out_w));
  w.add_tensor(f32_tensor("out_b", KindsNetwork::kLabels, 1, n.out_b, 1));
}

inline void set_kinds_metadata(tools::ModelWriter& w, const KindsNetwork& n) {
  w.set_string("general.task", "classifier");
  w.set_string("general.name", "kinds");
  tools::write_features(w, tools::TextMetadata(), n.channels);
  set_two_layer_metadata(w);
  w.set_strings("labels", {"xa", "xb", "xc"});
  w.set_string("classifier.unknown_label", "und");
}

inline std::vector<uint8_t> build_kinds_model(const KindsNetwork& n) {
  tools::ModelWriter w;
  add_kinds_tensors(w, n);
  set_kinds_metadata(w, n);
  return w.build();
}

// A tagger with one channel of every token kind (docs/SPEC.md "Token
// models"); every table has its kind's rows + 2 padding rows:
//   0 word + vocabulary {boat, man, old, the} + 3 oov rows (9 x 3), window -1,0,1 concat
//   1 suffix 2 (7 + 2 rows x 2), window 0 concat
//   2 shape (100 + 2 x 2), window -1,0,1 mean
//   3 char_ngram order 2 (11 + 2 x 2), window 0,1 concat (mean inside a slot)
//   4 script (4 + 2 x 1), window -1,0 sum
//   5 prev_label (3 labels + 2 x 2), window -2,-1 concat
// -> hidden 6 (relu) -> 3 labels NOUN, VERB, DET. Embeddings q8_row.
struct TokenNetwork {
  std::vector<tools::ChannelMetadata> channels;
  std::vector<std::vector<float>> tables;
  std::vector<float> hidden_w, hidden_b, out_w, out_b;
  uint32_t input_width = 0;
  static constexpr uint32_t kHidden = 6, kLabels = 3;
};

inline TokenNetwork make_token_network(uint32_t seed) {
  std::mt19937 rng(seed);
  TokenNetwork n;
  auto add = [&](const char* kind, uint32_t rows, uint32_t dims, const char* pooling,
                 std::vector<int32_t> window) -> tools::ChannelMetadata& {
    tools::ChannelMetadata c;
    c.kind = kind;
    c.buckets = rows;
    c.dims = dims;
    c.pooling = pooling;
    c.window = window;
    c.embedding = "emb" + std::to_string(n.channels.size());
    n.channels.push_back(c);
    n.tables.push_back(random_values(rng, static_cast<size_t>(rows) * dims, 1.0f));
    n.input_width += dims * (c.pooling == "concat" ? static_cast<uint32_t>(window.size()) : 1u);
    return n.channels.back();
  };
  tools::ChannelMetadata& word = add("word", 9, 3, "concat", {-1, 0, 1});
  word.seed = 5;
  word.vocab = {"boat", "man", "old", "the"};
  word.oov_buckets = 3;
  add("suffix", 9, 2, "concat", {0}).length = 2;
  n.channels.back().seed = 8;
  add("shape", kShapeRows + 2, 2, "mean", {-1, 0, 1});
  add("char_ngram", 13, 2, "concat", {0, 1}).order = 2;
  n.channels.back().seed = 11;
  add("script", 6, 1, "sum", {-1, 0});
  add("prev_label", TokenNetwork::kLabels + 2, 2, "concat", {-2, -1});
  n.hidden_w = random_values(rng, TokenNetwork::kHidden * n.input_width, 1.0f);
  n.hidden_b = random_values(rng, TokenNetwork::kHidden, 0.1f);
  n.out_w = random_values(rng, TokenNetwork::kLabels * TokenNetwork::kHidden, 1.0f);
  n.out_b = random_values(rng, TokenNetwork::kLabels, 0.1f);
  return n;
}

inline void add_token_tensors(tools::ModelWriter& w, const TokenNetwork& n) {
  for (size_t c = 0; c < n.channels.size(); ++c) {
    w.add_tensor(q8_tensor(n.channels[c].embedding, n.channels[c].buckets, n.channels[c].dims, n.tables[c]));
  }
  w.add_tensor(f32_tensor("hidden_w", TokenNetwork::kHidden, n.input_width, n.hidden_w));
  w.add_tensor(f32_tensor("hidden_b", TokenNetwork::kHidden, 1, n.hidden_b, 1));
  w.add_tensor(f32_tensor("out_w", TokenNetwork::kLabels, TokenNetwork::kHidden, n.out_w));
  w.add_tensor(f32_tensor("out_b", TokenNetwork::kLabels, 1, n.out_b, 1));
}

inline void set_token_metadata(tools::ModelWriter& w, const TokenNetwork& n, bool features_only = false) {
  w.set_string("general.task", features_only ? "features" : "tagger");
  w.set_string("general.name", "tokens");
  tools::TextMetadata text;
  text.tokenizer = kTokenizerName;
  std::vector<tools::ChannelMetadata> channels = n.channels;
  if (features_only) {
    for (tools::ChannelMetadata& c : channels) c.embedding.clear();
  }
  tools::write_features(w, text, channels);
  w.set_strings("labels", {"NOUN", "VERB", "DET"});
  if (features_only) return;
  set_two_layer_metadata(w);
}

// A tagger file, or (features_only) its features-only file.
inline std::vector<uint8_t> build_token_model(const TokenNetwork& n, bool features_only = false) {
  tools::ModelWriter w;
  if (!features_only) add_token_tensors(w, n);
  set_token_metadata(w, n, features_only);
  return w.build();
}

// Recomputes the checksum after a test has changed some bytes, so the
// loader gets past the checksum to the check under test.
inline void reseal(std::vector<uint8_t>& bytes) {
  for (int i = 0; i < 4; ++i) bytes[format::kOffChecksum + i] = 0;
  const uint32_t crc = crc32(bytes.data(), bytes.size());
  for (int i = 0; i < 4; ++i) bytes[format::kOffChecksum + i] = static_cast<uint8_t>(crc >> (8 * i));
}

// Little-endian reads and writes of file bytes, on any host.
inline uint32_t get_u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}
inline uint64_t get_u64(const uint8_t* p) { return get_u32(p) | static_cast<uint64_t>(get_u32(p + 4)) << 32; }
inline void put_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void put_u64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
inline size_t tensor_entry(const std::vector<uint8_t>& b, uint32_t i) {
  return static_cast<size_t>(get_u64(b.data() + format::kOffTensorTable)) + i * format::kTensorEntrySize;
}

}  // namespace testing
}  // namespace ffnlp
