// The integer 8-bit dense kernel (network/dense_q8_int.h): every code path
// bit for bit the int64 reference (integer sums are exact, the float step is
// the same), on random shapes, extreme values, the shipped model's layers;
// and its distance to the float-dequantizing kernel on the shipped model,
// bounded by what docs/PERFORMANCE.md states.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "api/model_access.h"
#include "ffnlp/ffnlp.h"
#include "features/word_keys.h"
#include "file/byte_order.h"
#include "network/dense_q8_cols.h"
#include "network/dense_q8_int.h"
#include "network/kernels.h"
#include "float_bits.h"
#include "tests/runtime/kernel_test_data.h"
#include "test_paths.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

// Runs path p (0 dispatch, 1 scalar, 2 SSE2, 3 AVX2, 4 NEON, 5 AVX-512
// VNNI, 6 AVX-512 sparse); false when the path is not available here (or,
// for the sparse one, the input does not qualify).
bool run_path(int p, const uint8_t* q, const uint8_t* scales, int32_t zp, const uint8_t* bias, const int16_t* a,
              float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  switch (p) {
    case 0: dense_q8_int(q, scales, zp, bias, a, act_scale, in_count, out, out_count); return true;
    case 1: paths::dense_q8_int_scalar(q, scales, zp, bias, a, act_scale, in_count, out, out_count); return true;
    case 2: return paths::dense_q8_int_sse2(q, scales, zp, bias, a, act_scale, in_count, out, out_count);
    case 3: return paths::dense_q8_int_avx2(q, scales, zp, bias, a, act_scale, in_count, out, out_count);
    case 4: return paths::dense_q8_int_neon(q, scales, zp, bias, a, act_scale, in_count, out, out_count);
    case 5: return paths::dense_q8_int_avx512_vnni(q, scales, zp, bias, a, act_scale, in_count, out, out_count);
    default: return paths::dense_q8_int_avx512_sparse(q, scales, zp, bias, a, act_scale, in_count, out, out_count);
  }
}

constexpr int kPaths = 7;

// Every available path gives the reference's bits; returns how many paths ran.
int check_all_paths(const uint8_t* q, const uint8_t* scales, int32_t zp, const uint8_t* bias, const int16_t* a,
                    float act_scale, uint32_t in_count, uint32_t out_count) {
  std::vector<float> want(out_count), got(out_count);
  reference::dense_q8_int(q, scales, zp, bias, a, act_scale, in_count, want.data(), out_count);
  int ran = 0;
  for (int p = 0; p < kPaths; ++p) {
    std::fill(got.begin(), got.end(), -12345.0f);
    if (!run_path(p, q, scales, zp, bias, a, act_scale, in_count, got.data(), out_count)) continue;
    ++ran;
    for (uint32_t o = 0; o < out_count; ++o) {
      INFO("path " << p << " shape " << out_count << "x" << in_count << " zero point " << zp << " output " << o);
      REQUIRE(float_bits(got[o]) == float_bits(want[o]));
    }
  }
  return ran;
}

}  // namespace

