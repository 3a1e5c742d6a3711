// The quantization formula: golden values, error bounds, ties, edge rows.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "ffnlp/toolkit.h"
#include "tools/torch_fixtures.h"

using ffnlp::dequantize;
using ffnlp::quantize_row;
using ffnlp::Rounding;

namespace {

std::vector<uint8_t> quantize(const std::vector<float>& row, float* scale, Rounding r = Rounding::kHalfUp) {
  std::vector<uint8_t> q(row.size());
  *scale = quantize_row(row.data(), row.size(), 128, r, q.data());
  return q;
}

}  // namespace

TEST_CASE("golden matrix from the issue quantizes byte for byte") {
  const std::vector<std::vector<float>> rows = {
      {20000, 3000, 1000, 1000}, {1999999, 20000, 1999999, 1999999}, {20000, 3000, 1000, 1000}};
  const std::vector<std::vector<uint8_t>> expected_q = {{255, 147, 134, 134}, {255, 129, 255, 255}, {255, 147, 134, 134}};
  const float expected_scales[] = {157.48031f, 15748.0236f, 157.48031f};
  for (size_t r = 0; r < rows.size(); ++r) {
    float scale = 0;
    CHECK(quantize(rows[r], &scale) == expected_q[r]);
    CHECK(scale == doctest::Approx(expected_scales[r]).epsilon(1e-7));
  }
  float scale = 0;
  const std::vector<uint8_t> q0 = quantize(rows[0], &scale);
  CHECK(dequantize(q0[0], scale, 128) == doctest::Approx(20000).epsilon(1e-7));
  CHECK(dequantize(q0[1], scale, 128) == doctest::Approx(2992.126).epsilon(1e-6));
  CHECK(dequantize(q0[2], scale, 128) == doctest::Approx(944.882).epsilon(1e-6));
  const std::vector<uint8_t> q1 = quantize(rows[1], &scale);
  CHECK(dequantize(q1[0], scale, 128) == doctest::Approx(1999999).epsilon(1e-7));
  CHECK(dequantize(q1[1], scale, 128) == doctest::Approx(15748.024).epsilon(1e-6));
}

TEST_CASE("round trip error is at most half a step per element, on random rows") {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 500; ++trial) {
    const size_t n = 1 + rng() % 64;
    const float magnitude = std::pow(10.0f, static_cast<float>(static_cast<int>(rng() % 13) - 6));
    std::uniform_real_distribution<float> d(-magnitude, magnitude);
    std::vector<float> row(n);
    for (float& x : row) x = d(rng);
    float scale = 0;
    const std::vector<uint8_t> q = quantize(row, &scale);
    float max_abs = 0;
    for (float x : row) max_abs = std::fmax(max_abs, std::fabs(x));
    CHECK(scale == doctest::Approx(max_abs / 127.0f).epsilon(1e-6));
    for (size_t j = 0; j < n; ++j) {
      CHECK(q[j] >= 1);
      const float back = dequantize(q[j], scale, 128);
      // half a step, plus float rounding of the product
      CHECK(std::fabs(row[j] - back) <= scale * 0.5f * (1 + 1e-5f) + 1e-30f);
    }
  }
}

TEST_CASE("an all-zero row has scale 0 and q = 128, with no division by zero") {
  float scale = -1;
  const std::vector<uint8_t> q = quantize({0.0f, -0.0f, 0.0f}, &scale);
  CHECK(scale == 0.0f);
  CHECK(q == std::vector<uint8_t>{128, 128, 128});
  CHECK(dequantize(q[0], scale, 128) == 0.0f);
}

TEST_CASE("extreme values stay in range") {
  float scale = 0;
  const float big = std::numeric_limits<float>::max();
  std::vector<uint8_t> q = quantize({big, -big, big / 2, 0}, &scale);
  CHECK(std::isfinite(scale));
  CHECK(q[0] == 255);
  CHECK(q[1] == 1);
  CHECK(q[3] == 128);
  const float tiny = std::numeric_limits<float>::denorm_min();
  q = quantize({tiny, -tiny, 0}, &scale);
  CHECK(q[0] == 255);
  CHECK(q[1] == 1);
  CHECK(q[2] == 128);
  q = quantize({-5.0f}, &scale);  // one negative value: maps to the bottom
  CHECK(q[0] == 1);
  CHECK(dequantize(q[0], scale, 128) == doctest::Approx(-5.0f));
}

