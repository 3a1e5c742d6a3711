// The optimised kernels (SIMD paths where the CPU has them) against the
// plain reference loops, on random inputs of many shapes, including
// unaligned model bytes.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "file/byte_order.h"
#include "float_bits.h"
#include "network/kernels.h"
#include "tests/runtime/kernel_test_data.h"

using namespace ffnlp;
using namespace ffnlp::testing;

TEST_CASE("kernel_path names a path") { CHECK(std::strlen(kernel_path()) > 0); }

TEST_CASE("accumulate_q8_row equals the reference exactly") {
  std::mt19937 rng(1);
  for (uint32_t dims = 1; dims <= 70; ++dims) {
    for (int32_t zero_point : {0, 1, 128, 255}) {
      for (size_t misalign : {0, 1, 3}) {
        std::vector<uint8_t> q(misalign + dims);
        for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
        const float scale = std::uniform_real_distribution<float>(0.0f, 0.05f)(rng);
        std::vector<float> a = uniform(rng, dims, -3, 3), b = a;
        accumulate_q8_row(q.data() + misalign, scale, zero_point, a.data(), dims);
        reference::accumulate_q8_row(q.data() + misalign, scale, zero_point, b.data(), dims);
        for (uint32_t j = 0; j < dims; ++j) REQUIRE(a[j] == b[j]);
      }
    }
  }
}

TEST_CASE("accumulate_q8_row16 equals the reference exactly") {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    uint8_t q[17];
    for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
    const int32_t zero_point = trial % 3 == 0 ? 0 : trial % 3 == 1 ? 128 : 255;
    const float scale = std::uniform_real_distribution<float>(0.0f, 0.05f)(rng);
    std::vector<float> a = uniform(rng, 16, -3, 3), b = a;
    accumulate_q8_row16(q + trial % 2, scale, zero_point, a.data());
    reference::accumulate_q8_row(q + trial % 2, scale, zero_point, b.data(), 16);
    for (uint32_t j = 0; j < 16; ++j) REQUIRE(a[j] == b[j]);
  }
}

TEST_CASE("accumulate_q8_rows (a batch of rows, sums in registers) equals the reference bit for bit on every path") {
  std::mt19937 rng(12);
  for (uint32_t dims : {1u, 5u, 8u, 12u, 16u, 24u, 33u}) {
    const uint32_t table_rows = 300;
    std::vector<uint8_t> q(size_t{table_rows} * dims + 1);
    for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
    const F32Bytes scales = f32_bytes(uniform(rng, table_rows, 0.0f, 0.05f), dims % 3);  // misaligned too
    for (uint32_t n : {0u, 1u, 5u, 6u, 7u, 64u, 200u}) {
      std::vector<uint32_t> rows(n);
      for (uint32_t& r : rows) r = static_cast<uint32_t>(rng() % table_rows);
      const int32_t zero_point = n % 3 == 0 ? 128 : n % 3 == 1 ? 0 : 255;
      const uint8_t* qd = q.data() + (n & 1);
      const std::vector<float> start = uniform(rng, dims, -3, 3);
      std::vector<float> want = start;
      for (uint32_t r : rows) {  // one row at a time, in order: the definition
        reference::accumulate_q8_row(qd + size_t{r} * dims, read_f32(scales.data() + 4 * size_t{r}), zero_point,
                                     want.data(), dims);
      }
      for (int path = 0; path < 4; ++path) {
        std::vector<float> got = start;
        bool ran = true;
        if (path == 0) accumulate_q8_rows(qd, scales.data(), zero_point, dims, rows.data(), n, got.data());
        if (path == 1) reference::accumulate_q8_rows(qd, scales.data(), zero_point, dims, rows.data(), n, got.data());
        if (path == 2) paths::accumulate_q8_rows_sse2_or_scalar(qd, scales.data(), zero_point, dims, rows.data(), n, got.data());
        if (path == 3) ran = paths::accumulate_q8_rows_avx2(qd, scales.data(), zero_point, dims, rows.data(), n, got.data());
        if (!ran) continue;
        INFO("path " << path << " dims " << dims << " rows " << n);
        for (uint32_t j = 0; j < dims; ++j) REQUIRE(got[j] == want[j]);
      }
    }
  }
}

