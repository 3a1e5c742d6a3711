#include "tools/train_pos/tagger_net.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ffnlp/toolkit.h"
#include "tools/common/model_writer.h"
#include "tools/train/adam.h"

namespace ffnlp {
namespace train {

void TaggerConfig::finalize() {
  if (channels.empty() || channels.size() > Model::kMaxChannels) throw std::invalid_argument("1..16 channels");
  offset.clear();
  slots.clear();
  input_width = 0;
  for (const tools::ChannelMetadata& c : channels) {
    offset.push_back(input_width);
    const uint32_t n = c.pooling == "concat" ? static_cast<uint32_t>(std::max<size_t>(1, c.window.size())) : 1;
    slots.push_back(n);
    input_width += n * c.dims;
  }
  if (hidden == 0 || labels == 0) throw std::invalid_argument("zero hidden size or labels");
  // The features come from the runtime: a features-only token model with
  // these channels, built and loaded here.
  tools::ModelWriter writer;
  writer.set_string("general.task", "features");
  tools::TextMetadata text;
  text.lowercase = true;
  text.drop_digits = false;
  text.tokenizer = kTokenizerName;
  std::vector<tools::ChannelMetadata> described = channels;
  for (tools::ChannelMetadata& c : described) c.embedding.clear();
  tools::write_features(writer, text, described);
  auto bytes = std::make_shared<std::vector<uint8_t>>(writer.build());
  auto model = std::make_shared<Model>();
  Error error;
  if (Model::load(bytes->data(), bytes->size(), model.get(), &error) != Status::kOk) {
    throw std::invalid_argument(std::string("feature configuration: ") + error.message);
  }
  feature_bytes = bytes;
  features = model;
}

uint64_t TaggerConfig::weight_bytes() const {
  uint64_t n = 0;
  for (const tools::ChannelMetadata& c : channels) n += static_cast<uint64_t>(c.buckets) * (c.dims + 4);
  const uint64_t per = quantize_dense ? 1 : 4;
  n += static_cast<uint64_t>(hidden) * input_width * per + (quantize_dense ? 4ull * hidden : 0) + 4ull * hidden;
  n += static_cast<uint64_t>(labels) * hidden * per + (quantize_dense ? 4ull * labels : 0) + 4ull * labels;
  return n;
}

void TaggerParams::init(const TaggerConfig& cfg, std::mt19937_64& rng) {
  emb.resize(cfg.channels.size());
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    const tools::ChannelMetadata& ch = cfg.channels[c];
    std::normal_distribution<float> d(0.0f, 1.0f / std::sqrt(static_cast<float>(ch.dims)));
    emb[c].resize(static_cast<size_t>(ch.buckets) * ch.dims);
    for (float& v : emb[c]) v = d(rng);
  }
  auto xavier = [&](std::vector<float>* w, uint32_t out, uint32_t in) {
    const float r = std::sqrt(6.0f / static_cast<float>(in + out));
    std::uniform_real_distribution<float> d(-r, r);
    w->resize(static_cast<size_t>(out) * in);
    for (float& v : *w) v = d(rng);
  };
  xavier(&w1, cfg.hidden, cfg.input_width);
  b1.assign(cfg.hidden, 0.0f);
  xavier(&w2, cfg.labels, cfg.hidden);
  b2.assign(cfg.labels, 0.0f);
}

void TaggerScratch::init(const TaggerConfig& cfg) {
  refs.resize(256);
  x.assign(cfg.input_width, 0.0f);
  gx = x;
  a.assign(cfg.hidden, 0.0f);
  h = a;
  gh = a;
  z.assign(cfg.labels, 0.0f);
  p = z;
  gz = z;
}

void TaggerGrads::init(const TaggerConfig& cfg) {
  w1.assign(static_cast<size_t>(cfg.hidden) * cfg.input_width, 0.0f);
  b1.assign(cfg.hidden, 0.0f);
  w2.assign(static_cast<size_t>(cfg.labels) * cfg.hidden, 0.0f);
  b2.assign(cfg.labels, 0.0f);
  emb.resize(cfg.channels.size());
  mark.resize(cfg.channels.size());
  touched.assign(cfg.channels.size(), {});
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    emb[c].assign(static_cast<size_t>(cfg.channels[c].buckets) * cfg.channels[c].dims, 0.0f);
    mark[c].assign(cfg.channels[c].buckets, 0);
  }
}

