// q8_col (dtype 4): 8-bit dense layer weights stored transposed, (in, out),
// one scale per column. A network with a q8_col layer answers bit for bit
// as the same network with the q8_row layer it was transposed from; the
// loader's checks of dtype 4; the converter's layout choice ([layer]
// layout = auto | rows | cols) and imports.
#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "float_bits.h"
#include "load_cases.h"
#include "tests/runtime/packed_row_models.h"
#include "test_models.h"
#include "tools/common/npy.h"
#include "tools/convert_model/converter.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

tools::TensorToWrite to_q8_col(const tools::TensorToWrite& t) {
  tools::TensorToWrite c = t;
  c.dtype = DType::kQ8Col;
  c.rows = t.cols;
  c.cols = t.rows;
  for (uint64_t o = 0; o < t.rows; ++o)
    for (uint64_t i = 0; i < t.cols; ++i) c.q[i * t.rows + o] = t.q[o * t.cols + i];
  return c;
}

// Unigram channel over letters, hidden ReLU layer, output layer; the 8-bit
// layers q8_row or (transposed) q8_col as asked. Same seed: same weights.
std::vector<uint8_t> build(uint32_t seed, bool hidden_by_col, bool output_by_col, uint32_t hidden = 40,
                           uint32_t labels = 37) {
  std::mt19937 rng(seed);
  tools::ModelWriter w;
  w.add_tensor(q8_tensor("emb", 31, 12, random_values(rng, 31 * 12, 1.0f)));
  const tools::TensorToWrite h = q8_tensor("hidden_w", hidden, 12, random_values(rng, size_t{hidden} * 12, 1.0f));
  w.add_tensor(hidden_by_col ? to_q8_col(h) : h);
  w.add_tensor(f32_tensor("hidden_b", hidden, 1, random_values(rng, hidden, 0.1f), 1));
  const tools::TensorToWrite o = q8_tensor("out_w", labels, hidden, random_values(rng, size_t{labels} * hidden, 1.0f));
  w.add_tensor(output_by_col ? to_q8_col(o) : o);
  w.add_tensor(f32_tensor("out_b", labels, 1, random_values(rng, labels, 0.1f), 1));
  w.set_string("general.task", "classifier");
  tools::ChannelMetadata c;
  c.kind = "char_ngram";
  c.order = 1;
  c.seed = 3;
  c.embedding = "emb";
  tools::write_features(w, tools::TextMetadata(), {c});
  set_two_layer_metadata(w);
  std::vector<std::string> names;
  for (uint32_t l = 0; l < labels; ++l) names.push_back("l" + std::to_string(l));
  w.set_strings("labels", names);
  return w.build();
}


void require_same_logits(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  Model ma, mb;
  Error e;
  REQUIRE_MESSAGE(Model::load(a.data(), a.size(), &ma, &e) == Status::kOk, e.message);
  REQUIRE_MESSAGE(Model::load(b.data(), b.size(), &mb, &e) == Status::kOk, e.message);
  for (const char* text : {"abc", "hello world", "the quick brown fox jumps over the lazy dog", "zzzz qqq", "mixed ABC def",
                           "ein kleiner Text", "x"}) {
    const std::vector<float> la = packed_rows::logits_for(ma, text), lb = packed_rows::logits_for(mb, text);
    for (size_t k = 0; k < la.size(); ++k) {
      INFO(text << " logit " << k);
      REQUIRE(float_bits(la[k]) == float_bits(lb[k]));
    }
  }
}

}  // namespace

TEST_CASE("q8_col: a transposed layer answers bit for bit as its q8_row original") {
  const std::vector<uint8_t> rows = build(61, false, false);
  const std::vector<uint8_t> output_cols = build(61, false, true);
  const std::vector<uint8_t> both_cols = build(61, true, true);
  Model m;
  REQUIRE(Model::load(output_cols.data(), output_cols.size(), &m, nullptr) == Status::kOk);
  CHECK(m.layer(1).weights.dtype == DType::kQ8Col);
  CHECK(m.layer(1).in == 40);
  CHECK(m.layer(1).out == 37);
  require_same_logits(rows, output_cols);
  require_same_logits(rows, both_cols);  // a q8_col first layer (dense input) too
  // Wider shapes: more outputs than one AVX-512 step, more hidden units than 64.
  require_same_logits(build(62, false, false, 200, 463), build(62, false, true, 200, 463));
}