TEST_CASE("accumulate_q4_rows (a batch of q4_row or q4_row_bf16 rows) equals one reference row at a time, bit for bit, on every path") {
  std::mt19937 rng(14);
  for (uint32_t scale_bytes : {4u, 2u})
  for (uint32_t dims : {1u, 7u, 16u, 33u}) {
    const uint32_t table_rows = 300;
    const size_t row_bytes = q4_row_bytes(dims);
    std::vector<uint8_t> q(table_rows * row_bytes + 1);
    for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
    const std::vector<float> scale_values = uniform(rng, table_rows, 0.0f, 0.05f);
    const F32Bytes scales = scale_bytes == 4 ? f32_bytes(scale_values, dims % 3)    // misaligned too
                                             : bf16_bytes(scale_values, dims % 3);  // bfloat16 scales
    auto scale_of = [&](uint32_t r) { return scale_bytes == 4 ? read_f32(scales.data() + 4 * size_t{r}) : bf16_scale_at(scales, r); };
    for (uint32_t n : {0u, 1u, 5u, 13u, 64u, 200u}) {
      std::vector<uint32_t> rows(n);
      for (uint32_t& r : rows) r = static_cast<uint32_t>(rng() % table_rows);
      const int32_t zero_point = n % 3 == 0 ? 8 : n % 3 == 1 ? 0 : 15;
      const uint8_t* qd = q.data() + (n & 1);
      const std::vector<float> start = uniform(rng, dims, -3, 3);
      std::vector<float> want = start;
      for (uint32_t r : rows) {
        reference::accumulate_q4_row(qd + r * row_bytes, scale_of(r), zero_point, want.data(), dims);
      }
      for (int path = 0; path < 3; ++path) {
        std::vector<float> got = start;
        bool ran = true;
        const uint8_t* sd = scales.data();
        if (path == 0) accumulate_q4_rows(qd, sd, zero_point, dims, rows.data(), n, got.data(), scale_bytes);
        if (path == 1) paths::accumulate_q4_rows_sse2_or_scalar(qd, sd, zero_point, dims, rows.data(), n, got.data(), scale_bytes);
        if (path == 2) ran = paths::accumulate_q4_rows_avx2(qd, sd, zero_point, dims, rows.data(), n, got.data(), scale_bytes);
        if (!ran) continue;
        INFO("path " << path << " dims " << dims << " rows " << n << " scale bytes " << scale_bytes);
        for (uint32_t j = 0; j < dims; ++j) REQUIRE(float_bits(got[j]) == float_bits(want[j]));
      }
    }
  }
}

TEST_CASE("accumulate_q3_rows (a batch of q3_row_bf16 rows) equals one reference row at a time, bit for bit, on every path") {
  std::mt19937 rng(15);
  for (uint32_t dims : {1u, 5u, 8u, 16u, 17u, 33u}) {
    const uint32_t table_rows = 300;
    const size_t row_bytes = q3_row_bytes(dims);
    for (size_t misalign : {0u, 1u, 3u}) {
      // Exactly the table's bytes (the last row is always read): a load past
      // its end is a heap overflow under ASan.
      std::vector<uint8_t> q(misalign + table_rows * row_bytes);
      for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
      const uint8_t* qd = q.data() + misalign;
      const F32Bytes scales = bf16_bytes(uniform(rng, table_rows, 0.0f, 0.05f), (dims + misalign) % 3);
      for (uint32_t n : {0u, 1u, 5u, 13u, 64u, 200u}) {
        std::vector<uint32_t> rows(n);
        for (uint32_t& r : rows) r = static_cast<uint32_t>(rng() % table_rows);
        if (n > 0) rows[n / 2] = table_rows - 1;
        const int32_t zero_point = n % 3 == 0 ? 4 : n % 3 == 1 ? 0 : 7;
        const std::vector<float> start = uniform(rng, dims, -3, 3);
        std::vector<float> want = start;
        for (uint32_t r : rows) {
          reference::accumulate_q3_row(qd + r * row_bytes, bf16_scale_at(scales, r), zero_point, want.data(), dims);
        }
        for (int path = 0; path < 3; ++path) {
          std::vector<float> got = start;
          bool ran = true;
          const uint8_t* sd = scales.data();
          if (path == 0) accumulate_q3_rows(qd, sd, zero_point, dims, rows.data(), n, got.data());
          if (path == 1) paths::accumulate_q3_rows_sse2_or_scalar(qd, sd, zero_point, dims, rows.data(), n, got.data());
          if (path == 2) ran = paths::accumulate_q3_rows_avx2(qd, sd, zero_point, dims, rows.data(), n, got.data());
          if (!ran) continue;
          INFO("path " << path << " dims " << dims << " rows " << n << " misalign " << misalign);
          for (uint32_t j = 0; j < dims; ++j) REQUIRE(float_bits(got[j]) == float_bits(want[j]));
        }
      }
    }
  }
}

