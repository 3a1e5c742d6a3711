// The lexicon in the converter: a spec's [lexicon] section and its words
// file become the lexicon.* metadata (each word read as the model reads
// text, its key's high bits and its label packed, sorted, exact repeats
// dropped); inspect_model's summary line; every malformed file and section
// refused with its own message.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "temp_files.h"
#include "test_models.h"
#include "test_paths.h"
#include "test_process.h"
#include "tools/common/file_io.h"
#include "tools/common/npy.h"
#include "tools/convert_model/converter.h"
#include "tools/convert_model/lexicon.h"
#include "tools/convert_model/model_spec.h"

using namespace ffnlp;
using namespace ffnlp::tools;

namespace {

// n-grams, a hashed word channel (seed 2001), six labels (label mask 7).
std::string lexicon_spec(const std::string& section, const std::string& task = "classifier") {
  return "[model]\ntask = " + task + R"(
[text]
cleanup = 2
[channel]
kind = char_ngram
order = 2
seed = 7
embedding = e1
[channel]
kind = word
seed = 2001
embedding = ew
[layer]
weights = w0
bias = b0
activation = relu
[layer]
weights = w1
bias = b1
activation = softmax
[labels]
en English
de German
fr French
es Spanish
it Italian
nl Dutch
)" + section;
}

std::map<std::string, NpyArray> lexicon_arrays() {
  std::mt19937 rng(8);
  std::map<std::string, NpyArray> a;
  auto put = [&](const char* name, std::vector<uint64_t> shape) {
    size_t n = 1;
    for (uint64_t d : shape) n *= d;
    const std::vector<float> v = testing::random_values(rng, n, 1.0f);
    a[name] = make_npy_f32(shape, v.data());
  };
  put("e1", {20, 3});
  put("ew", {30, 3});
  put("w0", {5, 6});
  put("b0", {5});
  put("w1", {6, 5});
  put("b1", {6});
  return a;
}

const char kLexiconSection[] = "[lexicon]\nwords = lexicon.tsv\nseed = 2001\nweight = 3\nmax_words = 4\n";

// Labels en de fr es it nl = 0..5. "danke" twice (one entry), "Hola" as
// written (the model lowercases), "hallo" under two labels, a CRLF line.
const char kLexiconWords[] =
    "# lexicon words for the test\n"
    "Hola\tes\n"
    "merci\tfr\r\n"
    "\n"
    "danke\tde\n"
    "ciao\tit\n"
    "danke\tde\n"
    "hallo\tde\n"
    "hallo\tnl\n"
    "gr\xC3\xBC\xC3\x9F" "e\tde\n";  // grüße

uint32_t lexicon_word_key(const std::u32string& word, uint32_t seed = 2001) {
  std::vector<uint32_t> cps(word.begin(), word.end());
  return bucket_of(hash_code_points_forward(cps.data(), static_cast<uint32_t>(cps.size()), seed), 0xFFFFFFFFu);
}

std::vector<uint8_t> convert_lexicon(const testing::TempDir& dir, const std::string& section,
                                     const std::string& words = kLexiconWords) {
  dir.write("lexicon.tsv", words);
  ConvertOptions options;
  options.spec_text = lexicon_spec(section);
  options.spec_name = dir.path + "/model.spec";
  options.quiet = true;
  return convert(lexicon_arrays(), options);
}