TEST_CASE("q8_col: the view's values, column scales and zero point") {
  std::mt19937 rng(63);
  const tools::TensorToWrite r = q8_tensor("t", 5, 9, random_values(rng, 45, 1.0f));
  tools::ModelWriter w;
  w.add_tensor(to_q8_col(r));
  const std::vector<uint8_t> bytes = w.build();
  Model m;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &m, nullptr) == Status::kOk);
  const TensorView* v = m.find_tensor("t");
  REQUIRE(v != nullptr);
  CHECK(v->dtype == DType::kQ8Col);
  CHECK(v->rows == 9);
  CHECK(v->cols == 5);
  CHECK(v->zero_point == kDefaultZeroPoint);
  for (uint32_t o = 0; o < 5; ++o) {
    CHECK(v->col_scale(o) == r.scales[o]);
    for (uint32_t i = 0; i < 9; ++i) {
      const float want = static_cast<float>(static_cast<int32_t>(r.q[o * 9 + i]) - static_cast<int32_t>(kDefaultZeroPoint)) * r.scales[o];
      CHECK(float_bits(v->at(i, o)) == float_bits(want));
    }
  }
  CHECK(v->row_scale(0) == 1.0f);  // scales are per column
  CHECK(v->row_zero_point(2) == static_cast<float>(kDefaultZeroPoint));
}

TEST_CASE("q8_col: the loader's checks of dtype 4") {
  const std::vector<uint8_t> good = build(64, false, true);
  {
    Model m;
    Error e;
    REQUIRE_MESSAGE(Model::load(good.data(), good.size(), &m, &e) == Status::kOk, e.message);
  }
  const size_t e3 = tensor_entry(good, 3);  // out_w, q8_col (40, 37)
  REQUIRE(get_u32(good.data() + e3 + format::kEntDType) == 4);
  const size_t scales = static_cast<size_t>(get_u64(good.data() + e3 + format::kEntScalesOffset));
  const size_t e0 = tensor_entry(good, 0);  // emb, q8_row
  const std::vector<LoadCase> cases = {
      {"version 1 file", [](auto& b) { put_u32(b, format::kOffVersion, 1); }, Status::kBadTensor, "dtype 4 (q8_col) needs format version 2"},
      {"scales per row, not per column", [e3](auto& b) { put_u64(b, e3 + format::kEntScalesSize, 40 * 4); }, Status::kBadTensor,
       "expected 37 columns x 4 bytes"},
      {"zero point 256", [e3](auto& b) { put_u32(b, e3 + format::kEntZeroPoint, 256); }, Status::kBadTensor, "zero point"},
      {"NaN column scale", [scales](auto& b) { put_u32(b, scales + 4 * 36, 0x7FC00000u); }, Status::kNonFinite, "column 36 has scale"},
      {"negative column scale", [scales](auto& b) { put_u32(b, scales + 8, 0xBF800000u); }, Status::kBadTensor, "column 2 has scale"},
      {"stored (out, in): not transposed",
       [e3](auto& b) {
         put_u64(b, e3 + format::kEntDim0, 37);
         put_u64(b, e3 + format::kEntDim1, 40);
         put_u64(b, e3 + format::kEntScalesSize, 40 * 4);  // one per column of the new shape
       },
       Status::kBadShape, "expected (40, out) (q8_col: transposed)"},
      {"an embedding table as q8_col", [e0](auto& b) { put_u32(b, e0 + format::kEntDType, 4); put_u64(b, e0 + format::kEntScalesSize, 12 * 4); },
       Status::kBadShape, "only dense layer weights"},
  };
  check_load_cases(good, cases);
  // A bias of the wrong length for the transposed shape (out = columns).
  std::mt19937 rng(65);
  tools::ModelWriter w;
  w.add_tensor(to_q8_col(q8_tensor("w", 6, 4, random_values(rng, 24, 1.0f))));
  w.add_tensor(f32_tensor("b", 4, 1, random_values(rng, 4, 0.1f), 1));  // in, not out
  w.add_tensor(q8_tensor("emb", 31, 4, random_values(rng, 124, 1.0f)));
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
  w.set_strings("labels", {"a", "b", "c", "d", "e", "f"});
  const std::vector<uint8_t> bad_bias = w.build();
  Model m;
  Error e;
  CHECK(Model::load(bad_bias.data(), bad_bias.size(), &m, &e) == Status::kBadShape);
  CHECK_MESSAGE(std::strstr(e.message, "has 4 values, expected 6") != nullptr, e.message);
}