TEST_CASE("accumulate_q8_rows_group (channels side by side, q8_row, q4_row, q4_row_bf16 and q3_row_bf16) equals the reference bit for bit") {
  std::mt19937 rng(31);
  const uint32_t table_rows = 500;
  for (int trial = 0; trial < 80; ++trial) {
    // 1..6 jobs of mixed widths (16 interleaves; others run alone), row
    // counts from 0 up, own tables, zero points and misaligned scales.
    const uint32_t count = 1 + static_cast<uint32_t>(rng() % 6);
    std::vector<std::vector<uint8_t>> tables(count);
    std::vector<F32Bytes> scales;
    std::vector<std::vector<uint32_t>> rows(count);
    std::vector<std::vector<float>> got(count), want(count);
    std::vector<Q8RowsJob> jobs(count);
    for (uint32_t k = 0; k < count; ++k) {
      const uint32_t pick = static_cast<uint32_t>(rng() % 6);
      const uint32_t dims = pick < 3 ? 16u : pick == 3 ? 8u : pick == 4 ? 5u : 17u;
      // Some q4_row tables among them (half of those with bfloat16 scales)
      // and some q3_row_bf16 ones.
      const uint32_t kind = static_cast<uint32_t>(rng() % 4);
      const uint32_t bits = kind == 0 ? 4 : kind == 1 ? 3 : 8;
      const bool bf16 = bits == 3 || (bits == 4 && rng() % 2 == 0);
      const size_t row_bytes = bits == 4 ? q4_row_bytes(dims) : bits == 3 ? q3_row_bytes(dims) : dims;
      tables[k].resize(table_rows * row_bytes);
      for (uint8_t& x : tables[k]) x = static_cast<uint8_t>(rng());
      const std::vector<float> scale_values = uniform(rng, table_rows, 0.0f, 0.05f);
      scales.push_back(bf16 ? bf16_bytes(scale_values, k % 3) : f32_bytes(scale_values, k % 3));
      const uint32_t n = static_cast<uint32_t>(rng() % 3 == 0 ? rng() % 4 : rng() % 300);
      rows[k].resize(n);
      for (uint32_t& r : rows[k]) r = static_cast<uint32_t>(rng() % table_rows);
      got[k] = uniform(rng, dims, -3, 3);
      want[k] = got[k];
      const int32_t zero_point = bits != 8 ? static_cast<int32_t>(rng() % (1u << bits))
                                 : k % 2 == 0 ? 128 : static_cast<int32_t>(rng() % 256);
      if (bits != 8) {
        for (uint32_t r : rows[k]) {
          const float scale = bf16 ? bf16_scale_at(scales[k], r) : read_f32(scales[k].data() + 4 * size_t{r});
          const uint8_t* row = tables[k].data() + r * row_bytes;
          if (bits == 3) {
            reference::accumulate_q3_row(row, scale, zero_point, want[k].data(), dims);
          } else {
            reference::accumulate_q4_row(row, scale, zero_point, want[k].data(), dims);
          }
        }
      } else {
        reference::accumulate_q8_rows(tables[k].data(), scales[k].data(), zero_point, dims, rows[k].data(), n,
                                      want[k].data());
      }
      jobs[k] = {tables[k].data(), scales[k].data(), zero_point, dims, rows[k].data(), n, got[k].data(), bits, bf16 ? 2u : 4u};
    }
    const std::vector<std::vector<float>> start = got;
    for (int path = 0; path < 4; ++path) {
      bool ran = true;
      if (path == 0) accumulate_q8_rows_group(jobs.data(), count);
      if (path == 1) ran = paths::accumulate_q8_rows_group_avx2(jobs.data(), count);
      if (path == 2) ran = paths::accumulate_q8_rows_group_avx512(jobs.data(), count);
      if (path == 3) paths::accumulate_q8_rows_group_sse2_or_scalar(jobs.data(), count);  // CPUs without AVX2
      if (!ran) continue;
      for (uint32_t k = 0; k < count; ++k) {
        INFO("trial " << trial << " path " << path << " job " << k << " of " << count);
        for (uint32_t j = 0; j < jobs[k].dims; ++j) REQUIRE(got[k][j] == want[k][j]);
      }
      // Again from the start for the next path (same buffers: the jobs point at them).
      for (uint32_t k = 0; k < count; ++k) std::memcpy(got[k].data(), start[k].data(), sizeof(float) * jobs[k].dims);
    }
  }
}

