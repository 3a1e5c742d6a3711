#include "tools/train/model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ffnlp/toolkit.h"
#include "tools/train/adam.h"
#include "tools/train/dataset.h"

namespace ffnlp {
namespace train {

void ModelConfig::finalize() {
  if (buckets.empty() || buckets.size() != dims.size() || buckets.size() != seeds.size())
    throw std::invalid_argument("buckets, dims and seeds need one value per n-gram order");
  if (buckets.size() > kMaxNgramOrder) throw std::invalid_argument("too many n-gram orders");
  channels.clear();
  channel_offset.clear();
  input_width = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i] == 0 || dims[i] == 0 || dims[i] > 256)
      throw std::invalid_argument("buckets must be > 0 and dims in 1..256");
    tools::ChannelMetadata c;
    c.kind = "char_ngram";
    c.order = static_cast<uint32_t>(i + 1);
    c.seed = seeds[i];
    c.buckets = buckets[i];
    c.dims = dims[i];
    c.embedding = "emb_ngram" + std::to_string(i + 1);
    channels.push_back(c);
  }
  if (script_dims > 256) throw std::invalid_argument("script dims must be <= 256");
  if (script_dims > 0) {
    tools::ChannelMetadata c;
    c.kind = "script";
    c.buckets = kScriptCount;
    c.dims = script_dims;
    c.embedding = "emb_script";
    channels.push_back(c);
  }
  if (word_buckets > 0) {
    if (word_dims == 0 || word_dims > 256) throw std::invalid_argument("word dims must be in 1..256");
    tools::ChannelMetadata c;
    c.kind = "word";
    c.seed = word_seed;
    c.buckets = word_buckets;
    c.dims = word_dims;
    c.embedding = "emb_word";
    channels.push_back(c);
  }
  if (han_variant_dims > 256) throw std::invalid_argument("han variant dims must be <= 256");
  if (han_variant_dims > 0) {  // after the others, so adding it moves no existing channel
    tools::ChannelMetadata c;
    c.kind = "han_variant";
    c.buckets = kHanVariantRows;
    c.dims = han_variant_dims;
    c.embedding = "emb_han_variant";
    channels.push_back(c);
  }
  table_of.clear();
  table_channel.clear();
  for (size_t c = 0; c < channels.size(); ++c) {
    table_of.push_back(static_cast<uint32_t>(c));
    table_channel.push_back(static_cast<uint32_t>(c));
  }
  // Second-hash channels last, so that they move no existing channel; each
  // reads its first channel's table (the same embedding name) with a seed
  // no first channel uses.
  for (uint32_t order : second_hash) {
    size_t first = channels.size();
    for (size_t c = 0; c < table_channel.size(); ++c) {
      const tools::ChannelMetadata& m = channels[c];
      if ((order == 0 && m.kind == "word") || (order != 0 && m.kind == "char_ngram" && m.order == order)) first = c;
    }
    if (first == channels.size())
      throw std::invalid_argument("--second-hash " + std::to_string(order) + ": no such n-gram order or word channel");
    // Listed again: a third read, and so on, each with its own seed.
    uint32_t reads = 1;
    for (size_t c = table_channel.size(); c < channels.size(); ++c) reads += table_of[c] == first;
    tools::ChannelMetadata twin = channels[first];
    twin.seed += 0x5000 * reads;
    channels.push_back(twin);
    table_of.push_back(static_cast<uint32_t>(first));
  }
  if (channels.size() > Model::kMaxChannels) throw std::invalid_argument("too many channels");
  for (const tools::ChannelMetadata& c : channels) {
    channel_offset.push_back(input_width);
    input_width += c.dims;
  }
  if (hidden == 0 || labels == 0) throw std::invalid_argument("zero hidden size or labels");
  check_embedding_storage();
  // The features come from the runtime, through its public API: a
  // features-only model file with these channels, built and loaded here.
  auto source = std::make_shared<FeatureSource>();
  tools::ModelWriter writer;
  writer.set_string("general.task", "features");
  std::vector<tools::ChannelMetadata> described = channels;
  for (tools::ChannelMetadata& c : described) c.embedding.clear();
  tools::write_features(writer, text, described);
  source->bytes = writer.build();
  Error error;
  if (Model::load(source->bytes.data(), source->bytes.size(), &source->model, &error) != Status::kOk) {
    throw std::invalid_argument(std::string("feature configuration: ") + error.message);
  }
  features = source;
}

