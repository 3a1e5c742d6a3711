// bench: speed, latency, memory and allocation figures of the ffnlp runtime.
//   build/bench [--model FILE] [--data FILE] [--runs N] [--min-time SECONDS] [--quick]
// Single thread. Every throughput figure is the median of --runs timed runs
// (after one untimed warm-up run), with the min-max range; one run repeats the
// whole text class until it has taken at least --min-time seconds.
// Prints figures only; it asserts nothing about speed.
//   build/bench --profile ui50   classification loop only, for a profiler
//                                (make bench-profile runs it under callgrind)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

// Internal headers on purpose: the bench times the runtime's kernels and
// feature loop against their plain reference versions.
#include "features/extract.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "file/byte_order.h"
#include "network/dense_q8_cols.h"
#include "network/dense_q8_int.h"
#include "network/kernels.h"
#include "tools/bench/alloc_hooks.h"
#include "tools/bench/model_variants.h"
#include "tools/bench/api_compare.h"
#include "tools/bench/tagger_bench.h"
#include "tools/bench/textset.h"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

volatile uint64_t g_sink = 0;  // keeps results alive

struct Options {
  std::string model_path = "models/langid.ffm";
  std::string data_path = "data/heldout.tsv";
  int runs = 7;
  double min_time = 0.2;
  TaggerBenchOptions tagger;
  std::string profile;  // --profile CLASS: only classify that class (for callgrind/perf)
  bool api_only = false;  // --api: only the C API / C++ API / CLI section
  int profile_passes = 20;
};

struct Range {
  double median = 0, min = 0, max = 0;
};

Range summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  Range r;
  r.min = v.front();
  r.max = v.back();
  r.median = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  return r;
}

// Calls pass() (one pass over some work) after a warm-up; returns passes/s
// of each timed run.
template <class F>
std::vector<double> rates(const Options& o, F&& pass) {
  pass();  // warm-up
  const Clock::time_point c0 = Clock::now();
  pass();
  const double once = std::max(seconds_since(c0), 1e-9);
  const long reps = std::max(1L, static_cast<long>(std::ceil(o.min_time / once)));
  std::vector<double> out;
  for (int r = 0; r < o.runs; ++r) {
    const Clock::time_point t0 = Clock::now();
    for (long k = 0; k < reps; ++k) pass();
    out.push_back(static_cast<double>(reps) / seconds_since(t0));
  }
  return out;
}

std::vector<double> scaled(const std::vector<double>& v, double f) {
  std::vector<double> out(v);
  for (double& x : out) x *= f;
  return out;
}

std::string fmt_rate(const Range& r, const char* unit, double div = 1) {
  char buf[128];
  snprintf(buf, sizeof buf, "%.4g %s [%.4g-%.4g]", r.median / div, unit, r.min / div, r.max / div);
  return buf;
}

// ---- classification through the runtime ------------------------------------

struct Runner {
  const ffnlp::Model* model;
  ffnlp::Workspace* workspace;
  __attribute__((noinline)) uint64_t classify(const std::string& t) const {  // noinline: a profiler target
    ffnlp::Prediction top[1];
    size_t n = 0;
    model->classify(t.data(), t.size(), *workspace, top, 1, &n);
    return n ? top[0].label_index : 0;
  }
};

// ---- the reference pipeline: Model::forward with the plain-loop kernels ------

// Row r's scale in a q4_row table (f32) or a q4_row_bf16 or q3_row_bf16
// table (a little-endian bfloat16: the upper half of a float32).
float packed_scale(const ffnlp::TensorView& t, uint32_t r) {
  const bool bf16 = t.dtype == ffnlp::DType::kQ4RowBf16 || t.dtype == ffnlp::DType::kQ3RowBf16;
  return ffnlp::read_row_scale(t.scales, bf16 ? 2 : 4, r);
}

struct ReferencePipeline {
  const ffnlp::Model* model = nullptr;
  ffnlp::ChannelSpec specs[ffnlp::kMaxChannels];
  uint32_t offsets[ffnlp::kMaxChannels];
  ffnlp::TextOptions options;
  ffnlp::internal::FeaturePlan plan;  // built once, as the loader does
  std::vector<float> input, a, b;
  uint32_t counts[ffnlp::kMaxChannels];

  explicit ReferencePipeline(const ffnlp::Model& m) : model(&m) {
    uint32_t offset = 0, width = 0;
    for (uint32_t c = 0; c < m.channel_count(); ++c) {
      const ffnlp::ChannelInfo& info = m.channel(c);
      specs[c] = ffnlp::ChannelSpec(info.kind, info.order, info.buckets, info.seed);
      specs[c].length = info.length;
      specs[c].pooling = info.pooling;
      offsets[c] = offset;
      offset += info.dims;
    }
    for (uint32_t l = 0; l < m.layer_count(); ++l) width = std::max(width, m.layer(l).out);
    uint32_t v = 1;
    options.lowercase = !m.metadata_u32("text.lowercase", &v) || v != 0;
    v = 1;
    options.drop_digits = !m.metadata_u32("text.drop_digits", &v) || v != 0;
    options.max_bytes = m.max_bytes();
    options.cleanup = static_cast<uint8_t>(m.text_cleanup_level());
    ffnlp::build_feature_plan(specs, m.channel_count(), options, &plan, nullptr, true);
    input.resize(offset);
    a.resize(width);
    b.resize(width);
  }