TEST_CASE("accumulate_f32_row equals the reference exactly") {
  std::mt19937 rng(2);
  for (uint32_t dims = 1; dims <= 40; ++dims) {
    for (size_t misalign : {0, 2}) {
      const F32Bytes row = f32_bytes(uniform(rng, dims, -1, 1), misalign);
      std::vector<float> a = uniform(rng, dims, -3, 3), b = a;
      accumulate_f32_row(row.data(), a.data(), dims);
      reference::accumulate_f32_row(row.data(), b.data(), dims);
      for (uint32_t j = 0; j < dims; ++j) REQUIRE(a[j] == b[j]);
    }
  }
}

TEST_CASE("dense matches the reference to float rounding") {
  std::mt19937 rng(3);
  const uint32_t shapes[][2] = {{1, 1}, {3, 5}, {4, 4}, {7, 9}, {8, 8}, {13, 17}, {64, 72}, {451, 64}, {5, 33}, {66, 15}};
  for (const auto& shape : shapes) {
    const uint32_t out_count = shape[0], in_count = shape[1];
    for (size_t misalign : {0, 1}) {
      const std::vector<float> wv = uniform(rng, size_t{out_count} * in_count, -1, 1);
      const std::vector<float> bv = uniform(rng, out_count, -1, 1);
      const F32Bytes w = f32_bytes(wv, misalign), b = f32_bytes(bv, misalign);
      const std::vector<float> in = uniform(rng, in_count, -2, 2);
      std::vector<float> got(out_count), want(out_count);
      reference::dense(w.data(), b.data(), in.data(), in_count, want.data(), out_count);
      // The dispatching kernel and every path this CPU can run.
      for (int path = 0; path < 5; ++path) {
        std::fill(got.begin(), got.end(), -12345.0f);
        bool ran = true;
        if (path == 0) dense(w.data(), b.data(), in.data(), in_count, got.data(), out_count);
        if (path == 1) paths::dense_portable(w.data(), b.data(), in.data(), in_count, got.data(), out_count);
        if (path == 2) ran = paths::dense_sse2(w.data(), b.data(), in.data(), in_count, got.data(), out_count);
        if (path == 3) ran = paths::dense_avx2(w.data(), b.data(), in.data(), in_count, got.data(), out_count);
        if (path == 4) ran = paths::dense_neon(w.data(), b.data(), in.data(), in_count, got.data(), out_count);
        if (!ran) continue;
        for (uint32_t o = 0; o < out_count; ++o) {
          double magnitude = std::fabs(bv[o]);  // bound on the rounding of any summation order
          for (uint32_t i = 0; i < in_count; ++i) magnitude += std::fabs(wv[size_t{o} * in_count + i] * in[i]);
          INFO("path " << path << " shape " << out_count << "x" << in_count << " output " << o);
          REQUIRE(std::fabs(got[o] - want[o]) <= 1e-6 * magnitude * in_count + 1e-30);
        }
      }
    }
  }
}

