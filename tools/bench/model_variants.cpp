#include "tools/bench/model_variants.h"

#include <random>
#include <string>

#include "ffnlp/features.h"
#include "ffnlp/toolkit.h"
#include "tools/common/model_writer.h"

namespace bench {

using ffnlp::tools::ModelWriter;
using ffnlp::tools::TensorToWrite;

namespace {

TensorToWrite f32(const std::string& name, uint64_t rows, uint64_t cols, std::vector<float> v, uint32_t rank = 2) {
  TensorToWrite t;
  t.name = name;
  t.rank = rank;
  t.rows = rows;
  t.cols = cols;
  t.values = std::move(v);
  return t;
}

std::vector<float> random(std::mt19937& rng, size_t n, float scale) {
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}


}  // namespace

std::vector<uint8_t> build_synthetic_model(uint32_t labels, uint32_t seed) {
  std::mt19937 rng(seed);
  ModelWriter w;
  const uint32_t buckets[4] = {1000, 3000, 6000, 6000};
  const uint32_t dims = 16, script_dims = 8, hidden = 64;
  w.set_string("general.task", "classifier");
  w.set_string("general.name", "synthetic (random weights, shipped shape)");
  w.set_u32("text.lowercase", 1);
  w.set_u32("text.drop_digits", 1);
  w.set_u32("channel.count", 5);
  for (uint32_t c = 0; c < 4; ++c) {
    const std::string name = "emb_ngram" + std::to_string(c + 1), key = "channel." + std::to_string(c);
    const std::vector<float> v = random(rng, static_cast<size_t>(buckets[c]) * dims, 0.5f);
    TensorToWrite t;
    t.name = name;
    t.dtype = ffnlp::DType::kQ8Row;
    t.rows = buckets[c];
    t.cols = dims;
    t.zero_point = 128;
    t.q.resize(v.size());
    t.scales.resize(buckets[c]);
    for (uint32_t r = 0; r < buckets[c]; ++r) {
      t.scales[r] = ffnlp::quantize_row(v.data() + r * dims, dims, 128, ffnlp::Rounding::kHalfUp, t.q.data() + r * dims);
    }
    w.add_tensor(t);
    w.set_string(key + ".kind", "char_ngram");
    w.set_u32(key + ".order", c + 1);
    w.set_u32(key + ".seed", 1001 + c);
    w.set_string(key + ".embedding", name);
  }
  {
    const std::vector<float> v = random(rng, ffnlp::kScriptCount * script_dims, 0.5f);
    TensorToWrite t;
    t.name = "emb_script";
    t.dtype = ffnlp::DType::kQ8Row;
    t.rows = ffnlp::kScriptCount;
    t.cols = script_dims;
    t.zero_point = 128;
    t.q.resize(v.size());
    t.scales.resize(t.rows);
    for (uint32_t r = 0; r < t.rows; ++r) {
      t.scales[r] = ffnlp::quantize_row(v.data() + r * script_dims, script_dims, 128, ffnlp::Rounding::kHalfUp,
                                        t.q.data() + r * script_dims);
    }
    w.add_tensor(t);
    w.set_string("channel.4.kind", "script");
    w.set_string("channel.4.embedding", "emb_script");
  }
  const uint32_t in = 4 * dims + script_dims;
  w.add_tensor(f32("hidden_w", hidden, in, random(rng, hidden * in, 0.3f)));
  w.add_tensor(f32("hidden_b", hidden, 1, random(rng, hidden, 0.1f), 1));
  w.add_tensor(f32("output_w", labels, hidden, random(rng, labels * hidden, 0.3f)));
  w.add_tensor(f32("output_b", labels, 1, random(rng, labels, 0.1f), 1));
  w.set_u32("layer.count", 2);
  w.set_string("layer.0.weights", "hidden_w");
  w.set_string("layer.0.bias", "hidden_b");
  w.set_string("layer.0.activation", "relu");
  w.set_string("layer.1.weights", "output_w");
  w.set_string("layer.1.bias", "output_b");
  w.set_string("layer.1.activation", "softmax");
  std::vector<std::string> names;
  for (uint32_t l = 0; l < labels; ++l) names.push_back("l" + std::to_string(l));
  w.set_strings("labels", names);
  w.set_string("classifier.unknown_label", "und");
  return w.build();
}

std::vector<uint8_t> build_float_twin(const ffnlp::Model& model, const uint8_t* bytes) {
  (void)bytes;  // everything comes through the Model's views
  ModelWriter w;
  for (uint32_t i = 0; i < model.tensor_count(); ++i) {
    const ffnlp::TensorView& t = model.tensor(i);
    std::vector<float> v(t.rows * t.cols);
    // q8_col layer weights are stored (in, out); float ones are (out, in).
    const bool by_col = t.dtype == ffnlp::DType::kQ8Col;
    for (uint64_t r = 0; r < t.rows; ++r) {
      for (uint64_t c = 0; c < t.cols; ++c) v[by_col ? c * t.rows + r : r * t.cols + c] = t.at(r, c);
    }
    w.add_tensor(by_col ? f32(t.name, t.cols, t.rows, std::move(v)) : f32(t.name, t.rows, t.cols, std::move(v), t.rank));
  }
  // Copy the metadata entry by entry (public metadata iteration).
  for (uint32_t k = 0; k < model.metadata_count(); ++k) {
    ffnlp::MetadataItem e;
    if (!model.metadata_item(k, &e)) return {};
    const std::string key(e.key, e.key_length);
    switch (e.type) {
      case ffnlp::MetaType::kU32: w.set_u32(key, e.u32()); break;
      case ffnlp::MetaType::kF32: w.set_f32(key, e.f32()); break;
      case ffnlp::MetaType::kString: w.set_string(key, e.string()); break;
      case ffnlp::MetaType::kStringArray: {
        std::vector<std::string> texts;
        for (uint32_t s2 = 0; s2 < e.count; ++s2) texts.emplace_back(e.string(s2));
        w.set_strings(key, texts);
        break;
      }
      case ffnlp::MetaType::kU32Array: {
        std::vector<uint32_t> values;
        for (uint32_t s2 = 0; s2 < e.count; ++s2) values.push_back(e.u32(s2));
        w.set_u32s(key, values);
        break;
      }
    }
  }
  return w.build();
}

}  // namespace bench