TEST_CASE("ties: half-up is the paper's floor(x + 0.5), half-even matches PyTorch") {
  // scale = 127/127 = 1, so value v maps to v + 128 exactly; .5 values are ties.
  const std::vector<float> row = {127.0f, 0.5f, 1.5f, -0.5f, -1.5f, 2.5f, -126.5f};
  float scale = 0;
  CHECK(quantize(row, &scale, Rounding::kHalfUp) == std::vector<uint8_t>{255, 129, 130, 128, 127, 131, 2});
  CHECK(scale == 1.0f);
  CHECK(quantize(row, &scale, Rounding::kHalfEven) == std::vector<uint8_t>{255, 128, 130, 128, 126, 130, 2});
}

TEST_CASE("other zero points follow the same formula") {
  float scale = 0;
  std::vector<uint8_t> q(3);
  const float row[] = {10.0f, -10.0f, 5.0f};
  scale = quantize_row(row, 3, 100, Rounding::kHalfUp, q.data());
  CHECK(scale == doctest::Approx(10.0f / 99.0f));
  CHECK(q[0] == 199);
  CHECK(q[1] == 1);
  CHECK(q[2] == 150);  // floor(0.5 + 49.5 + 100)
}

namespace {

float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

}  // namespace

TEST_CASE("half-even is torch.quantize_per_channel byte for byte (fixture made by torch)") {
  // Rows with float32-inverse ties, ties built from the float32 scale, zeros,
  // tiny and huge ranges: tests/interop/gen_torch_fixtures.py.
  using namespace torch_fixtures;
  for (int r = 0; r < kPerChannelRows; ++r) {
    std::vector<float> row(kPerChannelCols);
    for (int c = 0; c < kPerChannelCols; ++c) row[c] = from_bits(kPerChannelValues[r * kPerChannelCols + c]);
    float scale = 0;
    const std::vector<uint8_t> q = quantize(row, &scale, Rounding::kHalfEven);
    CHECK(scale == from_bits(kPerChannelScales[r]));
    for (int c = 0; c < kPerChannelCols; ++c) {
      INFO("row " << r << " column " << c << " value " << row[c]);
      CHECK(q[c] == kPerChannelBytes[r * kPerChannelCols + c]);
    }
  }
}

TEST_CASE("half-even rounds the float32 product e * (1.0f / s), as torch does, not e / s") {
  // max 2.3f: s = 2.3f / 127. e / s is 1.49999995 exactly, but torch's
  // float32 e * (1.0f / s) is 1.5, a tie that goes to 2 (byte 130).
  const float e = 0x1.bd13cp-6f;
  float scale = 0;
  std::vector<uint8_t> q = quantize({2.3f, e}, &scale, Rounding::kHalfEven);
  CHECK(e * (1.0f / scale) == 1.5f);
  CHECK(static_cast<double>(e) / static_cast<double>(scale) < 1.5);
  CHECK(q[1] == 130);
  q = quantize({2.3f, e}, &scale, Rounding::kHalfUp);
  CHECK(q[1] == 129);  // the paper's formula divides: 1.49999995 rounds down
}

TEST_CASE("the default half-up mode is the paper's double formula, unchanged, on random rows") {
  std::mt19937 rng(2026);
  for (int trial = 0; trial < 2000; ++trial) {
    const size_t n = 1 + rng() % 40;
    const float magnitude = std::pow(10.0f, static_cast<float>(static_cast<int>(rng() % 61) - 30));
    std::uniform_real_distribution<float> d(-magnitude, magnitude);
    std::vector<float> row(n);
    for (float& x : row) x = d(rng);
    if (trial % 7 == 0) row[rng() % n] = 0.0f;
    float scale = 0;
    const std::vector<uint8_t> q = quantize(row, &scale);
    double max_abs = 0;
    for (float x : row) max_abs = std::fmax(max_abs, std::fabs(x));
    const double s = max_abs / 127.0;
    CHECK(scale == static_cast<float>(s));
    for (size_t j = 0; j < n; ++j) {
      // An all-zero row (one value, set to 0) stores the zero point.
      double r = s == 0 ? 128 : std::floor(0.5 + (static_cast<double>(row[j]) / s + 128));
      r = std::fmin(255, std::fmax(0, r));
      CHECK(q[j] == static_cast<uint8_t>(r));
    }
  }
}

TEST_CASE("half-even: a row whose float32 inverse scale overflows keeps its values") {
  // max 1e-38: s = 7.9e-41, 1.0f / s = inf. torch 1.13 writes 0 for every
  // byte there (an undefined float-to-int conversion); we do not.
  float scale = 0;
  const std::vector<uint8_t> q = quantize({1e-38f, -1e-38f, 0.0f, 5e-39f}, &scale, Rounding::kHalfEven);
  CHECK(std::isinf(1.0f / scale));
  CHECK(q == std::vector<uint8_t>{255, 1, 128, 192});
}
