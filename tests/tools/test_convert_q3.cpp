// convert() with `bits = 3` and `scales = bf16`: channel tables stored
// q3_row_bf16 (dtype 7: 3 bits a value, one bfloat16 scale per row),
// checked in the file's bytes and through the runtime; float -> q3 ->
// dequantized within half a step; the spec keys' rules; the refusals;
// ffm_to_npz.py's round trip; convert_model's and inspect_model's lines.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

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

const char kQ3Lines[] = "bits = 3\nscales = bf16\n";

std::string q3_spec_text(const std::string& e1_lines) { return testing::q4_spec(e1_lines, "q3"); }

std::vector<uint8_t> convert_q3(const std::map<std::string, NpyArray>& arrays, const std::string& e1_lines = kQ3Lines) {
  ConvertOptions options;
  options.spec_text = q3_spec_text(e1_lines);
  options.spec_name = "s.spec";
  options.quiet = true;
  return convert(arrays, options);
}

}  // namespace

TEST_CASE("bits = 3: the hand-worked rows as dtype 7, bytes 1F 1B and E7 48, scale bits 0x3F80 and 0x45D1") {
  // Row 0: [3, -1.5, 0.4, 1, -3]: scale 3 / 3 = 1 (0x3F80), values 7 3 4 5 1
  // -> 7 | 3<<3 | 4<<6 | 5<<9 | 1<<12 = 0x1B1F. Row 1: [20000, 3000, -7000,
  // 0, 0]: 20000 / 3 rounded up to the bfloat16 6688 (0x45D1), values
  // 7 4 3 4 4 -> 7 | 4<<3 | 3<<6 | 4<<9 | 4<<12 = 0x48E7. (The worked
  // example of tests/runtime/test_q3_row_format.cpp and docs/FORMAT.md.)
  const std::vector<float> e1 = {3, -1.5f, 0.4f, 1, -3, 20000, 3000, -7000, 0, 0};
  const std::vector<uint8_t> bytes = convert_q3(testing::q4_arrays(2, 5, e1, 29));
  const testing::RawEntry raw = testing::raw_entry(bytes, "e1");
  CHECK(raw.dtype == 7);
  CHECK(raw.zero_point == 4);
  CHECK(raw.rows == 2);
  CHECK(raw.cols == 5);
  CHECK(raw.data_size == 4);    // 2 rows of 15 bits, 2 bytes each
  CHECK(raw.scales_size == 4);  // 2 bfloat16 scales
  CHECK(raw.data_offset % 64 == 0);
  CHECK(raw.scales_offset % 64 == 0);
  CHECK(testing::le_at(bytes, raw.data_offset, 2) == 0x1B1F);
  CHECK(testing::le_at(bytes, raw.data_offset + 2, 2) == 0x48E7);
  CHECK(testing::le_at(bytes, raw.scales_offset, 2) == 0x3F80);
  CHECK(testing::le_at(bytes, raw.scales_offset + 2, 2) == 0x45D1);
  CHECK(testing::raw_entry(bytes, "es").dtype == 2);  // the script channel stays 8-bit

  const Model m = testing::load_converted(bytes);
  const TensorView* t = m.find_tensor("e1");
  REQUIRE(t != nullptr);
  CHECK(t->dtype == DType::kQ3RowBf16);
  CHECK(t->row_scale(1) == 6688.0f);
  const float want[2][5] = {{3, -1, 0, 1, -3}, {20064, 0, -6688, 0, 0}};
  for (uint32_t r = 0; r < 2; ++r) {
    for (uint32_t c = 0; c < 5; ++c) CHECK(t->at(r, c) == want[r][c]);
  }
}

