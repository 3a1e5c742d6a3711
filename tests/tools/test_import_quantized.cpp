// Importing PyTorch's quantized tables (int_repr() + per-channel scales and
// zero points) without requantizing: every kind torch makes is imported with
// the values torch's dequantize() gives, bit for bit, or refused with a
// message naming the array at fault. The tables were made by real torch
// (tests/tools/torch_fixtures.h, from tests/interop/gen_torch_fixtures.py).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "file/byte_order.h"
#include "tools/common/npy.h"
#include "tools/convert_model/converter.h"
#include "tools/torch_fixtures.h"

using namespace ffnlp;
using namespace ffnlp::tools;
using namespace torch_fixtures;

namespace {

template <typename T>
NpyArray array_of(const std::string& dtype, const std::vector<uint64_t>& shape, const T* values, size_t count) {
  NpyArray a;
  a.shape = shape;
  a.dtype = dtype;
  a.raw.resize(count * sizeof(T));
  std::memcpy(a.raw.data(), values, a.raw.size());
  // '<' arrays are little-endian on any host (make cross-test runs s390x).
  if (!ffnlp::kHostIsLittleEndian) {
    for (size_t i = 0; i < count; ++i) std::reverse(a.raw.begin() + i * sizeof(T), a.raw.begin() + (i + 1) * sizeof(T));
  }
  return a;
}

NpyArray f32_bits(const uint32_t* bits, size_t count) { return array_of("<f4", {count}, bits, count); }

NpyArray i64(const std::vector<int64_t>& v) { return array_of("<i8", {v.size()}, v.data(), v.size()); }

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

struct ImportedModel {
  std::vector<uint8_t> bytes;
  std::vector<std::string> warnings;
  Model model;
};

void convert_into(const std::map<std::string, NpyArray>& arrays, ImportedModel* out) {
  out->warnings.clear();
  out->bytes = convert(arrays, ConvertOptions(), &out->warnings);
  Error e;
  REQUIRE_MESSAGE(Model::load(out->bytes.data(), out->bytes.size(), &out->model, &e) == Status::kOk, e.message);
}

// Every value of the imported tensor against torch's dequantize() bits.
void check_bits(const Model& m, const char* name, const uint32_t* expected, int rows, int cols) {
  const TensorView* t = m.find_tensor(name);
  REQUIRE(t != nullptr);
  REQUIRE(t->rows == static_cast<uint64_t>(rows));
  REQUIRE(t->cols == static_cast<uint64_t>(cols));
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      INFO("row " << r << " column " << c);
      CHECK(bits_of(t->at(r, c)) == expected[r * cols + c]);
    }
  }
}

std::string import_error_of(const std::map<std::string, NpyArray>& arrays) {
  try {
    convert(arrays, ConvertOptions());
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

std::map<std::string, NpyArray> embedding_arrays() {
  std::map<std::string, NpyArray> a;
  a["emb"] = array_of("|u1", {kEmbeddingRows, kEmbeddingCols}, kEmbeddingBytes, sizeof kEmbeddingBytes);
  a["emb_scales"] = f32_bits(kEmbeddingScales, kEmbeddingRows);
  a["emb_zero_points"] = f32_bits(kEmbeddingZeroPoints, kEmbeddingRows);
  return a;
}

}  // namespace

TEST_CASE("torch's quantized nn.Embedding (per_channel_affine_float_qparams) imports as q8_row_fzp, bit for bit") {
  ImportedModel c;
  convert_into(embedding_arrays(), &c);
  const TensorView* t = c.model.find_tensor("emb");
  REQUIRE(t != nullptr);
  CHECK(t->dtype == DType::kQ8RowFzp);
  CHECK(std::memcmp(t->data, kEmbeddingBytes, sizeof kEmbeddingBytes) == 0);
  check_bits(c.model, "emb", kEmbeddingDequantized, kEmbeddingRows, kEmbeddingCols);
  CHECK(c.model.find_tensor("emb_scales") == nullptr);
  CHECK(c.model.find_tensor("emb_zero_points") == nullptr);
  CHECK(c.warnings.empty());
}

TEST_CASE("a float-qparams table saved without its zero points is refused, not read with zero point 128") {
  std::map<std::string, NpyArray> a = embedding_arrays();
  a.erase("emb_zero_points");
  const std::string e = import_error_of(a);
  CHECK_MESSAGE(e.find("'emb_zero_points'") != std::string::npos, e);
  CHECK_MESSAGE(e.find("holds byte 0") != std::string::npos, e);
}

TEST_CASE("a uint8 table without zero points and without byte 0 gets zero point 128 and a warning") {
  std::map<std::string, NpyArray> a;
  const uint8_t q[] = {1, 128, 255, 10, 20, 30};
  const float s[] = {0.5f, 0.25f};
  a["emb"] = array_of("|u1", {2, 3}, q, 6);
  a["emb_scales"] = array_of("<f4", {2}, s, 2);
  ImportedModel c;
  convert_into(a, &c);
  CHECK(c.model.find_tensor("emb")->dtype == DType::kQ8Row);
  CHECK(c.model.find_tensor("emb")->zero_point == 128);
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0].find("zero point 128 assumed") != std::string::npos);
  CHECK(c.warnings[0].find("'emb_zero_points'") != std::string::npos);
}

