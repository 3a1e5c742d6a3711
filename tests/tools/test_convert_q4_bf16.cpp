// convert() with `bits = 4` and `scales = bf16`: channel tables stored
// q4_row_bf16 (dtype 6: q4_row with one bfloat16 scale per row, 2 bytes),
// checked in the file's bytes and through the runtime; the spec key's
// rules; the refusals; ffm_to_npz.py's round trip; inspect_model's lines.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "temp_files.h"
#include "tests/tools/convert_q4_fixture.h"
#include "test_models.h"
#include "test_paths.h"
#include "test_process.h"
#include "tools/common/file_io.h"
#include "tools/common/npy.h"
#include "tools/common/npz.h"
#include "tools/convert_model/converter.h"
#include "tools/convert_model/model_spec.h"
#include "tools/convert_model/quantize_matrix.h"

using namespace ffnlp;
using namespace ffnlp::tools;

namespace {

std::string bf16_spec(const std::string& e1_lines) { return testing::q4_spec(e1_lines, "q4bf16"); }

std::map<std::string, NpyArray> bf16_arrays(uint64_t rows, uint64_t cols, const std::vector<float>& e1) {
  return testing::q4_arrays(rows, cols, e1, 23);
}

std::vector<uint8_t> convert_bf16(const std::map<std::string, NpyArray>& arrays, const std::string& e1_lines) {
  ConvertOptions options;
  options.spec_text = bf16_spec(e1_lines);
  options.spec_name = "s.spec";
  options.quiet = true;
  return convert(arrays, options);
}

using testing::le_at;
using testing::raw_entry;
using testing::RawEntry;

Model load_bf16_model(const std::vector<uint8_t>& bytes) { return testing::load_converted(bytes); }

}  // namespace

TEST_CASE("scales = bf16: the golden row as dtype 6, scale bits 0x4533, bytes 0x9F 0x88") {
  // [20000, 3000, 1000, 1000]: 20000 / 7 = 2857.14 rounded up to the
  // bfloat16 2864 (0x4533); values 15, 9, 8, 8. [-7, 0, 3.5, 1]: scale 1
  // (0x3F80, already a bfloat16); values 1, 8, 12 (3.5 rounds half up), 9.
  const std::vector<float> e1 = {20000, 3000, 1000, 1000, -7, 0, 3.5f, 1};
  const std::vector<uint8_t> bytes = convert_bf16(bf16_arrays(2, 4, e1), "bits = 4\nscales = bf16\n");
  const RawEntry raw = raw_entry(bytes, "e1");
  CHECK(raw.dtype == 6);
  CHECK(raw.zero_point == 8);
  CHECK(raw.rows == 2);
  CHECK(raw.cols == 4);
  CHECK(raw.data_size == 4);    // 2 rows of 2 bytes
  CHECK(raw.scales_size == 4);  // 2 rows of 2 bytes (f32 scales would be 8)
  CHECK(raw.data_offset % 64 == 0);
  CHECK(raw.scales_offset % 64 == 0);
  CHECK(raw.scales_offset >= raw.data_offset + raw.data_size);
  CHECK(le_at(bytes, raw.data_offset, 1) == 0x9F);
  CHECK(le_at(bytes, raw.data_offset + 1, 1) == 0x88);
  CHECK(le_at(bytes, raw.data_offset + 2, 1) == 0x81);
  CHECK(le_at(bytes, raw.data_offset + 3, 1) == 0x9C);
  CHECK(le_at(bytes, raw.scales_offset, 2) == 0x4533);  // little-endian: 0x33 0x45
  CHECK(bytes.at(raw.scales_offset) == 0x33);
  CHECK(le_at(bytes, raw.scales_offset + 2, 2) == 0x3F80);
  // The 8-bit channel next to it keeps f32 scales.
  CHECK(raw_entry(bytes, "es").dtype == 2);

  // Read back through the runtime (dtype 6 in the loader and views).
  const Model m = load_bf16_model(bytes);
  const TensorView* t = m.find_tensor("e1");
  REQUIRE(t != nullptr);
  CHECK(t->dtype == DType::kQ4RowBf16);
  CHECK(t->zero_point == 8);
  CHECK(t->row_scale(0) == 2864.0f);
  CHECK(t->at(0, 0) == 20048.0f);
  CHECK(t->at(0, 1) == 2864.0f);
  CHECK(t->at(0, 2) == 0.0f);
  CHECK(t->at(0, 3) == 0.0f);
  CHECK(t->row_scale(1) == 1.0f);
  CHECK(t->at(1, 0) == -7.0f);
  CHECK(t->at(1, 2) == 4.0f);
  CHECK(m.find_tensor("es")->dtype == DType::kQ8Row);
}