TEST_CASE("accumulate_q8f_row (float zero point per row) equals the reference exactly, as torch dequantizes") {
  std::mt19937 rng(21);
  for (uint32_t dims = 1; dims <= 40; ++dims) {
    for (size_t misalign : {0, 1}) {
      std::vector<uint8_t> q(misalign + dims);
      for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
      const float scale = std::uniform_real_distribution<float>(0.0f, 0.05f)(rng);
      const float zero_point = std::uniform_real_distribution<float>(-40.0f, 300.0f)(rng);
      std::vector<float> a = uniform(rng, dims, -3, 3), b = a, c = a;
      accumulate_q8f_row(q.data() + misalign, scale, zero_point, a.data(), dims);
      reference::accumulate_q8f_row(q.data() + misalign, scale, zero_point, b.data(), dims);
      for (uint32_t j = 0; j < dims; ++j) {
        REQUIRE(a[j] == b[j]);
        // The value torch's dequantize() gives, then one float addition.
        const float value = (static_cast<float>(q[misalign + j]) - zero_point) * scale;
        REQUIRE(a[j] == c[j] + value);
      }
    }
  }
}

TEST_CASE("dense_q8 (q8_row and q8_row_fzp weights) matches the reference on every path") {
  std::mt19937 rng(23);
  const uint32_t shapes[][2] = {{1, 1}, {3, 5}, {4, 16}, {7, 9}, {8, 33}, {13, 17}, {64, 72}, {453, 64}, {5, 100}, {2, 256}};
  for (const auto& shape : shapes) {
    const uint32_t out_count = shape[0], in_count = shape[1];
    for (int variant = 0; variant < 3; ++variant) {  // integer zero point 128, 0, float zero points
      std::vector<uint8_t> q(size_t{out_count} * in_count + 1);
      for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
      const std::vector<float> sv = uniform(rng, out_count, 0.0f, 0.02f);
      const std::vector<float> zv = uniform(rng, out_count, -20.0f, 270.0f);
      const std::vector<float> bv = uniform(rng, out_count, -1, 1);
      const F32Bytes scales = f32_bytes(sv, variant), zps = f32_bytes(zv, 1), b = f32_bytes(bv, 0);
      const uint8_t* row_zps = variant == 2 ? zps.data() : nullptr;
      const float zero_point = variant == 0 ? 128.0f : 0.0f;
      const uint8_t* qd = q.data() + (variant & 1);  // misaligned weights too
      const std::vector<float> in = uniform(rng, in_count, -2, 2);
      std::vector<float> got(out_count), want(out_count);
      reference::dense_q8(qd, scales.data(), row_zps, zero_point, b.data(), in.data(), in_count, want.data(), out_count);
      for (int path = 0; path < 5; ++path) {
        std::fill(got.begin(), got.end(), -12345.0f);
        bool ran = true;
        if (path == 0) dense_q8(qd, scales.data(), row_zps, zero_point, b.data(), in.data(), in_count, got.data(), out_count);
        if (path == 1) paths::dense_q8_portable(qd, scales.data(), row_zps, zero_point, b.data(), in.data(), in_count, got.data(), out_count);
        if (path == 2) ran = paths::dense_q8_sse2(qd, scales.data(), row_zps, zero_point, b.data(), in.data(), in_count, got.data(), out_count);
        if (path == 3) ran = paths::dense_q8_avx2(qd, scales.data(), row_zps, zero_point, b.data(), in.data(), in_count, got.data(), out_count);
        if (path == 4) ran = paths::dense_q8_neon(qd, scales.data(), row_zps, zero_point, b.data(), in.data(), in_count, got.data(), out_count);
        if (!ran) continue;
        for (uint32_t o = 0; o < out_count; ++o) {
          const float zp = row_zps != nullptr ? zv[o] : zero_point;
          double magnitude = std::fabs(bv[o]);
          for (uint32_t i = 0; i < in_count; ++i) {
            magnitude += std::fabs(sv[o] * (static_cast<float>(qd[size_t{o} * in_count + i]) - zp) * in[i]);
          }
          INFO("path " << path << " variant " << variant << " shape " << out_count << "x" << in_count << " output " << o);
          REQUIRE(std::fabs(got[o] - want[o]) <= 1e-6 * magnitude * in_count + 1e-30);
          // And against the dequantized float matrix, computed in double.
          double exact = bv[o];
          for (uint32_t i = 0; i < in_count; ++i) {
            exact += static_cast<double>(sv[o]) * (static_cast<double>(qd[size_t{o} * in_count + i]) - zp) * in[i];
          }
          REQUIRE(std::fabs(got[o] - exact) <= 1e-6 * magnitude * in_count + 1e-30);
        }
      }
    }
  }
}