  uint64_t classify(const std::string& t) {
    const ffnlp::Model& m = *model;
    std::fill(input.begin(), input.end(), 0.0f);
    for (uint32_t c = 0; c < m.channel_count(); ++c) counts[c] = 0;
    auto sink = [&](uint32_t c, uint32_t bucket) {
      const ffnlp::ChannelInfo& info = m.channel(c);
      const ffnlp::TensorView& table = info.embedding;
      const size_t row = static_cast<size_t>(bucket) * info.dims;
      if (table.dtype == ffnlp::DType::kQ8Row) {
        ffnlp::reference::accumulate_q8_row(table.data + row, ffnlp::read_f32(table.scales + 4 * size_t{bucket}),
                                            static_cast<int32_t>(table.zero_point), input.data() + offsets[c],
                                            info.dims);
      } else if (table.dtype == ffnlp::DType::kQ4Row || table.dtype == ffnlp::DType::kQ4RowBf16) {
        ffnlp::reference::accumulate_q4_row(table.data + size_t{bucket} * ffnlp::q4_row_bytes(info.dims),
                                            packed_scale(table, bucket), static_cast<int32_t>(table.zero_point),
                                            input.data() + offsets[c], info.dims);
      } else if (table.dtype == ffnlp::DType::kQ3RowBf16) {
        ffnlp::reference::accumulate_q3_row(table.data + size_t{bucket} * ffnlp::q3_row_bytes(info.dims),
                                            packed_scale(table, bucket), static_cast<int32_t>(table.zero_point),
                                            input.data() + offsets[c], info.dims);
      } else {
        ffnlp::reference::accumulate_f32_row(table.data + 4 * row, input.data() + offsets[c], info.dims);
      }
      ++counts[c];
    };
    const uint32_t letters = ffnlp::extract_features(reinterpret_cast<const uint8_t*>(t.data()), t.size(), plan, sink);
    if (letters == 0) return 0;
    for (uint32_t c = 0; c < m.channel_count(); ++c) {
      if (counts[c] == 0) continue;
      const float inv = 1.0f / static_cast<float>(counts[c]);
      for (uint32_t j = 0; j < m.channel(c).dims; ++j) input[offsets[c] + j] *= inv;
    }
    const float* in = input.data();
    float* out = a.data();
    for (uint32_t l = 0; l < m.layer_count(); ++l) {
      const ffnlp::LayerInfo& layer = m.layer(l);
      // (8-bit layers through the float-dequantizing reference loop: reading
      // them as f32 ran past the mapped file and crashed now and then.)
      const ffnlp::TensorView& w = layer.weights;
      if (w.dtype == ffnlp::DType::kF32) {
        ffnlp::reference::dense(w.data, layer.bias.data, in, layer.in, out, layer.out);
      } else if (w.dtype == ffnlp::DType::kQ8Col) {
        // Transposed 8-bit weights: reference::dense_q8's sum, (in, out) indexing.
        for (uint32_t o = 0; o < layer.out; ++o) {
          float sum = 0.0f;
          for (uint32_t i = 0; i < layer.in; ++i) {
            sum += static_cast<float>(static_cast<int32_t>(w.data[size_t{i} * layer.out + o]) -
                                      static_cast<int32_t>(w.zero_point)) * in[i];
          }
          out[o] = ffnlp::read_f32(layer.bias.data + 4 * size_t{o}) + w.col_scale(o) * sum;
        }
      } else {
        ffnlp::reference::dense_q8(w.data, w.scales, w.zero_points, static_cast<float>(w.zero_point), layer.bias.data,
                                   in, layer.in, out, layer.out);
      }
      if (layer.activation == ffnlp::Activation::kRelu) ffnlp::reference::relu(out, layer.out);
      if (layer.activation == ffnlp::Activation::kSoftmax) ffnlp::reference::softmax(out, layer.out);
      in = out;
      out = out == a.data() ? b.data() : a.data();
    }
    return static_cast<uint64_t>(std::max_element(in, in + m.label_count()) - in);
  }
};

// ---- sections ----------------------------------------------------------------

std::vector<const TextClass*> classes(const TextSet& s) { return {&s.short_, &s.ui50, &s.medium, &s.long_, &s.doc}; }

template <class Classify>
void throughput_row(const Options& o, const char* what, const TextClass& c, Classify&& classify) {
  const double bytes = static_cast<double>(c.bytes());
  const double n = static_cast<double>(c.texts.size());
  const std::vector<double> passes = rates(o, [&] {
    uint64_t s = 0;
    for (const std::string& t : c.texts) s += classify(t);
    g_sink = g_sink + s;
  });
  printf("  %-10s %-9s %6zu texts %8.1f B/text  %-36s %s\n", what, c.name.c_str(), c.texts.size(), bytes / n,
         fmt_rate(summarize(scaled(passes, n)), "texts/s").c_str(),
         fmt_rate(summarize(scaled(passes, bytes)), "MB/s", 1e6).c_str());
}

void latency_row(const TextClass& c, const Runner& run) {
  std::vector<double> ns;
  for (const std::string& t : c.texts) g_sink = g_sink + run.classify(t);  // warm-up
  for (int pass = 0; pass < 3; ++pass) {
    for (const std::string& t : c.texts) {
      const Clock::time_point t0 = Clock::now();
      const uint64_t r = run.classify(t);
      const double dt = seconds_since(t0);
      g_sink = g_sink + r;
      ns.push_back(dt * 1e9);
    }
  }
  std::sort(ns.begin(), ns.end());
  printf("  %-9s %6zu calls  median %7.0f ns   p99 %7.0f ns   max %8.0f ns\n", c.name.c_str(), ns.size(),
         ns[ns.size() / 2], ns[static_cast<size_t>(0.99 * static_cast<double>(ns.size()))], ns.back());
}

struct Lookup {
  uint32_t channel, bucket;
};