void ModelConfig::check_embedding_storage() const {
  if (embedding_bits != 8 && embedding_bits != 4 && embedding_bits != 3 && embedding_bits != 2)
    throw std::invalid_argument("embedding bits must be 8, 4, 3 or 2");
  if (embedding_bf16_scales && embedding_bits > 4)
    throw std::invalid_argument(
        "bf16 embedding scales (--embedding-scales bf16) need 4-bit tables (--embedding-bits 4) or fewer bits");
  for (uint32_t b : ngram_bits) {
    if (b != 0 && b != 8 && b != 4 && b != 3) throw std::invalid_argument("n-gram bits must be 8, 4 or 3 (0: --embedding-bits)");
    if (b == 3 && !embedding_bf16_scales)
      throw std::invalid_argument("3-bit n-gram tables (--ngram-bits) need --embedding-scales bf16");
  }
  if (word_bits != 0 && word_bits != 8 && word_bits != 4 && word_bits != 3)
    throw std::invalid_argument("word bits must be 8, 4 or 3 (0: --embedding-bits)");
  if (word_bits == 3 && !embedding_bf16_scales)
    throw std::invalid_argument("a 3-bit word table (--word-bits 3) needs --embedding-scales bf16");
  if (embedding_bits == 3 && !embedding_bf16_scales)
    throw std::invalid_argument(
        "3-bit tables (--embedding-bits 3, q3_row_bf16) store their row scales as bfloat16 only: add "
        "--embedding-scales bf16");
}

uint32_t ModelConfig::channel_bits(size_t c) const {
  const std::string& kind = channels[c].kind;
  const uint32_t order = channels[c].order;
  if (kind == "char_ngram" && order >= 1 && order <= ngram_bits.size() && ngram_bits[order - 1] != 0)
    return ngram_bits[order - 1];
  if (kind == "word" && word_bits != 0) return word_bits;
  return kind == "char_ngram" || kind == "word" ? embedding_bits : 8;
}

bool ModelConfig::qat_channel(size_t c) const { return qat && channel_bits(c) <= qat_max_bits; }

bool ModelConfig::channel_bf16_scales(size_t c) const { return embedding_bf16_scales && channel_bits(c) <= 4; }

uint64_t ModelConfig::estimated_file_bytes() const {
  uint64_t bytes = 0;
  for (size_t i : table_channel) {
    const tools::ChannelMetadata& c = channels[i];
    const uint32_t bits = channel_bits(i);
    const uint64_t row_bytes = (static_cast<uint64_t>(c.dims) * bits + 7) / 8;
    const uint64_t scale_bytes = channel_bf16_scales(i) ? 2 : 4;  // one bfloat16 or f32 scale per row
    bytes += static_cast<uint64_t>(c.buckets) * (row_bytes + scale_bytes);
  }
  const uint64_t w1 = static_cast<uint64_t>(hidden) * input_width, w2 = static_cast<uint64_t>(labels) * hidden;
  if (quantize_dense) {
    bytes += w1 + 4ull * hidden + w2 + 4ull * labels;  // q8_row weights: 1 byte each + one scale per row
  } else {
    bytes += 4 * (w1 + w2);
  }
  bytes += 4ull * (hidden + labels);  // biases
  return bytes;
}