namespace {

std::map<std::string, tools::NpyArray> two_layer_arrays(uint32_t seed) {
  std::mt19937 rng(seed);
  std::map<std::string, tools::NpyArray> arrays;
  arrays["e"] = tools::make_npy_f32({31, 6}, random_values(rng, 31 * 6, 1.0f).data());
  arrays["w0"] = tools::make_npy_f32({20, 6}, random_values(rng, 20 * 6, 1.0f).data());
  arrays["b0"] = tools::make_npy_f32({20}, random_values(rng, 20, 0.1f).data());
  arrays["w1"] = tools::make_npy_f32({3, 20}, random_values(rng, 60, 1.0f).data());
  arrays["b1"] = tools::make_npy_f32({3}, random_values(rng, 3, 0.1f).data());
  return arrays;
}

std::string two_layer_spec(const std::string& layer1_extra, const std::string& layer0_extra = "") {
  return "[model]\ntask = classifier\n[channel]\nkind = char_ngram\norder = 1\nembedding = e\n"
         "[layer]\nweights = w0\nbias = b0\nactivation = relu\nquantize = 1\n" +
         layer0_extra + "[layer]\nweights = w1\nbias = b1\nactivation = softmax\n" + layer1_extra + "[labels]\nx\ny\nz\n";
}

std::vector<uint8_t> convert_spec(const std::map<std::string, tools::NpyArray>& arrays, const std::string& spec) {
  tools::ConvertOptions options;
  options.quiet = true;
  options.spec_text = spec;
  return tools::convert(arrays, options);
}

DType layer_dtype(const std::vector<uint8_t>& bytes, uint32_t l) {
  Model m;
  Error e;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kOk, e.message);
  return m.layer(l).weights.dtype;
}

}  // namespace

TEST_CASE("q8_col: convert_model transposes 8-bit layers after a ReLU by itself; layout = rows | cols") {
  const std::map<std::string, tools::NpyArray> arrays = two_layer_arrays(66);
  const std::vector<uint8_t> automatic = convert_spec(arrays, two_layer_spec("quantize = 1\n"));
  const std::vector<uint8_t> rows = convert_spec(arrays, two_layer_spec("quantize = 1\nlayout = rows\n"));
  const std::vector<uint8_t> cols = convert_spec(arrays, two_layer_spec("quantize = 1\nlayout = cols\n", "layout = cols\n"));
  CHECK(layer_dtype(automatic, 0) == DType::kQ8Row);  // reads the pooled embeddings, not a ReLU
  CHECK(layer_dtype(automatic, 1) == DType::kQ8Col);
  CHECK(layer_dtype(rows, 1) == DType::kQ8Row);
  CHECK(layer_dtype(cols, 0) == DType::kQ8Col);
  CHECK(layer_dtype(cols, 1) == DType::kQ8Col);
  require_same_logits(rows, automatic);
  require_same_logits(rows, cols);
  // Float layers stay float; layout = cols needs 8-bit weights.
  CHECK(layer_dtype(convert_spec(arrays, two_layer_spec("")), 1) == DType::kF32);
  CHECK_THROWS_WITH_AS(convert_spec(arrays, two_layer_spec("layout = cols\n")),
                       doctest::Contains("layout = cols needs 8-bit weights"), std::runtime_error);
  CHECK_THROWS_WITH_AS(convert_spec(arrays, two_layer_spec("quantize = 1\nlayout = sideways\n")),
                       doctest::Contains("layout must be auto, rows or cols"), std::runtime_error);
}

TEST_CASE("q8_col: imported uint8 layer weights are transposed losslessly") {
  std::map<std::string, tools::NpyArray> arrays = two_layer_arrays(67);
  const std::vector<uint8_t> rows = convert_spec(arrays, two_layer_spec("quantize = 1\nlayout = rows\n"));
  Model m;
  REQUIRE(Model::load(rows.data(), rows.size(), &m, nullptr) == Status::kOk);
  const TensorView& w1 = m.layer(1).weights;
  REQUIRE(w1.dtype == DType::kQ8Row);
  // Its bytes and scales as an imported array (what tools/convert_model/ffm_to_npz.py writes).
  std::vector<float> scales(w1.rows);
  for (uint64_t r = 0; r < w1.rows; ++r) scales[r] = w1.row_scale(r);
  tools::NpyArray bytes;
  bytes.dtype = "|u1";
  bytes.shape = {w1.rows, w1.cols};
  bytes.raw.assign(w1.data, w1.data + w1.rows * w1.cols);
  arrays["w1"] = bytes;
  arrays["w1_scales"] = tools::make_npy_f32({w1.rows}, scales.data());
  const std::vector<uint8_t> imported = convert_spec(arrays, two_layer_spec(""));
  CHECK(layer_dtype(imported, 1) == DType::kQ8Col);
  require_same_logits(rows, imported);
}