void embedding_kernel(const Options& o, const ffnlp::Model& m, const TextClass& c) {
  ReferencePipeline ref(m);
  std::vector<Lookup> lookups;
  for (const std::string& t : c.texts) {
    ffnlp::extract_features(reinterpret_cast<const uint8_t*>(t.data()), t.size(), ref.plan, [&](uint32_t ch, uint32_t b) { lookups.push_back({ch, b}); });
  }
  // Dequantized float32 tables of the same shape, as little-endian bytes.
  std::vector<std::vector<float>> tables(m.channel_count());
  bool quantized = true;
  for (uint32_t ch = 0; ch < m.channel_count(); ++ch) {
    const ffnlp::TensorView& t = m.channel(ch).embedding;
    quantized = quantized && t.dtype == ffnlp::DType::kQ8Row;
    tables[ch].resize(t.rows * t.cols);
    for (uint64_t r = 0; r < t.rows; ++r) {
      for (uint64_t k = 0; k < t.cols; ++k) tables[ch][r * t.cols + k] = t.at(r, k);
    }
  }
  if (!quantized) {
    printf("  (model embeddings are not q8_row; skipped)\n");
    return;
  }
  double q8_bytes = 0, f32_bytes = 0, table_q8 = 0, table_f32 = 0;
  for (const Lookup& l : lookups) {
    q8_bytes += m.channel(l.channel).dims + 4.0;
    f32_bytes += 4.0 * m.channel(l.channel).dims;
  }
  for (uint32_t ch = 0; ch < m.channel_count(); ++ch) {
    const ffnlp::TensorView& t = m.channel(ch).embedding;
    table_q8 += static_cast<double>(t.rows * t.cols + 4 * t.rows);
    table_f32 += static_cast<double>(4 * t.rows * t.cols);
  }
  printf("  %zu lookups (the feature rows of the %zu %s texts, in order); tables: q8 %.0f KB, f32 %.0f KB\n",
         lookups.size(), c.texts.size(), c.name.c_str(), table_q8 / 1024, table_f32 / 1024);
  std::vector<float> acc(ref.input.size());
  const double rows = static_cast<double>(lookups.size());
  auto report = [&](const char* what, double bytes, const std::vector<double>& passes) {
    printf("  %-30s %-38s %s\n", what, fmt_rate(summarize(scaled(passes, rows)), "rows/s", 1).c_str(),
           fmt_rate(summarize(scaled(passes, bytes)), "GB/s", 1e9).c_str());
  };
  using QFn = void (*)(const uint8_t*, float, int32_t, float*, uint32_t);
  using FFn = void (*)(const uint8_t*, float*, uint32_t);
  auto q8 = [&](QFn fn) {
    return rates(o, [&] {
      for (const Lookup& l : lookups) {
        const ffnlp::ChannelInfo& info = m.channel(l.channel);
        const ffnlp::TensorView& t = info.embedding;
        fn(t.data + size_t{l.bucket} * info.dims, ffnlp::read_f32(t.scales + 4 * size_t{l.bucket}),
           static_cast<int32_t>(t.zero_point), acc.data() + ref.offsets[l.channel], info.dims);
      }
      g_sink = g_sink + static_cast<uint64_t>(acc[0] != 0);
    });
  };
  auto f32 = [&](FFn fn) {
    return rates(o, [&] {
      for (const Lookup& l : lookups) {
        const uint32_t dims = m.channel(l.channel).dims;
        fn(reinterpret_cast<const uint8_t*>(tables[l.channel].data() + size_t{l.bucket} * dims),
           acc.data() + ref.offsets[l.channel], dims);
      }
      g_sink = g_sink + static_cast<uint64_t>(acc[0] != 0);
    });
  };
  report("q8_row  reference loop", q8_bytes, q8(ffnlp::reference::accumulate_q8_row));
  report("q8_row  optimised (runtime)", q8_bytes, q8(ffnlp::accumulate_q8_row));
  report("float32 reference loop", f32_bytes, f32(ffnlp::reference::accumulate_f32_row));
  report("float32 optimised (runtime)", f32_bytes, f32(ffnlp::accumulate_f32_row));
}

// Per-stage cost on one text class: feature extraction alone, and features
// plus embedding accumulation, against the whole classify() call.
void stages(const Options& o, const ffnlp::Model& m, const TextClass& c, ffnlp::Workspace& ws) {
  ReferencePipeline ref(m);
  const double n = static_cast<double>(c.texts.size());
  auto per_text = [&](const std::vector<double>& passes) { return 1e9 / (summarize(passes).median * n); };
  const double features = per_text(rates(o, [&] {
    uint64_t s = 0;
    for (const std::string& t : c.texts) {
      ffnlp::extract_features(reinterpret_cast<const uint8_t*>(t.data()), t.size(), ref.plan, [&](uint32_t ch, uint32_t b) { s += ch ^ b; });
    }
    g_sink = g_sink + s;
  }));
  std::vector<float> acc(ref.input.size());
  const double embed = per_text(rates(o, [&] {
    for (const std::string& t : c.texts) {
      ffnlp::extract_features(reinterpret_cast<const uint8_t*>(t.data()), t.size(), ref.plan, [&](uint32_t ch, uint32_t b) {
                                const ffnlp::ChannelInfo& info = m.channel(ch);
                                const ffnlp::TensorView& tv = info.embedding;
                                if (tv.dtype == ffnlp::DType::kQ8Row) {
                                  ffnlp::accumulate_q8_row(tv.data + size_t{b} * info.dims,
                                                           ffnlp::read_f32(tv.scales + 4 * size_t{b}),
                                                           static_cast<int32_t>(tv.zero_point),
                                                           acc.data() + ref.offsets[ch], info.dims);
                                } else if (tv.dtype == ffnlp::DType::kQ4Row || tv.dtype == ffnlp::DType::kQ4RowBf16) {
                                  ffnlp::accumulate_q4_row(tv.data + size_t{b} * ffnlp::q4_row_bytes(info.dims),
                                                           packed_scale(tv, b), static_cast<int32_t>(tv.zero_point),
                                                           acc.data() + ref.offsets[ch], info.dims);
                                } else if (tv.dtype == ffnlp::DType::kQ3RowBf16) {
                                  ffnlp::accumulate_q3_row(tv.data + size_t{b} * ffnlp::q3_row_bytes(info.dims),
                                                           packed_scale(tv, b), static_cast<int32_t>(tv.zero_point),
                                                           acc.data() + ref.offsets[ch], info.dims);
                                } else {
                                  ffnlp::accumulate_f32_row(tv.data + 4 * size_t{b} * info.dims,
                                                            acc.data() + ref.offsets[ch], info.dims);
                                }
                              });
    }
    g_sink = g_sink + static_cast<uint64_t>(acc[0] != 0);
  }));
  const double full = per_text(rates(o, [&] {
    uint64_t s = 0;
    Runner run{&m, &ws};
    for (const std::string& t : c.texts) s += run.classify(t);
    g_sink = g_sink + s;
  }));
  printf("  class %s, ns per text (median of runs):\n", c.name.c_str());
  printf("    %-46s %8.0f ns\n", "classify() total (optimised runtime)", full);
  printf("    %-46s %8.0f ns\n", "  feature extraction (UTF-8, hashes) alone", features);
  printf("    %-46s %8.0f ns\n", "  features + embedding accumulation", embed);
}