uint64_t ModelConfig::parameter_count() const {
  uint64_t n = 0;
  for (size_t c : table_channel) n += static_cast<uint64_t>(channels[c].buckets) * channels[c].dims;
  n += static_cast<uint64_t>(hidden) * (input_width + 1) +
       static_cast<uint64_t>(labels) * (hidden + 1);
  return n;
}

namespace {

// Small kernels written so that GCC/Clang's SLP vectorizer (on at -O2) turns
// each 8-wide block into SIMD operations. The summation order is fixed, so
// results do not depend on the vectorization.
inline float dot(const float* __restrict a, const float* __restrict b, size_t n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
    s4 += a[i + 4] * b[i + 4];
    s5 += a[i + 5] * b[i + 5];
    s6 += a[i + 6] * b[i + 6];
    s7 += a[i + 7] * b[i + 7];
  }
  float s = ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

// y += a * x
inline void axpy(float a, const float* __restrict x, float* __restrict y, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    y[i] += a * x[i];
    y[i + 1] += a * x[i + 1];
    y[i + 2] += a * x[i + 2];
    y[i + 3] += a * x[i + 3];
    y[i + 4] += a * x[i + 4];
    y[i + 5] += a * x[i + 5];
    y[i + 6] += a * x[i + 6];
    y[i + 7] += a * x[i + 7];
  }
  for (; i < n; ++i) y[i] += a * x[i];
}

// y += x
inline void add(const float* __restrict x, float* __restrict y, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    y[i] += x[i];
    y[i + 1] += x[i + 1];
    y[i + 2] += x[i + 2];
    y[i + 3] += x[i + 3];
    y[i + 4] += x[i + 4];
    y[i + 5] += x[i + 5];
    y[i + 6] += x[i + 6];
    y[i + 7] += x[i + 7];
  }
  for (; i < n; ++i) y[i] += x[i];
}

void fill_uniform(std::vector<float>* v, size_t n, double limit, std::mt19937_64& rng) {
  v->resize(n);
  for (float& x : *v) x = static_cast<float>((2.0 * uniform01(rng) - 1.0) * limit);
}
}  // namespace

void Params::init(const ModelConfig& cfg, std::mt19937_64& rng) {
  emb.resize(cfg.table_count());
  for (size_t t = 0; t < cfg.table_count(); ++t) {
    const size_t c = cfg.table_channel[t];
    fill_uniform(&emb[t], static_cast<size_t>(cfg.channel_rows(c)) * cfg.channel_dims(c), 0.5, rng);
  }
  fill_uniform(&w1, static_cast<size_t>(cfg.hidden) * cfg.input_width,
               std::sqrt(6.0 / cfg.input_width), rng);
  b1.assign(cfg.hidden, 0.0f);
  fill_uniform(&w2, static_cast<size_t>(cfg.labels) * cfg.hidden,
               std::sqrt(6.0 / (cfg.hidden + cfg.labels)), rng);
  b2.assign(cfg.labels, 0.0f);
}

void round_trip_rows(float* values, size_t rows, size_t cols, uint32_t bits, bool bf16_scales) {
  if (bits < 3) {  // simulated: zero point 2^(bits-1), levels -(b-1)..(b-1)
    const float levels = static_cast<float>((1u << (bits - 1)) - 1);
    for (size_t r = 0; r < rows; ++r) {
      float* row = values + r * cols;
      float most = 0.0f;
      for (size_t j = 0; j < cols; ++j) most = std::max(most, std::fabs(row[j]));
      float scale = most / levels;
      if (bf16_scales) scale = float_from_bf16(bf16_at_least(scale));
      for (size_t j = 0; j < cols; ++j) {
        const float q = scale > 0.0f ? std::floor(0.5f + row[j] / scale) : 0.0f;
        row[j] = std::min(levels, std::max(-levels, q)) * scale;
      }
    }
    return;
  }
  std::vector<uint8_t> buf(cols);
  const uint32_t zero_point = bits == 4 ? kDefaultZeroPointQ4 : bits == 3 ? kDefaultZeroPointQ3 : kDefaultZeroPoint;
  for (size_t r = 0; r < rows; ++r) {
    float* row = values + r * cols;
    uint16_t bf16 = 0;
    const float scale =
        bits == 3     ? quantize_row_q3_bf16(row, cols, zero_point, Rounding::kHalfUp, buf.data(), &bf16)
        : bits != 4   ? quantize_row(row, cols, zero_point, Rounding::kHalfUp, buf.data())
        : bf16_scales ? quantize_row_q4_bf16(row, cols, zero_point, Rounding::kHalfUp, buf.data(), &bf16)
                      : quantize_row_q4(row, cols, zero_point, Rounding::kHalfUp, buf.data());
    for (size_t j = 0; j < cols; ++j) row[j] = dequantize(buf[j], scale, zero_point);
  }
}

