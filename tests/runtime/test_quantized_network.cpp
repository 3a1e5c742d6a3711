// 8-bit dense layers (q8_row: one scale per output row, integer zero point;
// q8_row_fzp, dtype 3: f32 scale and f32 zero point per row, as PyTorch's
// per_channel_affine_float_qparams) and dtype 3 embedding tables, end to end
// against a double-precision reference on the dequantized values; the
// loader's checks of dtype 3; the converter's [layer] quantize = 1.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "load_cases.h"
#include "test_models.h"
#include "tools/common/npy.h"
#include "tools/convert_model/converter.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

// A q8_row_fzp table with random scales and float zero points.
tools::TensorToWrite fzp_tensor(const std::string& name, uint32_t rows, uint32_t cols, std::mt19937& rng) {
  tools::TensorToWrite t;
  t.name = name;
  t.dtype = DType::kQ8RowFzp;
  t.rows = rows;
  t.cols = cols;
  t.q.resize(size_t{rows} * cols);
  for (uint8_t& x : t.q) x = static_cast<uint8_t>(rng());
  std::uniform_real_distribution<float> s(0.001f, 0.02f), z(0.0f, 255.0f);
  for (uint32_t r = 0; r < rows; ++r) {
    t.scales.push_back(s(rng));
    t.zero_points.push_back(z(rng));
  }
  return t;
}

// Dequantized values of a tensor as the runtime defines them.
std::vector<double> values(const TensorView& t) {
  std::vector<double> v;
  for (uint64_t r = 0; r < t.rows; ++r)
    for (uint64_t c = 0; c < t.cols; ++c) v.push_back(t.at(r, c));
  return v;
}

// Single char_ngram unigram channel over "abc": rows of 'a', 'b', 'c'.
std::vector<uint8_t> build(std::mt19937& rng, DType hidden, DType output, DType embedding) {
  tools::ModelWriter w;
  const std::vector<float> emb = random_values(rng, 11 * 6, 1.0f);
  if (embedding == DType::kQ8RowFzp) w.add_tensor(fzp_tensor("emb", 11, 6, rng));
  else w.add_tensor(q8_tensor("emb", 11, 6, emb));
  auto layer = [&](const std::string& name, uint32_t out, uint32_t in, DType d) {
    const std::vector<float> v = random_values(rng, size_t{out} * in, 1.0f);
    if (d == DType::kF32) w.add_tensor(f32_tensor(name, out, in, v));
    else if (d == DType::kQ8Row) w.add_tensor(q8_tensor(name, out, in, v));
    else w.add_tensor(fzp_tensor(name, out, in, rng));
  };
  layer("hidden_w", 24, 6, hidden);
  w.add_tensor(f32_tensor("hidden_b", 24, 1, random_values(rng, 24, 0.1f), 1));
  layer("out_w", 5, 24, output);
  w.add_tensor(f32_tensor("out_b", 5, 1, random_values(rng, 5, 0.1f), 1));
  w.set_string("general.task", "classifier");
  tools::ChannelMetadata c;
  c.kind = "char_ngram";
  c.order = 1;
  c.seed = 3;
  c.embedding = "emb";
  tools::write_features(w, tools::TextMetadata(), {c});
  set_two_layer_metadata(w);
  w.set_strings("labels", {"a", "b", "c", "d", "e"});
  return w.build();
}

std::vector<double> dequantized_reference(const Model& m, const std::vector<uint32_t>& rows) {
  const ChannelInfo& ch = m.channel(0);
  const std::vector<double> emb = values(ch.embedding);
  std::vector<double> x(ch.dims, 0.0);
  for (uint32_t r : rows)
    for (uint32_t j = 0; j < ch.dims; ++j) x[j] += emb[r * ch.dims + j] / rows.size();
  for (uint32_t l = 0; l < m.layer_count(); ++l) {
    const LayerInfo& layer = m.layer(l);
    const std::vector<double> w = values(layer.weights), b = values(layer.bias);
    std::vector<double> y(layer.out);
    for (uint32_t o = 0; o < layer.out; ++o) {
      double s = b[o];
      for (uint32_t i = 0; i < layer.in; ++i) s += w[o * layer.in + i] * x[i];
      y[o] = layer.activation == Activation::kRelu && s < 0 ? 0 : s;
    }
    x = y;
  }
  double mx = -1e300, total = 0;
  for (double v : x) mx = v > mx ? v : mx;
  for (double& v : x) total += (v = std::exp(v - mx));
  for (double& v : x) v /= total;
  return x;
}

}  // namespace

TEST_CASE("quantized network: 8-bit dense layers and dtype 3 tables against a double reference") {
  std::mt19937 rng(31);
  const DType kinds[] = {DType::kF32, DType::kQ8Row, DType::kQ8RowFzp};
  for (DType hidden : kinds) {
    for (DType output : kinds) {
      for (DType embedding : {DType::kQ8Row, DType::kQ8RowFzp}) {
        const std::vector<uint8_t> bytes = build(rng, hidden, output, embedding);
        Model m;
        Error e;
        REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kOk, e.message);
        CHECK(m.layer(0).weights.dtype == hidden);
        CHECK(m.layer(1).weights.dtype == output);
        CHECK(m.channel(0).embedding.dtype == embedding);
        Workspace ws(m);
        float probs[5];
        REQUIRE(m.scores("abcab", 5, ws.data(), ws.size(), probs, 5) == Status::kOk);
        std::vector<uint32_t> rows;  // unigram rows: bucket_of(hash of the letter, 11)
        for (char ch : std::string("abcab")) {
          const uint32_t cp = static_cast<uint8_t>(ch);
          rows.push_back(bucket_of(hash_code_points(&cp, 1, 3), 11));
        }
        const std::vector<double> want = dequantized_reference(m, rows);
        for (int i = 0; i < 5; ++i) {
          INFO("hidden " << static_cast<int>(hidden) << " output " << static_cast<int>(output) << " emb "
                         << static_cast<int>(embedding));
          CHECK(probs[i] == doctest::Approx(want[i]).epsilon(1e-4));
        }
      }
    }
  }
}