// The dense layers and the softmax normaliser, one code path at a time, on
// the averaged embeddings of a real text.
// 8-bit dense layers (q8_row, zero point 128) of the given shapes with
// random weights and input: the code paths side by side, ns per pass
// through all of them (+relu between).
void q8_layer_paths(const Options& o, const std::vector<std::pair<uint32_t, uint32_t>>& shapes, const char* title) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  struct Layer {
    uint32_t out, in;
    std::vector<uint8_t> q, scales, bias;
  };
  std::vector<Layer> layers;
  uint32_t widest = 0;
  double macs = 0;
  auto f32_bytes = [&](size_t n, float scale) {
    std::vector<uint8_t> b(4 * n);
    for (size_t i = 0; i < n; ++i) {
      const float v = scale * (1.0f + u(rng)) * 0.5f;
      std::memcpy(b.data() + 4 * i, &v, 4);
    }
    return b;
  };
  for (const auto& sh : shapes) {
    Layer l;
    l.out = sh.first;
    l.in = sh.second;
    l.q.resize(size_t{l.out} * l.in);
    for (uint8_t& x : l.q) x = static_cast<uint8_t>(rng());
    l.scales = f32_bytes(l.out, 0.01f);
    l.bias = f32_bytes(l.out, 0.1f);
    widest = std::max({widest, l.out, l.in});
    macs += static_cast<double>(l.out) * l.in;
    layers.push_back(std::move(l));
  }
  std::vector<float> input(widest), a(widest), b(widest);
  for (float& x : input) x = std::max(0.0f, u(rng));
  using DenseQ8 = std::function<bool(const uint8_t*, const uint8_t*, const uint8_t*, float, const uint8_t*, const float*,
                                     uint32_t, float*, uint32_t)>;
  printf("  %s, %.0f multiply-adds:\n", title, macs);
  auto time_q8 = [&](const char* what, const DenseQ8& fn) {
    if (!fn(layers[0].q.data(), layers[0].scales.data(), nullptr, 128.0f, layers[0].bias.data(), input.data(),
            layers[0].in, a.data(), layers[0].out)) {
      printf("    %-44s (not available on this CPU)\n", what);
      return;
    }
    const Range r = summarize(rates(o, [&] {
      const float* in = input.data();
      float* out = a.data();
      for (size_t l = 0; l < layers.size(); ++l) {
        fn(layers[l].q.data(), layers[l].scales.data(), nullptr, 128.0f, layers[l].bias.data(), in, layers[l].in, out,
           layers[l].out);
        if (l + 1 < layers.size()) ffnlp::relu(out, layers[l].out);
        in = out;
        out = out == a.data() ? b.data() : a.data();
      }
      g_sink = g_sink + static_cast<uint64_t>(in[0] > 0.5f);
    }));
    printf("    %-44s %8.0f ns [%.0f-%.0f]\n", what, 1e9 / r.median, 1e9 / r.max, 1e9 / r.min);
  };
  time_q8("reference loop (one sum per row)", [](const uint8_t* q, const uint8_t* s, const uint8_t* z, float zp,
                                                 const uint8_t* bi, const float* in, uint32_t ic, float* out, uint32_t oc) {
    ffnlp::reference::dense_q8(q, s, z, zp, bi, in, ic, out, oc);
    return true;
  });
  time_q8("portable: 4 partial sums", [](const uint8_t* q, const uint8_t* s, const uint8_t* z, float zp,
                                         const uint8_t* bi, const float* in, uint32_t ic, float* out, uint32_t oc) {
    ffnlp::paths::dense_q8_portable(q, s, z, zp, bi, in, ic, out, oc);
    return true;
  });
  time_q8("sse2: one row, 4 x 4 lanes", ffnlp::paths::dense_q8_sse2);
  time_q8("avx2+fma: one row at a time (before)", ffnlp::paths::dense_q8_avx2_one_row);
  time_q8("avx2+fma: four rows at a time (float)", ffnlp::paths::dense_q8_avx2);
  // The integer kernel (network/dense_q8_int.h): the input quantized once per
  // layer, then exact integer rows; every path gives the same bits.
  std::vector<int16_t> quantized(widest);
  using IntPath = bool (*)(const uint8_t*, const uint8_t*, int32_t, const uint8_t*, const int16_t*, float, uint32_t,
                           float*, uint32_t);
  auto int_path = [&quantized](IntPath path) {
    return [&quantized, path](const uint8_t* q, const uint8_t* s, const uint8_t*, float zp, const uint8_t* bi,
                              const float* in, uint32_t ic, float* out, uint32_t oc) {
      const float scale = ffnlp::quantize_activations(in, ic, quantized.data());
      return path(q, s, static_cast<int32_t>(zp), bi, quantized.data(), scale, ic, out, oc);
    };
  };
  time_q8("integer: scalar", int_path([](const uint8_t* q, const uint8_t* s, int32_t zp, const uint8_t* bi,
                                         const int16_t* qa, float sc, uint32_t ic, float* out, uint32_t oc) {
            ffnlp::paths::dense_q8_int_scalar(q, s, zp, bi, qa, sc, ic, out, oc);
            return true;
          }));
  time_q8("integer: sse2 (pmaddwd)", int_path(ffnlp::paths::dense_q8_int_sse2));
  time_q8("integer: avx2 (vpmaddwd, 8 rows)", int_path(ffnlp::paths::dense_q8_int_avx2));
  time_q8("integer: avx512-vnni (32 columns per step)", int_path(ffnlp::paths::dense_q8_int_avx512_vnni));
  // The same layers stored transposed (q8_col, network/dense_q8_cols.h): the
  // kernel works per non-zero input (here about half of the second layer's
  // inputs are zero after the ReLU; the shipped model's output layer sees ~3/4).
  std::map<const uint8_t*, std::vector<uint8_t>> transposed;
  for (const Layer& l : layers) {
    std::vector<uint8_t>& t = transposed[l.q.data()];
    t.resize(l.q.size());
    for (uint32_t r = 0; r < l.out; ++r)
      for (uint32_t i = 0; i < l.in; ++i) t[size_t{i} * l.out + r] = l.q[size_t{r} * l.in + i];
  }
  auto cols_path = [&quantized, &transposed](IntPath path) {
    return [&quantized, &transposed, path](const uint8_t* q, const uint8_t* s, const uint8_t*, float zp,
                                           const uint8_t* bi, const float* in, uint32_t ic, float* out, uint32_t oc) {
      const float scale = ffnlp::quantize_activations(in, ic, quantized.data());
      return path(transposed.at(q).data(), s, static_cast<int32_t>(zp), bi, quantized.data(), scale, ic, out, oc);
    };
  };
  time_q8("integer q8_col: sse2 (pairs, pmaddwd)", cols_path(ffnlp::paths::dense_q8_cols_sse2));
  time_q8("integer q8_col: avx2 (pairs, vpmaddwd)", cols_path(ffnlp::paths::dense_q8_cols_avx2));
  time_q8("integer q8_col: avx512 (pairs, vpermt2b)", cols_path(ffnlp::paths::dense_q8_cols_avx512));
}