void refresh_quantized_tables(const ModelConfig& cfg, Params* prm) {
  if (!cfg.qat) {
    prm->emb_q.clear();
    return;
  }
  prm->emb_q = prm->emb;
  for (size_t t = 0; t < cfg.table_count(); ++t) {
    const size_t c = cfg.table_channel[t];
    if (!cfg.qat_channel(c)) continue;
    round_trip_rows(prm->emb_q[t].data(), cfg.channel_rows(c), cfg.channel_dims(c), cfg.channel_bits(c),
                    cfg.channel_bf16_scales(c));
  }
}

void extract(const ModelConfig& cfg, const char* text, size_t size, Features* f) {
  const size_t channels = cfg.channels.size();
  f->ids.resize(channels);
  f->weights.resize(channels);
  for (size_t c = 0; c < channels; ++c) {
    f->ids[c].clear();
    f->weights[c].clear();
  }
  if (f->refs.size() < 256) f->refs.resize(256);
  size_t count = 0;
  TextStats stats;
  const Model& model = cfg.features->model;
  Status s = model.text_features(text, size, f->refs.data(), f->refs.size(), &count, &stats);
  if (s == Status::kBufferTooSmall) {
    f->refs.resize(count);
    s = model.text_features(text, size, f->refs.data(), f->refs.size(), &count, &stats);
  }
  if (s != Status::kOk) throw std::runtime_error(std::string("text_features: ") + status_name(s));
  for (size_t i = 0; i < count; ++i) {
    const FeatureRef& r = f->refs[i];
    f->ids[r.channel].push_back(r.row);
    f->weights[r.channel].push_back(r.weight);
  }
  f->letters = stats.letters;
}

void Workspace::init(const ModelConfig& cfg) {
  feats.ids.assign(cfg.channels.size(), {});
  x.assign(cfg.input_width, 0.0f);
  gx.assign(cfg.input_width, 0.0f);
  a.assign(cfg.hidden, 0.0f);
  h.assign(cfg.hidden, 0.0f);
  gh.assign(cfg.hidden, 0.0f);
  z.assign(cfg.labels, 0.0f);
  p.assign(cfg.labels, 0.0f);
  gz.assign(cfg.labels, 0.0f);
}

namespace {

// Every weight array of prm, in a fixed order.
template <typename P, typename F>
void for_each_array(P& prm, F f) {
  for (auto& e : prm.emb) f(e);
  f(prm.w1);
  f(prm.b1);
  f(prm.w2);
  f(prm.b2);
}

}  // namespace

void accumulate_params(const Params& prm, std::vector<std::vector<double>>* sum) {
  size_t k = 0;
  for_each_array(prm, [&](const std::vector<float>& a) {
    if (sum->size() <= k) sum->emplace_back(a.size(), 0.0);
    std::vector<double>& s = (*sum)[k++];
    if (s.size() != a.size()) throw std::runtime_error("averaging models of different shapes");
    for (size_t i = 0; i < a.size(); ++i) s[i] += a[i];
  });
}

