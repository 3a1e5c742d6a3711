// q3_row_bf16 (dtype 7): 3-bit embedding tables, a little-endian bit stream
// per row, one bfloat16 scale per row. Hand-worked golden rows (values,
// scale, q values, packed bytes), the round-up of the scale, packing, the
// view's values, the pooling kernels against their reference, a classifier
// and a tagger answering bit for bit as the same models with f32 tables of
// the dequantized values, and the loader's checks of dtype 7.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "float_bits.h"
#include "network/kernels.h"
#include "tests/runtime/packed_row_models.h"
#include "test_models.h"

using namespace ffnlp;
using namespace ffnlp::testing;

// Everything in one named namespace: the suite is compiled as a unity build
// (Makefile), where names local to one file must not meet another's.
namespace q3_row_test {

constexpr uint32_t kZp = kDefaultZeroPointQ3;
constexpr DType kQ3 = DType::kQ3RowBf16;

using namespace packed_rows;

std::vector<uint8_t> packed_row(const std::vector<uint8_t>& q) {
  std::vector<uint8_t> packed(q3_row_bytes(q.size()), 0xAA);  // every byte must be written
  pack_q3(q.data(), q.size(), packed.data());
  return packed;
}

TEST_CASE("q3_row_bf16: hand-worked rows: values, scale, q values, packed bytes") {
  uint8_t q[16];
  uint16_t bits = 0xFFFF;
  // Row A, 5 values: [3, -1.5, 0.4, 1, -3]. Zero point b = 4 leaves 3 steps
  // on either side, so the scale is max|row| / 3 = 3 / 3 = 1, a bfloat16
  // already (0x3F80): kept. q = floor(0.5 + x / 1 + 4):
  //   3 -> 7.5 -> 7;  -1.5 -> 3.0 -> 3 (half up);  0.4 -> 4.9 -> 4;
  //   1 -> 5.5 -> 5;  -3 -> 1.5 -> 1.
  // Packed, value j in bits 3j..3j+2 of a little-endian stream, 15 bits in
  // 2 bytes (the last bit is padding, 0):
  //   7 | 3 << 3 | 4 << 6 | 5 << 9 | 1 << 12
  //   = 0x0007 + 0x0018 + 0x0100 + 0x0A00 + 0x1000 = 0x1B1F -> bytes 1F 1B.
  const float a[5] = {3.0f, -1.5f, 0.4f, 1.0f, -3.0f};
  CHECK(quantize_row_q3_bf16(a, 5, kZp, Rounding::kHalfUp, q, &bits) == 1.0f);
  CHECK(bits == 0x3F80);
  CHECK(std::vector<uint8_t>(q, q + 5) == std::vector<uint8_t>{7, 3, 4, 5, 1});
  CHECK(packed_row({7, 3, 4, 5, 1}) == std::vector<uint8_t>{0x1F, 0x1B});
  // Read back: (q - 4) * 1 = [3, -1, 0, 1, -3], each within half a step.
  CHECK(dequantize(q[1], 1.0f, kZp) == -1.0f);
  CHECK(dequantize(q[4], 1.0f, kZp) == -3.0f);

  // Row B, 4 values: [20000, 3000, -7000, 0]. 20000 / 3 = 6666.67 lies
  // between the bfloat16s 6656 and 6688 (steps of 32 at 2^12): rounded UP
  // to 6688 = 1.6328125 * 2^12, bits 0 10001011 1010001 = 0x45D1, so the
  // largest value (3 steps: 20064) still covers 20000. q = floor(0.5 +
  // x / 6688 + 4): 20000 -> 7.49 -> 7; 3000 -> 4.95 -> 4; -7000 -> 3.45
  // -> 3; 0 -> 4. Packed, 12 bits in 2 bytes:
  //   7 | 4 << 3 | 3 << 6 | 4 << 9 = 0x0007 + 0x0020 + 0x00C0 + 0x0800
  //   = 0x08E7 -> bytes E7 08 (the high 4 bits of the last byte: padding).
  const float b[4] = {20000, 3000, -7000, 0};
  const float scale = quantize_row_q3_bf16(b, 4, kZp, Rounding::kHalfUp, q, &bits);
  CHECK(bits == 0x45D1);
  CHECK(scale == 6688.0f);
  CHECK(float_from_bf16(bits) == 6688.0f);
  CHECK(std::vector<uint8_t>(q, q + 4) == std::vector<uint8_t>{7, 4, 3, 4});
  CHECK(packed_row({7, 4, 3, 4}) == std::vector<uint8_t>{0xE7, 0x08});
  CHECK(dequantize(q[0], scale, kZp) == 20064.0f);
  CHECK(dequantize(q[2], scale, kZp) == -6688.0f);

  // Row C, 16 values (the shipped width: 48 bits, 6 bytes, no padding):
  // -3, -2, -1, 0, 1, 2, 3, -3, -2, -1, 0, 1, 2, 3, -3, -2. Scale 3 / 3 = 1;
  // q = x + 4 = 1 2 3 4 5 6 7 1 | 2 3 4 5 6 7 1 2. Each 8 values fill 24
  // bits: 1 | 2<<3 | 3<<6 | 4<<9 | 5<<12 | 6<<15 | 7<<18 | 1<<21 = 0x3F58D1
  // (bytes D1 58 3F) and 2 | 3<<3 | 4<<6 | 5<<9 | 6<<12 | 7<<15 | 1<<18 |
  // 2<<21 = 0x47EB1A (bytes 1A EB 47).
  const float c[16] = {-3, -2, -1, 0, 1, 2, 3, -3, -2, -1, 0, 1, 2, 3, -3, -2};
  CHECK(quantize_row_q3_bf16(c, 16, kZp, Rounding::kHalfUp, q, &bits) == 1.0f);
  const std::vector<uint8_t> qc(q, q + 16);
  CHECK(qc == std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 1, 2});
  CHECK(packed_row(qc) == std::vector<uint8_t>{0xD1, 0x58, 0x3F, 0x1A, 0xEB, 0x47});