TEST_CASE("quantize_activations: symmetric int16, the fast path equals the reference") {
  std::mt19937 rng(41);
  int avx2_runs = 0;
  for (uint32_t n = 0; n <= 70; ++n) {
    std::vector<float> in = uniform(rng, n, -3.0f, 3.0f);
    if (n > 3) in[n / 2] = -7.5f;  // the largest magnitude, negative
    std::vector<int16_t> a(n + 1, 99), b(n + 1, 99);
    const float s1 = quantize_activations(in.data(), n, a.data());
    const float s2 = reference::quantize_activations(in.data(), n, b.data());
    const float s3 = paths::quantize_activations_scalar(in.data(), n, b.data());
    CHECK(float_bits(s1) == float_bits(s2));
    CHECK(float_bits(s2) == float_bits(s3));
    CHECK(a == b);
    std::vector<int16_t> c(n + 1, 99);  // each path alone
    CHECK(float_bits(paths::quantize_activations_sse2_or_scalar(in.data(), n, c.data())) == float_bits(s2));
    CHECK(c == b);
    float s4 = 0;
    std::fill(c.begin(), c.end(), int16_t{99});
    if (paths::quantize_activations_avx512(in.data(), n, c.data(), &s4)) {
      CHECK(float_bits(s4) == float_bits(s2));
      CHECK(c == b);
    }
    float s5 = 0;
    std::fill(c.begin(), c.end(), int16_t{99});
    if (paths::quantize_activations_avx2(in.data(), n, c.data(), &s5)) {
      ++avx2_runs;
      CHECK(float_bits(s5) == float_bits(s2));
      CHECK(c == b);
    }
    CHECK(a[n] == 99);  // nothing written past n
    CHECK(c[n] == 99);
    if (n > 3) {
      CHECK(a[n / 2] == -32767);
      for (uint32_t i = 0; i < n; ++i) CHECK(std::fabs(a[i] * s1 - in[i]) <= 0.5f * s1 * 1.0001f);
    }
  }
  if (testing::avx2_paths_run_here()) CHECK(avx2_runs == 71);
  // All zero, tiny, non-finite.
  std::vector<float> zeros(19, 0.0f);
  zeros[3] = -0.0f;
  std::vector<int16_t> a(19, 5);
  CHECK(quantize_activations(zeros.data(), 19, a.data()) == 0.0f);
  for (int16_t v : a) CHECK(v == 0);
  std::vector<float> tiny(19, 1e-30f);
  std::fill(a.begin(), a.end(), int16_t{5});
  CHECK(quantize_activations(tiny.data(), 19, a.data()) == 0.0f);
  for (int16_t v : a) CHECK(v == 0);
  for (float bad : {std::nanf(""), INFINITY, -INFINITY}) {
    for (uint32_t at : {0u, 5u, 18u}) {
      std::vector<float> in(19, 1.0f);
      in[at] = bad;
      CHECK(std::isnan(quantize_activations(in.data(), 19, a.data())));
      CHECK(std::isnan(reference::quantize_activations(in.data(), 19, a.data())));
      CHECK(std::isnan(paths::quantize_activations_sse2_or_scalar(in.data(), 19, a.data())));
      float s = 0;
      if (paths::quantize_activations_avx512(in.data(), 19, a.data(), &s)) CHECK(std::isnan(s));
      for (int16_t v : a) CHECK(v == 0);
      std::fill(a.begin(), a.end(), int16_t{5});
      if (paths::quantize_activations_avx2(in.data(), 19, a.data(), &s)) {
        CHECK(std::isnan(s));
        for (int16_t v : a) CHECK(v == 0);
      }
    }
  }
}

TEST_CASE("dense_q8_int: every path bit for bit the reference (random shapes, odd lengths, zero rows, blocks)") {
  std::mt19937 rng(43);
  const uint32_t shapes[][2] = {{1, 1},  {3, 5},   {4, 16},  {7, 9},    {8, 33},  {13, 17},  {5, 100},  {128, 88},
                                {463, 128}, {2, 255}, {3, 256}, {5, 257}, {6, 513}, {9, 700}, {1, 1030}, {11, 24},
                                // the AVX2 kernel's 32-column steps followed by 16, 8 and < 8 columns
                                {10, 40}, {9, 48}, {17, 63}, {8, 64}, {16, 95}, {9, 224}};
  int ran_max = 0;
  for (const auto& shape : shapes) {
    const uint32_t out_count = shape[0], in_count = shape[1];
    for (int variant = 0; variant < 3; ++variant) {  // zero point 128, 0, 255
      const int32_t zp = variant == 0 ? 128 : (variant == 1 ? 0 : 255);
      std::vector<uint8_t> q(size_t{out_count} * in_count + 1);
      for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
      if (out_count > 2) std::fill(q.begin() + 1 + in_count, q.begin() + 1 + 2 * in_count, static_cast<uint8_t>(zp));
      const F32Bytes scales = f32_bytes(uniform(rng, out_count, 0.0f, 0.02f), variant);
      const F32Bytes bias = f32_bytes(uniform(rng, out_count, -1, 1), 1);
      std::vector<float> in = uniform(rng, in_count, -2, 2);
      std::vector<int16_t> a(in_count);
      const float act_scale = quantize_activations(in.data(), in_count, a.data());
      const uint8_t* qd = q.data() + (variant & 1);  // misaligned weights too
      ran_max = std::max(ran_max, check_all_paths(qd, scales.data(), zp, bias.data(), a.data(),
                                                  act_scale, in_count, out_count));
    }
  }
#if defined(__x86_64__) || defined(_M_X64)
  CHECK(ran_max >= 3);  // dispatch, scalar, SSE2 (and AVX2 where the CPU has it)
#endif
}