void set_mean_params(const std::vector<std::vector<double>>& sum, uint32_t count, Params* prm) {
  size_t k = 0;
  for_each_array(*prm, [&](std::vector<float>& a) {
    if (k >= sum.size() || sum[k].size() != a.size())
      throw std::runtime_error("averaging models of different shapes");
    const std::vector<double>& s = sum[k++];
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(s[i] / count);
  });
}

uint32_t forward(const ModelConfig& cfg, const Params& prm, Workspace* ws) {
  const uint32_t H = cfg.hidden, L = cfg.labels, I = cfg.input_width;
  float* x = ws->x.data();
  std::fill(ws->x.begin(), ws->x.end(), 0.0f);
  // Each channel's slice: sum of weight x row (the runtime's pooling weights).
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    const auto& ids = ws->feats.ids[c];
    const auto& weights = ws->feats.weights[c];
    const uint32_t d = cfg.channel_dims(c);
    float* xs = x + cfg.channel_offset[c];
    const float* E = (prm.emb_q.empty() ? prm.emb : prm.emb_q)[cfg.table_of[c]].data();
    for (size_t k = 0; k < ids.size(); ++k) axpy(weights[k], E + static_cast<size_t>(ids[k]) * d, xs, d);
  }
  for (uint32_t k = 0; k < H; ++k) {
    const float s = dot(prm.w1.data() + static_cast<size_t>(k) * I, x, I) + prm.b1[k];
    ws->a[k] = s;
    ws->h[k] = s > 0.0f ? s : 0.0f;
  }
  const float* h = ws->h.data();
  float zmax = -INFINITY;
  uint32_t best = 0;
  for (uint32_t l = 0; l < L; ++l) {
    const float s = dot(prm.w2.data() + static_cast<size_t>(l) * H, h, H) + prm.b2[l];
    ws->z[l] = s;
    if (s > zmax) {
      zmax = s;
      best = l;
    }
  }
  float sum = 0.0f;
  for (uint32_t l = 0; l < L; ++l) {
    ws->p[l] = std::exp(ws->z[l] - zmax);
    sum += ws->p[l];
  }
  const float inv = 1.0f / sum;
  for (uint32_t l = 0; l < L; ++l) ws->p[l] *= inv;
  return best;
}

void Grads::init(const ModelConfig& cfg) {
  w1.assign(static_cast<size_t>(cfg.hidden) * cfg.input_width, 0.0f);
  b1.assign(cfg.hidden, 0.0f);
  w2.assign(static_cast<size_t>(cfg.labels) * cfg.hidden, 0.0f);
  b2.assign(cfg.labels, 0.0f);
  emb.resize(cfg.table_count());
  mark.resize(cfg.table_count());
  touched.resize(cfg.table_count());
  for (size_t t = 0; t < cfg.table_count(); ++t) {
    const size_t c = cfg.table_channel[t];
    emb[t].assign(static_cast<size_t>(cfg.channel_rows(c)) * cfg.channel_dims(c), 0.0f);
    mark[t].assign(cfg.channel_rows(c), 0);
    touched[t].clear();
  }
  loss = 0;
  examples = correct = 0;
}

void Grads::clear_dense() {
  std::fill(w1.begin(), w1.end(), 0.0f);
  std::fill(b1.begin(), b1.end(), 0.0f);
  std::fill(w2.begin(), w2.end(), 0.0f);
  std::fill(b2.begin(), b2.end(), 0.0f);
  loss = 0;
  examples = correct = 0;
}