void layer_paths(const Options& o, const ffnlp::Model& m, const TextClass& c) {
  bool all_f32 = true;
  std::vector<std::pair<uint32_t, uint32_t>> shapes;
  for (uint32_t l = 0; l < m.layer_count(); ++l) {
    all_f32 = all_f32 && m.layer(l).weights.dtype == ffnlp::DType::kF32;
    shapes.emplace_back(m.layer(l).out, m.layer(l).in);
  }
  if (!all_f32) {  // the model's own shapes, 8-bit, random weights
    q8_layer_paths(o, shapes, "this model's dense layers as 8-bit (random weights)");
    return;
  }
  ReferencePipeline ref(m);
  ref.classify(c.texts[0]);
  std::vector<float> input(ref.input), a(ref.a.size()), b(ref.b.size());
  using Dense = std::function<bool(const uint8_t*, const uint8_t*, const float*, uint32_t, float*, uint32_t)>;
  auto time_dense = [&](const char* what, const Dense& fn) {
    if (!fn(m.layer(0).weights.data, m.layer(0).bias.data, input.data(), m.layer(0).in, a.data(), m.layer(0).out)) {
      printf("    %-44s (not available on this CPU)\n", what);
      return;
    }
    const Range r = summarize(rates(o, [&] {
      const float* in = input.data();
      float* out = a.data();
      for (uint32_t l = 0; l < m.layer_count(); ++l) {
        const ffnlp::LayerInfo& layer = m.layer(l);
        fn(layer.weights.data, layer.bias.data, in, layer.in, out, layer.out);
        if (layer.activation == ffnlp::Activation::kRelu) ffnlp::relu(out, layer.out);
        in = out;
        out = out == a.data() ? b.data() : a.data();
      }
      g_sink = g_sink + static_cast<uint64_t>(in[0] > 0.5f);
    }));
    printf("    %-44s %8.0f ns [%.0f-%.0f]\n", what, 1e9 / r.median, 1e9 / r.max, 1e9 / r.min);
  };
  double macs = 0;
  for (uint32_t l = 0; l < m.layer_count(); ++l) macs += static_cast<double>(m.layer(l).in) * m.layer(l).out;
  printf("  dense layers (+relu) per text, %.0f multiply-adds:\n", macs);
  time_dense("reference loop (one sum per row)", [](const uint8_t* w, const uint8_t* bi, const float* in, uint32_t ic, float* out, uint32_t oc) {
    ffnlp::reference::dense(w, bi, in, ic, out, oc);
    return true;
  });
  time_dense("portable: 8 partial sums (plain C++)", [](const uint8_t* w, const uint8_t* bi, const float* in, uint32_t ic, float* out, uint32_t oc) {
    ffnlp::paths::dense_portable(w, bi, in, ic, out, oc);
    return true;
  });
  time_dense("sse2: 4 rows x 4 lanes", ffnlp::paths::dense_sse2);
  time_dense("avx2+fma: 8 rows x 8 lanes", ffnlp::paths::dense_avx2);
  // The logits of that text, for the softmax normaliser.
  const ffnlp::LayerInfo& last = m.layer(m.layer_count() - 1);
  std::vector<float> logits(last.out);
  {
    const float* in = input.data();
    float* out = a.data();
    for (uint32_t l = 0; l < m.layer_count(); ++l) {
      ffnlp::dense(m.layer(l).weights.data, m.layer(l).bias.data, in, m.layer(l).in, out, m.layer(l).out);
      if (m.layer(l).activation == ffnlp::Activation::kRelu) ffnlp::relu(out, m.layer(l).out);
      in = out;
      out = out == a.data() ? b.data() : a.data();
    }
    std::copy(in, in + last.out, logits.begin());
  }
  const float mx = ffnlp::max_value(logits.data(), last.out);
  auto time_exp = [&](const char* what, const std::function<float()>& fn) {
    const Range r = summarize(rates(o, [&] { g_sink = g_sink + static_cast<uint64_t>(fn() > 2.0f); }));
    printf("    %-44s %8.0f ns [%.0f-%.0f]\n", what, 1e9 / r.median, 1e9 / r.max, 1e9 / r.min);
  };
  printf("  softmax normaliser sum exp(logit - max) over %u logits:\n", last.out);
  time_exp("reference: std::exp loop", [&] { return ffnlp::reference::sum_exp(logits.data(), last.out, mx); });
  time_exp("sse2 polynomial exp", [&] { return ffnlp::paths::sum_exp_sse2_or_scalar(logits.data(), last.out, mx); });
  float probe = 0;
  if (ffnlp::paths::sum_exp_avx2(logits.data(), last.out, mx, &probe)) {
    time_exp("avx2+fma polynomial exp", [&] {
      float v = 0;
      ffnlp::paths::sum_exp_avx2(logits.data(), last.out, mx, &v);
      return v;
    });
  }
  time_exp("full softmax (runtime, used by scores())", [&] {
    std::copy(logits.begin(), logits.end(), b.begin());
    ffnlp::softmax(b.data(), last.out);
    return b[0];
  });
}

