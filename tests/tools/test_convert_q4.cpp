// convert() with `bits = 4`: channel tables stored q4_row (two values per
// byte, one scale per row, zero point 8) with the values the formula
// promises; the spec key's rules; the trainer's spec writer.
#include <doctest/doctest.h>

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
#include "tools/convert_model/converter.h"
#include "tools/convert_model/model_spec.h"

using namespace ffnlp;
using namespace ffnlp::tools;

namespace {

using testing::q4_arrays;
using testing::q4_spec;

Model load_q4_model(const std::vector<uint8_t>& bytes) { return testing::load_converted(bytes); }

}  // namespace

TEST_CASE("bits = 4: the paper's golden row as 4-bit values, packed two per byte") {
  ConvertOptions options;
  options.spec_text = q4_spec("bits = 4\n");
  options.quiet = true;
  // [20000, 3000, 1000, 1000]: scale 20000 / 7; values 15, 9, 8, 8.
  const std::vector<float> e1 = {20000, 3000, 1000, 1000, -7, 0, 3.5f, 1};
  const std::vector<uint8_t> bytes = convert(q4_arrays(2, 4, e1), options);
  const Model m = load_q4_model(bytes);
  const TensorView* t = m.find_tensor("e1");
  REQUIRE(t != nullptr);
  CHECK(t->dtype == DType::kQ4Row);
  CHECK(t->zero_point == 8);
  CHECK(t->data[0] == (15 | 9 << 4));
  CHECK(t->data[1] == (8 | 8 << 4));
  CHECK(t->row_scale(0) == static_cast<float>(20000.0 / 7));
  CHECK(t->at(0, 0) == doctest::Approx(20000.0f));
  CHECK(t->at(0, 1) == doctest::Approx(2857.142857f));
  CHECK(t->at(0, 2) == 0.0f);
  // [-7, 0, 3.5, 1]: scale 1, values 1, 8, 12 (3.5 rounds half up), 9.
  CHECK(t->data[2] == (1 | 8 << 4));
  CHECK(t->data[3] == (12 | 9 << 4));
  CHECK(t->at(1, 0) == -7.0f);
  CHECK(t->at(1, 2) == 4.0f);
  // The 8-bit channel next to it is unchanged.
  CHECK(m.find_tensor("es")->dtype == DType::kQ8Row);
}

TEST_CASE("bits = 4: odd widths pad each row to whole bytes; every value within half a step") {
  std::mt19937 rng(5);
  const uint64_t rows = 40, cols = 7;
  const std::vector<float> e1 = testing::random_values(rng, rows * cols, 2.0f);
  ConvertOptions options;
  options.spec_text = q4_spec("bits = 4\n");
  options.quiet = true;
  const std::vector<uint8_t> bytes = convert(q4_arrays(rows, cols, e1), options);  // the model views these bytes
  const Model m = load_q4_model(bytes);
  const TensorView* t = m.find_tensor("e1");
  REQUIRE(t->dtype == DType::kQ4Row);
  for (uint64_t r = 0; r < rows; ++r) {
    CHECK((t->data[r * 4 + 3] >> 4) == 0);  // the unused high nibble
    float largest = 0;
    for (uint64_t c = 0; c < cols; ++c) largest = std::fmax(largest, std::fabs(e1[r * cols + c]));
    CHECK(t->row_scale(r) == doctest::Approx(largest / 7));
    for (uint64_t c = 0; c < cols; ++c) {
      CHECK(std::fabs(t->at(r, c) - e1[r * cols + c]) <= t->row_scale(r) * 0.5f * 1.0001f);
    }
  }
}

TEST_CASE("bits: only 8, 4 or 3, only on float arrays; the trainer's spec writer round-trips it") {
  CHECK_THROWS_WITH_AS(parse_model_spec(q4_spec("bits = 5\n"), "s.spec"),
                       doctest::Contains("s.spec:9: bits must be 8 (q8_row), 4 (q4_row) or 3 (q3_row_bf16)"),
                       std::runtime_error);
  CHECK(parse_model_spec(q4_spec(""), "s.spec").channels[0].bits == 8);
  CHECK(parse_model_spec(q4_spec("bits = 8\n"), "s.spec").channels[0].bits == 8);
  const ModelSpec spec = parse_model_spec(q4_spec("bits = 4\n"), "s.spec");
  REQUIRE(spec.channels[0].bits == 4);
  const std::string section = format_channel_section(spec.channels[0]);
  CHECK(section.find("bits = 4\n") != std::string::npos);
  CHECK(format_channel_section(spec.channels[1]).find("bits") == std::string::npos);
  // An already-quantized (uint8) table cannot become 4-bit.
  std::map<std::string, NpyArray> arrays = q4_arrays(2, 4, std::vector<float>(8, 1.0f));
  testing::make_e1_quantized(&arrays);
  ConvertOptions options;
  options.spec_text = q4_spec("bits = 4\n");
  options.quiet = true;
  CHECK_THROWS_WITH_AS(convert(arrays, options), doctest::Contains("bits = 4 needs a float array"), std::runtime_error);
}

TEST_CASE("ffm_to_npz.py, then convert_model with the same spec, gives the shipped model back byte for byte") {
  // The shipped model has q4_row, q8_row and q8_col tensors, a prior and
  // neighbour words: every kind of tensor the export must carry over.
  const std::string dir = testing::make_temp_dir("ffm_to_npz");
  const std::string npz = dir + "/langid.npz", out = dir + "/langid.ffm";
  const testing::ChildResult exported = testing::run_program(
      "/usr/bin/python3", {testing::source_path("tools/convert_model/ffm_to_npz.py"), testing::source_path("models/langid.ffm"), npz},
      60);
  REQUIRE_MESSAGE(exported.exited_with(0), exported.describe());
  const testing::ChildResult converted = testing::run_program(
      testing::tool_path("convert_model"),
      {npz, "--spec", testing::source_path("models/langid.spec"), "-o", out, "--quiet", "--force"}, 60);
  REQUIRE_MESSAGE(converted.exited_with(0), converted.describe());
  CHECK(read_file_bytes(out) == read_file_bytes(testing::source_path("models/langid.ffm")));
  testing::remove_tree(dir);
}