TEST_CASE("quantized network: dtype 3 values are (float(q) - zp) * s, as torch dequantizes") {
  std::mt19937 rng(32);
  tools::ModelWriter w;
  tools::TensorToWrite t = fzp_tensor("t", 4, 7, rng);
  t.zero_points[2] = -3.25f;  // torch allows any float zero point
  const tools::TensorToWrite copy = t;
  w.add_tensor(std::move(t));
  const std::vector<uint8_t> bytes = w.build();
  Model m;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &m, nullptr) == Status::kOk);
  const TensorView* v = m.find_tensor("t");
  REQUIRE(v != nullptr);
  CHECK(v->dtype == DType::kQ8RowFzp);
  for (uint32_t r = 0; r < 4; ++r) {
    CHECK(v->row_scale(r) == copy.scales[r]);
    CHECK(v->row_zero_point(r) == copy.zero_points[r]);
    for (uint32_t c = 0; c < 7; ++c) {
      const float expected = (static_cast<float>(copy.q[r * 7 + c]) - copy.zero_points[r]) * copy.scales[r];
      CHECK(v->at(r, c) == expected);
      CHECK(dequantize_fzp(copy.q[r * 7 + c], copy.scales[r], copy.zero_points[r]) == expected);
    }
  }
}

TEST_CASE("quantized network: the loader's checks of dtype 3 and 8-bit layers") {
  std::mt19937 rng(33);
  tools::ModelWriter w;
  w.add_tensor(fzp_tensor("t", 4, 7, rng));
  const std::vector<uint8_t> good = w.build();
  const size_t e0 = tensor_entry(good, 0);
  const size_t scales = static_cast<size_t>(get_u64(good.data() + e0 + format::kEntScalesOffset));
  const std::vector<LoadCase> cases = {
      {"version 1 file", [](auto& b) { put_u32(b, format::kOffVersion, 1); }, Status::kBadTensor, "needs format version 2"},
      {"zero point field", [e0](auto& b) { put_u32(b, e0 + format::kEntZeroPoint, 128); }, Status::kBadTensor, "zero point"},
      {"scales region of rows x 4", [e0](auto& b) { put_u64(b, e0 + format::kEntScalesSize, 16); }, Status::kBadTensor, "rows x 8 bytes"},
      {"NaN zero point", [scales](auto& b) { put_u32(b, scales + 16 + 4, 0x7FC00000u); }, Status::kNonFinite, "row 1 has a zero point"},
      {"infinite zero point", [scales](auto& b) { put_u32(b, scales + 16, 0xFF800000u); }, Status::kNonFinite, "row 0 has a zero point"},
      {"negative scale", [scales](auto& b) { put_u32(b, scales + 8, 0xBF800000u); }, Status::kBadTensor, "row 2 has scale"},
  };
  check_load_cases(good, cases);
  // 8-bit layer weights in a version 1 file are refused (old runtimes would
  // have refused them too); a q8 bias is refused.
  std::vector<uint8_t> v1 = build(rng, DType::kQ8Row, DType::kF32, DType::kQ8Row);
  put_u32(v1, format::kOffVersion, 1);
  reseal(v1);
  Model m;
  Error e;
  CHECK(Model::load(v1.data(), v1.size(), &m, &e) == Status::kBadShape);
  CHECK(std::strstr(e.message, "need format version 2") != nullptr);
}

TEST_CASE("quantized network: convert_model quantizes a [layer] with quantize = 1, per output row") {
  std::mt19937 rng(34);
  std::map<std::string, tools::NpyArray> arrays;
  const std::vector<float> w0 = random_values(rng, 8 * 6, 1.0f);
  arrays["e"] = tools::make_npy_f32({11, 6}, random_values(rng, 66, 1.0f).data());
  arrays["w0"] = tools::make_npy_f32({8, 6}, w0.data());
  arrays["b0"] = tools::make_npy_f32({8}, random_values(rng, 8, 0.1f).data());
  arrays["w1"] = tools::make_npy_f32({2, 8}, random_values(rng, 16, 1.0f).data());
  arrays["b1"] = tools::make_npy_f32({2}, random_values(rng, 2, 0.1f).data());
  tools::ConvertOptions options;
  options.spec_text =
      "[model]\ntask = classifier\n[channel]\nkind = char_ngram\norder = 1\nembedding = e\n"
      "[layer]\nweights = w0\nbias = b0\nactivation = relu\nquantize = 1\n"
      "[layer]\nweights = w1\nbias = b1\nactivation = softmax\n[labels]\nx\ny\n";
  const std::vector<uint8_t> bytes = tools::convert(arrays, options);
  Model m;
  Error e;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kOk, e.message);
  CHECK(m.format_version() == 2);
  const TensorView& q = m.layer(0).weights;
  CHECK(q.dtype == DType::kQ8Row);
  CHECK(q.zero_point == kDefaultZeroPoint);
  CHECK(m.layer(1).weights.dtype == DType::kF32);
  // The same formula as embeddings: quantize_row over each output row.
  for (uint32_t r = 0; r < 8; ++r) {
    uint8_t row[6];
    const float scale = quantize_row(w0.data() + r * 6, 6, kDefaultZeroPoint, Rounding::kHalfUp, row);
    CHECK(q.row_scale(r) == scale);
    for (uint32_t c = 0; c < 6; ++c) CHECK(q.data[r * 6 + c] == row[c]);
  }
}
