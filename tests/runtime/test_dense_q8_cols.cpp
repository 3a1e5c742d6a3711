// The q8_col kernel (network/dense_q8_cols.h): weights stored transposed,
// (in, out). Every path bit for bit the q8_row reference of
// network/dense_q8_int.h on the same weights untransposed (and the q8_col
// reference), for shapes around each path's steps, sparse and dense
// activations, the extreme products; and what a path declines.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "float_bits.h"
#include "network/dense_q8_cols.h"
#include "network/dense_q8_int.h"
#include "tests/runtime/kernel_test_data.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

// Path p: 0 dispatch, 1 scalar, 2 SSE2, 3 AVX2, 4 AVX-512; false when the
// path is not available here or declines the input.
bool run_cols(int p, const uint8_t* qt, const uint8_t* scales, int32_t zp, const uint8_t* bias, const int16_t* a,
              float act_scale, uint32_t in_count, float* out, uint32_t out_count) {
  switch (p) {
    case 0: dense_q8_cols(qt, scales, zp, bias, a, act_scale, in_count, out, out_count); return true;
    case 1: paths::dense_q8_cols_scalar(qt, scales, zp, bias, a, act_scale, in_count, out, out_count); return true;
    case 2: return paths::dense_q8_cols_sse2(qt, scales, zp, bias, a, act_scale, in_count, out, out_count);
    case 3: return paths::dense_q8_cols_avx2(qt, scales, zp, bias, a, act_scale, in_count, out, out_count);
    default: return paths::dense_q8_cols_avx512(qt, scales, zp, bias, a, act_scale, in_count, out, out_count);
  }
}
constexpr int kColsPaths = 5;

bool avx512_cols_here() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(FFNLP_NO_AVX2) && \
    !defined(FFNLP_NO_AVX512)
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
         __builtin_cpu_supports("avx512vbmi");
#else
  return false;
#endif
}

std::vector<uint8_t> transposed(const std::vector<uint8_t>& q, uint32_t out_count, uint32_t in_count) {
  std::vector<uint8_t> t(q.size());
  for (uint32_t o = 0; o < out_count; ++o)
    for (uint32_t i = 0; i < in_count; ++i) t[size_t{i} * out_count + o] = q[size_t{o} * in_count + i];
  return t;
}

struct Runs {
  int per_path[kColsPaths] = {};
};

// Every path on qt = transpose(q) against reference::dense_q8_int on q.
void check_cols(const std::vector<uint8_t>& q, uint32_t out_count, uint32_t in_count, int32_t zp,
                const std::vector<int16_t>& a, std::mt19937& rng, Runs* runs) {
  const std::vector<uint8_t> qt = transposed(q, out_count, in_count);
  const F32Bytes scales = f32_bytes(uniform(rng, out_count, 0.0f, 0.02f), rng() % 4);
  const F32Bytes bias = f32_bytes(uniform(rng, out_count, -1, 1), rng() % 4);
  const float act_scale = 1.0f / 32767.0f;
  std::vector<float> want(out_count), got(out_count);
  reference::dense_q8_int(q.data(), scales.data(), zp, bias.data(), a.data(), act_scale, in_count, want.data(), out_count);
  reference::dense_q8_cols(qt.data(), scales.data(), zp, bias.data(), a.data(), act_scale, in_count, got.data(), out_count);
  for (uint32_t o = 0; o < out_count; ++o) REQUIRE(float_bits(got[o]) == float_bits(want[o]));
  for (int p = 0; p < kColsPaths; ++p) {
    std::fill(got.begin(), got.end(), -12345.0f);
    const bool ran = run_cols(p, qt.data(), scales.data(), zp, bias.data(), a.data(), act_scale, in_count, got.data(), out_count);
    INFO("path " << p << " out " << out_count << " in " << in_count << " zero point " << zp);
    if (!ran) {
      for (float g : got) REQUIRE(g == -12345.0f);  // nothing written
      // Only inputs over kIntBlock columns (or a path this CPU lacks) are declined.
      if (in_count <= kIntBlock) {
#if defined(__x86_64__) || defined(_M_X64)
        CHECK(p != 2);
#endif
        if (p == 3) CHECK_FALSE(avx2_paths_run_here());
        if (p == 4) CHECK_FALSE(avx512_cols_here());
      }
      continue;
    }
    ++runs->per_path[p];
    for (uint32_t o = 0; o < out_count; ++o) REQUIRE(float_bits(got[o]) == float_bits(want[o]));
  }
}

}  // namespace