TEST_CASE("dense_q8 on AVX2: four rows at a time, bit for bit the one-row kernel") {
  std::mt19937 rng(29);
  const uint32_t shapes[][2] = {{1, 16}, {3, 5}, {4, 16}, {7, 9}, {8, 33}, {13, 17}, {128, 88}, {453, 128}, {6, 100}};
  for (const auto& shape : shapes) {
    const uint32_t out_count = shape[0], in_count = shape[1];
    for (int variant = 0; variant < 2; ++variant) {  // integer zero point 128, float zero points
      std::vector<uint8_t> q(size_t{out_count} * in_count + 1);
      for (uint8_t& x : q) x = static_cast<uint8_t>(rng());
      const F32Bytes scales = f32_bytes(uniform(rng, out_count, 0.0f, 0.02f), 1);
      const F32Bytes zps = f32_bytes(uniform(rng, out_count, -20.0f, 270.0f), 3);
      const F32Bytes b = f32_bytes(uniform(rng, out_count, -1, 1), 2);
      const uint8_t* row_zps = variant == 1 ? zps.data() : nullptr;
      const std::vector<float> in = uniform(rng, in_count, -2, 2);
      std::vector<float> got(out_count, -1.0f), want(out_count, -2.0f);
      if (!paths::dense_q8_avx2(q.data() + 1, scales.data(), row_zps, 128.0f, b.data(), in.data(), in_count, got.data(),
                                out_count)) {
        return;  // no AVX2 here
      }
      REQUIRE(paths::dense_q8_avx2_one_row(q.data() + 1, scales.data(), row_zps, 128.0f, b.data(), in.data(), in_count,
                                           want.data(), out_count));
      for (uint32_t o = 0; o < out_count; ++o) {
        INFO("shape " << out_count << "x" << in_count << " variant " << variant << " output " << o);
        REQUIRE(std::memcmp(&got[o], &want[o], 4) == 0);
      }
    }
  }
}

TEST_CASE("relu equals the reference exactly") {
  std::mt19937 rng(4);
  for (uint32_t n = 0; n <= 37; ++n) {
    std::vector<float> a = uniform(rng, n, -1, 1);
    if (n > 2) a[1] = -0.0f;
    std::vector<float> b = a;
    relu(a.data(), n);
    reference::relu(b.data(), n);
    for (uint32_t i = 0; i < n; ++i) REQUIRE(std::memcmp(&a[i], &b[i], 4) == 0);
  }
}

TEST_CASE("softmax matches the reference (std::exp) closely") {
  std::mt19937 rng(5);
  for (uint32_t n : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 31u, 64u, 451u, 500u}) {
    for (float spread : {0.01f, 1.0f, 10.0f, 60.0f, 200.0f}) {
      std::vector<float> a = uniform(rng, n, -spread, spread);
      if (n > 3) a[2] = 1e4f;  // dominating logit; others far below exp's range
      std::vector<float> b = a;
      softmax(a.data(), n);
      reference::softmax(b.data(), n);
      double sum = 0;
      for (uint32_t i = 0; i < n; ++i) {
        INFO("n " << n << " spread " << spread << " i " << i);
        REQUIRE(std::isfinite(a[i]));
        REQUIRE(a[i] >= 0.0f);
        REQUIRE(std::fabs(a[i] - b[i]) <= 1e-6f * b[i] + 1e-37f);
        sum += a[i];
      }
      CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
    }
  }
}