void TaggerAdam::init(const TaggerConfig& cfg) {
  emb_m.resize(cfg.channels.size());
  emb_v.resize(cfg.channels.size());
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    emb_m[c].assign(static_cast<size_t>(cfg.channels[c].buckets) * cfg.channels[c].dims, 0.0f);
    emb_v[c] = emb_m[c];
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

void read_features(const TaggerConfig& cfg, const TokenSpan& sentence, size_t i, const uint32_t* labels,
                   TaggerScratch* s) {
  for (;;) {
    size_t count = 0;
    const Status st = cfg.features->token_features(sentence.tokens.data(), sentence.lengths.data(),
                                                   sentence.tokens.size(), i, labels, s->refs.data(), s->refs.size(),
                                                   &count);
    if (st == Status::kOk) {
      s->ref_count = count;
      return;
    }
    if (st != Status::kBufferTooSmall) throw std::runtime_error(std::string("token_features: ") + status_name(st));
    s->refs.resize(count);
  }
}

float* slice_of(const TaggerConfig& cfg, float* x, const FeatureRef& r) {
  return x + cfg.offset[r.channel] + static_cast<size_t>(r.slot) * cfg.channels[r.channel].dims;
}

}  // namespace

uint32_t tagger_forward(const TaggerConfig& cfg, const TaggerParams& prm, const TokenSpan& sentence, size_t i,
                        const uint32_t* labels, TaggerScratch* s) {
  read_features(cfg, sentence, i, labels, s);
  float* x = s->x.data();
  std::fill(s->x.begin(), s->x.end(), 0.0f);
  for (size_t k = 0; k < s->ref_count; ++k) {
    const FeatureRef& r = s->refs[k];
    const uint32_t d = cfg.channels[r.channel].dims;
    const float* row = prm.emb[r.channel].data() + static_cast<size_t>(r.row) * d;
    float* dst = slice_of(cfg, x, r);
    for (uint32_t j = 0; j < d; ++j) dst[j] += r.weight * row[j];
  }
  const uint32_t in = cfg.input_width;
  for (uint32_t o = 0; o < cfg.hidden; ++o) {
    const float* w = prm.w1.data() + static_cast<size_t>(o) * in;
    float acc = 0.0f;
    for (uint32_t j = 0; j < in; ++j) acc += w[j] * x[j];
    s->a[o] = acc + prm.b1[o];
    s->h[o] = s->a[o] > 0.0f ? s->a[o] : 0.0f;
  }
  uint32_t best = 0;
  for (uint32_t l = 0; l < cfg.labels; ++l) {
    const float* w = prm.w2.data() + static_cast<size_t>(l) * cfg.hidden;
    float acc = 0.0f;
    for (uint32_t j = 0; j < cfg.hidden; ++j) acc += w[j] * s->h[j];
    s->z[l] = acc + prm.b2[l];
    if (s->z[l] > s->z[best]) best = l;
  }
  double total = 0.0;
  for (uint32_t l = 0; l < cfg.labels; ++l) {
    s->p[l] = std::exp(s->z[l] - s->z[best]);
    total += s->p[l];
  }
  for (uint32_t l = 0; l < cfg.labels; ++l) s->p[l] = static_cast<float>(s->p[l] / total);
  return best;
}

void tagger_accumulate(const TaggerConfig& cfg, const TaggerParams& prm, const TokenSpan& sentence, size_t i,
                       const uint32_t* labels, uint32_t gold, float smoothing, TaggerScratch* s, TaggerGrads* g) {
  const uint32_t best = tagger_forward(cfg, prm, sentence, i, labels, s);
  g->examples += 1;
  g->correct += best == gold;
  g->loss -= std::log(std::max(s->p[gold], 1e-30f));
  const float off = smoothing / static_cast<float>(cfg.labels);
  for (uint32_t l = 0; l < cfg.labels; ++l) s->gz[l] = s->p[l] - (off + (l == gold ? 1.0f - smoothing : 0.0f));
  const uint32_t in = cfg.input_width;
  std::fill(s->gh.begin(), s->gh.end(), 0.0f);
  for (uint32_t l = 0; l < cfg.labels; ++l) {
    const float gz = s->gz[l];
    g->b2[l] += gz;
    float* gw = g->w2.data() + static_cast<size_t>(l) * cfg.hidden;
    const float* w = prm.w2.data() + static_cast<size_t>(l) * cfg.hidden;
    for (uint32_t j = 0; j < cfg.hidden; ++j) {
      gw[j] += gz * s->h[j];
      s->gh[j] += gz * w[j];
    }
  }
  std::fill(s->gx.begin(), s->gx.end(), 0.0f);
  const float* x = s->x.data();
  float* gx = s->gx.data();
  for (uint32_t o = 0; o < cfg.hidden; ++o) {
    if (s->a[o] <= 0.0f) continue;
    const float gh = s->gh[o];
    g->b1[o] += gh;
    float* gw = g->w1.data() + static_cast<size_t>(o) * in;
    const float* w = prm.w1.data() + static_cast<size_t>(o) * in;
    for (uint32_t j = 0; j < in; ++j) {
      gw[j] += gh * x[j];
      gx[j] += gh * w[j];
    }
  }
  for (size_t k = 0; k < s->ref_count; ++k) {
    const FeatureRef& r = s->refs[k];
    const uint32_t d = cfg.channels[r.channel].dims;
    float* grow = g->emb[r.channel].data() + static_cast<size_t>(r.row) * d;
    const float* src = slice_of(cfg, gx, r);
    for (uint32_t j = 0; j < d; ++j) grow[j] += r.weight * src[j];
    if (!g->mark[r.channel][r.row]) {
      g->mark[r.channel][r.row] = 1;
      g->touched[r.channel].push_back(r.row);
    }
  }
}

