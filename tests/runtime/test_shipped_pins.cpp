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
      {"Language identification works best on a sentence or two of ordinary text.", 61, 0xfe8697e9b8978b9cull,
       {"en", "de", "fr"}, {0x3f671d8b, 0x3c430b5b, 0x3c0e1f13}, 0x0a39ea60ebd74b06ull,
       {0x3f671d89, 0x3c430b59, 0x3c0e1f12}},
      {"Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund.", 46, 0x7bb15a4568aa6289ull,
       {"de", "lb", "sv"}, {0x3f7ed0bf, 0x3b364381, 0x39e9d3d1}, 0x2fe1b82f765df4fcull,
       {0x3f7ed0c7, 0x3b364387, 0x39e9d3d9}},
      {"O\xC3\xB9 est la gare ?", 11, 0x68518bb77ab98b30ull,
       {"br", "fr", "sc"}, {0x3f0334bc, 0x3dc88857, 0x3db66d47}, 0xf753f3d6e8ea4682ull,
       {0x3f0334bc, 0x3dc88857, 0x3db66d47}},
      {"\xD0\x91\xD1\x8B\xD1\x81\xD1\x82\xD1\x80\xD0\xB0\xD1\x8F \xD0\xBA\xD0\xBE\xD1\x80\xD0\xB8\xD1\x87\xD0\xBD\xD0\xB5"
       "\xD0\xB2\xD0\xB0\xD1\x8F \xD0\xBB\xD0\xB8\xD1\x81\xD0\xB0 \xD0\xBF\xD1\x80\xD1\x8B\xD0\xB3\xD0\xB0\xD0\xB5\xD1\x82"
       " \xD1\x87\xD0\xB5\xD1\x80\xD0\xB5\xD0\xB7 \xD0\xBB\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB2\xD1\x83\xD1\x8E \xD1\x81\xD0\xBE"
       "\xD0\xB1\xD0\xB0\xD0\xBA\xD1\x83.",
       46, 0x3de3b24a659212e4ull,
       {"ru", "be", "bg"}, {0x3f7dcf02, 0x3b3b4a2e, 0x3a83f1fd}, 0x97b60ff0deab58c2ull,
       {0x3f7dcf02, 0x3b3b4a2e, 0x3a83f1fd}},
      {"\xE9\xA7\x85\xE3\x81\xAF\xE3\x81\xA9\xE3\x81\x93\xE3\x81\xA7\xE3\x81\x99\xE3\x81\x8B", 7, 0x699cf8899bff6505ull,
       {"ja", "hy", "pa"}, {0x3f7e987c, 0x3abd3a18, 0x398eb4b0}, 0x9030ec6859464578ull,
       {0x3f7e9876, 0x3abd3a13, 0x398eb4ad}},
      {"ok", 2, 0xd895a83a6b38642eull,
       {"ach", "id", "ms"}, {0x3ea7bcee, 0x3e3106c1, 0x3e18ff55}, 0x2e4932bb7cbf14b7ull,
       {0x3ea7bced, 0x3e3106bf, 0x3e18ff55}},
      {"12345 !!!", 0, 0xb1a46cc92ae83fd3ull,
       {"und", nullptr, nullptr}, {0x00000000, 0, 0}, 0xb1a46cc92ae83fd3ull,
       {0x00000000, 0, 0}},
      {"This part is English. T\xC3\xA4m\xC3\xA4 osa on kirjoitettu suomeksi.", 45, 0x38fb3a0ec9d5758full,
       {"fi", "krl", "et"}, {0x3f4e21dd, 0x3da23487, 0x3d52dc95}, 0x4e6d34fde80ac797ull,
       {0x3f4e21d9, 0x3da23484, 0x3d52dc91}},
      {"x\xff\xfe y", 2, 0x2d50f8f7da8851faull,
       {"duu", "cs", "vi"}, {0x3ebbaef5, 0x3d963113, 0x3d8c8333}, 0x4803cbe41ca088edull,
       {0x3ebbaef6, 0x3d963114, 0x3d8c8334}},
      {text_of_size("Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund. ", 3000), 2438, 0xfb51d7c2d41784d9ull,
       {"de", "lb", "sv"}, {0x3f7ed0bf, 0x3b3643c6, 0x39e9d480}, 0x0941bb3242b3a06bull,
       {0x3f7ed0c7, 0x3b3643cb, 0x39e9d488}},
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