  // All zero: scale 0 (bits 0), every value the zero point 4 (0b100):
  // 4 | 4 << 3 | 4 << 6 = 0x124 -> bytes 24 01.
  const float zeros[3] = {0, 0, 0};
  CHECK(quantize_row_q3_bf16(zeros, 3, kZp, Rounding::kHalfUp, q, &bits) == 0.0f);
  CHECK(bits == 0);
  CHECK(std::vector<uint8_t>(q, q + 3) == std::vector<uint8_t>{4, 4, 4});
  CHECK(packed_row({4, 4, 4}) == std::vector<uint8_t>{0x24, 0x01});
}

TEST_CASE("q3_row_bf16: the scale is the smallest bfloat16 that covers the row, and nothing clips") {
  std::mt19937 rng(91);
  std::uniform_real_distribution<float> magnitude(-30.0f, 30.0f);
  for (int trial = 0; trial < 2000; ++trial) {
    CAPTURE(trial);
    const float x = std::ldexp(1.0f + static_cast<float>(rng() % 1000) / 1000.0f, static_cast<int>(magnitude(rng)));
    const size_t cols = 1 + rng() % 33;
    std::vector<float> row(cols);
    for (float& v : row) v = x * (static_cast<float>(rng() % 2001) / 1000.0f - 1.0f);
    float largest = 0;
    for (float v : row) largest = std::fmax(largest, std::fabs(v));
    std::vector<uint8_t> q(cols);
    uint16_t bits = 0;
    const float s = quantize_row_q3_bf16(row.data(), cols, kZp, Rounding::kHalfUp, q.data(), &bits);
    CHECK(float_bits(s) == (static_cast<uint32_t>(bits) << 16));
    if (largest == 0) {
      CHECK(bits == 0);
      continue;
    }
    CHECK(3.0 * s >= static_cast<double>(largest));                                                  // covers
    CHECK(3.0 * float_from_bf16(static_cast<uint16_t>(bits - 1)) < static_cast<double>(largest));  // the smallest
    for (size_t j = 0; j < cols; ++j) {
      CHECK(q[j] >= 1);
      CHECK(q[j] <= 7);
      CHECK(std::fabs(dequantize(q[j], s, kZp) - row[j]) <= s * 0.5f * (1.0f + 1e-5f));
    }
  }
}