TEST_CASE("dense_q8_int: the extreme products do not overflow (exact against int64 for any length)") {
  // Weights at the far end from the zero point, activations at +-32767, all
  // products of one sign: the largest sums the kernels can meet.
  for (int32_t zp : {0, 128, 255}) {
    for (uint32_t in_count : {255u, 256u, 257u, 512u, 513u, 1000u, 2049u}) {
      const uint32_t out_count = 5;
      std::vector<uint8_t> q(size_t{out_count} * in_count, static_cast<uint8_t>(zp >= 128 ? 0 : 255));
      std::vector<int16_t> a(in_count, static_cast<int16_t>(zp >= 128 ? -32767 : 32767));
      const F32Bytes scales = f32_bytes(std::vector<float>(out_count, 1.0f), 0);
      const F32Bytes bias = f32_bytes(std::vector<float>(out_count, 0.0f), 0);
      std::vector<float> got(out_count);
      for (int p = 0; p < kPaths; ++p) {
        if (!run_path(p, q.data(), scales.data(), zp, bias.data(), a.data(), 1.0f, in_count, got.data(), out_count)) continue;
        const int64_t w = zp >= 128 ? -zp : 255 - zp;
        const int64_t exact = int64_t{in_count} * w * (zp >= 128 ? -32767 : 32767);
        INFO("path " << p << " zp " << zp << " in " << in_count);
        CHECK(exact > 0);
        CHECK(got[0] == static_cast<float>(exact));
        CHECK(got[4] == static_cast<float>(exact));
      }
    }
  }
}

// Whether the AVX2 sparse path takes `a`: a multiple of 32 columns, at most
// kIntBlock, and at most 7 picks per 4 windows of 32 columns (a window needs
// one pick per 8 non-zero activations of its fuller 16-column chunk).
bool avx2_sparse_qualifies(const std::vector<int16_t>& a) {
  if (a.size() % 32 != 0 || a.size() > kIntBlock) return false;
  size_t picks = 0;
  for (size_t c = 0; c < a.size(); c += 32) {
    auto nonzero = [&](size_t from) {
      return static_cast<size_t>(std::count_if(a.begin() + static_cast<long>(from),
                                               a.begin() + static_cast<long>(from + 16), [](int16_t v) { return v != 0; }));
    };
    picks += (std::max(nonzero(c), nonzero(c + 16)) + 7) / 8;
  }
  return 4 * picks <= 7 * (a.size() / 32);
}