TEST_CASE("scales = bf16: each scale rounded up to a bfloat16, odd widths padded, every value within half a step") {
  std::mt19937 rng(9);
  const uint64_t rows = 60, cols = 7;
  std::vector<float> e1 = testing::random_values(rng, rows * cols, 3.0f);
  for (uint64_t c = 0; c < cols; ++c) e1[1 * cols + c] = 0.0f;                  // a row of zeros: scale 0
  for (uint64_t c = 0; c < cols; ++c) e1[2 * cols + c] *= 1e-39f;               // subnormal values
  e1[3 * cols + 4] = -50.0f;                                                    // a negative extreme
  const std::vector<uint8_t> bytes = convert_bf16(bf16_arrays(rows, cols, e1), "scales = bf16\nbits = 4\n");
  const RawEntry raw = raw_entry(bytes, "e1");
  REQUIRE(raw.dtype == 6);
  REQUIRE(raw.data_size == rows * 4);
  REQUIRE(raw.scales_size == rows * 2);
  const Model m = load_bf16_model(bytes);
  const TensorView* t = m.find_tensor("e1");
  REQUIRE(t->dtype == DType::kQ4RowBf16);
  for (uint64_t r = 0; r < rows; ++r) {
    CAPTURE(r);
    CHECK((bytes[raw.data_offset + r * 4 + 3] >> 4) == 0);  // the pad nibble
    const uint16_t bits = static_cast<uint16_t>(le_at(bytes, raw.scales_offset + 2 * r, 2));
    const float scale = float_from_bf16(bits);
    CHECK(t->row_scale(r) == scale);
    float largest = 0;
    for (uint64_t c = 0; c < cols; ++c) largest = std::fmax(largest, std::fabs(e1[r * cols + c]));
    if (largest == 0) {
      CHECK(bits == 0);
      for (uint64_t c = 0; c < cols; ++c) CHECK(t->at(r, c) == 0.0f);
      continue;
    }
    // Rounded up (nothing clips), and the smallest bfloat16 that does so:
    // the one below it would clip.
    CHECK(7.0 * scale >= static_cast<double>(largest));
    CHECK(7.0 * float_from_bf16(static_cast<uint16_t>(bits - 1)) < static_cast<double>(largest));
    if (std::isnormal(largest / 7)) CHECK(static_cast<double>(scale) < static_cast<double>(largest) / 7 * (1.0 + 1.0 / 128));
    CHECK(bits == bf16_at_least(scale));  // (a bfloat16 is its own round-up)
    for (uint64_t c = 0; c < cols; ++c) {
      CHECK(std::fabs(static_cast<double>(t->at(r, c)) - e1[r * cols + c]) <= 0.5 * scale * (1 + 1e-6));
    }
  }
  CHECK(le_at(bytes, raw.scales_offset + 2, 2) == 0);  // row 1's scale
  CHECK(le_at(bytes, raw.data_offset + 4, 1) == 0x88);  // its values: the zero point
}