TEST_CASE("q3_row_bf16: pack_q3 and q3_at round trip, every count, pad bits 0") {
  CHECK(q3_row_bytes(1) == 1);
  CHECK(q3_row_bytes(3) == 2);
  CHECK(q3_row_bytes(5) == 2);
  CHECK(q3_row_bytes(8) == 3);
  CHECK(q3_row_bytes(16) == 6);
  CHECK(q3_row_bytes(17) == 7);
  std::mt19937 rng(92);
  for (size_t count = 1; count <= 40; ++count) {
    CAPTURE(count);
    std::vector<uint8_t> values(count);
    for (uint8_t& v : values) v = static_cast<uint8_t>(rng() % 8);
    const std::vector<uint8_t> packed = packed_row(values);
    for (size_t j = 0; j < count; ++j) CHECK(q3_at(packed.data(), j) == values[j]);
    // Bit k of the row is bit k % 8 of byte k / 8.
    for (size_t j = 0; j < count; ++j) {
      for (size_t k = 0; k < 3; ++k) {
        const size_t bit = 3 * j + k;
        CHECK(((packed[bit / 8] >> (bit % 8)) & 1) == ((values[j] >> k) & 1));
      }
    }
    const uint32_t used = static_cast<uint32_t>(count * 3 % 8);
    if (used != 0) CHECK((packed.back() >> used) == 0);  // the pad bits
  }
}

TEST_CASE("q3_row_bf16: the view's values, scales and zero point") {
  std::mt19937 rng(93);
  const tools::TensorToWrite t = q3_tensor("t", 6, 5, random_values(rng, 30, 1.0f));
  std::vector<uint8_t> bytes;
  Model m;
  const TensorView* v = &written_and_loaded(t, &bytes, &m);
  CHECK(v->dtype == kQ3);
  CHECK(v->zero_point == 4);
  for (uint32_t r = 0; r < 6; ++r) {
    CHECK(v->row_scale(r) == t.scales[r]);
    CHECK(v->row_zero_point(r) == 4.0f);
    const uint32_t row = t.q[r * 2] | t.q[r * 2 + 1] << 8;  // 15 bits in 2 bytes
    for (uint32_t c = 0; c < 5; ++c) {
      const int32_t q = (row >> (3 * c)) & 7;
      CHECK(q == q3_at(t.q.data() + r * 2, c));
      CHECK(float_bits(v->at(r, c)) == float_bits(static_cast<float>(q - 4) * t.scales[r]));
    }
  }
  CHECK(v->col_scale(3) == 1.0f);
}

TEST_CASE("q3_row_bf16: the row kernels are the reference loop bit for bit, rows at the end of their buffer") {
  check_row_kernels<3>(94, {0, 4, 7});
}

TEST_CASE("q3_row_bf16: a classifier with 3-bit tables answers bit for bit as f32 tables of their values") {
  check_packed_classifier_bit_for_bit(95, kQ3);
}

TEST_CASE("q3_row_bf16: a tagger with 3-bit tables answers bit for bit as f32 tables of their values") {
  check_packed_tagger_bit_for_bit(96, kQ3);
}