// The error convert_lexicon() throws, or "" when it does not.
std::string lexicon_error(const testing::TempDir& dir, const std::string& section,
                          const std::string& words = kLexiconWords) {
  try {
    convert_lexicon(dir, section, words);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// build_lexicon_tables over the labels en de fr es it nl, cleanup 2.
std::string lexicon_refusal(const std::string& words) {
  LexiconSpec spec;
  spec.present = true;
  spec.seed = 2001;
  spec.weight = 3;
  spec.max_words = 4;
  TextMetadata text;
  text.cleanup = 2;
  try {
    build_lexicon_tables(words, "lex.tsv", spec, {"en", "de", "fr", "es", "it", "nl"}, text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

std::vector<uint32_t> lexicon_entries_of(const Model& m) {
  std::vector<uint32_t> v;
  for (uint32_t i = 0; i < m.metadata_count(); ++i) {
    MetadataItem item;
    if (!m.metadata_item(i, &item) || std::string(item.key, item.key_length) != "lexicon.entries") continue;
    for (uint32_t j = 0; j < item.count; ++j) v.push_back(item.u32(j));
  }
  return v;
}

bool has_part(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("lexicon: a classifier with [lexicon] converts; entries are the words' keys and labels, packed and sorted") {
  testing::TempDir dir("ffnlp_lexicon");
  const std::vector<uint8_t> bytes = convert_lexicon(dir, kLexiconSection);
  Model m;
  Error e;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kOk, e.message);
  uint32_t seed = 0, max_words = 0;
  float weight = 0;
  CHECK(m.metadata_u32("lexicon.seed", &seed));
  CHECK(seed == 2001);
  CHECK(m.metadata_f32("lexicon.weight", &weight));
  CHECK(weight == 3.0f);
  CHECK(m.metadata_u32("lexicon.max_words", &max_words));
  CHECK(max_words == 4);
  CHECK(format::lexicon_label_mask(6) == 7);
  CHECK(format::lexicon_label_mask(1) == 1);
  CHECK(format::lexicon_label_mask(2) == 1);
  CHECK(format::lexicon_label_mask(3) == 3);
  CHECK(format::lexicon_label_mask(463) == 511);
  CHECK(format::lexicon_label_mask(512) == 511);
  CHECK(format::lexicon_label_mask(513) == 1023);
  CHECK(format::lexicon_label_mask(0xFFFFFFFFu) == 0xFFFFFFFFu);
  // (key & ~7) | label: es 3, fr 2, de 1, it 4, nl 5; "danke" once.
  std::vector<uint32_t> expected = {
      (lexicon_word_key(U"hola") & ~7u) | 3,  (lexicon_word_key(U"merci") & ~7u) | 2,
      (lexicon_word_key(U"danke") & ~7u) | 1, (lexicon_word_key(U"ciao") & ~7u) | 4,
      (lexicon_word_key(U"hallo") & ~7u) | 1, (lexicon_word_key(U"hallo") & ~7u) | 5,
      (lexicon_word_key(U"gr\u00FC\u00DFe") & ~7u) | 1};
  std::sort(expected.begin(), expected.end());
  CHECK(lexicon_entries_of(m) == expected);
  // The same arrays without the section: "Hola" gets exactly 3 on es, "hallo"
  // on de and nl, five words nothing.
  const std::vector<uint8_t> plain_bytes = convert_lexicon(dir, "");
  Model plain;
  REQUIRE(Model::load(plain_bytes.data(), plain_bytes.size(), &plain, nullptr) == Status::kOk);
  auto logits = [](const Model& model, const char* text, float out[6]) {
    Workspace w(model);
    REQUIRE(model.logits(text, std::strlen(text), w.data(), w.size(), out, 6) == Status::kOk);
  };
  float got[6], base[6];
  logits(m, "Hola!", got);
  logits(plain, "Hola!", base);
  for (int i = 0; i < 6; ++i) CHECK(got[i] == (i == 3 ? base[i] + 3.0f : base[i]));
  logits(m, "hallo", got);
  logits(plain, "hallo", base);
  for (int i = 0; i < 6; ++i) CHECK(got[i] == (i == 1 || i == 5 ? base[i] + 3.0f : base[i]));
  logits(m, "hallo merci ciao danke hola", got);
  logits(plain, "hallo merci ciao danke hola", base);
  for (int i = 0; i < 6; ++i) CHECK(got[i] == base[i]);
}

TEST_CASE("lexicon: inspect_model shows one line, not the entries") {
  const std::string inspect = testing::tool_path("inspect_model");
  REQUIRE_MESSAGE(access(inspect.c_str(), X_OK) == 0, inspect << " is not built");
  testing::TempDir dir("ffnlp_lexicon");
  write_file_atomically(dir.path + "/m.ffm", convert_lexicon(dir, kLexiconSection), false);
  const testing::ChildResult r = testing::run_program(inspect, {dir.path + "/m.ffm"}, 30);
  REQUIRE_MESSAGE(r.exited_with(0), r.describe());
  CHECK_MESSAGE(has_part(r.out, "\nlexicon     7 words, 5 labels, seed 2001, weight 3, texts of 1-4 words\n"), r.out);
  CHECK(has_part(r.out, "lexicon.entries"));
}

TEST_CASE("lexicon: each word is read as the model reads text; bad lines are refused with file and line") {
  CHECK(lexicon_refusal("hola\tes\n") == "");
  CHECK(lexicon_refusal("HOLA\tes\nhola\tes\n") == "");  // one entry
  CHECK(lexicon_refusal("\xC2\xA1Hola!\tes\n") == "");     // ¡Hola!: one word
  CHECK(lexicon_refusal("hola\txx\n") == "lex.tsv:1: 'hola': 'xx' is not one of the model's labels");
  CHECK(lexicon_refusal("# c\n\nbuenos d\xC3\xAD" "as\tes\n") ==
        "lex.tsv:3: 'buenos d\xC3\xAD" "as' is 2 words as the model reads text (its [text] options: separators, "
        "digits, clean-up); an entry is one word");
  CHECK(has_part(lexicon_refusal("l'eau\tfr\n"), "lex.tsv:1: 'l'eau' is 2 words"));
  CHECK(has_part(lexicon_refusal("hola\tes\n12345\ten\n"), "lex.tsv:2: '12345' is no word"));     // digits dropped
  CHECK(has_part(lexicon_refusal("x2y\ten\n"), "lex.tsv:1: 'x2y' is 2 words"));
  CHECK(has_part(lexicon_refusal("hahaha\ten\n"), "lex.tsv:1: 'hahaha' is no word"));           // laughter (cleanup 2)
  CHECK(has_part(lexicon_refusal("\tes\n"), "lex.tsv:1: '' is no word"));
  CHECK(lexicon_refusal("ho\xFFla\tes\n") == "lex.tsv:1: 'ho\xFFla' is not valid UTF-8");
  CHECK(lexicon_refusal("hola es\n") == "lex.tsv:1: expected 'WORD<TAB>LABEL' (two fields, one tab), got 'hola es'");
  CHECK(has_part(lexicon_refusal("hola\tes\tx\n"), "lex.tsv:1: expected 'WORD<TAB>LABEL'"));
  CHECK(lexicon_refusal("# nothing\n\n") == "lex.tsv: no entries ('WORD<TAB>LABEL' lines)");
  CHECK(lexicon_refusal("") == "lex.tsv: no entries ('WORD<TAB>LABEL' lines)");
}

TEST_CASE("lexicon: two words of other labels that share their keys' high bits are a warning") {
  // Two labels (mask 1): find two words whose keys differ only in bit 0.
  std::map<uint32_t, std::string> by_prefix;
  std::string a, b;
  for (uint32_t i = 0; a.empty() && i < 2000000; ++i) {
    std::string word;
    for (uint32_t v = i;; v /= 26) {
      word += static_cast<char>('a' + v % 26);
      if (v < 26) break;
    }
    const uint32_t key = lexicon_word_key(std::u32string(word.begin(), word.end()));
    const auto found = by_prefix.emplace(key >> 1, word);
    if (!found.second && lexicon_word_key(std::u32string(found.first->second.begin(), found.first->second.end())) != key) {
      a = found.first->second;
      b = word;
    }
  }
  REQUIRE(!a.empty());
  LexiconSpec spec;
  spec.seed = 2001;
  spec.weight = 1;
  spec.max_words = 2;
  const LexiconTables other = build_lexicon_tables(a + "\tx\n" + b + "\ty\n", "w.tsv", spec, {"x", "y"}, TextMetadata());
  CHECK(other.entries.size() == 2);
  REQUIRE(other.warnings.size() == 1);
  CHECK(other.warnings[0] == "w.tsv:2: '" + b + "' (y) and '" + a + "' (x, line 1) share their keys' high bits: each adds to both labels");
  // Under one label they are one entry, and no warning: either adds once.
  const LexiconTables same = build_lexicon_tables(a + "\tx\n" + b + "\tx\n", "w.tsv", spec, {"x", "y"}, TextMetadata());
  CHECK(same.entries.size() == 1);
  CHECK(same.warnings.empty());
  CHECK(same.labels == 1);
}

TEST_CASE("lexicon: the spec section needs words, seed, weight and max_words; classifiers only") {
  testing::TempDir dir("ffnlp_lexicon");
  CHECK(lexicon_error(dir, kLexiconSection) == "");
  CHECK(has_part(lexicon_error(dir, "[lexicon]\nwords = lexicon.tsv\nseed = 1\nweight = 3\n"),
                 "model.spec:29: [lexicon]: needs 'words', 'seed', 'weight' and 'max_words' (missing 'max_words')"));
  CHECK(has_part(lexicon_error(dir, "[lexicon]\nseed = 1\nweight = 3\nmax_words = 4\n"), "(missing 'words')"));
  CHECK(has_part(lexicon_error(dir, "[lexicon]\nwords = lexicon.tsv\nweight = 3\nmax_words = 4\n"), "(missing 'seed')"));
  CHECK(has_part(lexicon_error(dir, "[lexicon]\nwords = lexicon.tsv\nseed = 1\nmax_words = 4\n"), "(missing 'weight')"));
  for (const char* weight : {"0", "-1", "64.5", "nan", "inf", "1e3", "three"}) {
    CAPTURE(weight);
    const std::string err = lexicon_error(dir, std::string("[lexicon]\nwords = lexicon.tsv\nseed = 1\nmax_words = 4\n"
                                                           "weight = ") + weight + "\n");
    CHECK_MESSAGE(has_part(err, "'weight' of [lexicon] must be a plain decimal number above 0 and at most 64"), err);
  }
  CHECK(lexicon_error(dir, "[lexicon]\nwords = lexicon.tsv\nseed = 1\nmax_words = 64\nweight = 64\n") == "");
  for (const char* max_words : {"0", "65", "-1", "04"}) {
    CAPTURE(max_words);
    const std::string err = lexicon_error(dir, std::string("[lexicon]\nwords = lexicon.tsv\nseed = 1\nweight = 2\n"
                                                           "max_words = ") + max_words + "\n");
    CHECK_MESSAGE((has_part(err, "'max_words' of [lexicon] must be 1 to 64") || has_part(err, "'max_words' must be")),
                  err);
  }
  CHECK(has_part(lexicon_error(dir, std::string(kLexiconSection) + "bits = 4\n"), "unknown key 'bits' in [lexicon]"));
  CHECK(has_part(lexicon_error(dir, std::string(kLexiconSection) + "seed = 3\n"), "'seed' is set twice"));
  CHECK(has_part(lexicon_error(dir, std::string(kLexiconSection) + kLexiconSection), "section [lexicon] appears twice"));
  CHECK(has_part(lexicon_error(dir, "[metadata]\nlexicon.weight = 5\n"), "'lexicon.weight' is set by the converter"));
  // The words file: relative to the spec; its errors name it and the line.
  const std::string missing = lexicon_error(dir, "[lexicon]\nwords = absent.tsv\nseed = 1\nweight = 1\nmax_words = 2\n");
  CHECK(has_part(missing, "[lexicon]: words file: "));
  CHECK(has_part(missing, dir.path + "/absent.tsv"));
  CHECK(has_part(lexicon_error(dir, kLexiconSection, "hola\tes\nciao\txx\n"), dir.path + "/lexicon.tsv:2: 'ciao': 'xx'"));
  // Classifiers only; a features-only file has none.
  CHECK_THROWS_WITH_AS(parse_model_spec(lexicon_spec(kLexiconSection, "embedding"), "x.spec"),
                       doctest::Contains("[lexicon]: a lexicon is for classifiers"), std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_model_spec(lexicon_spec(kLexiconSection, "features"), "x.spec"),
                       doctest::Contains("[lexicon]: a lexicon is for classifiers"), std::runtime_error);
  dir.write("lexicon.tsv", kLexiconWords);
  ConvertOptions features;
  features.spec_text = lexicon_spec(kLexiconSection);
  features.spec_name = dir.path + "/model.spec";
  CHECK_THROWS_WITH_AS(convert({}, features), doctest::Contains("[lexicon] needs a classifier's arrays"),
                       std::runtime_error);
}