TEST_CASE("max_value, argmax, all_finite, sum_exp match the reference") {
  std::mt19937 rng(6);
  // 1..70 around the 8- and 16-value steps and the last masked step; 463 labels.
  std::vector<uint32_t> sizes;
  for (uint32_t n = 1; n <= 70; ++n) sizes.push_back(n);
  sizes.push_back(463);
  for (uint32_t n : sizes) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<float> v = uniform(rng, n, -5, 5);
      if (trial % 4 == 1) v[rng() % n] = 9.0f, v[rng() % n] = 9.0f;  // ties: the first wins
      if (trial % 4 == 2) std::fill(v.begin(), v.end(), 1.5f);
      CHECK(max_value(v.data(), n) == reference::max_value(v.data(), n));
      CHECK(argmax(v.data(), n) == reference::argmax(v.data(), n));
      const float m = reference::max_value(v.data(), n);
      const double want = reference::sum_exp(v.data(), n, m);
      CHECK(sum_exp(v.data(), n, m) == doctest::Approx(want).epsilon(1e-6));
      CHECK(paths::sum_exp_sse2_or_scalar(v.data(), n, m) == doctest::Approx(want).epsilon(1e-6));
      float avx = 0;
      if (paths::sum_exp_avx2(v.data(), n, m, &avx)) CHECK(avx == doctest::Approx(want).epsilon(1e-6));
      float avx512 = 0;
      if (paths::sum_exp_avx512(v.data(), n, m, &avx512)) CHECK(std::memcmp(&avx512, &avx, 4) == 0);
      CHECK(all_finite(v.data(), n));
      std::vector<float> bad = v;
      bad[rng() % n] = trial % 3 == 0 ? NAN : trial % 3 == 1 ? INFINITY : -INFINITY;
      CHECK_FALSE(all_finite(bad.data(), n));
      CHECK_FALSE(reference::all_finite(bad.data(), n));
    }
  }
}

TEST_CASE("add_f32_values (the log prior) equals the plain loop bit for bit") {
  std::mt19937 rng(8);
  for (uint32_t n = 0; n <= 41; ++n) {
    const std::vector<float> add = uniform(rng, n, -7, 3);
    const F32Bytes bytes = f32_bytes(add, n % 3);  // misaligned too
    std::vector<float> got = uniform(rng, n, -20, 20), want = got;
    add_f32_values(bytes.data(), got.data(), n);
    for (uint32_t i = 0; i < n; ++i) want[i] += add[i];
    for (uint32_t i = 0; i < n; ++i) CHECK(std::memcmp(&got[i], &want[i], 4) == 0);
  }
}