bool accumulate(const ModelConfig& cfg, const Params& prm, uint32_t label, float smoothing,
                float scale, Workspace* ws, Grads* g, const float* soft, float soft_weight) {
  bool any = false;
  for (const auto& v : ws->feats.ids) any = any || !v.empty();
  if (!any) return false;
  const uint32_t H = cfg.hidden, L = cfg.labels, I = cfg.input_width;
  const uint32_t best = forward(cfg, prm, ws);

  // Cross-entropy against t = a soft + (1 - a) ((1 - e) onehot + e / L),
  // a = soft_weight (0 without soft), e = smoothing.
  const double hard = soft ? 1.0 - soft_weight : 1.0;
  float zmax = ws->z[best];
  double lse = 0.0;
  for (uint32_t l = 0; l < L; ++l) lse += std::exp(static_cast<double>(ws->z[l] - zmax));
  const double log_z = zmax + std::log(lse);
  const double off = hard * smoothing / L;
  double loss = -hard * (1.0 - smoothing) * (ws->z[label] - log_z);
  if (smoothing > 0) {
    double s = 0.0;
    for (uint32_t l = 0; l < L; ++l) s += ws->z[l] - log_z;
    loss -= off * s;
  }
  if (soft) {
    double s = 0.0;
    for (uint32_t l = 0; l < L; ++l) s += soft[l] * (ws->z[l] - log_z);
    loss -= soft_weight * s;
  }
  g->loss += loss;
  g->examples += 1;
  g->correct += best == label;

  float* gz = ws->gz.data();
  for (uint32_t l = 0; l < L; ++l) gz[l] = (ws->p[l] - static_cast<float>(off)) * scale;
  gz[label] -= static_cast<float>(hard * (1.0 - smoothing)) * scale;
  if (soft)
    for (uint32_t l = 0; l < L; ++l) gz[l] -= soft_weight * soft[l] * scale;

  // Output layer.
  const float* h = ws->h.data();
  float* gh = ws->gh.data();
  std::fill(ws->gh.begin(), ws->gh.end(), 0.0f);
  for (uint32_t l = 0; l < L; ++l) {
    const float gl = gz[l];
    float* gw = g->w2.data() + static_cast<size_t>(l) * H;
    const float* w = prm.w2.data() + static_cast<size_t>(l) * H;
    axpy(gl, h, gw, H);
    axpy(gl, w, gh, H);
    g->b2[l] += gl;
  }
  // Hidden layer (ReLU).
  const float* x = ws->x.data();
  float* gx = ws->gx.data();
  std::fill(ws->gx.begin(), ws->gx.end(), 0.0f);
  for (uint32_t k = 0; k < H; ++k) {
    if (ws->a[k] <= 0.0f) continue;
    const float ga = gh[k];
    float* gw = g->w1.data() + static_cast<size_t>(k) * I;
    const float* w = prm.w1.data() + static_cast<size_t>(k) * I;
    axpy(ga, x, gw, I);
    axpy(ga, w, gx, I);
    g->b1[k] += ga;
  }
  // Embeddings: each occurrence gets its pooling weight x its channel
  // slice's gradient.
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    const auto& ids = ws->feats.ids[c];
    const auto& weights = ws->feats.weights[c];
    const uint32_t d = cfg.channel_dims(c);
    const float* src = gx + cfg.channel_offset[c];
    const uint32_t t = cfg.table_of[c];
    float* G = g->emb[t].data();
    uint8_t* mark = g->mark[t].data();
    for (size_t k = 0; k < ids.size(); ++k) {
      const uint32_t id = ids[k];
      if (!mark[id]) {
        mark[id] = 1;
        g->touched[t].push_back(id);
      }
      axpy(weights[k], src, G + static_cast<size_t>(id) * d, d);
    }
  }
  return true;
}

void AdamState::init(const ModelConfig& cfg) {
  emb_m.resize(cfg.table_count());
  emb_v.resize(cfg.table_count());
  for (size_t t = 0; t < cfg.table_count(); ++t) {
    const size_t c = cfg.table_channel[t];
    const size_t n = static_cast<size_t>(cfg.channel_rows(c)) * cfg.channel_dims(c);
    emb_m[t].assign(n, 0.0f);
    emb_v[t].assign(n, 0.0f);
  }
  w1_m.assign(static_cast<size_t>(cfg.hidden) * cfg.input_width, 0.0f);
  w1_v = w1_m;
  b1_m.assign(cfg.hidden, 0.0f);
  b1_v = b1_m;
  w2_m.assign(static_cast<size_t>(cfg.labels) * cfg.hidden, 0.0f);
  w2_v = w2_m;
  b2_m.assign(cfg.labels, 0.0f);
  b2_v = b2_m;
  step = 0;
}