// Peak resident set of this process image, from /proc/self/status (VmHWM).
// getrusage's ru_maxrss survives execve, so a probe exec'd from a large
// parent would report the parent's peak.
long vm_hwm_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, 6, "VmHWM:") == 0) return atol(line.c_str() + 6);
  }
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

void rss_probe(const char* model_path) {
  ffnlp::MappedFile file;
  ffnlp::Model model;
  ffnlp::Error error;
  if (ffnlp::load_file(model_path, &file, &model, &error) != ffnlp::Status::kOk) {
    printf("error %s\n", error.message);
    return;
  }
  ffnlp::Workspace ws(model);
  const long after_load = vm_hwm_kb();
  // 64 MB of text, then classify it whole: the growth is what classify needs.
  std::string text;
  const std::string sentence = "Alle Menschen sind frei und gleich an Würde und Rechten geboren. ";
  text.reserve(64u << 20);
  while (text.size() + sentence.size() <= (64u << 20)) text += sentence;
  for (size_t i = 0; i < text.size(); i += 4096) g_sink = g_sink + static_cast<unsigned char>(text[i]);
  const long before = vm_hwm_kb();
  ffnlp::Prediction top[1];
  size_t n = 0;
  const Clock::time_point t0 = Clock::now();
  model.classify(text.data(), text.size(), ws, top, 1, &n);
  const double dt = seconds_since(t0);
  printf("%ld %ld %ld %zu %.6f\n", after_load, before, vm_hwm_kb(), text.size(), dt);
}

