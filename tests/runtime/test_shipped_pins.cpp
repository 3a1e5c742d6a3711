// The shipped language identifier (models/langid.ffm, format version 1)
// pinned bit for bit: every probability of scores() (as an FNV-1a hash of
// the float bits) and classify()'s top three, recorded with the runtime as
// it was before the runtime was split into file/features/network/heads.
// Any change to feature extraction, accumulation order, the dense kernels or
// softmax that alters one bit of the shipped model's answers fails here.
//
// The bits depend on the kernel path the CPU takes (AVX2+FMA sums in another
// order than SSE2), so there is one pin set per x86-64 path, both recorded
// with the runtime before the split (the SSE2 set from a build with
// -DFFNLP_NO_AVX2). Other paths (NEON, scalar) must give the same labels
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
  CHECK(model.format_version() == 1);  // written before format version 2: loads with identical answers
  const Pin pins[] = {
      {"Language identification works best on a sentence or two of ordinary text.", 61, 0x9287de5917bbf2f7ull,
       {"en", "fr", "nl"}, {0x3f553c8f, 0x3cd49749, 0x3c810e4e}, 0x43eb9ec620642d92ull, {0x3f553c8b, 0x3cd49760, 0x3c810e6b}},
      {"Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund.", 46, 0xe4f124557e0489b1ull,
       {"de", "sco", "nl"}, {0x3f76942e, 0x3bb6c388, 0x3b15ae96}, 0xe65597b05f08d0c2ull, {0x3f769427, 0x3bb6c37d, 0x3b15ae8d}},
      {"O\xC3\xB9 est la gare ?", 11, 0x17ac2a18a86858a1ull, {"src", "it", "te"}, {0x3e0659e0, 0x3e026a4e, 0x3d841519},
       0x9ee9c074a6aa3f4cull, {0x3e0659e0, 0x3e026a4e, 0x3d841515}},
      {"\xD0\x91\xD1\x8B\xD1\x81\xD1\x82\xD1\x80\xD0\xB0\xD1\x8F \xD0\xBA\xD0\xBE\xD1\x80\xD0\xB8\xD1\x87\xD0\xBD\xD0\xB5"
       "\xD0\xB2\xD0\xB0\xD1\x8F \xD0\xBB\xD0\xB8\xD1\x81\xD0\xB0 \xD0\xBF\xD1\x80\xD1\x8B\xD0\xB3\xD0\xB0\xD0\xB5\xD1\x82"
       " \xD1\x87\xD0\xB5\xD1\x80\xD0\xB5\xD0\xB7 \xD0\xBB\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB2\xD1\x83\xD1\x8E \xD1\x81\xD0\xBE"
       "\xD0\xB1\xD0\xB0\xD0\xBA\xD1\x83.",
       46, 0x795f6f6423cbdc84ull, {"ru", "be", "uk"}, {0x3f4936fb, 0x3d74e822, 0x3c254efe}, 0x17c817b9acd83677ull,
       {0x3f4936fc, 0x3d74e81c, 0x3c254ef5}},
      {"\xE9\xA7\x85\xE3\x81\xAF\xE3\x81\xA9\xE3\x81\x93\xE3\x81\xA7\xE3\x81\x99\xE3\x81\x8B", 7, 0x24a375d78cb3a64dull,
       {"ja", "zh-Hans", "ml"}, {0x3eafff6c, 0x3d8e226c, 0x3d6ba947}, 0x5a69aa794f1456cbull, {0x3eafff73, 0x3d8e226f, 0x3d6ba94a}},
      {"ok", 2, 0x29a0535a8be07b86ull, {"oki", "mh", "hu"}, {0x3f460374, 0x3d512bc4, 0x3cde4259}, 0xbe19990bdc8f9085ull,
       {0x3f460373, 0x3d512bb5, 0x3cde4274}},
      {"12345 !!!", 0, 0x08292d50b5cdd9f3ull, {"und", nullptr, nullptr}, {0, 0, 0}, 0x08292d50b5cdd9f3ull, {0, 0, 0}},
      {"This part is English. T\xC3\xA4m\xC3\xA4 osa on kirjoitettu suomeksi.", 45, 0xea8bbb9e0790fb46ull,
       {"fi", "et", "krl"}, {0x3f67ffc2, 0x3d077194, 0x3c8824da}, 0x961e1bbf16e67cd9ull, {0x3f67ffbd, 0x3d077196, 0x3c8824db}},
      {"x\xff\xfe y", 2, 0xf73237b62f564790ull, {"cy", "es", "szl"}, {0x3ed9471a, 0x3e28ca68, 0x3e1b828f},
       0xb46de0935ef88b60ull, {0x3ed9470e, 0x3e28ca74, 0x3e1b8290}},
      {repeat("Der schnelle braune Fuchs springt \xC3\xBC" "ber den faulen Hund. ", 3000), 2438, 0x8f1126ade2f8ae07ull,
       {"de", "sco", "nl"}, {0x3f769432, 0x3bb6c35e, 0x3b15aec2}, 0x8ed5d96016ba9336ull, {0x3f76942b, 0x3bb6c358, 0x3b15aec2}},
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