TEST_CASE("add_finite_max (prior, check and maximum in one pass) equals add_f32_values, all_finite, max_value") {
  // Lengths 1..70 around the 16-value steps, 463 (the shipped model's
  // labels); with and without values to add; a NaN or an infinity in the
  // values or produced by the add (overflow, inf + -inf) at any position,
  // the last included; ties and all-equal values; first_index_of on the max.
  std::mt19937 rng(9);
  std::vector<uint32_t> lengths;
  for (uint32_t n = 1; n <= 70; ++n) lengths.push_back(n);
  lengths.push_back(463);
  int avx2_runs = 0;
  for (uint32_t n : lengths) {
    for (int trial = 0; trial < 12; ++trial) {
      const bool with_add = trial % 2 == 0;
      std::vector<float> add = uniform(rng, n, -7, 3);
      std::vector<float> start = uniform(rng, n, -20, 20);
      if (trial % 6 == 1) std::fill(start.begin(), start.end(), -0.5f);
      if (trial % 6 == 3) start[rng() % n] = 30.0f, start[n - 1] = 30.0f;
      const uint32_t at = trial < 6 ? static_cast<uint32_t>(rng() % n) : n - 1;
      const int bad = trial % 4 == 2 ? 1 + static_cast<int>(rng() % 4) : 0;  // 1 NaN, 2 inf, 3 overflow, 4 inf + -inf
      if (bad == 1) start[at] = NAN;
      if (bad == 2) start[at] = -INFINITY;
      if (bad == 3) start[at] = 3e38f, add[at] = with_add ? 3e38f : 0.0f, start[at] = with_add ? 3e38f : INFINITY;
      if (bad == 4) start[at] = INFINITY, add[at] = -INFINITY;
      const F32Bytes bytes = f32_bytes(add, n % 3);  // misaligned too
      const uint8_t* b = with_add ? bytes.data() : nullptr;
      std::vector<float> want = start;
      float want_max = -1.0f;
      const bool want_ok = reference::add_finite_max(b, want.data(), n, &want_max);
      // The dispatcher, then the AVX2 path (where this CPU runs it; the
      // dispatcher takes AVX-512 where there is one).
      for (int path = 0; path < 2; ++path) {
        std::vector<float> got = start;
        float got_max = -1.0f;
        bool got_ok = false;
        if (path == 0) {
          got_ok = add_finite_max(b, got.data(), n, &got_max);
        } else if (!paths::add_finite_max_avx2(b, got.data(), n, &got_max, &got_ok)) {
          continue;
        } else {
          ++avx2_runs;
        }
        std::vector<float> parts = start;  // the three kernels it replaces
        if (b != nullptr) add_f32_values(b, parts.data(), n);
        INFO("n " << n << " trial " << trial << " bad " << bad << " at " << at << " path " << path);
        CHECK(got_ok == want_ok);
        CHECK(got_ok == all_finite(parts.data(), n));
        CHECK(got_ok == (bad == 0));
        for (uint32_t i = 0; i < n; ++i) REQUIRE(std::memcmp(&got[i], &want[i], 4) == 0);
        for (uint32_t i = 0; i < n; ++i) REQUIRE(std::memcmp(&got[i], &parts[i], 4) == 0);
        if (!got_ok) continue;
        CHECK(got_max == want_max);
        CHECK(got_max == max_value(parts.data(), n));
        CHECK(first_index_of(got.data(), n, got_max) == argmax(parts.data(), n));
        CHECK(first_index_of(got.data(), n, got_max) == reference::argmax(parts.data(), n));
      }
    }
  }
  if (testing::avx2_paths_run_here(/*need_fma=*/true)) CHECK(avx2_runs == 12 * 71);
  const float v[3] = {1.0f, 2.0f, 3.0f};
  CHECK(first_index_of(v, 3, 5.0f) == 3);  // absent
  // Every position in lengths 0..70 (around the 16-value steps); the first
  // of two equal values; absent; -0.0 equals 0.0.
  for (uint32_t n = 0; n <= 70; ++n) {
    std::vector<float> w(n + 16, 7.0f);  // past n: the value looked for, never reported
    for (uint32_t i = 0; i < n; ++i) w[i] = static_cast<float>(i);
    for (uint32_t at = 0; at < n; ++at) {
      INFO("n " << n << " at " << at);
      CHECK(first_index_of(w.data(), n, static_cast<float>(at)) == at);
    }
    CHECK(first_index_of(w.data(), n, 7.5f) == n);
    if (n > 9) {
      w[n - 1] = 3.0f;
      CHECK(first_index_of(w.data(), n, 3.0f) == 3);
      w[0] = -0.0f;
      CHECK(first_index_of(w.data(), n, 0.0f) == 0);
    }
    if (n < 7) CHECK(first_index_of(w.data(), n, 7.0f) == n);
  }
}

TEST_CASE("softmax: equal logits give the uniform distribution") {
  std::vector<float> v(451, 3.25f);
  softmax(v.data(), 451);
  for (float x : v) CHECK(x == doctest::Approx(1.0 / 451).epsilon(1e-6));
}