TEST_CASE("dense_q8_int sparse paths: only the non-zero activations, bit for bit the reference") {
  // Inputs of 1..kSparseMaxIn + 2 columns around the 32- and 64-column
  // steps (and multiples of 32 up to kIntBlock for the AVX2 path), with
  // 0..all activations non-zero (a path declines what it does not take:
  // the others still run), zeros placed at random, in runs, at the ends,
  // spread evenly; extreme values; zero points 0, 128, 255.
  std::mt19937 rng(47);
  const bool usable512 = paths::dense_q8_int_avx512_sparse_usable();
  const bool usable2 = testing::avx2_paths_run_here();
  int ran512 = 0, ran2 = 0;
  for (uint32_t in_count :
       {1u, 2u, 31u, 32u, 33u, 63u, 64u, 65u, 88u, 95u, 96u, 97u, 127u, 128u, 129u, 130u, 160u, 224u, 256u}) {
    for (uint32_t nonzero : {0u, 1u, 2u, 8u, 9u, 31u, 32u, 33u, 63u, 64u, 65u, 100u, 128u}) {
      if (nonzero > in_count) continue;
      for (int layout = 0; layout < 4; ++layout) {
        const uint32_t out_count = 1 + static_cast<uint32_t>(rng() % 21);  // 8-row groups and the rows after them
        const int32_t zp = layout == 1 ? 0 : (layout == 2 ? 255 : 128);
        std::vector<uint8_t> q(size_t{out_count} * in_count);
        for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
        if (layout == 2) std::fill(q.begin(), q.begin() + in_count, uint8_t{0});  // far from the zero point
        // Which columns are non-zero: random, the first ones, the last ones,
        // or every 5th (about evenly over the 16-column chunks).
        std::vector<uint32_t> cols(in_count);
        for (uint32_t i = 0; i < in_count; ++i) cols[i] = i;
        if (layout == 0) std::shuffle(cols.begin(), cols.end(), rng);
        if (layout == 2) std::reverse(cols.begin(), cols.end());
        if (layout == 3 && in_count % 5 != 0) {
          for (uint32_t i = 0; i < in_count; ++i) cols[i] = (5 * i) % in_count;
        }
        std::vector<int16_t> a(in_count, 0);
        for (uint32_t k = 0; k < nonzero; ++k) {
          const int16_t v = k % 7 == 0 ? (k % 2 ? 32767 : -32767) : static_cast<int16_t>(rng() % 65535 - 32767);
          a[cols[k]] = v != 0 ? v : 1;
        }
        const F32Bytes scales = f32_bytes(uniform(rng, out_count, 0.0f, 0.02f), layout);
        const F32Bytes bias = f32_bytes(uniform(rng, out_count, -1, 1), 1);
        const float act_scale = 1.0f / 32767.0f;
        std::vector<float> want(out_count);
        reference::dense_q8_int(q.data(), scales.data(), zp, bias.data(), a.data(), act_scale, in_count, want.data(),
                                out_count);
        for (int path = 0; path < 2; ++path) {
          std::vector<float> got(out_count, -12345.0f);
          const bool ran =
              path == 0 ? paths::dense_q8_int_avx512_sparse(q.data(), scales.data(), zp, bias.data(), a.data(),
                                                            act_scale, in_count, got.data(), out_count)
                        : paths::dense_q8_int_avx2_sparse(q.data(), scales.data(), zp, bias.data(), a.data(),
                                                          act_scale, in_count, got.data(), out_count);
          INFO("path " << (path == 0 ? "avx512" : "avx2") << " in " << in_count << " non-zero " << nonzero
                       << " layout " << layout << " out " << out_count);
          if (path == 0) {
            CHECK(ran == (usable512 && in_count <= kSparseMaxIn && nonzero <= kSparseMaxNonzero));
          } else {
            CHECK(ran == (usable2 && avx2_sparse_qualifies(a)));
          }
          if (!ran) {
            for (float g : got) CHECK(g == -12345.0f);  // nothing written
            continue;
          }
          ++(path == 0 ? ran512 : ran2);
          for (uint32_t o = 0; o < out_count; ++o) REQUIRE(float_bits(got[o]) == float_bits(want[o]));
        }
        // The dispatcher agrees (whichever path it takes).
        std::vector<float> got(out_count, -12345.0f);
        dense_q8_int(q.data(), scales.data(), zp, bias.data(), a.data(), act_scale, in_count, got.data(), out_count);
        for (uint32_t o = 0; o < out_count; ++o) REQUIRE(float_bits(got[o]) == float_bits(want[o]));
      }
    }
  }
  if (usable512) CHECK(ran512 > 100);
  else MESSAGE("no AVX-512 VBMI2 on this CPU: the AVX-512 sparse path is not used here");
  if (usable2) CHECK(ran2 > 100);
}

TEST_CASE("dense_q8_int: NaN in, NaN out; all-zero input gives the bias") {
  const uint32_t out_count = 6, in_count = 20;
  std::vector<uint8_t> q(out_count * in_count, 7);
  const F32Bytes scales = f32_bytes(std::vector<float>(out_count, 0.5f), 0);
  const F32Bytes bias = f32_bytes({0.25f, -1.0f, 2.0f, 0.0f, 3.0f, -0.5f}, 0);
  std::vector<int16_t> a(in_count);
  std::vector<float> in(in_count, 0.0f), out(out_count);
  dense_q8_int_layer(q.data(), scales.data(), 128, bias.data(), in.data(), in_count, a.data(), out.data(), out_count);
  for (uint32_t o = 0; o < out_count; ++o) CHECK(out[o] == read_f32(bias.data() + 4 * o));
  in[7] = std::nanf("");
  dense_q8_int_layer(q.data(), scales.data(), 128, bias.data(), in.data(), in_count, a.data(), out.data(), out_count);
  CHECK_FALSE(all_finite(out.data(), out_count));
}

