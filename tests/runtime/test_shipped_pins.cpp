// The shipped language identifier (models/langid.ffm, format version 2: word
// channel, 8-bit dense layers, a stored prior) pinned bit for bit: every
// probability of scores() (as an FNV-1a hash of the float bits) and
// classify()'s top three (default options: the model's prior applied).
// Recorded when the model was trained (tools/train/EXPERIMENTS.md, "Everyday
// text"), then re-recorded when the 8-bit dense layers moved to the integer
// kernel (network/dense_q8_int.h: activations rounded to int16, so the last
// bits of every probability moved; the labels and top three did not; the
// float kernel's distance is bounded in test_dense_q8_int.cpp). Any change to feature
// extraction, accumulation order, the dense kernels, the prior or softmax
// that alters one bit of the shipped model's answers fails here.
//
// The bits depend on the kernel path the CPU takes (the softmax exp: AVX2+FMA
// rounds otherwise than SSE2; the 8-bit dense layers give the same bits on
// every path), so there is one pin set per x86-64 path (the SSE2 set
// from a build with -DFFNLP_NO_AVX2). Other paths (NEON, scalar) must give the same labels
// and probabilities within 1e-5 of the AVX2 set. Includes the internal
// network/kernels.h on purpose: to know the path.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "float_bits.h"
#include "network/kernels.h"
#include "test_paths.h"

using namespace ffnlp;
using ffnlp::testing::float_bits;
using ffnlp::testing::float_from_bits;

namespace {

uint64_t hash_bits(const std::vector<float>& values) {
  uint64_t h = 1469598103934665603ull;
  for (float f : values) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    for (int i = 0; i < 4; ++i) {
      h ^= (b >> (8 * i)) & 0xFF;
      h *= 1099511628211ull;
    }
  }
  return h;
}

struct Pin {
  std::string text;
  uint32_t letters;
  uint64_t scores_hash;  // AVX2+FMA path
  const char* labels[3];
  uint32_t probability_bits[3];
  uint64_t sse2_scores_hash;  // SSE2 path
  uint32_t sse2_probability_bits[3];
};

std::string text_of_size(const char* part, size_t bytes) {
  std::string t;
  while (t.size() < bytes) t += part;
  return t;
}

}  // namespace

