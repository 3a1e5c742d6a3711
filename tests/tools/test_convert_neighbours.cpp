// Neighbour words in the converter: a spec's [neighbours] section and its
// words file become the neighbours.* metadata (keys hashed as a word channel
// would, sorted per group) and a q8_row tensor of scores with golden bytes;
// every malformed words file is refused with its own message.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/model_access.h"
#include "features/word_keys.h"
#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "temp_files.h"
#include "test_models.h"
#include "test_paths.h"
#include "test_process.h"
#include "tools/common/file_io.h"
#include "tools/common/npy.h"
#include "tools/convert_model/converter.h"
#include "tools/convert_model/model_spec.h"
#include "tools/convert_model/neighbour_words.h"

using namespace ffnlp;
using namespace ffnlp::tools;

namespace {

std::string classifier_spec(const std::string& neighbours) {
  return std::string(R"([model]
task = classifier
[channel]
kind = char_ngram
order = 1
seed = 7
embedding = e1
[channel]
kind = script
embedding = es
[layer]
weights = w0
bias = b0
activation = relu
[layer]
weights = w1
bias = b1
activation = softmax
)") + "[labels]\nen\nhr\nbs\nsr\nsl\n" + neighbours;
}

std::map<std::string, NpyArray> classifier_arrays() {
  std::mt19937 rng(5);
  std::map<std::string, NpyArray> a;
  auto put = [&](const char* name, std::vector<uint64_t> shape, size_t n) {
    const std::vector<float> v = testing::random_values(rng, n, 1.0f);
    a[name] = make_npy_f32(shape, v.data());
  };
  put("e1", {10, 3}, 30);
  put("es", {kScriptCount, 2}, kScriptCount * 2);
  put("w0", {4, 5}, 20);
  put("b0", {4}, 4);
  put("w1", {5, 4}, 20);
  put("b1", {5}, 5);
  return a;
}

// Two groups over the labels en hr bs sr sl; the file lists group 1's
// words against key order, so the converter must sort them.
const char kWords[] =
    "# neighbour words for the test\n"
    "group\thr bs sr\n"
    "group\ten sl\n"
    "ku\xC4\x87" "a\t0\t3.0 -1.5 0\n"       // kuća
    "\xC5\xA1to\t0\t0.5 -0.25 1e-1\r\n"     // što (a CRLF line)
    "\n"
    "the\t1\t-3 1.5\n"
    "and\t1\t0.75 -0.75\n";

const char kNeighbourSection[] = "[neighbours]\nseed = 3001\nweight = 0.5\nwords = words.tsv\n";

struct Converted {
  std::vector<uint8_t> bytes;
  Model model;
};

// Converts the classifier with `words` as its words file.
void convert_with_words(const testing::TempDir& dir, const std::string& words, Converted* out,
                        const std::string& section = kNeighbourSection) {
  dir.write("words.tsv", words);
  ConvertOptions options;
  options.spec_text = classifier_spec(section);
  options.spec_name = dir.path + "/model.spec";
  out->bytes = convert(classifier_arrays(), options);
  Error e;
  REQUIRE_MESSAGE(Model::load(out->bytes.data(), out->bytes.size(), &out->model, &e) == Status::kOk, e.message);
}

std::vector<uint32_t> u32_array(const Model& m, const char* key) {
  for (uint32_t i = 0; i < m.metadata_count(); ++i) {
    MetadataItem item;
    REQUIRE(m.metadata_item(i, &item));
    if (std::string(item.key, item.key_length) != key) continue;
    REQUIRE(item.type == MetaType::kU32Array);
    std::vector<uint32_t> v;
    for (uint32_t j = 0; j < item.count; ++j) v.push_back(item.u32(j));
    return v;
  }
  FAIL("no metadata key " << key);
  return {};
}

uint32_t key_of(const std::vector<uint32_t>& cps, uint32_t seed) {
  return bucket_of(hash_code_points_forward(cps.data(), static_cast<uint32_t>(cps.size()), seed), 0xFFFFFFFFu);
}

// build_neighbour_tables over the labels en hr bs sr sl (or `codes`).
NeighbourTables build(const std::string& words, const std::vector<std::string>& codes = {"en", "hr", "bs", "sr", "sl"},
                      WordCharacters characters = WordCharacters()) {
  NeighbourSpec spec;
  spec.present = true;
  spec.seed = 3001;
  spec.weight = 1.0f;
  return build_neighbour_tables(words, "w.tsv", spec, codes, characters);
}

// The message build() throws, or "" when it does not.
std::string refusal(const std::string& words, const std::vector<std::string>& codes = {"en", "hr", "bs", "sr", "sl"},
                    WordCharacters characters = WordCharacters()) {
  try {
    build(words, codes, characters);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("neighbour words: a classifier with [neighbours] converts; keys, labels, counts and score bytes are golden") {
  testing::TempDir dir("ffnlp_neighbours");
  Converted c;
  convert_with_words(dir, kWords, &c);
  const Model& m = c.model;
  REQUIRE(m.is_classifier());

  uint32_t seed = 0;
  float weight = -1;
  CHECK(m.metadata_u32("neighbours.seed", &seed));
  CHECK(seed == 3001);
  CHECK(m.metadata_f32("neighbours.weight", &weight));
  CHECK(weight == 0.5f);
  const char* scores_name = nullptr;
  REQUIRE(m.metadata_string("neighbours.scores", &scores_name));
  CHECK(std::string(scores_name) == "neighbour_scores");
  CHECK(u32_array(m, "neighbours.groups") == std::vector<uint32_t>{3, 2});
  CHECK(u32_array(m, "neighbours.labels") == std::vector<uint32_t>{1, 2, 3, 0, 4});  // hr bs sr, en sl
  CHECK(u32_array(m, "neighbours.word_counts") == std::vector<uint32_t>{2, 2});

  // Keys: the words' code points through the public hash, and the same
  // values computed outside (FNV-1a forward + fmix32, then h - 1).
  const uint32_t kuca = key_of({0x6B, 0x75, 0x107, 0x61}, 3001), sto = key_of({0x161, 0x74, 0x6F}, 3001),
                 the = key_of({0x74, 0x68, 0x65}, 3001), und = key_of({0x61, 0x6E, 0x64}, 3001);
  CHECK(kuca == 0x03d4bc7eu);
  CHECK(sto == 0xe9e40134u);
  CHECK(the == 0x9902c725u);
  CHECK(und == 0x5f1d23e9u);
  uint32_t key = 0;
  CHECK(neighbour_word_key("ku\xC4\x87" "a", 3001, &key));
  CHECK(key == kuca);
  // Ascending within each group: kuća < što; and < the (the file had the, and).
  CHECK(u32_array(m, "neighbours.words") == std::vector<uint32_t>{kuca, sto, und, the});

  // Scores: one scale max|S| / 127 = 3 / 127, q = floor(0.5 + S/s + 128),
  // rows reordered with their words.
  const TensorView* t = m.find_tensor("neighbour_scores");
  REQUIRE(t != nullptr);
  CHECK(t->dtype == DType::kQ8Row);
  CHECK(t->rows == 1);
  CHECK(t->cols == 10);
  CHECK(t->zero_point == 128);
  CHECK(t->row_scale(0) == static_cast<float>(3.0 / 127.0));
  const uint8_t expected[10] = {255, 65, 128,  // kuća: 3, -1.5 (-63.5 steps: 64.5 rounds up), 0
                                149, 117, 132,  // što: 0.5, -0.25, 0.1
                                160, 96,        // and: 0.75, -0.75
                                1, 192};        // the: -3, 1.5
  CHECK(std::memcmp(t->data, expected, 10) == 0);
}

TEST_CASE("neighbour words: bits = 4 stores the scores as one q4_row row; the values are golden") {
  testing::TempDir dir("ffnlp_neighbours");
  Converted c8, c4;
  convert_with_words(dir, kWords, &c8);
  convert_with_words(dir, kWords, &c4, std::string(kNeighbourSection) + "bits = 4\n");
  const TensorView* t = c4.model.find_tensor("neighbour_scores");
  REQUIRE(t != nullptr);
  CHECK(t->dtype == DType::kQ4Row);
  CHECK(t->rows == 1);
  CHECK(t->cols == 10);
  CHECK(t->zero_point == 8);
  CHECK(t->row_scale(0) == static_cast<float>(3.0 / 7.0));
  // q = floor(0.5 + S / (3/7) + 8), even column in the low nibble.
  const uint8_t expected[10] = {15, 5, 8,   // kuća: 3, -1.5 (-3.5 steps: 4.5 rounds up to 5), 0
                                9, 7, 8,    // što: 0.5 (1.17 steps), -0.25 (-0.58: 7.92 -> 7), 0.1 (0.23)
                                10, 6,      // and: 0.75 (1.75 steps), -0.75
                                1, 12};     // the: -3, 1.5 (3.5: 12 exactly)
  for (size_t i = 0; i < 10; ++i) {
    CAPTURE(i);
    CHECK(q4_at(t->data, i) == expected[i]);
  }
  CHECK(t->data[0] == (15 | 5 << 4));
  // Everything else as at 8 bits; 5 bytes of scores instead of 10.
  for (const char* key : {"neighbours.groups", "neighbours.labels", "neighbours.word_counts", "neighbours.words"}) {
    CAPTURE(key);
    CHECK(u32_array(c4.model, key) == u32_array(c8.model, key));
  }
  CHECK(c4.model.find_tensor("neighbour_scores")->data != nullptr);
}

TEST_CASE("neighbour words: all-zero scores store 128s with scale 0; the file is the same on a second conversion") {
  testing::TempDir dir("ffnlp_neighbours");
  Converted a, b;
  convert_with_words(dir, "group\thr bs\nx\t0\t0 0\ny\t0\t0 -0\n", &a);
  const TensorView* t = a.model.find_tensor("neighbour_scores");
  REQUIRE(t != nullptr);
  CHECK(t->row_scale(0) == 0.0f);
  for (uint64_t i = 0; i < t->cols; ++i) CHECK(t->data[i] == 128);
  convert_with_words(dir, "group\thr bs\nx\t0\t0 0\ny\t0\t0 -0\n", &b);
  CHECK(a.bytes == b.bytes);
}

TEST_CASE("neighbour words: a model without [neighbours] has none of the keys") {
  ConvertOptions options;
  options.spec_text = classifier_spec("");
  const std::vector<uint8_t> bytes = convert(classifier_arrays(), options);
  Model m;
  Error e;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &m, &e) == Status::kOk);
  uint32_t seed = 0;
  CHECK_FALSE(m.metadata_u32("neighbours.seed", &seed));
  CHECK(m.find_tensor("neighbour_scores") == nullptr);
}

TEST_CASE("neighbour words: two words with the same key in one group are refused, naming both") {
  // A real 32-bit collision of the word hash with seed 3001 (both hash to
  // 0x00004a79), found by a search over random words.
  uint32_t k1 = 0, k2 = 0;
  REQUIRE(neighbour_word_key("kzcwlgae", 3001, &k1));
  REQUIRE(neighbour_word_key("ryjlqyp", 3001, &k2));
  REQUIRE(k1 == k2);
  CHECK(k1 == 0x00004a78u);
  const std::string err = refusal("group\thr bs\nkzcwlgae\t0\t1 2\nother\t0\t1 1\nryjlqyp\t0\t2 1\n");
  CHECK(contains(err, "w.tsv:4: 'ryjlqyp' and 'kzcwlgae' (line 2) have the same key 0x00004a78 in group 0"));
  // The same pair in two groups is fine: keys are per group.
  CHECK(refusal("group\thr bs\ngroup\ten sl\nkzcwlgae\t0\t1 2\nryjlqyp\t1\t2 1\n") == "");
  // One word twice.
  CHECK(contains(refusal("group\thr bs\nkuca\t0\t1 2\nkuca\t0\t1 2\n"), "w.tsv:3: 'kuca' appears twice in group 0 (first on line 2)"));
}

TEST_CASE("neighbour words: groups are refused for unknown codes, shared labels, sizes, count and no words") {
  CHECK(contains(refusal("group\thr xx\n"), "w.tsv:1: group 0: 'xx' is not one of the model's labels"));
  CHECK(contains(refusal("group\thr bs\ngroup\tsr hr\n"),
                 "w.tsv:2: group 1: 'hr' is already in group 0 (line 1); a label belongs to one group at most"));
  CHECK(contains(refusal("group\thr bs hr\n"), "w.tsv:1: group 0: 'hr' is listed twice"));
  CHECK(contains(refusal("group\thr\n"), "w.tsv:1: group 0 has 1 labels; a group has 2 to 16"));
  CHECK(contains(refusal("group\t\n"), "w.tsv:1: group 0 has 0 labels"));
  std::vector<std::string> codes;
  std::string seventeen = "group\t", many;
  for (int i = 0; i < 140; ++i) codes.push_back("l" + std::to_string(i));
  for (int i = 0; i < 17; ++i) seventeen += (i ? " l" : "l") + std::to_string(i);
  CHECK(contains(refusal(seventeen + "\n", codes), "w.tsv:1: group 0 has 17 labels; a group has 2 to 16"));
  seventeen.resize(seventeen.rfind(' '));  // 16 labels: fine
  CHECK(refusal(seventeen + "\nw\t0\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", codes) == "");
  for (int g = 0; g < 65; ++g) many += "group\tl" + std::to_string(2 * g) + " l" + std::to_string(2 * g + 1) + "\n";
  CHECK(contains(refusal(many, codes), "w.tsv:65: more than 64 groups"));
  std::string sixty_four = many.substr(0, many.rfind("group"));
  for (int g = 0; g < 64; ++g) sixty_four += "w\t" + std::to_string(g) + "\t1 -1\n";
  CHECK(refusal(sixty_four, codes) == "");
  CHECK(contains(refusal("group\thr bs\ngroup\ten sl\nw\t0\t1 2\n"), "w.tsv:2: group 1 has no words"));
  CHECK(contains(refusal("# nothing\n"), "w.tsv: no groups"));
  CHECK(contains(refusal(""), "w.tsv: no groups"));
}

TEST_CASE("neighbour words: entries are refused for bad groups, score counts, non-finite or malformed scores") {
  const std::string g = "group\thr bs sr\n";
  CHECK(contains(refusal(g + "w\t1\t1 2 3\n"), "w.tsv:2: 'w': group 1 is not declared above"));
  CHECK(contains(refusal("w\t0\t1 2 3\n" + g), "w.tsv:1: 'w': group 0 is not declared above"));
  CHECK(contains(refusal(g + "w\t00\t1 2 3\n"), "w.tsv:2: 'w': the group must be a decimal index, got '00'"));
  CHECK(contains(refusal(g + "w\t0\t1 2\n"), "w.tsv:2: 'w': 2 scores for group 0, which has 3 labels"));
  CHECK(contains(refusal(g + "w\t0\t1 2 3 4\n"), "w.tsv:2: 'w': 4 scores for group 0, which has 3 labels"));
  for (const char* bad : {"inf", "-inf", "nan", "NaN", "Infinity", "1e39", "-1e400"}) {
    CAPTURE(bad);
    CHECK(contains(refusal(g + "w\t0\t1 " + bad + " 3\n"), std::string("w.tsv:2: 'w': score 2 ('") + bad + "') is not a finite number"));
  }
  for (const char* bad : {"1,5", "0x10", "1.", ".5", "1e", "--1", "abc", "1.5f"}) {
    CAPTURE(bad);
    CHECK(contains(refusal(g + "w\t0\t1 2 " + bad + "\n"), std::string("score 3 ('") + bad + "') is not a decimal number"));
  }
  CHECK(refusal(g + "w\t0\t-1.25 +2 3E-05\n") == "");
  CHECK(contains(refusal(g + "w\t0\n"), "w.tsv:2: expected 'group<TAB>CODE CODE ...' or 'WORD<TAB>GROUP<TAB>SCORES', got 2"));
  CHECK(contains(refusal(g + "w\t0\t1 2 3\textra\n"), "got 4 tab-separated fields"));
  // "group" is a word like any other on an entry line (three fields).
  const NeighbourTables t = build(g + "group\t0\t1 2 3\n");
  CHECK(t.words.size() == 1);
}

TEST_CASE("neighbour words: words must be valid UTF-8 and written as the model's word channel sees them") {
  const std::string g = "group\thr bs\n";
  for (const char* bad : {"a\xC3", "\xC0\xAF", "\xED\xA0\x80", "a\xFFz", "\x80"}) {
    CAPTURE(bad);
    CHECK(contains(refusal(g + bad + "\t0\t1 2\n"), "is not valid UTF-8"));
    uint32_t key = 0;
    CHECK_FALSE(neighbour_word_key(bad, 1, &key));
  }
  CHECK(refusal(g + "\xEF\xBF\xBD\t0\t1 2\n") != "");  // a real U+FFFD decodes, but separates words
  CHECK(contains(refusal(g + "\t0\t1 2\n"), "w.tsv:2: empty word"));
  CHECK(contains(refusal(g + "two words\t0\t1 2\n"), "'two words' holds U+0020, which separates words"));
  CHECK(contains(refusal(g + "don't\t0\t1 2\n"), "holds U+0027"));
  CHECK(contains(refusal(g + "Kuca\t0\t1 2\n"), "'Kuca': the model lowercases U+004B to U+006B"));
  CHECK(contains(refusal(g + "\xCF\x83\xCE\xBF\xCF\x82\t0\t1 2\n"), "lowercases U+03C2 to U+03C3"));  // final sigma
  CHECK(contains(refusal(g + "b52\t0\t1 2\n"), "'b52' holds the digit U+0035; the model drops digits"));
  WordCharacters keep;
  keep.lowercase = false;
  keep.drop_digits = false;
  CHECK(refusal(g + "Kuca\t0\t1 2\nb52\t0\t1 2\n", {"en", "hr", "bs", "sr", "sl"}, keep) == "");
}

TEST_CASE("neighbour words: the spec section needs seed, weight and words; a missing words file fails") {
  testing::TempDir dir("ffnlp_neighbours");
  Converted c;
  auto spec_error = [&](const std::string& section, const std::string& words = kWords) {
    dir.write("words.tsv", words);
    ConvertOptions options;
    options.spec_text = classifier_spec(section);
    options.spec_name = dir.path + "/model.spec";
    try {
      convert(classifier_arrays(), options);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(spec_error(kNeighbourSection) == "");
  CHECK(contains(spec_error("[neighbours]\nseed = 3001\nweight = 0.5\n"),
                 "model.spec:25: [neighbours]: needs 'seed', 'weight' and 'words' (missing 'words')"));
  CHECK(contains(spec_error("[neighbours]\nweight = 1\nwords = words.tsv\n"), "(missing 'seed')"));
  CHECK(contains(spec_error("[neighbours]\nseed = 1\nwords = words.tsv\n"), "(missing 'weight')"));
  CHECK(contains(spec_error("[neighbours]\nseed = 1\nweight = -1\nwords = words.tsv\n"),
                 "'weight' must be a plain decimal number >= 0"));
  CHECK(contains(spec_error("[neighbours]\nseed = 1\nweight = nan\nwords = words.tsv\n"), "'weight' must be"));
  CHECK(contains(spec_error("[neighbours]\nseed = 0x10\nweight = 1\nwords = words.tsv\n"), "'seed' must be a decimal"));
  CHECK(spec_error(std::string(kNeighbourSection) + "bits = 8\n") == "");
  for (const char* bits : {"bits = 5\n", "bits = 04\n", "bits = \n", "bits = four\n", "bits = -4\n"}) {
    CAPTURE(bits);
    const std::string err = spec_error(std::string(kNeighbourSection) + bits);
    CHECK_MESSAGE(contains(err, "'bits' of [neighbours] must be 8 or 4"), err);
  }
  CHECK(contains(spec_error(std::string(kNeighbourSection) + "bits = 4\nbits = 8\n"), "'bits' is set twice"));
  CHECK(contains(spec_error("[neighbours]\nseed = 1\nweight = 1\nwords = words.tsv\nbuckets = 5\n"),
                 "unknown key 'buckets' in [neighbours]"));
  CHECK(contains(spec_error(std::string(kNeighbourSection) + "[neighbours]\nseed = 1\n"), "section [neighbours] appears twice"));
  CHECK(contains(spec_error("[metadata]\nneighbours.seed = 5\n"), "'neighbours.seed' is set by the converter"));
  // The words file: relative to the spec, must exist; its errors name it.
  const std::string missing = spec_error("[neighbours]\nseed = 1\nweight = 1\nwords = absent.tsv\n");
  CHECK(contains(missing, "[neighbours]: words file: "));
  CHECK(contains(missing, dir.path + "/absent.tsv"));
  CHECK(contains(spec_error(kNeighbourSection, "group\thr xx\n"), dir.path + "/words.tsv:1: group 0: 'xx' is not one of"));
  // The scores' tensor name is taken.
  std::map<std::string, NpyArray> arrays = classifier_arrays();
  arrays["neighbour_scores"] = arrays.at("b0");
  dir.write("words.tsv", kWords);
  ConvertOptions taken;
  taken.spec_text = classifier_spec(kNeighbourSection);
  taken.spec_name = dir.path + "/model.spec";
  CHECK_THROWS_WITH_AS(convert(arrays, taken), doctest::Contains("an input array is named 'neighbour_scores'"),
                       std::runtime_error);
  // Classifiers only.
  const std::string embedding = "[model]\ntask = embedding\n" + std::string(kNeighbourSection);
  CHECK_THROWS_WITH_AS(parse_model_spec(embedding, "x.spec"),
                       doctest::Contains("neighbour words are for classifiers"), std::runtime_error);
  // A features-only file (no arrays) has no classifier to attach them to.
  ConvertOptions features;
  features.spec_text = classifier_spec(kNeighbourSection);
  features.spec_name = dir.path + "/model.spec";
  CHECK_THROWS_WITH_AS(convert({}, features), doctest::Contains("a features-only file has none"), std::runtime_error);
}

TEST_CASE("neighbour words: inspect_model shows one line per model, not the 4-byte keys") {
  const std::string inspect = testing::tool_path("inspect_model");
  REQUIRE_MESSAGE(access(inspect.c_str(), X_OK) == 0, inspect << " is not built");
  testing::TempDir dir("ffnlp_neighbours");
  Converted c;
  convert_with_words(dir, kWords, &c);
  write_file_atomically(dir.path + "/m.ffm", c.bytes, false);
  const testing::ChildResult r = testing::run_program(inspect, {dir.path + "/m.ffm"}, 30);
  REQUIRE_MESSAGE(r.exited_with(0), r.describe());
  CHECK_MESSAGE(contains(r.out, "neighbours  2 groups, 4 words, seed 3001, weight 0.5: hr bs sr (2 words); en sl (2 words)\n"),
                r.out);
  CHECK(contains(r.out, "neighbours.words"));
}

// ---- key_bits = 24: the words' keys in 3 bytes (docs/FORMAT.md,
// neighbours.key_bits).

TEST_CASE("neighbour words: word keys of non-ASCII words are golden (tools/train/neighbour_words.py checks the same)") {
  // Cyrillic, Han, Gothic (beyond the BMP), a combining mark, ß, a
  // digraph letter: the key hashes code points, whatever their UTF-8 length.
  const std::pair<const char*, uint32_t> golden[] = {
      {"\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", 0xada96979u},  // привет
      {"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 0x8e8c4d30u},              // 日本語
      {"\xF0\x90\x8C\xB0\xF0\x90\x8C\xB1", 0x7c015825u},                  // 𐌰𐌱
      {"cafe\xCC\x81", 0xd1bcf12bu},                                      // cafe + U+0301
      {"stra\xC3\x9F" "e", 0x4029f0f9u},                                  // straße
      {"\xC7\x86" "emal", 0x11e913d1u},                                   // ǆemal
      {"keerwp", 0x7555818cu},
      {"czeoqgc", 0x75558157u},  // the same top 24 bits as keerwp's
  };
  for (const auto& g : golden) {
    CAPTURE(g.first);
    uint32_t key = 0;
    REQUIRE(neighbour_word_key(g.first, 3001, &key));
    CHECK(key == g.second);
  }
}

TEST_CASE("neighbour words: key_bits = 24 stores the keys >> 8 in 3 bytes each, packed, with neighbours.key_bits") {
  testing::TempDir dir("ffnlp_neighbours");
  Converted c32, c24;
  convert_with_words(dir, kWords, &c32);
  convert_with_words(dir, kWords, &c24, std::string(kNeighbourSection) + "key_bits = 24\n");
  uint32_t key_bits = 0;
  CHECK_FALSE(c32.model.metadata_u32("neighbours.key_bits", &key_bits));  // 32 bits: no key, as before
  REQUIRE(c24.model.metadata_u32("neighbours.key_bits", &key_bits));
  CHECK(key_bits == 24);
  // kuća 0x03d4bc7e, što 0xe9e40134 | and 0x5f1d23e9, the 0x9902c725: the top
  // 24 bits, 3 little-endian bytes each: bc d4 03 | 01 e4 e9 | 23 1d 5f | c7 02 99.
  CHECK(u32_array(c24.model, "neighbours.words") == std::vector<uint32_t>{0x0103d4bcu, 0x1d23e9e4u, 0x9902c75fu});
  for (const char* key : {"neighbours.groups", "neighbours.labels", "neighbours.word_counts"}) {
    CAPTURE(key);
    CHECK(u32_array(c24.model, key) == u32_array(c32.model, key));
  }
  const TensorView* s32 = c32.model.find_tensor("neighbour_scores");
  const TensorView* s24 = c24.model.find_tensor("neighbour_scores");
  REQUIRE(s32 != nullptr);
  REQUIRE(s24 != nullptr);
  CHECK(std::memcmp(s32->data, s24->data, 10) == 0);
  // Five words: 15 bytes of keys and one of zero padding.
  const std::string five = std::string(kWords) + "sl\t1\t0.5 0.5\n";
  convert_with_words(dir, five, &c24, std::string(kNeighbourSection) + "key_bits = 24\n");
  const std::vector<uint32_t> packed = u32_array(c24.model, "neighbours.words");
  REQUIRE(packed.size() == 4);
  CHECK((packed[3] >> 24) == 0);
  uint32_t sl = 0;
  REQUIRE(neighbour_word_key("sl", 3001, &sl));
  // The packing: 3 little-endian bytes a key, in order.
  const NeighbourTables t = [&] {
    NeighbourSpec spec;
    spec.seed = 3001;
    spec.key_bits = 24;
    return build_neighbour_tables(five, "w.tsv", spec, {"en", "hr", "bs", "sr", "sl"}, WordCharacters());
  }();
  REQUIRE(t.words.size() == 5);
  for (uint32_t k : t.words) CHECK(k < (1u << 24));
  CHECK(std::find(t.words.begin(), t.words.end(), sl >> 8) != t.words.end());
  CHECK(pack_keys_24(t.words) == packed);
  // Bytes 03 02 01 | 06 05 04 | 09 08 07 | 0c 0b 0a | 0f 0e 0d | 00, read as u32s.
  CHECK(pack_keys_24({0x010203u, 0x040506u, 0x070809u, 0x0a0b0cu, 0x0d0e0fu}) ==
        std::vector<uint32_t>{0x06010203u, 0x08090405u, 0x0a0b0c07u, 0x000d0e0fu});
}

TEST_CASE("neighbour words: key_bits = 32 or none writes the same file; other values and too few words are refused") {
  testing::TempDir dir("ffnlp_neighbours");
  Converted plain, explicit32;
  convert_with_words(dir, kWords, &plain);
  convert_with_words(dir, kWords, &explicit32, std::string(kNeighbourSection) + "key_bits = 32\n");
  CHECK(plain.bytes == explicit32.bytes);
  for (const char* bits : {"16", "024", "", "8", "3"}) {
    CAPTURE(bits);
    CHECK_THROWS_WITH_AS(parse_model_spec(classifier_spec(std::string(kNeighbourSection) + "key_bits = " + bits + "\n"), "x.spec"),
                         doctest::Contains("'key_bits' of [neighbours] must be 32 or 24"), std::runtime_error);
  }
  CHECK_THROWS_WITH_AS(parse_model_spec(classifier_spec(std::string(kNeighbourSection) + "key_bits = 24\nkey_bits = 24\n"), "x.spec"),
                       doctest::Contains("'key_bits' is set twice"), std::runtime_error);
  // Three words take 12 bytes either way; an older runtime would misread them.
  NeighbourSpec spec;
  spec.seed = 3001;
  spec.key_bits = 24;
  CHECK_THROWS_WITH_AS(build_neighbour_tables("group\thr bs\na\t0\t1 2\nb\t0\t1 2\nc\t0\t2 1\n", "w.tsv", spec,
                                              {"en", "hr", "bs", "sr", "sl"}, WordCharacters()),
                       doctest::Contains("w.tsv: key_bits = 24 needs at least 4 words (3 take as many bytes as 32-bit keys)"),
                       std::runtime_error);
  CHECK(build_neighbour_tables("group\thr bs\na\t0\t1 2\nb\t0\t1 2\nc\t0\t2 1\nd\t0\t2 1\n", "w.tsv", spec,
                               {"en", "hr", "bs", "sr", "sl"}, WordCharacters())
            .words.size() == 4);
}

TEST_CASE("neighbour words: two words of a group with the same 24-bit key are refused, naming both") {
  NeighbourSpec spec;
  spec.seed = 3001;
  spec.key_bits = 24;
  auto refused = [&](const std::string& words) {
    try {
      build_neighbour_tables(words, "w.tsv", spec, {"en", "hr", "bs", "sr", "sl"}, WordCharacters());
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string err = refused("group\thr bs\nkeerwp\t0\t1 2\na\t0\t1 1\nb\t0\t1 1\nczeoqgc\t0\t2 1\n");
  CHECK_MESSAGE(contains(err, "w.tsv:5: 'czeoqgc' and 'keerwp' (line 2) have the same 24-bit key 0x755581 in group 0; "
                              "keep one of them"),
                err);
  // At 32 bits they differ; in two groups they are fine at 24 too.
  CHECK(refusal("group\thr bs\nkeerwp\t0\t1 2\na\t0\t1 1\nb\t0\t1 1\nczeoqgc\t0\t2 1\n") == "");
  CHECK(refused("group\thr bs\ngroup\ten sl\nkeerwp\t0\t1 2\na\t0\t1 1\nb\t1\t1 1\nczeoqgc\t1\t2 1\n") == "");
  // A 32-bit collision is one at 24 bits too.
  CHECK(contains(refused("group\thr bs\nkzcwlgae\t0\t1 2\nryjlqyp\t0\t2 1\na\t0\t1 1\nb\t0\t1 1\n"),
                 "'ryjlqyp' and 'kzcwlgae' (line 2) have the same 24-bit key 0x00004a in group 0"));
}

TEST_CASE("neighbour words: inspect_model says 24-bit keys and counts the words, not the array's u32s") {
  const std::string inspect = testing::tool_path("inspect_model");
  REQUIRE_MESSAGE(access(inspect.c_str(), X_OK) == 0, inspect << " is not built");
  testing::TempDir dir("ffnlp_neighbours");
  Converted c;
  convert_with_words(dir, std::string(kWords) + "sl\t1\t0.5 0.5\n", &c, std::string(kNeighbourSection) + "key_bits = 24\n");
  write_file_atomically(dir.path + "/m.ffm", c.bytes, false);
  const testing::ChildResult r = testing::run_program(inspect, {dir.path + "/m.ffm"}, 30);
  REQUIRE_MESSAGE(r.exited_with(0), r.describe());
  CHECK_MESSAGE(contains(r.out, "neighbours  2 groups, 5 words, 24-bit keys, seed 3001, weight 0.5: hr bs sr (2 words); "
                                "en sl (3 words)\n"),
                r.out);
}

namespace {

std::string file_text(const std::string& path) {
  const std::vector<uint8_t> b = read_file_bytes(path);
  return std::string(b.begin(), b.end());
}

// A words file without the entries whose 24-bit key an earlier word of the
// same group has (what neighbour_words.py --key-bits 24 leaves out), and
// every kept word's 32-bit key by its 24-bit key. `dropped` counts them.
std::string without_24_bit_collisions(const std::string& words, uint32_t seed, std::map<uint32_t, uint32_t>* kept,
                                      size_t* dropped) {
  std::string out;
  std::map<std::pair<std::string, uint32_t>, bool> seen;  // (group, 24-bit key)
  size_t at = 0;
  *dropped = 0;
  while (at < words.size()) {
    size_t end = words.find('\n', at);
    end = end == std::string::npos ? words.size() : end + 1;
    const std::string line = words.substr(at, end - at);
    at = end;
    const size_t tab = line.find('\t'), tab2 = tab == std::string::npos ? tab : line.find('\t', tab + 1);
    uint32_t key = 0;
    if (line[0] != '#' && tab2 != std::string::npos && neighbour_word_key(line.substr(0, tab), seed, &key)) {
      if (seen[{line.substr(tab + 1, tab2 - tab - 1), key >> 8}]) {
        ++*dropped;
        continue;
      }
      seen[{line.substr(tab + 1, tab2 - tab - 1), key >> 8}] = true;
      (*kept)[key >> 8] = key;
    }
    out += line;
  }
  return out;
}

}  // namespace

TEST_CASE("neighbour words: key_bits = 24 on the shipped model answers as its 32-bit keys; ffm_to_npz.py round trip byte for byte") {
  // The shipped model's arrays (ffm_to_npz.py) converted with its spec and
  // words files, with and without key_bits = 24: every dev text's logits
  // bit for bit, except a text holding a word whose key is not listed but
  // whose top 24 bits are (it counts at 24 bits only). Words whose 24-bit
  // keys collide in a group are left out of both (none in today's file).
  testing::TempDir dir("ffnlp_kb24");
  const std::string npz = dir.path + "/langid.npz";
  std::string spec = file_text(testing::source_path("models/langid.spec"));
  // The shipped spec may say key_bits = 24 itself: both specs are made from
  // it without that line, and the shipped file is the conversion it names.
  const std::string kb24 = "key_bits = 24\n";
  const size_t said = spec.find("\n" + kb24);
  const bool shipped_24 = said != std::string::npos;
  if (shipped_24) spec.erase(said + 1, kb24.size());
  REQUIRE(spec.find("key_bits") == std::string::npos);
  dir.write("langid32.spec", spec);
  const size_t at = spec.find("[neighbours]\n");
  REQUIRE(at != std::string::npos);
  spec.insert(at + std::strlen("[neighbours]\n"), kb24);
  dir.write("langid24.spec", spec);
  dir.write("langid.lexicon.tsv", file_text(testing::source_path("models/langid.lexicon.tsv")));
  Model shipped;
  const std::vector<uint8_t> shipped_bytes = read_file_bytes(testing::source_path("models/langid.ffm"));
  REQUIRE(Model::load(shipped_bytes.data(), shipped_bytes.size(), &shipped, nullptr) == Status::kOk);
  uint32_t seed = 0;
  REQUIRE(shipped.metadata_u32("neighbours.seed", &seed));
  std::map<uint32_t, uint32_t> listed;  // 24-bit key -> 32-bit key
  size_t dropped = 0;
  dir.write("langid.neighbours.tsv",
            without_24_bit_collisions(file_text(testing::source_path("models/langid.neighbours.tsv")), seed, &listed, &dropped));
  if (dropped != 0) MESSAGE(dropped << " words left out for a 24-bit key of their group");
  auto export_and_convert = [&](const std::string& model, const std::string& spec_name, const std::string& result) {
    const testing::ChildResult exported = testing::run_program(
        "/usr/bin/python3", {testing::source_path("tools/convert_model/ffm_to_npz.py"), model, npz}, 60);
    REQUIRE_MESSAGE(exported.exited_with(0), exported.describe());
    const testing::ChildResult converted = testing::run_program(
        testing::tool_path("convert_model"), {npz, "--spec", dir.path + "/" + spec_name, "-o", result, "--quiet", "--force"}, 60);
    REQUIRE_MESSAGE(converted.exited_with(0), converted.describe());
  };
  const std::string path32 = dir.path + "/langid32.ffm", path24 = dir.path + "/langid24.ffm";
  export_and_convert(testing::source_path("models/langid.ffm"), "langid32.spec", path32);
  export_and_convert(testing::source_path("models/langid.ffm"), "langid24.spec", path24);
  const std::vector<uint8_t> bytes32 = read_file_bytes(path32), bytes24 = read_file_bytes(path24);
  if (dropped == 0) CHECK((shipped_24 ? bytes24 : bytes32) == shipped_bytes);
  Model m32, m24;
  Error e;
  REQUIRE_MESSAGE(Model::load(bytes32.data(), bytes32.size(), &m32, &e) == Status::kOk, e.message);
  REQUIRE_MESSAGE(Model::load(bytes24.data(), bytes24.size(), &m24, &e) == Status::kOk, e.message);
  uint64_t words = 0;
  for (uint32_t n : u32_array(m32, "neighbours.word_counts")) words += n;
  CHECK(u32_array(m24, "neighbours.words").size() == (3 * words + 3) / 4);
  // A quarter of the keys' bytes, less the key_bits entry (32 bytes) and what
  // the tensors' 64-byte alignment takes back.
  CHECK(bytes32.size() - bytes24.size() + 32 + 64 >= words);
  Workspace w32(m32), w24(m24);
  const std::string lines = file_text(testing::source_path("tests/langid/everyday-dev.tsv"));
  std::vector<float> a(m32.label_count()), b(m24.label_count());
  size_t compared = 0, false_matches = 0, begin = 0;
  while (begin < lines.size()) {
    size_t end = lines.find('\n', begin);
    if (end == std::string::npos) end = lines.size();
    const size_t tab = lines.find('\t', begin);
    const std::string text = lines.substr(tab + 1, end - tab - 1);
    begin = end + 1;
    CAPTURE(text);
    // A word of the text whose top 24 bits are a listed word's, its key not.
    bool false_match = false;
    std::pair<const std::map<uint32_t, uint32_t>*, bool*> context{&listed, &false_match};
    ffnlp::detail::for_each_word_key(reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                              internal::ModelAccess::plan(m24), seed, 0xFFFFFFFFu,
                              [](void* c, uint32_t key) {
                                auto& x = *static_cast<std::pair<const std::map<uint32_t, uint32_t>*, bool*>*>(c);
                                const auto it = x.first->find(key >> 8);
                                if (it != x.first->end() && it->second != key) *x.second = true;
                              },
                              &context);
    Input in;
    in.text = text.data();
    in.size = text.size();
    REQUIRE(m32.logits(in, w32.data(), w32.size(), a.data(), a.size()) == Status::kOk);
    REQUIRE(m24.logits(in, w24.data(), w24.size(), b.data(), b.size()) == Status::kOk);
    if (false_match) {
      ++false_matches;
      continue;
    }
    CHECK(std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0);
    ++compared;
  }
  CHECK(compared > 400);
  CHECK(false_matches < 10);  // about one word in 39,000 of a group's text
  // Exported and converted again with the same spec: the same bytes.
  export_and_convert(path24, "langid24.spec", dir.path + "/again.ffm");
  CHECK(read_file_bytes(dir.path + "/again.ffm") == bytes24);
}