TEST_CASE("scales: f32 or bf16, bf16 only with bits = 4, refused with the line; the spec writer round-trips it") {
  CHECK(parse_model_spec(bf16_spec(""), "s.spec").channels[0].bf16_scales == false);
  CHECK(parse_model_spec(bf16_spec("bits = 4\nscales = f32\n"), "s.spec").channels[0].bf16_scales == false);
  CHECK(parse_model_spec(bf16_spec("bits = 4\nscales = bf16\n"), "s.spec").channels[0].bf16_scales == true);
  // bfloat16 scales with 8 bits, in either order of the keys, or with bits
  // left at its default 8: refused, naming the `scales` line.
  CHECK_THROWS_WITH_AS(parse_model_spec(bf16_spec("bits = 8\nscales = bf16\n"), "s.spec"),
                       doctest::Contains("s.spec:10: channel 0: scales = bf16 needs bits = 4"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec(bf16_spec("scales = bf16\nbits = 8\n"), "s.spec"),
                       doctest::Contains("s.spec:9: channel 0: scales = bf16 needs bits = 4"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec(bf16_spec("scales = bf16\n"), "s.spec"),
                       doctest::Contains("s.spec:9: channel 0: scales = bf16 needs bits = 4"), std::runtime_error);
  // Unknown values.
  for (const char* bad : {"f16", "BF16", "bfloat16", "", "2"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(parse_model_spec(bf16_spec(std::string("bits = 4\nscales = ") + bad + "\n"), "s.spec"),
                         doctest::Contains("s.spec:10: scales must be f32 or bf16"), std::runtime_error);
  }
  CHECK_THROWS_WITH_AS(parse_model_spec(bf16_spec("bits = 4\nscales = bf16\nscales = bf16\n"), "s.spec"),
                       doctest::Contains("s.spec:11: 'scales' is set twice"), std::runtime_error);
  // The spec writer (the trainer's) writes the key only for bf16, and what
  // it writes parses back.
  const ModelSpec spec = parse_model_spec(bf16_spec("bits = 4\nscales = bf16\n"), "s.spec");
  const std::string section = format_channel_section(spec.channels[0]);
  CHECK(section.find("bits = 4\nscales = bf16\n") != std::string::npos);
  CHECK(format_channel_section(spec.channels[1]).find("scales") == std::string::npos);
  CHECK(format_channel_section(parse_model_spec(bf16_spec("bits = 4\n"), "s.spec").channels[0]).find("scales") ==
        std::string::npos);
  const ModelSpec again = parse_model_spec("[model]\ntask = features\n" + section + "buckets = 4\ndims = 2\n", "t.spec");
  CHECK(again.channels[0].bits == 4);
  CHECK(again.channels[0].bf16_scales);
  // An already-quantized (uint8) table cannot become 4-bit, bf16 or not.
  std::map<std::string, NpyArray> arrays = bf16_arrays(2, 4, std::vector<float>(8, 1.0f));
  testing::make_e1_quantized(&arrays);
  CHECK_THROWS_WITH_AS(convert_bf16(arrays, "bits = 4\nscales = bf16\n"), doctest::Contains("bits = 4 needs a float array"),
                       std::runtime_error);
}

TEST_CASE("scales = bf16: NaN, infinity and rows whose rounded-up scale overflows are refused by name") {
  std::vector<float> e1 = {1, 2, 3, 4, 5, 6, 7, 8};
  e1[6] = std::nanf("");
  CHECK_THROWS_WITH_AS(convert_bf16(bf16_arrays(2, 4, e1), "bits = 4\nscales = bf16\n"),
                       doctest::Contains("e1: row 1, column 2 is NaN"), std::runtime_error);
  e1[6] = -INFINITY;
  CHECK_THROWS_WITH_AS(convert_bf16(bf16_arrays(2, 4, e1), "bits = 4\nscales = bf16\n"),
                       doctest::Contains("e1: row 1, column 2 is infinite"), std::runtime_error);
  // FLT_MAX / 7 rounds up to a finite bfloat16, but 7 of it overflow
  // float32: the row would read back as infinity.
  e1 = {1, 2, 3, 4, FLT_MAX, 0, 0, 0};
  CHECK_THROWS_WITH_AS(convert_bf16(bf16_arrays(2, 4, e1), "bits = 4\nscales = bf16\n"),
                       doctest::Contains("e1: row 1, column 0: 3.40282347e+38 would read back as infinite"),
                       std::runtime_error);
  // The same row with f32 scales reads back finite (FLT_MAX / 7 rounds to
  // nearest there), and a large row short of the limit is fine with bf16.
  // (The model's bytes are kept alive while it is used: it views them.)
  const std::vector<uint8_t> f32_bytes = convert_bf16(bf16_arrays(2, 4, e1), "bits = 4\n");
  CHECK(std::isfinite(load_bf16_model(f32_bytes).find_tensor("e1")->at(1, 0)));
  e1[4] = 3.0e38f;
  const std::vector<uint8_t> bf16_bytes = convert_bf16(bf16_arrays(2, 4, e1), "bits = 4\nscales = bf16\n");
  const Model m = load_bf16_model(bf16_bytes);
  CHECK(m.find_tensor("e1")->at(1, 0) >= 3.0e38f);
  CHECK(std::isfinite(m.find_tensor("e1")->at(1, 0)));
  // A scale that rounds up to an infinite bfloat16 (possible only with
  // fewer than 7 steps above the zero point; the converter always uses 8).
  const std::vector<float> huge = {FLT_MAX, 0};
  CHECK_THROWS_WITH_AS(quantize_matrix_q4("t", 1, 2, huge, Rounding::kHalfUp, nullptr, true, 14),
                       doctest::Contains("t: row 0: the scale (largest magnitude 3.40282347e+38) rounds up to an "
                                         "infinite bfloat16"),
                       std::runtime_error);
  const TensorToWrite fine = quantize_matrix_q4("t", 1, 2, huge, Rounding::kHalfUp, nullptr, false, 14);
  CHECK(fine.scales[0] == FLT_MAX);  // (f32 scales: finite)
}

TEST_CASE("scales = bf16: model_writer stores 2 bytes a scale and refuses a scale that is not a bfloat16") {
  TensorToWrite t;
  t.name = "t";
  t.dtype = DType::kQ4RowBf16;
  t.rows = 3;
  t.cols = 3;
  t.zero_point = 8;
  t.q = {0x9F, 0x08, 0x88, 0x08, 0x81, 0x0C};
  t.scales = {2864.0f, 0.0f, 1.0f};
  ModelWriter w;
  w.set_string("general.task", "embedding");
  w.add_tensor(t);
  const std::vector<uint8_t> bytes = w.build();
  const RawEntry raw = raw_entry(bytes, "t");
  CHECK(raw.dtype == 6);
  CHECK(raw.zero_point == 8);
  CHECK(raw.data_size == 6);
  CHECK(raw.scales_size == 6);
  CHECK(raw.scales_offset % 64 == 0);
  CHECK(le_at(bytes, raw.scales_offset, 2) == 0x4533);
  CHECK(le_at(bytes, raw.scales_offset + 2, 2) == 0);
  CHECK(le_at(bytes, raw.scales_offset + 4, 2) == 0x3F80);
  CHECK(le_at(bytes, 16, 8) == bytes.size());
  t.scales[2] = 2857.1428f;  // low 16 bits not zero: would lose bits
  ModelWriter w2;
  CHECK_THROWS_WITH_AS(w2.add_tensor(t), doctest::Contains("the scale of row 2 is not a bfloat16"), std::invalid_argument);
}

TEST_CASE("scales = bf16: ffm_to_npz.py, then convert_model with the same spec, gives the file back byte for byte") {
  const float golden[7] = {20000, 3000, 1000, 1000, -0.5f, 0.5f, 7};  // row 2: the golden row and ties
  const testing::NpzRoundTrip r = testing::npz_round_trip("q4bf16", "bits = 4\nscales = bf16\n", golden, 31);
  REQUIRE(raw_entry(r.original, "e1").dtype == 6);
  REQUIRE(raw_entry(r.original, "e2").dtype == 6);
  // The 4-bit tables come out as their dequantized float32 values.
  CHECK(r.exported.at("e1").dtype == "<f4");
  CHECK(r.exported.count("e1_scales") == 0);
  CHECK(r.exported_e1[2 * 7 + 0] == 20048.0f);
  CHECK(r.exported_e1[2 * 7 + 1] == 2864.0f);
  CHECK(r.exported_e1[2 * 7 + 2] == 0.0f);
  CHECK(r.again == r.original);
}

TEST_CASE("scales = bf16: convert_model's report line and inspect_model name q4_row_bf16 with its bytes") {
  const std::vector<float> e1 = {20000, 3000, 1000, 1000, -7, 0, 3.5f, 1, 0.25f, 0, 0, 0};
  const testing::ToolOutputs out = testing::convert_and_inspect("q4bf16", 3, 4, e1, 23, "bits = 4\nscales = bf16\n");
  const std::string &c = out.convert, &i = out.inspect, &d = out.dump;
  // 3 rows of 4 values: 48 bytes as float32; 3 x 2 bytes of values and
  // 3 x 2 bytes of scales (f32 scales: 18).
  CHECK_MESSAGE(c.find("(3, 4) q4_row_bf16, zero point 8: 48 -> 12 bytes (4.00x)") != std::string::npos, c);
  CHECK_MESSAGE(i.find("q4_row_bf16 (3, 4)") != std::string::npos, i);
  CHECK_MESSAGE(i.find("12 bytes at") != std::string::npos, i);
  CHECK_MESSAGE(i.find("(zero point 8; 4-bit, two per byte, bf16 scales)") != std::string::npos, i);
  CHECK_MESSAGE(d.find("e1: q4_row_bf16 (3, 4)\nzero point 8; dequantized = (q - 8) * scale\n") != std::string::npos,
                d);
  CHECK_MESSAGE(d.find("row 0\n  q     [15, 9, 8, 8]\n  scale 2864\n  value [20048, 2864, 0, 0]\n") !=
                    std::string::npos,
                d);
  // 0.25 / 7 = 0.0357142857 rounded up to the bfloat16 0.035888671875 (0x3D13).
  CHECK_MESSAGE(d.find("row 2\n  q     [15, 8, 8, 8]\n  scale 0.0358886719\n") != std::string::npos, d);
}