TEST_CASE("uint8 with integer zero points: one for all rows is q8_row, one per row is q8_row_fzp, values exact") {
  std::map<std::string, NpyArray> a;
  const uint8_t q[] = {0, 128, 255, 10, 20, 30};
  const float s[] = {0.5f, 0.25f};
  a["emb"] = array_of("|u1", {2, 3}, q, 6);
  a["emb_scales"] = array_of("<f4", {2}, s, 2);
  a["emb_zero_points"] = i64({100, 100});
  ImportedModel c;
  convert_into(a, &c);
  CHECK(c.model.find_tensor("emb")->dtype == DType::kQ8Row);
  CHECK(c.model.find_tensor("emb")->zero_point == 100);
  CHECK(c.warnings.empty());

  a["emb_zero_points"] = i64({100, 7});
  convert_into(a, &c);
  const TensorView* t = c.model.find_tensor("emb");
  CHECK(t->dtype == DType::kQ8RowFzp);
  CHECK(t->at(0, 0) == -50.0f);
  CHECK(t->at(0, 2) == 77.5f);
  CHECK(t->at(1, 2) == (30 - 7) * 0.25f);

  a["emb_zero_points"] = i64({100, 256});
  CHECK(import_error_of(a).find("'emb_zero_points' row 1 holds 256") != std::string::npos);
  a["emb_zero_points"] = i64({1, 2, 3});
  CHECK(import_error_of(a).find("'emb_zero_points' has 3 values for 2 rows of 'emb'") != std::string::npos);
}

TEST_CASE("qint8 per-channel affine (a zero point per row) imports with torch's dequantize() values") {
  std::map<std::string, NpyArray> a;
  a["w"] = array_of("|i1", {kQint8Rows, kQint8Cols}, kQint8Bytes, sizeof kQint8Bytes);
  a["w_scales"] = f32_bits(kQint8Scales, kQint8Rows);
  a["w_zero_points"] = i64(std::vector<int64_t>(kQint8ZeroPoints, kQint8ZeroPoints + kQint8Rows));
  ImportedModel c;
  convert_into(a, &c);
  const TensorView* t = c.model.find_tensor("w");
  CHECK(t->dtype == DType::kQ8RowFzp);
  CHECK(t->row_zero_point(3) == 0.0f);  // -128 + 128
  check_bits(c.model, "w", kQint8Dequantized, kQint8Rows, kQint8Cols);
  CHECK(c.warnings.empty());
}

TEST_CASE("qint8 per_channel_symmetric (zero points all 0) imports as q8_row with zero point 128") {
  std::map<std::string, NpyArray> a;
  a["w"] = array_of("|i1", {kSymmetricRows, kSymmetricCols}, kSymmetricBytes, sizeof kSymmetricBytes);
  a["w_scales"] = f32_bits(kSymmetricScales, kSymmetricRows);
  a["w_zero_points"] = i64({0, 0, 0});
  ImportedModel c;
  convert_into(a, &c);
  const TensorView* t = c.model.find_tensor("w");
  CHECK(t->dtype == DType::kQ8Row);
  CHECK(t->zero_point == 128);
  CHECK(t->data[0] == static_cast<uint8_t>(kSymmetricBytes[0] + 128));
  check_bits(c.model, "w", kSymmetricDequantized, kSymmetricRows, kSymmetricCols);
}

