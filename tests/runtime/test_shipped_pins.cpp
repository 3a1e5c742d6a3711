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
      {"Language identification works best on a sentence or two of ordinary text.", 61, 0xc9a3080d7e6f2ba2ull,
       {"en", "nl", "de"}, {0x3f4cd3da, 0x3d2915c4, 0x3cda09a5}, 0xfa08495bdc71e74dull,
       {0x3f4cd3de, 0x3d2915c7, 0x3cda09a9}},
      {"Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund.", 46, 0x74bb2cf5989ac4faull,
       {"de", "nl", "nds"}, {0x3f7347eb, 0x3c3a29a1, 0x3c07a2ec}, 0xd63be1540ad40b94ull,
       {0x3f7347eb, 0x3c3a29a1, 0x3c07a2ec}},
      {"O\xC3\xB9 est la gare ?", 11, 0x7f9b260575f04390ull,
       {"br", "fr", "rgn"}, {0x3e8f7097, 0x3e62fa9e, 0x3e428894}, 0xa5d0357e2030a0f7ull,
       {0x3e8f7096, 0x3e62fa9c, 0x3e428892}},
      {"\xD0\x91\xD1\x8B\xD1\x81\xD1\x82\xD1\x80\xD0\xB0\xD1\x8F \xD0\xBA\xD0\xBE\xD1\x80\xD0\xB8\xD1\x87\xD0\xBD\xD0\xB5"
       "\xD0\xB2\xD0\xB0\xD1\x8F \xD0\xBB\xD0\xB8\xD1\x81\xD0\xB0 \xD0\xBF\xD1\x80\xD1\x8B\xD0\xB3\xD0\xB0\xD0\xB5\xD1\x82"
       " \xD1\x87\xD0\xB5\xD1\x80\xD0\xB5\xD0\xB7 \xD0\xBB\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB2\xD1\x83\xD1\x8E \xD1\x81\xD0\xBE"
       "\xD0\xB1\xD0\xB0\xD0\xBA\xD1\x83.",
       46, 0xad71220606151d51ull,
       {"ru", "be", "uk"}, {0x3f793603, 0x3c56fbfe, 0x3b9f41c6}, 0x5d90ad2bc4bbcd87ull,
       {0x3f793605, 0x3c56fc00, 0x3b9f41c7}},
      {"\xE9\xA7\x85\xE3\x81\xAF\xE3\x81\xA9\xE3\x81\x93\xE3\x81\xA7\xE3\x81\x99\xE3\x81\x8B", 7, 0xcfc71fa15715cf3full,
       {"ja", "ko", "or"}, {0x3f7e94d0, 0x3a808abe, 0x3a7cd1e6}, 0x8a30e06dae73238bull,
       {0x3f7e94ce, 0x3a808abd, 0x3a7cd1e4}},
      {"ok", 2, 0xe5f277737a46f632ull,
       {"su", "ach", "hu"}, {0x3e5ca464, 0x3e257175, 0x3e0743ac}, 0x83ca9e165baae2c2ull,
       {0x3e5ca462, 0x3e257174, 0x3e0743aa}},
      {"12345 !!!", 0, 0xb1a46cc92ae83fd3ull,
       {"und", nullptr, nullptr}, {0x00000000, 0, 0}, 0xb1a46cc92ae83fd3ull,
       {0x00000000, 0, 0}},
      {"This part is English. T\xC3\xA4m\xC3\xA4 osa on kirjoitettu suomeksi.", 45, 0x7d0cad50700f6014ull,
       {"fi", "krl", "fkv"}, {0x3f6a31cc, 0x3d01abea, 0x3ceb9139}, 0xfc3e4360171e8dfeull,
       {0x3f6a31cf, 0x3d01abec, 0x3ceb913c}},
      {"x\xff\xfe y", 2, 0x197143956f748c11ull,
       {"vi", "en", "uz-Latn"}, {0x3ed79610, 0x3df54f0e, 0x3d297000}, 0xb55ab7ceb18ad10dull,
       {0x3ed7960e, 0x3df54f0c, 0x3d296ffe}},
      {text_of_size("Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund. ", 3000), 2438, 0x9d071fbc04c44240ull,
       {"de", "nl", "nds"}, {0x3f7347c0, 0x3c3a30af, 0x3c07a47c}, 0x6d61b80caafed973ull,
       {0x3f7347c6, 0x3c3a30b4, 0x3c07a47f}},
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
