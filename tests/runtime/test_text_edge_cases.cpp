// Text edge cases with defined answers (issue 6), on the tiny test model and,
// when it exists, the shipped language identifier models/langid.ffm.
//   no letters (empty, whitespace, digits, punctuation, invalid bytes only)
//       -> the unknown label with probability 0 (or no answer when the model
//          has none), all-zero scores, stats.letters == 0;
//   letters -> a distribution over the model's labels summing to 1;
//   invalid UTF-8 bytes, NULs, overlongs, surrogates are word separators:
//       "ab<bad>cd" scores exactly like "ab cd";
//   the text is `size` bytes, never NUL-terminated;
//   10 MB of one character or one endless word finishes (no timing asserted).
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "test_models.h"
#include "test_paths.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

struct Answer {
  Status status = Status::kOk;
  std::vector<Prediction> top;
  std::vector<float> probs;
  TextStats stats;
};

Answer ask(const Model& model, const std::string& text, size_t k = 3) {
  Workspace workspace(model);
  REQUIRE(workspace.ok());
  Answer a;
  a.top.resize(k);
  size_t count = 0;
  a.status = model.classify(text.data(), text.size(), workspace, a.top.data(), k, &count, &a.stats);
  a.top.resize(count);
  a.probs.resize(model.label_count());
  TextStats stats2;
  const Status s2 = model.scores(text.data(), text.size(), workspace.data(), workspace.size(), a.probs.data(),
                                 a.probs.size(), &stats2);
  CHECK(s2 == a.status);
  CHECK(stats2.letters == a.stats.letters);
  return a;
}

void check_no_evidence(const Model& model, const std::string& text) {
  CAPTURE(text);
  const Answer a = ask(model, text);
  REQUIRE(a.status == Status::kOk);
  CHECK(a.stats.letters == 0);
  for (float p : a.probs) CHECK(p == 0.0f);
  if (model.unknown_label()[0] != '\0') {
    REQUIRE(a.top.size() == 1);
    CHECK(std::string(a.top[0].label) == model.unknown_label());
    CHECK(a.top[0].label_index == kNoLabel);
    CHECK(a.top[0].probability == 0.0f);
    CHECK_FALSE(a.top[0].reliable);
  } else {
    CHECK(a.top.empty());
  }
}

void check_distribution(const Model& model, const Answer& a) {
  REQUIRE(a.status == Status::kOk);
  CHECK(a.stats.letters > 0);
  double sum = 0;
  for (float p : a.probs) {
    CHECK(p >= 0.0f);
    CHECK(p <= 1.0f);
    sum += p;
  }
  CHECK(sum == doctest::Approx(1.0).epsilon(1e-4));
  REQUIRE(!a.top.empty());
  CHECK(a.top.size() == std::min<size_t>(3, model.label_count()));
  for (size_t i = 0; i < a.top.size(); ++i) {
    REQUIRE(a.top[i].label_index < model.label_count());
    // classify() normalises only its answers: equal to scores() up to rounding.
    CHECK(a.top[i].probability == doctest::Approx(a.probs[a.top[i].label_index]).epsilon(1e-5));
    if (i > 0) CHECK(a.top[i].probability <= a.top[i - 1].probability);
  }
}