TEST_CASE("qint8 without its zero points, or with fractional ones, is refused naming the problem") {
  std::map<std::string, NpyArray> a;
  a["w"] = array_of("|i1", {kSymmetricRows, kSymmetricCols}, kSymmetricBytes, sizeof kSymmetricBytes);
  a["w_scales"] = f32_bits(kSymmetricScales, kSymmetricRows);
  std::string e = import_error_of(a);
  CHECK_MESSAGE(e.find("'w' is int8 (a qint8 table)") != std::string::npos, e);
  CHECK_MESSAGE(e.find("no 'w_zero_points'") != std::string::npos, e);
  const float fractional[] = {0.0f, 1.5f, 0.0f};
  a["w_zero_points"] = array_of("<f4", {3}, fractional, 3);
  e = import_error_of(a);
  CHECK_MESSAGE(e.find("'w_zero_points' holds fractional zero points (e.g. 1.5") != std::string::npos, e);
  a["w_zero_points"] = i64({0, -129, 0});
  e = import_error_of(a);
  CHECK_MESSAGE(e.find("row 1 holds -129") != std::string::npos, e);
  // Without scales an int8 array is an ordinary array of small integers.
  a.erase("w_scales");
  a.erase("w_zero_points");
  ImportedModel c;
  convert_into(a, &c);
  CHECK(c.model.find_tensor("w")->at(0, 0) == doctest::Approx(kSymmetricBytes[0]).epsilon(0.01));
}

TEST_CASE("wider integer tables with scales (qint32) are refused") {
  std::map<std::string, NpyArray> a;
  const int32_t q[] = {1, 2, 3, 4};
  const float s[] = {1.0f, 1.0f};
  a["w"] = array_of("<i4", {2, 2}, q, 4);
  a["w_scales"] = array_of("<f4", {2}, s, 2);
  const std::string e = import_error_of(a);
  CHECK_MESSAGE(e.find("only 8-bit tables can be imported") != std::string::npos, e);
}

TEST_CASE("float64 scales: float32 numbers import silently, others are rounded with a warning") {
  std::map<std::string, NpyArray> a;
  a["w"] = array_of("|u1", {3, 4}, kFloat64ScaleBytes, sizeof kFloat64ScaleBytes);
  a["w_scales"] = array_of("<f8", {3}, kFloat64Scales, 3);
  a["w_zero_points"] = i64({128, 128, 128});
  ImportedModel c;
  convert_into(a, &c);
  REQUIRE(c.warnings.size() == 1);
  CHECK_MESSAGE(c.warnings[0].find("'w_scales': 3 of 3 float64 scales are not float32 numbers and were rounded") !=
                    std::string::npos,
                c.warnings[0]);
  // torch multiplies by the float64 scale: the last bit may differ, no more.
  const TensorView* t = c.model.find_tensor("w");
  for (int i = 0; i < 12; ++i) {
    float torch_value;
    std::memcpy(&torch_value, &kFloat64ScaleDequantized[i], 4);
    const float ours = t->at(i / 4, i % 4);
    CHECK(std::fabs(ours - torch_value) <= std::fabs(torch_value) * 1.2e-7f);
  }
  const double exact[] = {0.5, 0.25, 0.125};
  a["w_scales"] = array_of("<f8", {3}, exact, 3);
  convert_into(a, &c);
  CHECK(c.warnings.empty());
  const double too_big[] = {0.5, 1e300, 0.125};
  a["w_scales"] = array_of("<f8", {3}, too_big, 3);
  CHECK(import_error_of(a).find("outside the float32 range") != std::string::npos);
}

TEST_CASE("float64 float zero points are rounded with a warning too") {
  std::map<std::string, NpyArray> a = embedding_arrays();
  std::vector<double> zp;
  for (int r = 0; r < kEmbeddingRows; ++r) {
    float f;
    std::memcpy(&f, &kEmbeddingZeroPoints[r], 4);
    zp.push_back(f);
  }
  a["emb_zero_points"] = array_of("<f8", {zp.size()}, zp.data(), zp.size());
  ImportedModel c;
  convert_into(a, &c);
  CHECK(c.warnings.empty());  // float32 numbers held in float64: exact
  check_bits(c.model, "emb", kEmbeddingDequantized, kEmbeddingRows, kEmbeddingCols);
  zp[1] += 1e-9;
  a["emb_zero_points"] = array_of("<f8", {zp.size()}, zp.data(), zp.size());
  convert_into(a, &c);
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0].find("'emb_zero_points': 1 of 6 float64 zero points") != std::string::npos);
}