void tagger_tag(const TaggerConfig& cfg, const TaggerParams& prm, const TokenSpan& sentence, TaggerScratch* s,
                std::vector<uint32_t>* out) {
  out->assign(sentence.tokens.size(), 0);
  for (size_t i = 0; i < sentence.tokens.size(); ++i) (*out)[i] = tagger_forward(cfg, prm, sentence, i, out->data(), s);
}

void tagger_adam_step(const TaggerConfig& cfg, float lr, float emb_lr_scale, TaggerGrads* g, TaggerParams* prm,
                      TaggerAdam* st) {
  if (g->examples == 0) return;
  st->step += 1;
  const float inv = 1.0f / static_cast<float>(g->examples);
  auto dense = [&](std::vector<float>* grad, std::vector<float>* p, std::vector<float>* m, std::vector<float>* v,
                   const AdamCoef& k) {
    for (float& x : *grad) x *= inv;
    adam_update(k, grad->data(), p->data(), m->data(), v->data(), p->size());
    std::fill(grad->begin(), grad->end(), 0.0f);
  };
  const AdamCoef k = adam_coef(0.9f, 0.999f, 1e-8f, lr, st->step);
  dense(&g->w1, &prm->w1, &st->w1_m, &st->w1_v, k);
  dense(&g->b1, &prm->b1, &st->b1_m, &st->b1_v, k);
  dense(&g->w2, &prm->w2, &st->w2_m, &st->w2_v, k);
  dense(&g->b2, &prm->b2, &st->b2_m, &st->b2_v, k);
  AdamCoef ke = k;
  ke.step_size *= emb_lr_scale;
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    const uint32_t d = cfg.channels[c].dims;
    for (uint32_t row : g->touched[c]) {
      const size_t base = static_cast<size_t>(row) * d;
      float* grad = g->emb[c].data() + base;
      for (uint32_t j = 0; j < d; ++j) grad[j] *= inv;
      adam_update(ke, grad, prm->emb[c].data() + base, st->emb_m[c].data() + base, st->emb_v[c].data() + base, d);
      std::fill(grad, grad + d, 0.0f);
      g->mark[c][row] = 0;
    }
    g->touched[c].clear();
  }
  g->examples = 0;
  g->correct = 0;
  g->loss = 0;
}

namespace {

void round_trip_rows(float* values, size_t rows, size_t cols) {
  std::vector<uint8_t> buf(cols);
  for (size_t r = 0; r < rows; ++r) {
    float* row = values + r * cols;
    const float scale = quantize_row(row, cols, kDefaultZeroPoint, Rounding::kHalfUp, buf.data());
    for (size_t j = 0; j < cols; ++j) row[j] = dequantize(buf[j], scale, kDefaultZeroPoint);
  }
}

}  // namespace

TaggerParams tagger_quantized_copy(const TaggerConfig& cfg, const TaggerParams& prm) {
  TaggerParams q = prm;
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    round_trip_rows(q.emb[c].data(), cfg.channels[c].buckets, cfg.channels[c].dims);
  }
  if (cfg.quantize_dense) {
    round_trip_rows(q.w1.data(), cfg.hidden, cfg.input_width);
    round_trip_rows(q.w2.data(), cfg.labels, cfg.hidden);
  }
  return q;
}

}  // namespace train
}  // namespace ffnlp