TEST_CASE("bits = 3: float -> q3 -> dequantized within half a step, any width, pad bits 0") {
  std::mt19937 rng(41);
  for (uint64_t cols : {1u, 5u, 8u, 16u, 17u}) {
    CAPTURE(cols);
    const uint64_t rows = 40;
    std::vector<float> e1 = testing::random_values(rng, rows * cols, 3.0f);
    for (uint64_t c = 0; c < cols; ++c) e1[cols + c] = 0.0f;          // row 1: zeros, scale 0
    for (uint64_t c = 0; c < cols; ++c) e1[2 * cols + c] *= 1e-39f;   // row 2: subnormal values
    e1[3 * cols] = -50.0f;                                            // row 3: a negative extreme
    const std::vector<uint8_t> bytes = convert_q3(testing::q4_arrays(rows, cols, e1, 29));
    const testing::RawEntry raw = testing::raw_entry(bytes, "e1");
    REQUIRE(raw.dtype == 7);
    const uint64_t row_bytes = (cols * 3 + 7) / 8;
    REQUIRE(raw.data_size == rows * row_bytes);
    REQUIRE(raw.scales_size == rows * 2);
    const Model m = testing::load_converted(bytes);
    const TensorView* t = m.find_tensor("e1");
    REQUIRE(t->dtype == DType::kQ3RowBf16);
    for (uint64_t r = 0; r < rows; ++r) {
      CAPTURE(r);
      const uint32_t used = static_cast<uint32_t>(cols * 3 % 8);
      if (used != 0) CHECK((bytes[raw.data_offset + r * row_bytes + row_bytes - 1] >> used) == 0);
      const uint16_t bits = static_cast<uint16_t>(testing::le_at(bytes, raw.scales_offset + 2 * r, 2));
      const float scale = float_from_bf16(bits);
      CHECK(t->row_scale(r) == scale);
      float largest = 0;
      for (uint64_t c = 0; c < cols; ++c) largest = std::fmax(largest, std::fabs(e1[r * cols + c]));
      if (largest == 0) {
        CHECK(bits == 0);
        continue;
      }
      CHECK(3.0 * scale >= static_cast<double>(largest));
      CHECK(3.0 * float_from_bf16(static_cast<uint16_t>(bits - 1)) < static_cast<double>(largest));
      for (uint64_t c = 0; c < cols; ++c) {
        CHECK(std::fabs(static_cast<double>(t->at(r, c)) - e1[r * cols + c]) <= 0.5 * scale * (1 + 1e-6));
      }
    }
  }
}