namespace {

void dense_step(const AdamCoef& k, std::vector<Grads>& shards,
                std::vector<float> Grads::*field, std::vector<float>* p, std::vector<float>* m,
                std::vector<float>* v) {
  const size_t n = p->size();
  std::vector<float>& g0 = shards[0].*field;
  for (size_t s = 1; s < shards.size(); ++s) {
    const std::vector<float>& gs = shards[s].*field;
    add(gs.data(), g0.data(), n);
  }
  adam_update(k, g0.data(), p->data(), m->data(), v->data(), n);
}

}  // namespace

void adam_step(const ModelConfig& cfg, const AdamOptions& opt, float lr,
               std::vector<Grads>& shards, Params* prm, AdamState* st) {
  st->step += 1;
  const AdamCoef k = adam_coef(opt.beta1, opt.beta2, opt.eps, lr, st->step);
  dense_step(k, shards, &Grads::w1, &prm->w1, &st->w1_m, &st->w1_v);
  dense_step(k, shards, &Grads::b1, &prm->b1, &st->b1_m, &st->b1_v);
  dense_step(k, shards, &Grads::w2, &prm->w2, &st->w2_m, &st->w2_v);
  dense_step(k, shards, &Grads::b2, &prm->b2, &st->b2_m, &st->b2_v);

  AdamCoef ke = k;
  ke.step_size *= opt.emb_lr_scale;
  for (size_t c = 0; c < cfg.table_count(); ++c) {  // c: a table
    const uint32_t d = cfg.channel_dims(cfg.table_channel[c]);
    float* E = prm->emb[c].data();
    float* M = st->emb_m[c].data();
    float* V = st->emb_v[c].data();
    // Rows touched by any shard, each once: shard 0's list, then rows only
    // later shards touched. The update of a row does not depend on the
    // order rows are visited in, only on the (fixed-order) gradient sum.
    for (size_t s = 0; s < shards.size(); ++s) {
      for (uint32_t row : shards[s].touched[c]) {
        bool seen = false;
        for (size_t r = 0; r < s && !seen; ++r) seen = shards[r].mark[c][row] == 2;
        if (seen) continue;
        float g[256];
        for (uint32_t j = 0; j < d; ++j) g[j] = 0.0f;
        for (size_t r = 0; r < shards.size(); ++r) {
          if (!shards[r].mark[c][row]) continue;
          add(shards[r].emb[c].data() + static_cast<size_t>(row) * d, g, d);
        }
        const size_t base = static_cast<size_t>(row) * d;
        adam_update(ke, g, E + base, M + base, V + base, d);
        if (!prm->emb_q.empty()) {
          float* Q = prm->emb_q[c].data() + base;
          std::copy(E + base, E + base + d, Q);
          const size_t channel = cfg.table_channel[c];
          if (cfg.qat_channel(channel))
            round_trip_rows(Q, 1, d, cfg.channel_bits(channel), cfg.channel_bf16_scales(channel));
        }
        shards[s].mark[c][row] = 2;  // done (checked by later shards' lists)
      }
    }
    for (auto& sh : shards) {
      for (uint32_t row : sh.touched[c]) {
        float* gr = sh.emb[c].data() + static_cast<size_t>(row) * d;
        std::fill(gr, gr + d, 0.0f);
        sh.mark[c][row] = 0;
      }
      sh.touched[c].clear();
    }
  }
}

}  // namespace train
}  // namespace ffnlp
