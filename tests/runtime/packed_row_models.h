// Models with packed embedding tables (q4_row, q4_row_bf16, q3_row_bf16)
// and their twins with f32 tables of the same values, for the format tests
// (test_q4_row_format.cpp, test_q3_row_format.cpp): a twin must answer bit
// for bit as the packed model. Also a model's logits for a text
// (test_q8_col_format.cpp too).
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "float_bits.h"
#include "load_cases.h"
#include "network/kernels.h"
#include "test_models.h"

namespace ffnlp {
namespace testing {
namespace packed_rows {

// The f32 table holding exactly the values a packed table stands for.
inline tools::TensorToWrite dequantized_table(const tools::TensorToWrite& t) {
  std::vector<float> v;
  const size_t row_bytes = tensor_row_bytes(t.dtype, t.cols);
  for (uint64_t r = 0; r < t.rows; ++r) {
    for (uint64_t c = 0; c < t.cols; ++c) {
      v.push_back(dequantize(stored_value(t.dtype, t.q.data() + r * row_bytes, c), t.scales[r], t.zero_point));
    }
  }
  return f32_tensor(t.name, t.rows, t.cols, v);
}

// Four channels (dims 16, 7, 16 and 33) -> hidden 12 (relu) -> 5 labels.
// packed: the tables of dtype as written; else f32 tables of their values.
// The third channel is q8_row in both (a q8 channel among the packed ones).
inline std::vector<uint8_t> packed_classifier(uint32_t seed, bool packed, DType dtype) {
  struct Table {
    const char* kind;
    uint32_t order, buckets, dims;
    bool q8;
  };
  const Table tables[] = {{"char_ngram", 1, 97, 16, false},
                          {"char_ngram", 2, 131, 7, false},
                          {"char_ngram", 3, 89, 16, true},
                          {"word", 0, 61, 33, false}};
  std::mt19937 rng(seed);
  tools::ModelWriter w;
  std::vector<tools::ChannelMetadata> channels;
  uint32_t width = 0;
  for (const Table& t : tables) {
    tools::ChannelMetadata c;
    c.kind = t.kind;
    c.order = t.order;
    c.seed = static_cast<uint32_t>(channels.size()) + 3;
    c.embedding = "emb" + std::to_string(channels.size());
    const std::vector<float> v = random_values(rng, size_t{t.buckets} * t.dims, 1.0f);
    if (t.q8) w.add_tensor(q8_tensor(c.embedding, t.buckets, t.dims, v));
    else if (packed) w.add_tensor(packed_tensor(c.embedding, t.buckets, t.dims, v, dtype));
    else w.add_tensor(dequantized_table(packed_tensor(c.embedding, t.buckets, t.dims, v, dtype)));
    channels.push_back(c);
    width += t.dims;
  }
  const uint32_t hidden = 12, labels = 5;
  w.add_tensor(f32_tensor("hidden_w", hidden, width, random_values(rng, size_t{hidden} * width, 0.5f)));
  w.add_tensor(f32_tensor("hidden_b", hidden, 1, random_values(rng, hidden, 0.1f), 1));
  w.add_tensor(f32_tensor("out_w", labels, hidden, random_values(rng, size_t{labels} * hidden, 1.0f)));
  w.add_tensor(f32_tensor("out_b", labels, 1, random_values(rng, labels, 0.1f), 1));
  w.set_string("general.task", "classifier");
  tools::write_features(w, tools::TextMetadata(), channels);
  set_two_layer_metadata(w);
  w.set_strings("labels", {"a", "b", "c", "d", "e"});
  return w.build();
}

// The token network n as a tagger whose tables are of dtype (packed) or
// f32 tables of their values.
inline std::vector<uint8_t> packed_tagger(const TokenNetwork& n, bool packed, DType dtype) {
  tools::ModelWriter w;
  for (size_t c = 0; c < n.channels.size(); ++c) {
    const tools::TensorToWrite t =
        packed_tensor(n.channels[c].embedding, n.channels[c].buckets, n.channels[c].dims, n.tables[c], dtype);
    w.add_tensor(packed ? t : dequantized_table(t));
  }
  w.add_tensor(f32_tensor("hidden_w", TokenNetwork::kHidden, n.input_width, n.hidden_w));
  w.add_tensor(f32_tensor("hidden_b", TokenNetwork::kHidden, 1, n.hidden_b, 1));
  w.add_tensor(f32_tensor("out_w", TokenNetwork::kLabels, TokenNetwork::kHidden, n.out_w));
  w.add_tensor(f32_tensor("out_b", TokenNetwork::kLabels, 1, n.out_b, 1));
  set_token_metadata(w, n);
  return w.build();
}

// accumulate_q4_row (Bits 4) or accumulate_q3_row (Bits 3), and the 16-wide
// form, against the reference loop bit for bit, widths 1 to 40, with the
// zero points given; each row alone in a buffer of exactly its bytes (a
// read past them is a heap overflow under ASan), its pad bits 0.
template <uint32_t Bits>
void check_row_kernels(uint32_t seed, std::initializer_list<uint32_t> zero_points) {
  std::mt19937 rng(seed);
  for (uint32_t dims = 1; dims <= 40; ++dims) {
    CAPTURE(dims);
    std::vector<uint8_t> packed(Bits == 3 ? q3_row_bytes(dims) : q4_row_bytes(dims));
    for (uint8_t& b : packed) b = static_cast<uint8_t>(rng());
    const uint32_t used = dims * Bits % 8;  // bits of the last byte that hold values (0: all)
    if (used != 0) packed.back() = static_cast<uint8_t>(packed.back() & ((1u << used) - 1));
    const std::vector<float> start = random_values(rng, dims, 3.0f);
    for (uint32_t zp : zero_points) {
      const int32_t z = static_cast<int32_t>(zp);
      std::vector<float> a = start, b = start, c = start;
      if (Bits == 3) {
        accumulate_q3_row(packed.data(), 0.37f, z, a.data(), dims);
        reference::accumulate_q3_row(packed.data(), 0.37f, z, b.data(), dims);
        if (dims == 16) accumulate_q3_row16(packed.data(), 0.37f, z, c.data());
      } else {
        accumulate_q4_row(packed.data(), 0.37f, z, a.data(), dims);
        reference::accumulate_q4_row(packed.data(), 0.37f, z, b.data(), dims);
        if (dims == 16) accumulate_q4_row16(packed.data(), 0.37f, z, c.data());
      }
      for (uint32_t j = 0; j < dims; ++j) {
        const uint8_t q = Bits == 3 ? q3_at(packed.data(), j) : q4_at(packed.data(), j);
        CHECK(float_bits(a[j]) == float_bits(b[j]));
        CHECK(float_bits(b[j]) == float_bits(start[j] + dequantize(q, 0.37f, zp)));
        if (dims == 16) CHECK(float_bits(c[j]) == float_bits(b[j]));
      }
    }
  }
}

inline Model loaded_model(const std::vector<uint8_t>& bytes) {
  Model m;
  Error e;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kOk, e.message);
  return m;
}

// The view of t written alone in a file (*bytes, which *m views), after
// checking its dtype, shape and zero point against t's.
inline const TensorView& written_and_loaded(const tools::TensorToWrite& t, std::vector<uint8_t>* bytes, Model* m) {
  tools::ModelWriter w;
  w.add_tensor(t);
  *bytes = w.build();
  Error e;
  REQUIRE_MESSAGE(Model::load(bytes->data(), bytes->size(), m, &e) == Status::kOk, e.message);
  const TensorView* v = m->find_tensor(t.name.c_str());
  REQUIRE(v != nullptr);
  CHECK(v->dtype == t.dtype);
  CHECK(v->rows == t.rows);
  CHECK(v->cols == t.cols);
  CHECK(v->zero_point == t.zero_point);
  return *v;
}

inline std::vector<float> logits_for(const Model& m, const std::string& text) {
  Workspace ws(m);
  REQUIRE(ws.ok());
  std::vector<float> out(m.label_count());
  Input input;
  input.text = text.data();
  input.size = text.size();
  REQUIRE(m.logits(input, ws.data(), ws.size(), out.data(), out.size(), nullptr, nullptr) == Status::kOk);
  return out;
}

// A text past the runtime's long-text threshold (4096 bytes): the counted path.
inline std::string long_test_text() {
  std::string s;
  std::mt19937 rng(5);
  const char* words[] = {"der", "quick", "brown", "fox", "jumps", "über", "den", "lazy", "Hund", "naïve", "x"};
  while (s.size() < 20000) s += std::string(words[rng() % 11]) + (rng() % 7 == 0 ? ". " : " ");
  return s;
}

// The texts the classifier tests read: short ones, one of more than one
// 64-row batch per channel (short of the long-text path), and a long one.
inline std::vector<std::string> classifier_test_texts() {
  std::string many_rows;
  while (many_rows.size() < 3000) many_rows += "pack my box with five dozen liquor jugs ";
  return {"x", "hello world", "the quick brown fox jumps over the lazy dog", "ein kleiner Text, naïve café", many_rows,
          long_test_text()};
}

// The classifier of dtype tables and its f32 twin give the same logits bit
// for bit; the tagger likewise its labels and probabilities.
inline void check_packed_classifier_bit_for_bit(uint32_t seed, DType dtype) {
  const std::vector<uint8_t> packed = packed_classifier(seed, true, dtype), f32 = packed_classifier(seed, false, dtype);
  const Model mq = loaded_model(packed), mf = loaded_model(f32);
  CHECK(mq.channel(0).embedding.dtype == dtype);
  CHECK(mq.channel(1).dims == 7);
  CHECK(mq.channel(2).embedding.dtype == DType::kQ8Row);
  CHECK(mf.channel(0).embedding.dtype == DType::kF32);
  for (const std::string& text : classifier_test_texts()) {
    CAPTURE(text.size());
    const std::vector<float> a = logits_for(mq, text), b = logits_for(mf, text);
    for (size_t k = 0; k < a.size(); ++k) {
      CAPTURE(k);
      CHECK(float_bits(a[k]) == float_bits(b[k]));
    }
  }
}

inline void check_packed_tagger_bit_for_bit(uint32_t seed, DType dtype) {
  const TokenNetwork n = make_token_network(seed);
  const std::vector<uint8_t> packed = packed_tagger(n, true, dtype), f32 = packed_tagger(n, false, dtype);
  const Model mq = loaded_model(packed), mf = loaded_model(f32);
  CHECK(mq.channel(0).embedding.dtype == dtype);
  const std::string text = "The old man saw the boat. Boats 1,000 U.S. ships -- don't ask.";
  Workspace wq(mq), wf(mf);
  std::vector<TaggedToken> a(text.size()), b(text.size());
  size_t na = 0, nb = 0;
  REQUIRE(mq.tag(text.data(), text.size(), wq, a.data(), a.size(), &na) == Status::kOk);
  REQUIRE(mf.tag(text.data(), text.size(), wf, b.data(), b.size(), &nb) == Status::kOk);
  REQUIRE(na == nb);
  REQUIRE(na > 10);
  for (size_t i = 0; i < na; ++i) {
    CAPTURE(i);
    CHECK(a[i].label_index == b[i].label_index);
    CHECK(float_bits(a[i].probability) == float_bits(b[i].probability));
  }
}

}  // namespace packed_rows
}  // namespace testing
}  // namespace ffnlp