namespace {

struct ShippedLayers {
  MappedFile file;
  Model model;
};

// Pooled input vectors of the shipped model for the lines of the committed
// everyday-phrase files (read from the scratch after logits(): the `input`
// region). Only committed files: data/ is not there in a fresh clone.
std::vector<std::string> tolerance_lines() {
  std::vector<std::string> lines;
  for (const char* rel : {"tests/langid/everyday-dev.tsv", "tests/langid/everyday-test.tsv",
                          "tests/langid/everyday-source.tsv", "tests/langid/everyday-ambiguous.tsv"}) {
    std::ifstream f(testing::source_path(rel));
    REQUIRE_MESSAGE(f.good(), "missing fixture " << rel);
    std::string line;
    size_t taken = 0;
    while (std::getline(f, line) && taken < 3000) {
      const size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      lines.push_back(line.substr(tab + 1));
      ++taken;
    }
    REQUIRE(taken > 30);
  }
  return lines;
}

}  // namespace

TEST_CASE("dense_q8_int on the shipped model: paths bit for bit; within the stated tolerance of the float kernel") {
  ShippedLayers s;
  Error error;
  REQUIRE_MESSAGE(load_file(testing::source_path("models/langid.ffm").c_str(), &s.file, &s.model, &error) == Status::kOk,
                  error.message);
  const Model& m = s.model;
  REQUIRE(m.layer_count() == 2);
  // The output layer is stored transposed (q8_col, network/dense_q8_cols.h):
  // its q8_row original, transposed back, runs through the row kernels here,
  // and the q8_col kernel must give the same bits.
  REQUIRE(m.layer(0).weights.dtype == DType::kQ8Row);
  REQUIRE(m.layer(1).weights.dtype == DType::kQ8Col);
  const LayerInfo& l0 = m.layer(0);
  const LayerInfo& l1 = m.layer(1);
  std::vector<uint8_t> w1(size_t{l1.out} * l1.in);
  for (uint32_t o = 0; o < l1.out; ++o)
    for (uint32_t i = 0; i < l1.in; ++i) w1[size_t{o} * l1.in + i] = l1.weights.data[size_t{i} * l1.out + o];
  const ScratchLayout layout = internal::ModelAccess::layout(m);
  Workspace workspace(m);
  REQUIRE(workspace.ok());
  const std::vector<std::string> lines = tolerance_lines();
  std::vector<float> hidden_int(l0.out), hidden_float(l0.out), logits_float(l1.out), logits_int(l1.out);
  std::vector<float> logits_model(l1.out);
  std::vector<int16_t> a(std::max(l0.in, l1.in));
  ClassifyOptions uniform_prior;
  uniform_prior.prior = Prior::kUniform;
  std::vector<bool> grouped(l1.out, false);  // labels in a neighbour-words group
  const internal::NeighbourPlan& neighbours = internal::ModelAccess::neighbours(m);
  uint32_t members = 0;
  for (uint32_t g = 0; g < neighbours.group_count; ++g) members += read_u32(neighbours.sizes + 4 * g);
  for (uint32_t i = 0; i < members; ++i) grouped[read_u32(neighbours.labels + 4 * i)] = true;
  // Labels the lexicon names: on texts of at most its max_words words it
  // adds to their logits, so those are compared on longer texts only.
  std::vector<bool> lexicon_label(l1.out, false);
  const internal::LexiconPlan& lexicon = internal::ModelAccess::lexicon(m);
  for (uint32_t i = 0; i < lexicon.count; ++i) lexicon_label[read_u32(lexicon.entries + 4 * i) & lexicon.label_mask] = true;
  const internal::FeaturePlan& text_options = internal::ModelAccess::plan(m);
  size_t short_texts = 0;
  double max_logit = 0, max_prob = 0;
  size_t agree = 0, compared = 0;
  for (size_t k = 0; k < lines.size(); ++k) {
    const std::string& t = lines[k];
    TextStats stats;
    Input input;
    input.text = t.data();
    input.size = t.size();
    REQUIRE(m.logits(input, workspace.data(), workspace.size(), logits_model.data(), l1.out, &uniform_prior, &stats) ==
            Status::kOk);
    if (stats.no_evidence()) continue;
    const float* vec = reinterpret_cast<const float*>(static_cast<const uint8_t*>(workspace.data()) + layout.input);
    // The integer kernel, each path, layer by layer.
    const float s0 = quantize_activations(vec, l0.in, a.data());
    if (k % 25 == 0) {
      REQUIRE(check_all_paths(l0.weights.data, l0.weights.scales, static_cast<int32_t>(l0.weights.zero_point),
                              l0.bias.data, a.data(), s0, l0.in, l0.out) >= 2);
    }
    dense_q8_int(l0.weights.data, l0.weights.scales, static_cast<int32_t>(l0.weights.zero_point), l0.bias.data,
                 a.data(), s0, l0.in, hidden_int.data(), l0.out);
    relu(hidden_int.data(), l0.out);
    const float s1 = quantize_activations(hidden_int.data(), l1.in, a.data());
    if (k % 25 == 0) {
      REQUIRE(check_all_paths(w1.data(), l1.weights.scales, static_cast<int32_t>(l1.weights.zero_point),
                              l1.bias.data, a.data(), s1, l1.in, l1.out) >= 2);
    }
    dense_q8_int(w1.data(), l1.weights.scales, static_cast<int32_t>(l1.weights.zero_point), l1.bias.data,
                 a.data(), s1, l1.in, logits_int.data(), l1.out);
    std::vector<float> logits_cols(l1.out);
    dense_q8_cols(l1.weights.data, l1.weights.scales, static_cast<int32_t>(l1.weights.zero_point), l1.bias.data,
                  a.data(), s1, l1.in, logits_cols.data(), l1.out);
    REQUIRE(std::memcmp(logits_int.data(), logits_cols.data(), sizeof(float) * l1.out) == 0);
    // The model took the same integer path (logits() with a uniform prior:
    // the last layer's outputs, plus the neighbour words on the labels of
    // one group: those are compared without them).
    const size_t words = detail::for_each_word_key(reinterpret_cast<const uint8_t*>(t.data()), t.size(), text_options,
                                                   lexicon.seed, 0xFFFFFFFFu, [](void*, uint32_t) {}, nullptr,
                                                   lexicon.max_words + 1);
    const bool lexicon_reads = lexicon.count != 0 && words >= 1 && words <= lexicon.max_words;
    short_texts += lexicon_reads;
    for (uint32_t o = 0; o < l1.out; ++o) {
      if (!grouped[o] && !(lexicon_reads && lexicon_label[o])) {
        REQUIRE(float_bits(logits_int[o]) == float_bits(logits_model[o]));
      }
    }
    // The float-dequantizing reference.
    reference::dense_q8(l0.weights.data, l0.weights.scales, nullptr, static_cast<float>(l0.weights.zero_point),
                        l0.bias.data, vec, l0.in, hidden_float.data(), l0.out);
    reference::relu(hidden_float.data(), l0.out);
    reference::dense_q8(w1.data(), l1.weights.scales, nullptr, static_cast<float>(l1.weights.zero_point),
                        l1.bias.data, hidden_float.data(), l1.in, logits_float.data(), l1.out);
    for (uint32_t o = 0; o < l1.out; ++o) {
      max_logit = std::max(max_logit, static_cast<double>(std::fabs(logits_int[o] - logits_float[o])));
    }
    std::vector<float> p_int = logits_int, p_float = logits_float;
    reference::softmax(p_int.data(), l1.out);
    reference::softmax(p_float.data(), l1.out);
    for (uint32_t o = 0; o < l1.out; ++o) {
      max_prob = std::max(max_prob, static_cast<double>(std::fabs(p_int[o] - p_float[o])));
    }
    agree += reference::argmax(logits_int.data(), l1.out) == reference::argmax(logits_float.data(), l1.out);
    ++compared;
  }
  MESSAGE("integer vs float q8 kernel on " << compared << " lines: max |logit diff| " << max_logit
                                           << ", max |probability diff| " << max_prob << ", top-1 agree " << agree);
  REQUIRE(compared > 1000);
  CHECK(short_texts > 0);  // the lines hold texts the lexicon reads: the skip above is exercised
  // The bounds docs/PERFORMANCE.md states.
  CHECK(max_logit <= 0.02);
  CHECK(max_prob <= 5e-4);
  CHECK(compared - agree <= compared / 1000);
}
