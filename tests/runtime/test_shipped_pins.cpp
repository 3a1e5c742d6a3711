// The shipped language identifier (models/langid.ffm, format version 2: word
// channel, 8-bit dense layers, a stored prior) pinned bit for bit: every
// probability of scores() (as an FNV-1a hash of the float bits) and
// classify()'s top three (default options: the model's prior applied).
// Recorded when the model was trained (tools/train/EXPERIMENTS.md, "Everyday
// text"); the previous model's pins had been recorded with the runtime
// before its split into file/features/network/heads, and the runtime that
// recorded these gave that model's pins bit for bit. Any change to feature
// extraction, accumulation order, the dense kernels, the prior or softmax
// that alters one bit of the shipped model's answers fails here.
//
// The bits depend on the kernel path the CPU takes (AVX2+FMA sums in another
// order than SSE2), so there is one pin set per x86-64 path (the SSE2 set
// from a build with -DFFNLP_NO_AVX2). Other paths (NEON, scalar) must give the same labels
// and probabilities within 1e-5 of the AVX2 set. Includes the internal
// network/kernels.h on purpose: to know the path.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "network/kernels.h"
#include "test_paths.h"

using namespace ffnlp;

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

uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
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

float from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

std::string repeat(const char* part, size_t bytes) {
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
      {"Language identification works best on a sentence or two of ordinary text.", 61, 0xa10780e74ebfcb4full,
       {"en", "de", "fr"}, {0x3f671cf8, 0x3c430c4c, 0x3c0e20cd}, 0xec1dc6759633220aull,
       {0x3f671cff, 0x3c430c52, 0x3c0e20c1}},
      {"Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund.", 46, 0x610cb6c0755132edull,
       {"de", "lb", "sv"}, {0x3f7ed0b5, 0x3b364988, 0x39e9d753}, 0x0a175fe759c85443ull,
       {0x3f7ed0bb, 0x3b36498c, 0x39e9d775}},
      {"O\xC3\xB9 est la gare ?", 11, 0x453aeb445307cf33ull,
       {"br", "fr", "sc"}, {0x3f03380d, 0x3dc88467, 0x3db6543b}, 0xb2edc10e0affa679ull,
       {0x3f033814, 0x3dc88458, 0x3db65445}},
      {"\xD0\x91\xD1\x8B\xD1\x81\xD1\x82\xD1\x80\xD0\xB0\xD1\x8F \xD0\xBA\xD0\xBE\xD1\x80\xD0\xB8\xD1\x87\xD0\xBD\xD0\xB5"
       "\xD0\xB2\xD0\xB0\xD1\x8F \xD0\xBB\xD0\xB8\xD1\x81\xD0\xB0 \xD0\xBF\xD1\x80\xD1\x8B\xD0\xB3\xD0\xB0\xD0\xB5\xD1\x82"
       " \xD1\x87\xD0\xB5\xD1\x80\xD0\xB5\xD0\xB7 \xD0\xBB\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB2\xD1\x83\xD1\x8E \xD1\x81\xD0\xBE"
       "\xD0\xB1\xD0\xB0\xD0\xBA\xD1\x83.",
       46, 0x5b941c76f8f69fc2ull,
       {"ru", "be", "bg"}, {0x3f7dcf0e, 0x3b3b52db, 0x3a83f3e9}, 0xf53f1ffdbaa7c91bull,
       {0x3f7dcf0e, 0x3b3b52d0, 0x3a83f3e1}},
      {"\xE9\xA7\x85\xE3\x81\xAF\xE3\x81\xA9\xE3\x81\x93\xE3\x81\xA7\xE3\x81\x99\xE3\x81\x8B", 7, 0xe02c969425d0338aull,
       {"ja", "hy", "pa"}, {0x3f7e988a, 0x3abd32e2, 0x398eb65c}, 0x03a9c76f3cb95c19ull,
       {0x3f7e9886, 0x3abd32e4, 0x398eb662}},
      {"ok", 2, 0xed1f3e517c406ec7ull,
       {"ach", "id", "ms"}, {0x3ea7c5b4, 0x3e30fbf5, 0x3e18fef8}, 0xd16e4174b09c6d92ull,
       {0x3ea7c5c2, 0x3e30fc04, 0x3e18fede}},
      {"12345 !!!", 0, 0xb1a46cc92ae83fd3ull,
       {"und", nullptr, nullptr}, {0, 0, 0}, 0xb1a46cc92ae83fd3ull,
       {0, 0, 0}},
      {"This part is English. T\xC3\xA4m\xC3\xA4 osa on kirjoitettu suomeksi.", 45, 0xa4d6a4b3f38df527ull,
       {"fi", "krl", "et"}, {0x3f4e2256, 0x3da23119, 0x3d52df88}, 0x13ec0f4940188c5full,
       {0x3f4e224f, 0x3da23114, 0x3d52df9c}},
      {"x\xff\xfe y", 2, 0x463c84a5e4633d2full,
       {"duu", "cs", "vi"}, {0x3ebbb5e8, 0x3d9629bb, 0x3d8c750f}, 0x4e552e530125116full,
       {0x3ebbb600, 0x3d9629a9, 0x3d8c74fd}},
      {repeat("Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund. ", 3000), 2438, 0x1cc0f8266a65a221ull,
       {"de", "lb", "sv"}, {0x3f7ed0b5, 0x3b364a82, 0x39e9d7aa}, 0x63062f26fa3bb894ull,
       {0x3f7ed0bb, 0x3b364a87, 0x39e9d792}},
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
    for (size_t i = 0; i < count; ++i) {
      CHECK(std::string(top[i].label) == pin.labels[i]);
      if (avx2) CHECK(bits(top[i].probability) == pin.probability_bits[i]);
      else if (sse2) CHECK(bits(top[i].probability) == pin.sse2_probability_bits[i]);
      else CHECK(top[i].probability == doctest::Approx(from_bits(pin.probability_bits[i])).epsilon(1e-5));
    }
  }
}