int run(const Options& o, const char* self) {
  // ---- model --------------------------------------------------------------
  std::vector<uint8_t> bytes;
  std::string model_file = o.model_path;
  bool synthetic = false;
  {
    std::ifstream in(o.model_path, std::ios::binary);
    if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (bytes.empty()) {
    synthetic = true;
    bytes = build_synthetic_model(451, 1);
    model_file = "/tmp/ffnlp-bench-synthetic.ffm";
    std::ofstream(model_file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                      static_cast<std::streamsize>(bytes.size()));
  }
  ffnlp::Model model;
  ffnlp::Error error;
  if (ffnlp::Model::load(bytes.data(), bytes.size(), &model, &error) != ffnlp::Status::kOk) {
    fprintf(stderr, "bench: %s: %s\n", o.model_path.c_str(), error.message);
    return 1;
  }
  ffnlp::Workspace ws(model);
  printf("ffnlp bench  (single thread; median of %d runs [min-max], each >= %.2f s, after warm-up)\n", o.runs,
         o.min_time);
  printf("model: %s%s, %zu bytes, %u labels, input %u, layers", synthetic ? "SYNTHETIC random model of the shipped shape (" : "",
         synthetic ? (o.model_path + " not found)").c_str() : o.model_path.c_str(), bytes.size(), model.label_count(),
         model.input_width());
  for (uint32_t l = 0; l < model.layer_count(); ++l) printf(" %ux%u", model.layer(l).out, model.layer(l).in);
  printf(", text.max_bytes %u\n", model.max_bytes());
  printf("kernels: %s; 8-bit dense layers: integer, %s\n", ffnlp::kernel_path(), ffnlp::dense_q8_int_path());
  const TextSet set = build_text_set(o.data_path);
  printf("texts: %s\n", set.source.c_str());
  for (const TextClass* c : classes(set)) {
    printf("  %-8s %-36s %5zu texts, %9zu bytes\n", c->name.c_str(), c->description.c_str(), c->texts.size(),
           c->bytes());
  }
  Runner run{&model, &ws};
  if (!o.profile.empty()) {
    for (const TextClass* c : classes(set)) {
      if (c->name != o.profile) continue;
      uint64_t s = 0;
      for (int p = 0; p < o.profile_passes; ++p) {
        for (const std::string& t : c->texts) s += run.classify(t);
      }
      printf("profile: %d passes over %zu %s texts (checksum %llu)\n", o.profile_passes, c->texts.size(),
             c->name.c_str(), static_cast<unsigned long long>(s));
      return 0;
    }
    fprintf(stderr, "bench: no text class %s\n", o.profile.c_str());
    return 2;
  }

  if (!o.api_only) printf("\n== throughput: classify(), top 1\n");
  for (const TextClass* c : classes(set)) {
    if (o.api_only) break;
    throughput_row(o, "runtime", *c, [&](const std::string& t) { return run.classify(t); });
  }
  if (!o.api_only) {
    ReferencePipeline ref(model);
    for (const TextClass* c : {&set.ui50, &set.long_}) {
      throughput_row(o, "reference", *c, [&](const std::string& t) { return ref.classify(t); });
    }
    printf("  (reference: the same pipeline with the plain-loop kernels, ffnlp::reference::*)\n");
  }

  printf("\n== the same texts through the C API, the C++ API and the CLI (CPU time; langid --threads 1, start-up subtracted)\n");
  {
    ApiCompareOptions a;
    a.runs = o.runs;
    a.min_time = o.min_time;
    const std::string self_path(self);
    const size_t slash = self_path.rfind('/');
    a.langid_path = (slash == std::string::npos ? std::string(".") : self_path.substr(0, slash)) + "/langid";
    a.model_path = model_file;
    for (const TextClass* c : {&set.short_, &set.ui50, &set.long_}) api_compare_row(a, bytes, model, c->name, c->texts);
  }
  if (o.api_only) return 0;

  printf("\n== part-of-speech tagger: tokens per second (tag(), tag_tokens()) vs classify() on the same text\n");
  {
    TaggerBenchOptions t = o.tagger;
    t.runs = o.runs;
    t.min_time = o.min_time;
    tagger_section(t, model);
  }

  printf("\n== latency per text: classify(), one call timed at a time (steady_clock)\n");
  latency_row(set.short_, run);
  latency_row(set.ui50, run);
  latency_row(set.medium, run);

  printf("\n== where the time goes\n");
  stages(o, model, set.ui50, ws);
  stages(o, model, set.long_, ws);

  printf("\n== dense layers and softmax: code paths side by side\n");
  layer_paths(o, model, set.ui50);
  q8_layer_paths(o, {{128, 88}, {453, 128}}, "8-bit dense layers of the next model's shape (88 -> 128 -> 453, random weights)");

  printf("\n== embedding kernel alone: dequantize-and-accumulate vs float32 table, same lookups\n");
  embedding_kernel(o, model, set.medium);

  printf("\n== float32 embeddings vs uint8 (q8_row) embeddings\n");
  {
    const std::vector<uint8_t> fbytes = build_float_twin(model, bytes.data());
    ffnlp::Model fmodel;
    if (fbytes.empty() || ffnlp::Model::load(fbytes.data(), fbytes.size(), &fmodel, &error) != ffnlp::Status::kOk) {
      printf("  could not build the float model\n");
    } else {
      ffnlp::Workspace fws(fmodel);
      Runner frun{&fmodel, &fws};
      printf("  file size: uint8 %zu bytes, float32 %zu bytes (%.2fx)\n", bytes.size(), fbytes.size(),
             static_cast<double>(fbytes.size()) / static_cast<double>(bytes.size()));
      for (const TextClass* c : {&set.ui50, &set.long_, &set.doc}) {
        throughput_row(o, "uint8", *c, [&](const std::string& t) { return run.classify(t); });
        throughput_row(o, "float32", *c, [&](const std::string& t) { return frun.classify(t); });
      }
      size_t same = 0, total = 0;
      for (const TextClass* c : {&set.short_, &set.medium, &set.long_}) {
        for (const std::string& t : c->texts) {
          same += run.classify(t) == frun.classify(t);
          ++total;
        }
      }
      printf("  top-1 agreement uint8 vs float32 model: %zu / %zu texts\n", same, total);
    }
  }

  printf("\n== long texts: one row per occurrence vs counted rows (scratch_bytes_long_texts)\n");
  {
    // The same classify() with a scratch of scratch_bytes() only: the
    // per-occurrence path. Workspace has room for the counters.
    std::vector<float> small((model.scratch_bytes() + 3) / 4);
    auto direct = [&](const std::string& t) {
      ffnlp::Prediction top[1];
      size_t n = 0;
      model.classify(t.data(), t.size(), small.data(), model.scratch_bytes(), top, 1, &n);
      return n ? top[0].label_index : 0;
    };
    printf("  scratch: %zu bytes (per occurrence) vs %zu bytes (Workspace, counted)\n", model.scratch_bytes(),
           model.scratch_bytes_long_texts());
    throughput_row(o, "per-occur", set.doc, direct);
    throughput_row(o, "counted", set.doc, [&](const std::string& t) { return run.classify(t); });
    const std::string piece = set.doc.texts[0].substr(0, 8192);
    TextClass eight;
    eight.name = "8KB doc";
    eight.texts.assign(16, piece);
    throughput_row(o, "per-occur", eight, direct);
    throughput_row(o, "counted", eight, [&](const std::string& t) { return run.classify(t); });
  }

  printf("\n== cap on bytes read per text (Model::set_max_bytes), 1 MB document\n");
  {
    const uint32_t saved = model.max_bytes();
    for (uint32_t cap : {0u, 65536u, 4096u}) {
      model.set_max_bytes(cap);
      char what[32];
      snprintf(what, sizeof what, "cap %u", cap);
      throughput_row(o, what, set.doc, [&](const std::string& t) { return run.classify(t); });
    }
    model.set_max_bytes(saved);
    printf("  (MB/s counts the whole document's bytes, read or not)\n");
  }

  printf("\n== model load\n");
  {
    auto load_us = [&](bool verify) {
      ffnlp::LoadOptions lo;
      lo.verify_checksum = verify;
      std::vector<double> us;
      for (int i = 0; i < 201; ++i) {
        ffnlp::Model m;
        const Clock::time_point t0 = Clock::now();
        ffnlp::Model::load(bytes.data(), bytes.size(), &m, nullptr, lo);
        us.push_back(seconds_since(t0) * 1e6);
        g_sink = g_sink + m.label_count();
      }
      return summarize(us);
    };
    const Range with = load_us(true), without = load_us(false);
    printf("  from memory buffer, checksum verified:   median %8.1f us [%.1f-%.1f]\n", with.median, with.min, with.max);
    printf("  from memory buffer, checksum skipped:    median %8.1f us [%.1f-%.1f]\n", without.median, without.min,
           without.max);
    std::vector<double> us;
    for (int i = 0; i < 101; ++i) {
      ffnlp::MappedFile f;
      ffnlp::Model m;
      const Clock::time_point t0 = Clock::now();
      ffnlp::load_file(model_file.c_str(), &f, &m, nullptr);
      us.push_back(seconds_since(t0) * 1e6);
      g_sink = g_sink + m.label_count();
    }
    const Range mm = summarize(us);
    printf("  memory-mapped file (open+mmap+load):     median %8.1f us [%.1f-%.1f]  (page cache warm)\n", mm.median,
           mm.min, mm.max);
  }

  printf("\n== heap allocations\n");
  {
    size_t calls = 0;
    const std::vector<const TextClass*> all = classes(set);
    const uint64_t before = allocation_count();
    for (const TextClass* c : all) {
      for (const std::string& t : c->texts) {
        g_sink = g_sink + run.classify(t);
        ++calls;
      }
    }
    const uint64_t after = allocation_count();
    printf("  classify(): %llu allocations in %zu calls = %.3f per call\n",
           static_cast<unsigned long long>(after - before), calls,
           static_cast<double>(after - before) / static_cast<double>(calls));
    ffnlp::Model m2;
    const uint64_t b2 = allocation_count();
    ffnlp::Model::load(bytes.data(), bytes.size(), &m2, nullptr);
    const uint64_t loads = allocation_count() - b2;
    const uint64_t b3 = allocation_count();
    { ffnlp::Workspace w3(model); }
    printf("  Model::load(): %llu allocations; Workspace: %llu allocation(s), %zu bytes\n",
           static_cast<unsigned long long>(loads), static_cast<unsigned long long>(allocation_count() - b3),
           model.scratch_bytes_long_texts());
  }

  printf("\n== memory\n");
  {
    rusage u;
    getrusage(RUSAGE_SELF, &u);
    printf("  peak RSS of this bench process: %ld KB (text set, float twin and tables included)\n", u.ru_maxrss);
    fflush(stdout);
    int fds[2];
    if (pipe(fds) == 0) {
      const pid_t pid = fork();
      if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl(self, self, "--rss-probe", model_file.c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
      close(fds[1]);
      char buf[256] = {0};
      size_t got = 0;
      ssize_t r;
      while (got < sizeof buf - 1 && (r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0) got += static_cast<size_t>(r);
      close(fds[0]);
      int status = 0;
      waitpid(pid, &status, 0);
      long load_kb = 0, before_kb = 0, after_kb = 0;
      size_t text_bytes = 0;
      double secs = 0;
      if (sscanf(buf, "%ld %ld %ld %zu %lf", &load_kb, &before_kb, &after_kb, &text_bytes, &secs) == 5) {
        printf("  fresh process (bench --rss-probe): peak RSS (VmHWM) %ld KB after mapping the model and a Workspace\n", load_kb);
        printf("  classify() of a %zu-byte text in it: peak RSS %ld KB -> %ld KB (+%ld KB), %.1f MB/s\n", text_bytes,
               before_kb, after_kb, after_kb - before_kb, static_cast<double>(text_bytes) / secs / 1e6);
      } else {
        printf("  rss probe failed: %s\n", buf);
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  bench::Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        fprintf(stderr, "bench: %s needs a value\n", a.c_str());
        exit(2);
      }
      return argv[++i];
    };
    if (a == "--model") o.model_path = value();
    else if (a == "--data") o.data_path = value();
    else if (a == "--runs") o.runs = std::max(1, atoi(value().c_str()));
    else if (a == "--min-time") o.min_time = atof(value().c_str());
    else if (a == "--quick") { o.runs = 3; o.min_time = 0.05; }
    else if (a == "--api") o.api_only = true;
    else if (a == "--profile") o.profile = value();
    else if (a == "--tagger") o.tagger.tagger_path = value();
    else if (a == "--pos-data") o.tagger.sentences_path = value();
    else if (a == "--profile-passes") o.profile_passes = std::max(1, atoi(value().c_str()));
    else if (a == "--rss-probe") { bench::rss_probe(value().c_str()); return 0; }
    else {
      const bool help = a == "--help" || a == "-h";
      fprintf(help ? stdout : stderr,
              "usage: bench [--model FILE] [--data FILE] [--runs N] [--min-time SECONDS] [--quick]\n"
              "             [--tagger FILE] [--pos-data FILE]\n"
              "       bench [--model FILE] [--data FILE] --profile CLASS [--profile-passes N]\n"
              "       bench [--model FILE] [--data FILE] [--runs N] [--min-time SECONDS] --api\n"
              "  --api: only the section C API vs C++ API vs CLI (build/langid next to bench)\n"
              "  --profile: only classify the texts of CLASS (short, ui50, medium, long) N times\n"
              "             (default 20), for running under callgrind or perf\n"
              "  defaults: --model models/langid.ffm (a synthetic model of the shipped shape when absent),\n"
              "            --data data/heldout.tsv (a built-in multilingual sample when absent), --runs 7,\n"
              "            --min-time 0.2, --tagger models/pos-en.ffm, --pos-data data/pos/test.tsv\n"
              "            (tagged sentences; a built-in sample when absent)\n");
      return help ? 0 : 2;
    }
  }
  return bench::run(o, argv[0]);
}
