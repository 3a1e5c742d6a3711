// q4_row (dtype 5) and q4_row_bf16 (dtype 6, the same with bfloat16
// scales): 4-bit embedding tables, two values a byte. The quantization
// golden values, packing, the view's values, the pooling kernels against
// their reference, a classifier and a tagger with 4-bit tables answering bit
// for bit as the same models with f32 tables of the dequantized values, and
// the loader's checks of dtypes 5 and 6.
#include <doctest/doctest.h>
#include <unistd.h>

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
#include "temp_files.h"
#include "tests/runtime/packed_row_models.h"
#include "test_models.h"
#include "test_paths.h"
#include "test_process.h"

using namespace ffnlp;
using namespace ffnlp::testing;

// Everything in one named namespace: the suite is compiled as a unity build
// (Makefile), where names local to one file must not meet another's.
namespace q4_row_test {

constexpr uint32_t kZp = kDefaultZeroPointQ4;
constexpr DType kBothDTypes[] = {DType::kQ4Row, DType::kQ4RowBf16};

using namespace packed_rows;

TEST_CASE("q4_row: quantize_row_q4 golden rows (zero point 8, half up)") {
  const float row[4] = {20000, 3000, 1000, 1000};
  uint8_t q[4];
  const float scale = quantize_row_q4(row, 4, kZp, Rounding::kHalfUp, q);
  CHECK(float_bits(scale) == float_bits(static_cast<float>(20000.0 / 7)));
  CHECK(std::vector<uint8_t>(q, q + 4) == std::vector<uint8_t>{15, 9, 8, 8});
  CHECK(dequantize(q[0], scale, kZp) == 20000.0f);
  CHECK(dequantize(q[1], scale, kZp) == doctest::Approx(2857.142857).epsilon(1e-7));
  CHECK(float_bits(dequantize(q[1], scale, kZp)) == float_bits(scale));
  CHECK(dequantize(q[2], scale, kZp) == 0.0f);
  CHECK(dequantize(q[3], scale, kZp) == 0.0f);
  // Negative side: 7 steps below 8 as well; -7 is the extreme, scale 1.
  const float negative[5] = {-7, 3.5f, 0, -1, -2.5f};
  uint8_t n[5];
  CHECK(quantize_row_q4(negative, 5, kZp, Rounding::kHalfUp, n) == 1.0f);
  CHECK(std::vector<uint8_t>(n, n + 5) == std::vector<uint8_t>{1, 12, 8, 7, 6});  // half up: 11.5 -> 12, 5.5 -> 6
  // All zero: scale 0, every value the zero point.
  const float zeros[3] = {0, 0, 0};
  uint8_t z[3];
  CHECK(quantize_row_q4(zeros, 3, kZp, Rounding::kHalfUp, z) == 0.0f);
  CHECK(std::vector<uint8_t>(z, z + 3) == std::vector<uint8_t>{8, 8, 8});
}

TEST_CASE("q4_row_bf16: quantize_row_q4_bf16 golden rows (the scale rounded up to a bfloat16)") {
  const float row[4] = {20000, 3000, 1000, 1000};
  uint8_t q[4];
  uint16_t bits = 0xFFFF;
  // 20000 / 7 = 2857.14 lies between the bfloat16s 2848 and 2864: up to 2864.
  const float scale = quantize_row_q4_bf16(row, 4, kZp, Rounding::kHalfUp, q, &bits);
  CHECK(bits == 0x4533);
  CHECK(scale == 2864.0f);
  CHECK(float_from_bf16(bits) == 2864.0f);
  CHECK(std::vector<uint8_t>(q, q + 4) == std::vector<uint8_t>{15, 9, 8, 8});
  CHECK(dequantize(q[0], scale, kZp) == 20048.0f);
  CHECK(dequantize(q[1], scale, kZp) == 2864.0f);
  CHECK(dequantize(q[2], scale, kZp) == 0.0f);
  // A scale that is already a bfloat16 is kept: -7 .. 3.5 with scale 1.
  const float negative[5] = {-7, 3.5f, 0, -1, -2.5f};
  uint8_t n[5];
  CHECK(quantize_row_q4_bf16(negative, 5, kZp, Rounding::kHalfUp, n, &bits) == 1.0f);
  CHECK(bits == 0x3F80);
  CHECK(std::vector<uint8_t>(n, n + 5) == std::vector<uint8_t>{1, 12, 8, 7, 6});
  const float zeros[3] = {0, 0, 0};
  uint8_t z[3];
  CHECK(quantize_row_q4_bf16(zeros, 3, kZp, Rounding::kHalfUp, z, &bits) == 0.0f);
  CHECK(bits == 0);
  CHECK(std::vector<uint8_t>(z, z + 3) == std::vector<uint8_t>{8, 8, 8});
}

TEST_CASE("q4_row_bf16: bf16_at_least is the smallest bfloat16 at or above, and nothing clips") {
  CHECK(bf16_at_least(1.0f) == 0x3F80);
  CHECK(bf16_at_least(std::nextafter(1.0f, 2.0f)) == 0x3F81);
  CHECK(bf16_at_least(0.0f) == 0);
  CHECK(float_from_bf16(0x7F80) == INFINITY);
  std::mt19937 rng(74);
  std::uniform_real_distribution<float> magnitude(-30.0f, 30.0f);
  for (int trial = 0; trial < 2000; ++trial) {
    CAPTURE(trial);
    const float x = std::ldexp(1.0f + static_cast<float>(rng() % 1000) / 1000.0f, static_cast<int>(magnitude(rng)));
    const uint16_t h = bf16_at_least(x);
    const float up = float_from_bf16(h);
    CHECK(up >= x);
    CHECK(float_from_bf16(static_cast<uint16_t>(h - 1)) < x);  // the one below is too small
    // Rows: every value reads back within half a step of the bfloat16
    // scale, the extreme lands within 7 steps (nothing clipped), and the
    // scale is at most one bfloat16 step above quantize_row_q4's.
    const size_t cols = 1 + rng() % 33;
    std::vector<float> row(cols);
    for (float& v : row) v = x * (static_cast<float>(rng() % 2001) / 1000.0f - 1.0f);
    std::vector<uint8_t> q(cols), q_f32(cols);
    uint16_t bits = 0;
    const float s = quantize_row_q4_bf16(row.data(), cols, kZp, Rounding::kHalfUp, q.data(), &bits);
    const float s_f32 = quantize_row_q4(row.data(), cols, kZp, Rounding::kHalfUp, q_f32.data());
    CHECK(float_bits(s) == (static_cast<uint32_t>(bits) << 16));
    CHECK(s >= s_f32);
    CHECK(s <= s_f32 * (1.0f + 1.0f / 128));
    for (size_t j = 0; j < cols; ++j) {
      CHECK(q[j] >= 1);
      CHECK(q[j] <= 15);
      CHECK(std::fabs(dequantize(q[j], s, kZp) - row[j]) <= s * 0.5f * (1.0f + 1e-5f));
    }
  }
}

TEST_CASE("q4_row: pack_q4 and q4_at round trip, even and odd counts") {
  std::mt19937 rng(71);
  for (size_t count : {1, 2, 3, 7, 16, 17, 33}) {
    CAPTURE(count);
    std::vector<uint8_t> values(count);
    for (uint8_t& v : values) v = static_cast<uint8_t>(rng() % 16);
    std::vector<uint8_t> packed(q4_row_bytes(count), 0xAA);
    pack_q4(values.data(), count, packed.data());
    for (size_t j = 0; j < count; ++j) CHECK(q4_at(packed.data(), j) == values[j]);
    CHECK((packed[0] & 0x0F) == values[0]);  // even index: low nibble
    if (count >= 2) CHECK((packed[0] >> 4) == values[1]);
    if (count % 2 == 1) CHECK((packed.back() & 0xF0) == 0);  // the pad nibble
  }
  CHECK(q4_row_bytes(7) == 4);
  CHECK(q4_row_bytes(16) == 8);
}

TEST_CASE("q4_row: the view's values, scales and zero point") {
  for (DType dtype : kBothDTypes) {
  CAPTURE(static_cast<int>(dtype));
  std::mt19937 rng(72);
  const tools::TensorToWrite t = q4_tensor("t", 6, 7, random_values(rng, 42, 1.0f), dtype);
  std::vector<uint8_t> bytes;
  Model m;
  const TensorView* v = &written_and_loaded(t, &bytes, &m);
  CHECK(v->zero_point == 8);
  for (uint32_t r = 0; r < 6; ++r) {
    CHECK(v->row_scale(r) == t.scales[r]);
    CHECK(v->row_zero_point(r) == 8.0f);
    for (uint32_t c = 0; c < 7; ++c) {
      const int32_t q = q4_at(t.q.data() + r * 4, c);
      CHECK(q == (c % 2 == 0 ? t.q[r * 4 + c / 2] & 0x0F : t.q[r * 4 + c / 2] >> 4));
      CHECK(float_bits(v->at(r, c)) == float_bits(static_cast<float>(q - 8) * t.scales[r]));
    }
  }
  CHECK(v->col_scale(3) == 1.0f);
  }
}

TEST_CASE("q4_row: the pooling kernels are the reference loop bit for bit") { check_row_kernels<4>(73, {0, 8, 15}); }

TEST_CASE("q4_row: a classifier with 4-bit tables answers bit for bit as f32 tables of their values") {
  for (DType dtype : kBothDTypes) {
    CAPTURE(static_cast<int>(dtype));
    check_packed_classifier_bit_for_bit(81, dtype);
  }
}

TEST_CASE("q4_row: a tagger with 4-bit tables answers bit for bit as f32 tables of their values") {
  for (DType dtype : kBothDTypes) {
    CAPTURE(static_cast<int>(dtype));
    check_packed_tagger_bit_for_bit(82, dtype);
  }
}

TEST_CASE("q4_row: the loader's checks of dtypes 5 and 6") {
  for (DType dtype : kBothDTypes) {
  const bool bf16 = dtype == DType::kQ4RowBf16;
  CAPTURE(bf16);
  const std::vector<uint8_t> good = packed_classifier(83, true, dtype);
  loaded_model(good);
  const size_t e1 = tensor_entry(good, 1);  // emb1: (131, 7), 4 bytes a row
  REQUIRE(get_u32(good.data() + e1 + format::kEntDType) == static_cast<uint32_t>(dtype));
  REQUIRE(get_u64(good.data() + e1 + format::kEntDataSize) == 131 * 4);
  const size_t data = static_cast<size_t>(get_u64(good.data() + e1 + format::kEntDataOffset));
  const size_t scales = static_cast<size_t>(get_u64(good.data() + e1 + format::kEntScalesOffset));
  // A scale's bytes: f32, or the upper half of one (bfloat16).
  const size_t sb = bf16 ? 2 : 4;
  auto put_scale = [bf16](std::vector<uint8_t>& b, size_t at, uint32_t f32_bits) {
    if (bf16) {
      b[at] = static_cast<uint8_t>(f32_bits >> 16);
      b[at + 1] = static_cast<uint8_t>(f32_bits >> 24);
    } else {
      put_u32(b, at, f32_bits);
    }
  };
  const std::vector<LoadCase> cases = {
      {"version 1 file", [](auto& b) { put_u32(b, format::kOffVersion, 1); }, Status::kBadTensor,
       bf16 ? "dtype 6 (q4_row_bf16) needs format version 2" : "dtype 5 (q4_row) needs format version 2"},
      {"data size of one byte a value", [e1](auto& b) { put_u64(b, e1 + format::kEntDataSize, 131 * 7); }, Status::kBadTensor,
       "data size 917 does not match shape (131, 7) (524 bytes)"},
      {"data size of floor(cols / 2) a row", [e1](auto& b) { put_u64(b, e1 + format::kEntDataSize, 131 * 3); },
       Status::kBadTensor, "(524 bytes)"},
      {"rows * ceil(cols / 2) overflows", [e1](auto& b) { put_u64(b, e1 + format::kEntDim0, uint64_t{1} << 62); },
       Status::kOverflow, "overflows 64-bit sizes"},
      {"zero point 16", [e1](auto& b) { put_u32(b, e1 + format::kEntZeroPoint, 16); }, Status::kBadTensor,
       "zero point 16 is out of range (0..15)"},
      {"pad nibble set", [data](auto& b) { b[data + 5 * 4 + 3] |= 0x10; }, Status::kBadTensor,
       "tensor 'emb1': row 5's pad nibble"},
      {"NaN scale", [=](auto& b) { put_scale(b, scales + sb * 9, 0x7FC00000u); }, Status::kNonFinite, "row 9 has scale"},
      {"infinite scale", [=](auto& b) { put_scale(b, scales + sb * 10, 0x7F800000u); }, Status::kNonFinite,
       "row 10 has scale inf"},
      {"negative scale", [=](auto& b) { put_scale(b, scales + sb * 130, 0xBF800000u); }, Status::kBadTensor,
       "row 130 has scale"},
      {"scales per column", [e1, sb](auto& b) { put_u64(b, e1 + format::kEntScalesSize, 7 * sb); }, Status::kBadTensor,
       bf16 ? "expected 131 rows x 2 bytes" : "expected 131 rows x 4 bytes"},
      {"scales of the other width", [e1, bf16](auto& b) { put_u64(b, e1 + format::kEntScalesSize, 131 * (bf16 ? 4 : 2)); },
       Status::kBadTensor, bf16 ? "scales size 524, expected 131 rows x 2 bytes" : "scales size 262, expected 131 rows x 4 bytes"},
  };
  check_load_cases(good, cases);
  // A pad nibble of 0 with any low nibble loads (only the high 4 bits are padding).
  std::vector<uint8_t> low = good;
  low[data + 5 * 4 + 3] = static_cast<uint8_t>((low[data + 5 * 4 + 3] & 0xF0) | 0x0F);
  reseal(low);
  loaded_model(low);
  }
}

TEST_CASE("q4_row, q4_row_bf16, q3_row_bf16: refused as dense layer weights and as a log prior") {
  for (DType dtype : {DType::kQ4Row, DType::kQ4RowBf16, DType::kQ3RowBf16}) {
  CAPTURE(static_cast<int>(dtype));
  std::mt19937 rng(84);
  tools::ModelWriter w;
  w.add_tensor(q8_tensor("emb", 31, 6, random_values(rng, 31 * 6, 1.0f)));
  w.add_tensor(packed_tensor("w", 3, 6, random_values(rng, 18, 1.0f), dtype));
  w.add_tensor(f32_tensor("b", 3, 1, random_values(rng, 3, 0.1f), 1));
  w.set_string("general.task", "classifier");
  tools::ChannelMetadata ch;
  ch.kind = "char_ngram";
  ch.order = 1;
  ch.seed = 3;
  ch.embedding = "emb";
  tools::write_features(w, tools::TextMetadata(), {ch});
  w.set_u32("layer.count", 1);
  w.set_string("layer.0.weights", "w");
  w.set_string("layer.0.bias", "b");
  w.set_string("layer.0.activation", "softmax");
  w.set_strings("labels", {"a", "b", "c"});
  const std::vector<uint8_t> bytes = w.build();
  Model m;
  Error e;
  CHECK(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kBadShape);
  const char* const refusal = dtype == DType::kQ3RowBf16
                                 ? "layer 0: weights 'w' are q3_row_bf16 (3-bit): only embedding tables may be"
                                 : "layer 0: weights 'w' are q4_row (4-bit): only embedding tables may be";
  CHECK_MESSAGE(std::strstr(e.message, refusal) != nullptr, e.message);

  tools::ModelWriter p;
  add_tiny_tensors(p, make_tiny_network(85, 4), false);
  set_tiny_metadata(p);
  p.add_tensor(packed_tensor("prior", 3, 1, {-0.5f, -1.5f, -1.0f}, dtype));
  p.set_string("classifier.log_prior", "prior");
  const std::vector<uint8_t> prior = p.build();
  CHECK(Model::load(prior.data(), prior.size(), &m, &e) == Status::kBadShape);
  CHECK_MESSAGE(std::strstr(e.message, "classifier.log_prior 'prior' must be an f32 vector") != nullptr, e.message);
  }
}

TEST_CASE("q4_row: inspect_model names the dtype, its bytes and zero point, and dumps the 4-bit values") {
  const std::string inspect = tool_path("inspect_model");
  REQUIRE_MESSAGE(access(inspect.c_str(), X_OK) == 0, inspect << " is not built");
  TempDir dir;
  const std::vector<uint8_t> bytes = packed_classifier(86, true, DType::kQ4Row);
  dir.write("q4.ffm", std::string(bytes.begin(), bytes.end()));
  const ChildResult r = run_program(inspect, {dir.path + "/q4.ffm"}, 30);
  REQUIRE_MESSAGE(r.exited_with(0), r.describe());
  // emb1 (131, 7): 131 rows x 4 bytes + 131 scales.
  CHECK_MESSAGE(r.out.find("emb1                 q4_row  (131, 7)") != std::string::npos, r.out);
  CHECK_MESSAGE(r.out.find(std::to_string(131 * 4 + 131 * 4) + " bytes at") != std::string::npos, r.out);
  CHECK(r.out.find("(zero point 8; 4-bit, two per byte)") != std::string::npos);
  const ChildResult d = run_program(inspect, {dir.path + "/q4.ffm", "--dump", "emb1", "--rows", "1"}, 30);
  REQUIRE_MESSAGE(d.exited_with(0), d.describe());
  const Model m = loaded_model(bytes);
  const TensorView& t = *m.find_tensor("emb1");
  std::string q = "  q     [";
  for (uint32_t c = 0; c < 7; ++c) q += (c ? ", " : "") + std::to_string(q4_at(t.data, c));
  CHECK_MESSAGE(d.out.find(q + "]\n") != std::string::npos, d.out);
  CHECK(d.out.find("zero point 8; dequantized = (q - 8) * scale") != std::string::npos);
}

}  // namespace q4_row_test
