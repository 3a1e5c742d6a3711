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
      {"Language identification works best on a sentence or two of ordinary text.", 61, 0x08e27da8e50c8025ull,
       {"en", "fr", "ro"}, {0x3f7fa7d8, 0x390efb50, 0x389ce65e}, 0xf9f2e3225d79f910ull,
       {0x3f7fa7da, 0x390efb51, 0x389ce65f}},
      {"Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund.", 46, 0x1fdffa68198b1c71ull,
       {"de", "lb", "da"}, {0x3f7ff866, 0x37fd9392, 0x37be58e1}, 0x3dfb9a579bd3e7d0ull,
       {0x3f7ff86e, 0x37fd939a, 0x37be58e7}},
      {"O\xC3\xB9 est la gare ?", 11, 0xcef2dc2d126a1dd4ull,
       {"fr", "co", "it"}, {0x3f7f5c09, 0x3a3de08c, 0x3a003531}, 0x11509f6f1ab5723eull,
       {0x3f7f5c0b, 0x3a3de08d, 0x3a003532}},
      {"\xD0\x91\xD1\x8B\xD1\x81\xD1\x82\xD1\x80\xD0\xB0\xD1\x8F \xD0\xBA\xD0\xBE\xD1\x80\xD0\xB8\xD1\x87\xD0\xBD\xD0\xB5"
       "\xD0\xB2\xD0\xB0\xD1\x8F \xD0\xBB\xD0\xB8\xD1\x81\xD0\xB0 \xD0\xBF\xD1\x80\xD1\x8B\xD0\xB3\xD0\xB0\xD0\xB5\xD1\x82"
       " \xD1\x87\xD0\xB5\xD1\x80\xD0\xB5\xD0\xB7 \xD0\xBB\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB2\xD1\x83\xD1\x8E \xD1\x81\xD0\xBE"
       "\xD0\xB1\xD0\xB0\xD0\xBA\xD1\x83.",
       46, 0xcd5bc0b8104630c6ull,
       {"ru", "uk", "be"}, {0x3f7e170b, 0x3b79139e, 0x3a9b64c2}, 0xbac1cb249fbdbc09ull,
       {0x3f7e1709, 0x3b79139c, 0x3a9b64c1}},
      {"\xE9\xA7\x85\xE3\x81\xAF\xE3\x81\xA9\xE3\x81\x93\xE3\x81\xA7\xE3\x81\x99\xE3\x81\x8B", 7, 0x03a42b3fa417e2bcull,
       {"ja", "am", "gu"}, {0x3f7edebe, 0x3a15c8e9, 0x39c61d82}, 0xdec36501c320ee55ull,
       {0x3f7edec4, 0x3a15c8ed, 0x39c61d86}},
      {"ok", 2, 0x499e6ffaf2c57512ull,
       {"fy", "sk", "nl"}, {0x3f157b4e, 0x3dc338df, 0x3d8ff356}, 0xebeebf78c99a4bc5ull,
       {0x3f157b4e, 0x3dc338df, 0x3d8ff356}},
      {"12345 !!!", 0, 0xb1a46cc92ae83fd3ull,
       {"und", nullptr, nullptr}, {0x00000000, 0, 0}, 0xb1a46cc92ae83fd3ull,
       {0x00000000, 0, 0}},
      {"This part is English. T\xC3\xA4m\xC3\xA4 osa on kirjoitettu suomeksi.", 45, 0x340f4e45271ef878ull,
       {"fi", "fkv", "krl"}, {0x3f7cb35d, 0x3b7d611c, 0x3a99589b}, 0x005b8965ced2f103ull,
       {0x3f7cb359, 0x3b7d6118, 0x3a995899}},
      {"x\xff\xfe y", 2, 0x9e66488ec8ad1a32ull,
       {"vi", "zam", "ku"}, {0x3f1074bc, 0x3dae36cc, 0x3da7725c}, 0xdeeefea68f840b21ull,
       {0x3f1074bc, 0x3dae36cc, 0x3da7725c}},
      {text_of_size("Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund. ", 3000), 2438, 0xa9bde254427a5ac2ull,
       {"de", "lb", "da"}, {0x3f800000, 0x00000000, 0x00000000}, 0xa9bde254427a5ac2ull,
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