TEST_CASE("q3_row_bf16: the loader's checks of dtype 7") {
  const std::vector<uint8_t> good = packed_classifier(97, true, kQ3);
  loaded_model(good);
  // emb1: (131, 7): 21 bits a row in 3 bytes (the last byte's high 3 bits
  // are padding), 131 bfloat16 scales.
  const size_t e1 = tensor_entry(good, 1);
  REQUIRE(get_u32(good.data() + e1 + format::kEntDType) == 7);
  REQUIRE(get_u32(good.data() + e1 + format::kEntZeroPoint) == 4);
  REQUIRE(get_u64(good.data() + e1 + format::kEntDataSize) == 131 * 3);
  REQUIRE(get_u64(good.data() + e1 + format::kEntScalesSize) == 131 * 2);
  const size_t data = static_cast<size_t>(get_u64(good.data() + e1 + format::kEntDataOffset));
  const size_t scales = static_cast<size_t>(get_u64(good.data() + e1 + format::kEntScalesOffset));
  auto put_bf16 = [](std::vector<uint8_t>& b, size_t at, uint16_t bits) {
    b[at] = static_cast<uint8_t>(bits);
    b[at + 1] = static_cast<uint8_t>(bits >> 8);
  };
  // The file cut in the middle of emb1's values (header size fixed up).
  auto cut = [data](std::vector<uint8_t>& b) {
    b.resize(data + 100);
    put_u64(b, format::kOffFileSize, b.size());
  };
  const std::vector<LoadCase> cases = {
      {"version 1 file", [](auto& b) { put_u32(b, format::kOffVersion, 1); }, Status::kBadTensor,
       "tensor 'emb0': dtype 7 (q3_row_bf16) needs format version 2"},
      {"unknown dtype 8", [e1](auto& b) { put_u32(b, e1 + format::kEntDType, 8); }, Status::kBadTensor,
       "tensor 'emb1': unknown dtype 8"},
      {"data one byte short", [e1](auto& b) { put_u64(b, e1 + format::kEntDataSize, 131 * 3 - 1); }, Status::kBadTensor,
       "data size 392 does not match shape (131, 7) (393 bytes)"},
      {"data sized as q4_row", [e1](auto& b) { put_u64(b, e1 + format::kEntDataSize, 131 * 4); }, Status::kBadTensor,
       "data size 524 does not match shape (131, 7) (393 bytes)"},
      {"data sized one byte a value", [e1](auto& b) { put_u64(b, e1 + format::kEntDataSize, 131 * 7); },
       Status::kBadTensor, "(393 bytes)"},
      {"cols 9: 27 bits, 4 bytes a row", [e1](auto& b) { put_u64(b, e1 + format::kEntDim1, 9); }, Status::kBadTensor,
       "data size 393 does not match shape (131, 9) (524 bytes)"},
      {"rows 132", [e1](auto& b) { put_u64(b, e1 + format::kEntDim0, 132); }, Status::kBadTensor,
       "data size 393 does not match shape (132, 7) (396 bytes)"},
      {"rows * ceil(cols * 3 / 8) overflows", [e1](auto& b) { put_u64(b, e1 + format::kEntDim0, uint64_t{1} << 62); },
       Status::kOverflow, "overflows 64-bit sizes"},
      {"file cut inside the values", cut, Status::kBadOffset,
       "tensor 'emb1': data (393 bytes at"},
      {"zero point 8", [e1](auto& b) { put_u32(b, e1 + format::kEntZeroPoint, 8); }, Status::kBadTensor,
       "zero point 8 is out of range (0..7)"},
      {"pad bit set", [data](auto& b) { b[data + 5 * 3 + 2] |= 0x20; }, Status::kBadTensor,
       "tensor 'emb1': row 5's pad bits (the last byte's high 3 bits) are not zero"},
      {"NaN scale", [=](auto& b) { put_bf16(b, scales + 2 * 9, 0x7FC0); }, Status::kNonFinite, "row 9 has scale"},
      {"infinite scale", [=](auto& b) { put_bf16(b, scales + 2 * 10, 0x7F80); }, Status::kNonFinite,
       "row 10 has scale inf"},
      {"negative scale", [=](auto& b) { put_bf16(b, scales + 2 * 130, 0xBF80); }, Status::kBadTensor,
       "row 130 has scale"},
      {"scales of f32 width", [e1](auto& b) { put_u64(b, e1 + format::kEntScalesSize, 131 * 4); }, Status::kBadTensor,
       "scales size 524, expected 131 rows x 2 bytes"},
  };
  check_load_cases(good, cases);
  // The value bits of the last byte are free (only its high 3 bits pad).
  std::vector<uint8_t> low = good;
  low[data + 5 * 3 + 2] = static_cast<uint8_t>(low[data + 5 * 3 + 2] | 0x1F);
  reseal(low);
  loaded_model(low);
}

// Refused as dense layer weights and as a log prior: with the 4-bit types
// in test_q4_row_format.cpp.

// inspect_model's lines for q3_row_bf16: tests/tools/test_convert_q3.cpp.

}  // namespace q3_row_test