TEST_CASE("shipped model: answers pinned bit for bit (texts below the long-text threshold)") {
  MappedFile file;
  Model model;
  Error error;
  REQUIRE_MESSAGE(load_file(testing::source_path("models/langid.ffm").c_str(), &file, &model, &error) == Status::kOk, error.message);
  CHECK(model.format_version() == 2);
  const Pin pins[] = {
      {"Language identification works best on a sentence or two of ordinary text.", 61, 0xc704b96e4f5ec0ccull,
       {"en", "fr", "de"}, {0x3f7fac26, 0x394dfa96, 0x390995f2}, 0xf42f9cea9567e751ull,
       {0x3f7fac2f, 0x394dfa9d, 0x390995f7}},
      {"Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund.", 46, 0x07ed6f943ef7d338ull,
       {"de", "sv", "fr"}, {0x3f7ffc50, 0x3722e9fd, 0x36fb79a4}, 0xd66f98cb925d4ea1ull,
       {0x3f7ffc5e, 0x3722ea06, 0x36fb79b1}},
      {"O\xC3\xB9 est la gare ?", 11, 0x62906ff68d8900eeull,
       {"vec", "br", "fr"}, {0x3eb9f8f8, 0x3e72989c, 0x3dc1b55d}, 0xde7d1efab8f94d3dull,
       {0x3eb9f8f9, 0x3e72989e, 0x3dc1b55f}},
      {"\xD0\x91\xD1\x8B\xD1\x81\xD1\x82\xD1\x80\xD0\xB0\xD1\x8F \xD0\xBA\xD0\xBE\xD1\x80\xD0\xB8\xD1\x87\xD0\xBD\xD0\xB5"
       "\xD0\xB2\xD0\xB0\xD1\x8F \xD0\xBB\xD0\xB8\xD1\x81\xD0\xB0 \xD0\xBF\xD1\x80\xD1\x8B\xD0\xB3\xD0\xB0\xD0\xB5\xD1\x82"
       " \xD1\x87\xD0\xB5\xD1\x80\xD0\xB5\xD0\xB7 \xD0\xBB\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB2\xD1\x83\xD1\x8E \xD1\x81\xD0\xBE"
       "\xD0\xB1\xD0\xB0\xD0\xBA\xD1\x83.",
       46, 0xc28668ce2c50f399ull,
       {"ru", "be", "uk"}, {0x3f7ea336, 0x3b1879a5, 0x3ae5922f}, 0x1c1e9d618661586dull,
       {0x3f7ea332, 0x3b1879a2, 0x3ae5922b}},
      {"\xE9\xA7\x85\xE3\x81\xAF\xE3\x81\xA9\xE3\x81\x93\xE3\x81\xA7\xE3\x81\x99\xE3\x81\x8B", 7, 0x1f9e8b7dfddb3e36ull,
       {"ja", "el", "or"}, {0x3f7f5159, 0x39dd355b, 0x392c8b3d}, 0xe3b7932cda246854ull,
       {0x3f7f5157, 0x39dd3559, 0x392c8b3c}},
      {"ok", 2, 0x38fbad2ac07d917cull,
       {"en", "sw", "id"}, {0x3e650da6, 0x3e5dc891, 0x3e17402c}, 0xc52f4e26b346a1e4ull,
       {0x3e650da8, 0x3e5dc893, 0x3e17402e}},
      {"12345 !!!", 0, 0xb1a46cc92ae83fd3ull,
       {"und", nullptr, nullptr}, {0x00000000, 0, 0}, 0xb1a46cc92ae83fd3ull,
       {0x00000000, 0, 0}},
      {"This part is English. T\xC3\xA4m\xC3\xA4 osa on kirjoitettu suomeksi.", 45, 0xe070f1c4c56a0812ull,
       {"fi", "fkv", "et"}, {0x3f643ffe, 0x3da70b08, 0x3c64d430}, 0x1b6d93d9e05bd9aeull,
       {0x3f643ffb, 0x3da70b06, 0x3c64d42d}},
      {"x\xff\xfe y", 2, 0xd6b440441d39d96eull,
       {"vi", "duu", "pt"}, {0x3f57196d, 0x3cc4fd46, 0x3c872af4}, 0xcb1066eb5b4989bcull,
       {0x3f57196d, 0x3cc4fd46, 0x3c872af4}},
      {text_of_size("Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund. ", 3000), 2438, 0xa9bde254427a5ac2ull,
       {"de", "sv", "fr"}, {0x3f800000, 0x00000000, 0x00000000}, 0xa9bde254427a5ac2ull,
       {0x3f800000, 0x00000000, 0x00000000}},
  };
  const std::string path = kernel_path();
  const bool avx2 = path.compare(0, 4, "avx2") == 0, sse2 = path.compare(0, 4, "sse2") == 0;
  INFO("kernel path: " << path);
  Workspace workspace(model);
  REQUIRE(workspace.ok());
  std::vector<float> probs(model.label_count());
  for (const Pin& pin : pins) {
    CAPTURE(pin.text);
    TextStats stats;
    REQUIRE(model.scores(pin.text.data(), pin.text.size(), workspace.data(), workspace.size(), probs.data(),
                         probs.size(), &stats) == Status::kOk);
    CHECK(stats.letters == pin.letters);
    if (avx2) CHECK(hash_bits(probs) == pin.scores_hash);
    if (sse2) CHECK(hash_bits(probs) == pin.sse2_scores_hash);
    Prediction top[3];
    size_t count = 0;
    REQUIRE(model.classify(pin.text.data(), pin.text.size(), workspace, top, 3, &count) == Status::kOk);
    const size_t expected = pin.labels[1] == nullptr ? 1 : 3;
    REQUIRE(count == expected);
    if (std::getenv("FFNLP_RECORD_PINS") != nullptr) {  // re-recording: tests/runtime/record_pins.py
      std::printf("PIN %u 0x%016llxull", stats.letters, static_cast<unsigned long long>(hash_bits(probs)));
      for (size_t i = 0; i < count; ++i) std::printf(" %s 0x%08x", top[i].label, float_bits(top[i].probability));
      std::printf(" | %s\n", path.c_str());
    }
    for (size_t i = 0; i < count; ++i) {
      CHECK(std::string(top[i].label) == pin.labels[i]);
      if (avx2) CHECK(float_bits(top[i].probability) == pin.probability_bits[i]);
      else if (sse2) CHECK(float_bits(top[i].probability) == pin.sse2_probability_bits[i]);
      else CHECK(top[i].probability == doctest::Approx(float_from_bits(pin.probability_bits[i])).epsilon(1e-5));
    }
  }
}