TEST_CASE("bits = 3 needs scales = bf16, refused with the line; the spec writer round-trips it") {
  const ModelSpec spec = parse_model_spec(q3_spec_text(kQ3Lines), "s.spec");
  CHECK(spec.channels[0].bits == 3);
  CHECK(spec.channels[0].bf16_scales);
  CHECK(parse_model_spec(q3_spec_text("scales = bf16\nbits = 3\n"), "s.spec").channels[0].bits == 3);
  // Without bf16 scales, or with f32 ones: refused, naming the `bits` line.
  CHECK_THROWS_WITH_AS(parse_model_spec(q3_spec_text("bits = 3\n"), "s.spec"),
                       doctest::Contains("s.spec:9: channel 0: bits = 3 needs scales = bf16"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec(q3_spec_text("scales = f32\nbits = 3\n"), "s.spec"),
                       doctest::Contains("s.spec:10: channel 0: bits = 3 needs scales = bf16"), std::runtime_error);
  for (const char* bad : {"2", "5", "03", "three", ""}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(parse_model_spec(q3_spec_text(std::string("bits = ") + bad + "\nscales = bf16\n"), "s.spec"),
                         doctest::Contains("s.spec:9: bits must be 8 (q8_row), 4 (q4_row) or 3 (q3_row_bf16)"),
                         std::runtime_error);
  }
  // What the trainer's spec writer writes for it parses back.
  const std::string section = format_channel_section(spec.channels[0]);
  CHECK(section.find("bits = 3\nscales = bf16\n") != std::string::npos);
  const ModelSpec again = parse_model_spec("[model]\ntask = features\n" + section + "buckets = 4\ndims = 2\n", "t.spec");
  CHECK(again.channels[0].bits == 3);
  CHECK(again.channels[0].bf16_scales);
}

TEST_CASE("bits = 3: an already-quantized array, NaN and rows that would read back infinite are refused by name") {
  std::map<std::string, NpyArray> arrays = testing::q4_arrays(2, 4, std::vector<float>(8, 1.0f), 29);
  testing::make_e1_quantized(&arrays);
  CHECK_THROWS_WITH_AS(convert_q3(arrays), doctest::Contains("'e1': bits = 3 needs a float array"), std::runtime_error);
  std::vector<float> e1 = {1, 2, 3, 4, 5, 6, std::nanf(""), 8};
  CHECK_THROWS_WITH_AS(convert_q3(testing::q4_arrays(2, 4, e1, 29)), doctest::Contains("e1: row 1, column 2 is NaN"),
                       std::runtime_error);
  // FLT_MAX / 3 rounded up to a bfloat16, times 3 steps, overflows float32.
  e1 = {1, 2, 3, 4, FLT_MAX, 0, 0, 0};
  CHECK_THROWS_WITH_AS(convert_q3(testing::q4_arrays(2, 4, e1, 29)),
                       doctest::Contains("e1: row 1, column 0: 3.40282347e+38 would read back as infinite"),
                       std::runtime_error);
  e1[4] = 3.0e38f;  // short of the limit: fine
  const std::vector<uint8_t> bytes = convert_q3(testing::q4_arrays(2, 4, e1, 29));
  const Model m = testing::load_converted(bytes);
  CHECK(m.find_tensor("e1")->at(1, 0) >= 3.0e38f);
  CHECK(std::isfinite(m.find_tensor("e1")->at(1, 0)));
  // The zero point's range, for callers other than the converter.
  CHECK_THROWS_WITH_AS(quantize_matrix_q3("t", 1, 2, {1, 2}, Rounding::kHalfUp, nullptr, 8),
                       doctest::Contains("t: zero point 8 is not in 0..7"), std::runtime_error);
}

TEST_CASE("bits = 3: ffm_to_npz.py, then convert_model with the same spec, gives the file back byte for byte") {
  const float worked[7] = {3, -1.5f, 0.4f, 1, -3, 0.5f, -0.5f};  // row 2: the worked row and ties
  const testing::NpzRoundTrip r = testing::npz_round_trip("q3", kQ3Lines, worked, 43);
  REQUIRE(testing::raw_entry(r.original, "e1").dtype == 7);
  REQUIRE(testing::raw_entry(r.original, "e2").dtype == 7);
  // The 3-bit tables come out as their dequantized float32 values: 0.5
  // rounds half up to 1, -0.5 to 0.
  CHECK(r.exported.at("e1").dtype == "<f4");
  CHECK(r.exported.count("e1_scales") == 0);
  const float worked_back[7] = {3, -1, 0, 1, -3, 1, 0};
  for (uint64_t c = 0; c < 7; ++c) CHECK(r.exported_e1[2 * 7 + c] == worked_back[c]);
  CHECK(r.again == r.original);
}

TEST_CASE("bits = 3: convert_model's report line and inspect_model name q3_row_bf16 with its bytes") {
  const std::vector<float> e1 = {3, -1.5f, 0.4f, 1, -3, 20000, 3000, -7000, 0, 0, 0.25f, 0, 0, 0, 0};
  const testing::ToolOutputs out = testing::convert_and_inspect("q3", 3, 5, e1, 29, kQ3Lines);
  const std::string &c = out.convert, &i = out.inspect, &d = out.dump;
  // 3 rows of 5 values: 60 bytes as float32; 3 x 2 bytes of values and
  // 3 x 2 bytes of scales.
  CHECK_MESSAGE(c.find("(3, 5) q3_row_bf16, zero point 4: 60 -> 12 bytes (5.00x)") != std::string::npos, c);
  CHECK_MESSAGE(i.find("q3_row_bf16 (3, 5)") != std::string::npos, i);
  CHECK_MESSAGE(i.find("12 bytes at") != std::string::npos, i);
  CHECK_MESSAGE(i.find("(zero point 4; 3-bit, 16 in 6 bytes, bf16 scales)") != std::string::npos, i);
  CHECK_MESSAGE(d.find("e1: q3_row_bf16 (3, 5)\nzero point 4; dequantized = (q - 4) * scale\n") != std::string::npos, d);
  CHECK_MESSAGE(d.find("row 0\n  q     [7, 3, 4, 5, 1]\n  scale 1\n  value [3, -1, 0, 1, -3]\n") != std::string::npos, d);
  CHECK_MESSAGE(d.find("row 1\n  q     [7, 4, 3, 4, 4]\n  scale 6688\n  value [20064, 0, -6688, 0, 0]\n") !=
                    std::string::npos,
                d);
  // 0.25 / 3 = 0.0833 rounded up to the bfloat16 0.08349609375 (0x3DAB).
  CHECK_MESSAGE(d.find("row 2\n  q     [7, 4, 4, 4, 4]\n  scale 0.0834960938\n") != std::string::npos, d);
}
