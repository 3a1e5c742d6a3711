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
// that alters one bit of the shipped model's answers fails here. Re-recorded
// for every shipped model since (the latest: stop 34's, whose 2-, 3-, 4-gram
// and word tables are each read with two seeds).
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
      {"Language identification works best on a sentence or two of ordinary text.", 61, 0x6dea95be2035458dull,
       {"en", "fr", "de"}, {0x3f7f84e9, 0x3a01d649, 0x39435153}, 0x04eb6649c8ae9669ull,
       {0x3f7f84e7, 0x3a01d648, 0x39435152}},
      {"Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund.", 46, 0xad237adbc5b225f8ull,
       {"de", "lb", "sv"}, {0x3f7ff9ae, 0x387e3cad, 0x3703873d}, 0x17668b21550ef7c9ull,
       {0x3f7ff9b8, 0x387e3cb7, 0x37038742}},
      {"O\xC3\xB9 est la gare ?", 11, 0x444001dc0b843a9aull,
       {"fr", "ast", "ca"}, {0x3f6140cd, 0x3d09b985, 0x3c981657}, 0x79e48b3b02ec0e91ull,
       {0x3f6140d1, 0x3d09b987, 0x3c98165a}},
      {"\xD0\x91\xD1\x8B\xD1\x81\xD1\x82\xD1\x80\xD0\xB0\xD1\x8F \xD0\xBA\xD0\xBE\xD1\x80\xD0\xB8\xD1\x87\xD0\xBD\xD0\xB5"
       "\xD0\xB2\xD0\xB0\xD1\x8F \xD0\xBB\xD0\xB8\xD1\x81\xD0\xB0 \xD0\xBF\xD1\x80\xD1\x8B\xD0\xB3\xD0\xB0\xD0\xB5\xD1\x82"
       " \xD1\x87\xD0\xB5\xD1\x80\xD0\xB5\xD0\xB7 \xD0\xBB\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB2\xD1\x83\xD1\x8E \xD1\x81\xD0\xBE"
       "\xD0\xB1\xD0\xB0\xD0\xBA\xD1\x83.",
       46, 0x9ea5f7facd52c3ceull,
       {"ru", "uk", "be"}, {0x3f7dafd8, 0x3bd26006, 0x3a6eceb9}, 0x80e05a73beceb8c1ull,
       {0x3f7dafda, 0x3bd26008, 0x3a6ecebb}},
      {"\xE9\xA7\x85\xE3\x81\xAF\xE3\x81\xA9\xE3\x81\x93\xE3\x81\xA7\xE3\x81\x99\xE3\x81\x8B", 7, 0xf09146bff0798153ull,
       {"ja", "th", "yue"}, {0x3f7eec09, 0x3add6cae, 0x39073760}, 0xd714d9dea41a09fbull,
       {0x3f7eec03, 0x3add6ca9, 0x3907375d}},
      {"ok", 2, 0x085edc3b179effceull,
       {"cgg", "tr", "hu"}, {0x3ebcc1a9, 0x3e0c8dc9, 0x3de5716c}, 0x10eccb252265a67aull,
       {0x3ebcc1ac, 0x3e0c8dcb, 0x3de5716f}},
      {"12345 !!!", 0, 0xb1a46cc92ae83fd3ull,
       {"und", nullptr, nullptr}, {0x00000000, 0, 0}, 0xb1a46cc92ae83fd3ull,
       {0x00000000, 0, 0}},
      {"This part is English. T\xC3\xA4m\xC3\xA4 osa on kirjoitettu suomeksi.", 45, 0xc89b95f4200c4864ull,
       {"fi", "fkv", "krl"}, {0x3f72e481, 0x3d3c87ef, 0x3ab45b56}, 0x426622b042e1d5f0ull,
       {0x3f72e47e, 0x3d3c87ec, 0x3ab45b54}},
      {"x\xff\xfe y", 2, 0x4f263486ad31476aull,
       {"es", "cs", "ztu"}, {0x3f24d6cb, 0x3d5263da, 0x3d47fe25}, 0x507c510d533d84d2ull,
       {0x3f24d6ca, 0x3d5263d9, 0x3d47fe24}},
      {text_of_size("Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund. ", 3000), 2438, 0xa9bde254427a5ac2ull,
       {"de", "lb", "sv"}, {0x3f800000, 0x00000000, 0x00000000}, 0xa9bde254427a5ac2ull,
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