void check_same(const Answer& a, const Answer& b) {
  REQUIRE(a.probs.size() == b.probs.size());
  for (size_t i = 0; i < a.probs.size(); ++i) CHECK(a.probs[i] == b.probs[i]);
  CHECK(a.stats.letters == b.stats.letters);
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Sets a u32 metadata value in a built file (the key must exist) and reseals.
void set_meta_u32(std::vector<uint8_t>& bytes, const std::string& key, uint32_t value) {
  const size_t meta = static_cast<size_t>(get_u64(bytes.data() + format::kOffMetadataOffset));
  const std::string pattern = key;
  for (size_t i = meta + 4; i + pattern.size() <= bytes.size(); ++i) {
    if (std::memcmp(&bytes[i], pattern.data(), pattern.size()) == 0 && get_u32(&bytes[i - 4]) == pattern.size()) {
      const size_t type_at = i + ((pattern.size() + 3) & ~size_t{3});
      REQUIRE(get_u32(&bytes[type_at]) == static_cast<uint32_t>(format::MetaType::kU32));
      put_u32(bytes, type_at + 4, value);
      reseal(bytes);
      return;
    }
  }
  FAIL("metadata key not found: " << key);
}

// Edge cases every classifier must answer the same way.
void common_edge_cases(const Model& model) {
  SUBCASE("no letters: empty, whitespace, digits, punctuation") {
    check_no_evidence(model, "");
    check_no_evidence(model, " \t\n\r\v\f");
    check_no_evidence(model, "\xC2\xA0\xE2\x80\x83\xE3\x80\x80");  // NBSP, EM SPACE, ideographic space
    check_no_evidence(model, "0123456789 ٠١٢٣٤ १२३");
    check_no_evidence(model, "!?.,;:()[]{}<>/\\|@#$%^&*-_=+~`'\" …—«»");
    check_no_evidence(model, "\xF0\x9F\x98\x80\xF0\x9F\x91\x8D");  // emoji are symbols
    Workspace ws(model);
    Prediction top[1];
    size_t count = 0;
    CHECK(model.classify(nullptr, 0, ws, top, 1, &count) == Status::kOk);
    CHECK(model.classify(nullptr, 5, ws, top, 1, &count) == Status::kInvalidArgument);
  }
  SUBCASE("no letters: only invalid UTF-8, NULs, overlongs, surrogates, beyond U+10FFFF") {
    check_no_evidence(model, "\xFF\xFE\xFD\x80\xBF");
    check_no_evidence(model, std::string(100, '\0'));
    check_no_evidence(model, "\xC0\xAF\xC1\xBF\xE0\x80\xAF\xF0\x80\x80\xAF");
    check_no_evidence(model, "\xED\xA0\x80\xED\xBF\xBF\xED\xA0\xBD\xED\xB8\x80");
    check_no_evidence(model, "\xF4\x90\x80\x80\xF5\x80\x80\x80\xF8\x88\x80\x80\x80");
    check_no_evidence(model, "\xE4\xB8");  // a CJK letter cut short
  }
  SUBCASE("one character") {
    const Answer a = ask(model, "a");
    check_distribution(model, a);
    CHECK(a.stats.letters == 1);
    const Answer e = ask(model, "\xC3\xA9");  // é
    check_distribution(model, e);
    CHECK(e.stats.letters == 1);
    check_same(ask(model, "A"), a);  // lowercased
  }
  SUBCASE("invalid bytes and NULs separate words like a space") {
    const Answer spaced = ask(model, "ab cd");
    check_distribution(model, spaced);
    check_same(ask(model, "ab\xFF" "cd"), spaced);
    check_same(ask(model, std::string("ab\0cd", 5)), spaced);
    check_same(ask(model, "ab\xC0\xAF" "cd"), spaced);      // overlong '/'
    check_same(ask(model, "ab\xED\xA0\x80" "cd"), spaced);  // lone surrogate: 3 separators
    // The text is `size` bytes: a NUL does not end it.
    const Answer cut = ask(model, "ab");
    CHECK(ask(model, std::string("ab\0cd", 5)).stats.letters == 4);
    CHECK(cut.stats.letters == 2);
  }
  SUBCASE("10 MB of one repeated character finishes with a normal answer") {
    const std::string big(10 * 1000 * 1000, 'a');
    const Answer a = ask(model, big);
    check_distribution(model, a);
    CHECK(a.stats.letters == (model.max_bytes() == 0 ? big.size() : model.max_bytes()));
    const std::string cjk = repeat("字", 3 * 1000 * 1000);  // 9 MB, one word
    check_distribution(model, ask(model, cjk));
    const std::string spaces(10 * 1000 * 1000, ' ');
    check_no_evidence(model, spaces);
  }
  SUBCASE("a very long word without spaces") {
    const std::string word = repeat("abcdefghijklmnopqrstuvwxyz", 40000);  // ~1 MB, one word
    const Answer a = ask(model, word);
    check_distribution(model, a);
    if (model.max_bytes() == 0) CHECK(a.stats.letters == word.size());
  }
  SUBCASE("mixed scripts and the same text twice give the same answer") {
    const std::string mixed = "mixed Latin и кириллица ελληνικά 中文 עברית";
    const Answer a = ask(model, mixed);
    check_distribution(model, a);
    check_same(ask(model, mixed), a);
  }
}

}  // namespace

TEST_CASE("text edge cases on the tiny test model (quantized)") {
  const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(1, kScriptCount));
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  common_edge_cases(model);
}

TEST_CASE("text in a script the model has no embedding row for is answered from the last script row") {
  // 4 script rows (Common, Latin, Greek, Cyrillic): Thai, Georgian and Han
  // all clamp to row 3, so the script channel cannot tell them apart; the
  // answer is still a proper distribution over the model's own labels.
  const std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(1, 4));
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  for (const char* text : {"สวัสดีครับ", "მშვიდობა", "中文文本", "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ", "ሰላም ለዓለም"}) {
    CAPTURE(text);
    const Answer a = ask(model, text);
    check_distribution(model, a);
  }
}

TEST_CASE("digits are not evidence even when the model keeps them as word characters") {
  std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(1, kScriptCount));
  set_meta_u32(bytes, "text.drop_digits", 0);
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  check_no_evidence(model, "0123456789 42");
  // ... but they change the n-grams of the words they are in.
  const Answer with_digits = ask(model, "ab1cd");
  check_distribution(model, with_digits);
  CHECK(with_digits.stats.letters == 4);
}

TEST_CASE("a float-embedding model without an unknown label answers nothing for text without letters") {
  std::vector<uint8_t> bytes = build_tiny_model(make_tiny_network(1, kScriptCount), true);
  // Rename the key to one the runtime ignores (same length, file layout kept).
  const std::string key = "classifier.unknown_label";
  auto at = std::search(bytes.begin(), bytes.end(), key.begin(), key.end());
  REQUIRE(at != bytes.end());
  *(at + static_cast<std::ptrdiff_t>(key.size()) - 1) = 'x';
  reseal(bytes);
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  REQUIRE(std::string(model.unknown_label()).empty());
  common_edge_cases(model);
}

TEST_CASE("text edge cases on the shipped language identifier") {
  const std::string path = source_path("models/langid.ffm");
  MappedFile file;
  Model model;
  Error error;
  REQUIRE_MESSAGE(load_file(path.c_str(), &file, &model, &error) == Status::kOk, path << ": " << error.message);
  REQUIRE(model.is_classifier());
  common_edge_cases(model);
  // A script the model may have no language for: a proper answer, reported.
  for (const char* text : {"ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ", "ሰላም ለዓለም", "ꆈꌠꁱꂷ"}) {
    const Answer a = ask(model, text);
    check_distribution(model, a);
    CHECK(std::strlen(a.top[0].label) > 0);
  }
}