TEST_CASE("dense_q8_cols: every path bit for bit the q8_row reference on the untransposed weights") {
  // Output counts around the SIMD steps (16, 32, 64 and 128 outputs, and the
  // masked or scalar tails after them); inputs up to kIntBlock and past it
  // (the SIMD paths decline those, the scalar one blocks them); 0 to all
  // activations non-zero, random, first, last or every 5th; zero points 0,
  // 128, 255; weights far from the zero point.
  std::mt19937 rng(53);
  Runs runs;
  const uint32_t outs[] = {1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 160, 255, 256, 257, 463};
  const uint32_t ins[] = {1, 2, 3, 31, 32, 33, 88, 128, 255, 256, 257, 600};
  for (uint32_t out_count : outs) {
    for (uint32_t in_count : ins) {
      const uint32_t picks[] = {0u, 1u, 2u, 3u, in_count / 4, in_count / 2 + 1, in_count};
      for (uint32_t nonzero : picks) {
        if (nonzero > in_count) continue;
        const int layout = static_cast<int>(rng() % 4);
        const int32_t zp = layout == 1 ? 0 : (layout == 2 ? 255 : 128);
        std::vector<uint8_t> q(size_t{out_count} * in_count);
        for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
        if (layout == 2) std::fill(q.begin(), q.begin() + in_count, uint8_t{0});
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
        check_cols(q, out_count, in_count, zp, a, rng, &runs);
      }
    }
  }
  CHECK(runs.per_path[0] > 1000);
  CHECK(runs.per_path[1] > 1000);
#if defined(__x86_64__) || defined(_M_X64)
  CHECK(runs.per_path[2] > 500);
#endif
  if (avx2_paths_run_here()) CHECK(runs.per_path[3] > 500);
  if (avx512_cols_here()) CHECK(runs.per_path[4] > 500);
  else MESSAGE("no AVX-512 VBMI + VNNI here: the AVX-512 q8_col path is not used");
}

TEST_CASE("dense_q8_cols: the extreme products do not overflow (exact against int64)") {
  // Weights at the far end from the zero point, every activation +-32767 of
  // one sign: the largest sums; kIntBlock inputs for the SIMD paths, more
  // for the scalar path's int64 blocks.
  for (int32_t zp : {0, 128, 255}) {
    for (uint32_t in_count : {255u, 256u, 257u, 513u}) {
      for (uint32_t out_count : {5u, 33u, 130u}) {
        std::vector<uint8_t> qt(size_t{out_count} * in_count, static_cast<uint8_t>(zp >= 128 ? 0 : 255));
        std::vector<int16_t> a(in_count, static_cast<int16_t>(zp >= 128 ? -32767 : 32767));
        const F32Bytes scales = f32_bytes(std::vector<float>(out_count, 1.0f), 0);
        const F32Bytes bias = f32_bytes(std::vector<float>(out_count, 0.0f), 0);
        std::vector<float> got(out_count);
        const int64_t w = zp >= 128 ? -zp : 255 - zp;
        const int64_t exact = int64_t{in_count} * w * (zp >= 128 ? -32767 : 32767);
        for (int p = 0; p < kColsPaths; ++p) {
          if (!run_cols(p, qt.data(), scales.data(), zp, bias.data(), a.data(), 1.0f, in_count, got.data(), out_count)) {
            continue;
          }
          INFO("path " << p << " zp " << zp << " in " << in_count << " out " << out_count);
          CHECK(exact > 0);
          for (uint32_t o = 0; o < out_count; ++o) REQUIRE(got[o] == static_cast<float>(exact));
        }
      }
    }
  }
}

TEST_CASE("dense_q8_cols_layer: NaN in, NaN out; all-zero input gives the bias") {
  const uint32_t in_count = 40, out_count = 70;
  std::mt19937 rng(54);
  std::vector<uint8_t> qt(size_t{in_count} * out_count);
  for (uint8_t& x : qt) x = static_cast<uint8_t>(rng());
  const std::vector<float> bias_values = uniform(rng, out_count, -1, 1);
  const F32Bytes scales = f32_bytes(uniform(rng, out_count, 0.0f, 0.02f), 0);
  const F32Bytes bias = f32_bytes(bias_values, 0);
  std::vector<int16_t> a(in_count);
  std::vector<float> in(in_count, 0.0f), out(out_count);
  dense_q8_cols_layer(qt.data(), scales.data(), 128, bias.data(), in.data(), in_count, a.data(), out.data(), out_count);
  for (uint32_t o = 0; o < out_count; ++o) CHECK(float_bits(out[o]) == float_bits(bias_values[o]));
  in[7] = std::nanf("");
  dense_q8_cols_layer(qt.data(), scales.data(), 128, bias.data(), in.data(), in_count, a.data(), out.data(), out_count);
  for (uint32_t o = 0; o < out_count; ++o) CHECK(out[o] != out[o]);
}
