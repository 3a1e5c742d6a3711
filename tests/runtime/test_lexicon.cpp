// The lexicon head (heads/lexicon.h): on a text of 1 .. max_words words,
// each word found adds exactly lexicon.weight to its labels' logits, on
// every path the word count can come from (no word channel: the head reads
// the text; a word channel: forward() counts, on the scalar and AVX2 paths,
// with the words' hashes kept or not, short and long texts); every
// malformed lexicon.* key refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "features/word_keys.h"
#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/ffnlp_c.h"
#include "load_cases.h"
#include "test_models.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

constexpr uint32_t kLexiconWordSeed = 2001;  // the word channel's seed in the word network

uint32_t lexicon_key(const std::string& ascii_word, uint32_t seed) {
  std::vector<uint32_t> cps(ascii_word.begin(), ascii_word.end());
  return bucket_of(hash_code_points_forward(cps.data(), static_cast<uint32_t>(cps.size()), seed), 0xFFFFFFFFu);
}

const std::string& lexicon_long_word() {
  static const std::string word(4200, 'a');  // one word of more than the counting path's 4096 bytes
  return word;
}

// The lexicon of the tests: three labels (mask 3); "maus" names two.
struct LexiconKeys {
  uint32_t seed = 4001;
  float weight = 2.5f;
  uint32_t max_words = 3;
  std::vector<std::pair<std::string, uint32_t>> words = {
      {"hund", 0}, {"katze", 1}, {"maus", 1}, {"maus", 2}, {lexicon_long_word(), 2}};

  std::vector<uint32_t> entries() const {
    std::vector<uint32_t> e;
    for (const auto& w : words) e.push_back((lexicon_key(w.first, seed) & ~3u) | w.second);
    std::sort(e.begin(), e.end());
    return e;
  }
  void write(tools::ModelWriter& w) const {
    w.set_u32s("lexicon.entries", entries());
    w.set_u32("lexicon.seed", seed);
    w.set_f32("lexicon.weight", weight);
    w.set_u32("lexicon.max_words", max_words);
  }
};

// The networks the lexicon sits on.
enum class LexiconNet {
  kNoWords,  // the tiny classifier (n-grams and script, a prior): the head reads the text
  kWords,    // n-grams, a hashed word channel (seed kLexiconWordSeed), script: AVX2 path where the CPU has it
  kKinds,    // every kind (a vocabulary word channel: the scalar path)
};

void write_lexicon_network(tools::ModelWriter& w, LexiconNet net) {
  if (net == LexiconNet::kNoWords) {
    add_tiny_tensors(w, make_tiny_network(61, kScriptCount), false);
    set_tiny_metadata(w);
    w.add_tensor(f32_tensor("log_prior", 3, 1, {-0.5f, -1.5f, -1.25f}, 1));
    w.set_string("classifier.log_prior", "log_prior");
    return;
  }
  if (net == LexiconNet::kKinds) {
    const KindsNetwork n = make_kinds_network(9);
    add_kinds_tensors(w, n);
    set_kinds_metadata(w, n);
    return;
  }
  std::mt19937 rng(17);
  std::vector<tools::ChannelMetadata> channels(3);
  channels[0].kind = "char_ngram";
  channels[0].order = 2;
  channels[0].seed = 11;
  channels[0].buckets = 17;
  channels[1].kind = "word";
  channels[1].seed = kLexiconWordSeed;
  channels[1].buckets = 50;
  channels[2].kind = "script";
  channels[2].buckets = kScriptCount;
  uint32_t width = 0;
  for (size_t c = 0; c < channels.size(); ++c) {
    channels[c].dims = 3;
    channels[c].embedding = "emb" + std::to_string(c);
    w.add_tensor(f32_tensor(channels[c].embedding, channels[c].buckets, 3,
                            random_values(rng, static_cast<size_t>(channels[c].buckets) * 3, 1.0f)));
    width += 3;
  }
  w.add_tensor(f32_tensor("hidden_w", 4, width, random_values(rng, 4 * width, 1.0f)));
  w.add_tensor(f32_tensor("hidden_b", 4, 1, random_values(rng, 4, 0.1f), 1));
  w.add_tensor(f32_tensor("out_w", 3, 4, random_values(rng, 12, 1.0f)));
  w.add_tensor(f32_tensor("out_b", 3, 1, random_values(rng, 3, 0.1f), 1));
  w.set_string("general.task", "classifier");
  tools::write_features(w, tools::TextMetadata(), channels);
  set_two_layer_metadata(w);
  w.set_strings("labels", {"wa", "wb", "wc"});
}

std::vector<uint8_t> lexicon_model_bytes(LexiconNet net, const LexiconKeys* lexicon) {
  tools::ModelWriter w;
  write_lexicon_network(w, net);
  if (lexicon != nullptr) lexicon->write(w);
  return w.build();
}

void lexicon_logits(const Model& m, const std::string& text, float out[3], const ClassifyOptions* options = nullptr) {
  Workspace ws(m);
  Input in;
  in.text = text.data();
  in.size = text.size();
  REQUIRE(m.logits(in, ws.data(), ws.size(), out, 3, options) == Status::kOk);
}

// The test texts' words: runs of ASCII letters, lowercased (digits and
// everything else separate words, as in the models: drop_digits = 1).
std::vector<std::string> ascii_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text + " ") {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      word += static_cast<char>(c | 0x20);
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  return words;
}

// base + the lexicon's rule, in text order (each occurrence, each of its labels).
void add_expected(const LexiconKeys& lexicon, const std::string& text, float logits[3]) {
  const std::vector<std::string> words = ascii_words(text);
  if (words.empty() || words.size() > lexicon.max_words) return;
  for (const std::string& word : words) {
    for (const auto& entry : lexicon.words) {
      if (entry.first == word) logits[entry.second] += lexicon.weight;
    }
  }
}

uint32_t lexicon_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

const std::vector<std::string>& lexicon_texts() {
  static const std::vector<std::string> texts = {
      "Hund", "hund hund", "HUND, katze!", "maus", "hund katze maus", "hund katze maus hund", "nichts",
      "hunde", "hund2katze", "der Hund", "katze katze katze", "x hund", "hund " + std::string(5000, ' '),
      std::string(5000, '!') + "Maus", lexicon_long_word(), lexicon_long_word() + " katze",
      [] {
        std::string many;
        for (int i = 0; i < 1000; ++i) many += "hund ";  // 1,000 words, a long text
        return many;
      }(),
      "hund katze maus hund katze maus hund katze maus"};
  return texts;
}

}  // namespace

TEST_CASE("lexicon: a text of 1..max_words words gets exactly the weight per word found, on every path") {
  for (LexiconNet net : {LexiconNet::kNoWords, LexiconNet::kWords, LexiconNet::kKinds}) {
    // The word network's seed (its kept hashes reused) or another (the text read).
    for (uint32_t seed : {kLexiconWordSeed, 4001u}) {
      CAPTURE(static_cast<int>(net));
      CAPTURE(seed);
      LexiconKeys lexicon;
      lexicon.seed = seed;
      const std::vector<uint8_t> plain_bytes = lexicon_model_bytes(net, nullptr);
      const std::vector<uint8_t> with_bytes = lexicon_model_bytes(net, &lexicon);
      Model plain, with;
      Error e;
      REQUIRE_MESSAGE(Model::load(plain_bytes.data(), plain_bytes.size(), &plain, &e) == Status::kOk, e.message);
      REQUIRE_MESSAGE(Model::load(with_bytes.data(), with_bytes.size(), &with, &e) == Status::kOk, e.message);
      ClassifyOptions uniform;
      uniform.prior = Prior::kUniform;
      const uint32_t only[2] = {1, 2};
      ClassifyOptions allow;
      allow.only = only;
      allow.only_count = 2;
      // Hints come before the lexicon: the plain model's hinted logits, then the words' weights.
      const uint32_t prefer[2] = {2, 0};
      ClassifyOptions hinted;
      hinted.prefer = prefer;
      hinted.prefer_count = 2;
      hinted.prefer_weight = 0.3f;
      int changed = 0, unchanged = 0;
      for (const std::string& text : lexicon_texts()) {
        CAPTURE(text.substr(0, 40));
        const ClassifyOptions* const option_sets[] = {nullptr, &uniform, &allow, &hinted};
        for (const ClassifyOptions* options : option_sets) {
          float expected[3], got[3];
          lexicon_logits(plain, text, expected, options);
          lexicon_logits(with, text, got, options);
          float before[3];
          std::memcpy(before, expected, sizeof before);
          add_expected(lexicon, text, expected);
          bool same = true;
          for (int i = 0; i < 3; ++i) {
            CHECK(lexicon_bits(got[i]) == lexicon_bits(expected[i]));
            same = same && lexicon_bits(before[i]) == lexicon_bits(expected[i]);
          }
          (same ? unchanged : changed) += 1;
        }
      }
      CHECK(changed >= 30);
      CHECK(unchanged >= 15);
    }
  }
}

TEST_CASE("lexicon: the exact additions (one word, a repeated word, a word of two labels, too many words)") {
  LexiconKeys lexicon;
  const std::vector<uint8_t> plain_bytes = lexicon_model_bytes(LexiconNet::kKinds, nullptr);
  const std::vector<uint8_t> with_bytes = lexicon_model_bytes(LexiconNet::kKinds, &lexicon);
  Model plain, with;
  REQUIRE(Model::load(plain_bytes.data(), plain_bytes.size(), &plain, nullptr) == Status::kOk);
  REQUIRE(Model::load(with_bytes.data(), with_bytes.size(), &with, nullptr) == Status::kOk);
  float base[3], got[3];
  lexicon_logits(plain, "Hund", base);
  lexicon_logits(with, "Hund", got);
  CHECK(got[0] == base[0] + 2.5f);
  CHECK(got[1] == base[1]);
  CHECK(got[2] == base[2]);
  lexicon_logits(plain, "hund hund", base);
  lexicon_logits(with, "hund hund", got);
  CHECK(got[0] == (base[0] + 2.5f) + 2.5f);
  lexicon_logits(plain, "maus", base);
  lexicon_logits(with, "maus", got);
  CHECK(got[0] == base[0]);
  CHECK(got[1] == base[1] + 2.5f);
  CHECK(got[2] == base[2] + 2.5f);
  for (const char* text : {"hund hund hund hund", "nichts", "hunde"}) {  // max_words + 1 words; not listed
    CAPTURE(text);
    lexicon_logits(plain, text, base);
    lexicon_logits(with, text, got);
    for (int i = 0; i < 3; ++i) CHECK(lexicon_bits(got[i]) == lexicon_bits(base[i]));
  }
}

TEST_CASE("lexicon: scores(), classify(), logits() and the C API agree") {
  LexiconKeys lexicon;
  lexicon.weight = 6.0f;  // enough to move the answer
  const std::vector<uint8_t> bytes = lexicon_model_bytes(LexiconNet::kWords, &lexicon);
  Model m;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &m, nullptr) == Status::kOk);
  ffnlp_model* cm = nullptr;
  ffnlp_error cerr;
  REQUIRE(ffnlp_model_create_from_buffer(bytes.data(), bytes.size(), &cm, &cerr) == FFNLP_OK);
  Workspace ws(m);
  std::vector<uint8_t> scratch_store(ffnlp_model_scratch_size(cm) + 16);
  void* scratch = scratch_store.data() + (8 - reinterpret_cast<uintptr_t>(scratch_store.data()) % 8) % 8;
  int answers_moved = 0;
  for (const char* text : {"Hund", "katze", "maus", "hund katze", "nichts da"}) {
    CAPTURE(text);
    float logits[3], probs[3], c_logits[3];
    lexicon_logits(m, text, logits);
    REQUIRE(m.scores(text, std::strlen(text), ws.data(), ws.size(), probs, 3) == Status::kOk);
    const float top = std::max(logits[0], std::max(logits[1], logits[2]));
    float sum = 0.0f;
    for (float l : logits) sum += std::exp(l - top);
    for (int i = 0; i < 3; ++i) CHECK(probs[i] == doctest::Approx(std::exp(logits[i] - top) / sum).epsilon(1e-5));
    Prediction best[1];
    size_t count = 0;
    REQUIRE(m.classify(text, std::strlen(text), ws, best, 1, &count) == Status::kOk);
    REQUIRE(count == 1);
    const uint32_t argmax = logits[1] > logits[0] ? (logits[2] > logits[1] ? 2 : 1) : (logits[2] > logits[0] ? 2 : 0);
    CHECK(best[0].label_index == argmax);
    CHECK(best[0].probability == doctest::Approx(probs[argmax]).epsilon(1e-5));
    REQUIRE(ffnlp_logits(cm, text, std::strlen(text), nullptr, scratch, ffnlp_model_scratch_size(cm), c_logits, 3) ==
            FFNLP_OK);
    for (int i = 0; i < 3; ++i) CHECK(lexicon_bits(c_logits[i]) == lexicon_bits(logits[i]));
    ffnlp_prediction c_top[1];
    size_t c_count = 0;
    REQUIRE(ffnlp_classify(cm, text, std::strlen(text), scratch, ffnlp_model_scratch_size(cm), c_top, 1, &c_count) ==
            FFNLP_OK);
    CHECK(c_count == 1);
    CHECK(c_top[0].probability == best[0].probability);
    CHECK(std::strcmp(c_top[0].label, best[0].label) == 0);
    const std::string only_words = ascii_words(text).front();
    if ((only_words == "hund" && argmax == 0) || (only_words == "katze" && argmax == 1)) ++answers_moved;
  }
  CHECK(answers_moved >= 2);  // a weight of 6 wins the one-word texts
  ffnlp_model_free(cm);
}

TEST_CASE("lexicon: malformed keys are refused with a message, nothing left loaded") {
  const LexiconKeys good;
  const auto base = [&good](tools::ModelWriter& w) {
    write_lexicon_network(w, LexiconNet::kNoWords);
    good.write(w);
  };
  {
    tools::ModelWriter w;
    base(w);
    const std::vector<uint8_t> bytes = w.build();
    Model m;
    REQUIRE(Model::load(bytes.data(), bytes.size(), &m, nullptr) == Status::kOk);
  }
  const std::vector<uint32_t> e = good.entries();
  auto entries = [](std::vector<uint32_t> v) { return [v](tools::ModelWriter& w) { w.set_u32s("lexicon.entries", v); }; };
  std::vector<uint32_t> swapped = e;
  std::swap(swapped[0], swapped[1]);
  std::vector<uint32_t> repeated = e;
  repeated[1] = repeated[0];
  std::vector<uint32_t> label3 = e;
  label3.back() = label3.back() | 3u;  // labels 0..2: low bits 3 name no label
  std::vector<uint32_t> too_many((1u << 20) + 1);
  for (size_t i = 0; i < too_many.size(); ++i) too_many[i] = static_cast<uint32_t>(i) << 2;
  const std::vector<WriterCase> cases = {
      {"not ascending", entries(swapped), Status::kBadMetadata, "lexicon.entries are not strictly ascending at 1"},
      {"a repeated entry", entries(repeated), Status::kBadMetadata, "not strictly ascending at 1"},
      {"label 3 of 3", entries(label3), Status::kBadMetadata, "names label 3; the model has 3 labels"},
      {"no entries", entries({}), Status::kBadMetadata, "lexicon.entries has 0 entries, expected 1..1048576"},
      {"too many entries", entries(too_many), Status::kBadMetadata, "has 1048577 entries, expected 1..1048576"},
      {"weight 0", [](tools::ModelWriter& w) { w.set_f32("lexicon.weight", 0.0f); }, Status::kBadMetadata,
       "lexicon.weight is 0; it must be above 0 and at most 64"},
      {"weight -1", [](tools::ModelWriter& w) { w.set_f32("lexicon.weight", -1.0f); }, Status::kBadMetadata,
       "lexicon.weight is -1"},
      {"weight 64.5", [](tools::ModelWriter& w) { w.set_f32("lexicon.weight", 64.5f); }, Status::kBadMetadata,
       "lexicon.weight is 64.5"},
      {"weight NaN", [](tools::ModelWriter& w) { w.set_f32("lexicon.weight", std::nanf("")); }, Status::kNonFinite,
       "metadata 'lexicon.weight': value is not finite"},
      {"weight infinite",
       [](tools::ModelWriter& w) { w.set_f32("lexicon.weight", std::numeric_limits<float>::infinity()); },
       Status::kNonFinite, "metadata 'lexicon.weight': value is not finite"},
      {"max_words 0", [](tools::ModelWriter& w) { w.set_u32("lexicon.max_words", 0); }, Status::kBadMetadata,
       "lexicon.max_words is 0, expected 1..64"},
      {"max_words 65", [](tools::ModelWriter& w) { w.set_u32("lexicon.max_words", 65); }, Status::kBadMetadata,
       "lexicon.max_words is 65, expected 1..64"},
      {"no seed", [](tools::ModelWriter& w) { w.remove("lexicon.seed"); }, Status::kBadMetadata,
       "'lexicon.seed' is missing: the four lexicon.* keys come together"},
      {"no entries key", [](tools::ModelWriter& w) { w.remove("lexicon.entries"); }, Status::kBadMetadata,
       "'lexicon.entries' is missing"},
      {"entries only",
       [](tools::ModelWriter& w) {
         w.remove("lexicon.seed");
         w.remove("lexicon.weight");
         w.remove("lexicon.max_words");
       },
       Status::kBadMetadata, "'lexicon.seed' is missing"},
      {"seed as f32", [](tools::ModelWriter& w) { w.set_f32("lexicon.seed", 1.0f); }, Status::kBadMetadata,
       "metadata key 'lexicon.seed' has the wrong type"},
      {"weight as u32", [](tools::ModelWriter& w) { w.set_u32("lexicon.weight", 3); }, Status::kBadMetadata,
       "metadata key 'lexicon.weight' has the wrong type"},
      {"max_words as a string", [](tools::ModelWriter& w) { w.set_string("lexicon.max_words", "4"); },
       Status::kBadMetadata, "metadata key 'lexicon.max_words' has the wrong type"},
      {"entries as u32", [](tools::ModelWriter& w) { w.set_u32("lexicon.entries", 8); }, Status::kBadMetadata,
       "metadata key 'lexicon.entries' has the wrong type"},
  };
  check_writer_cases(base, cases);
  // A tagger has no logits per text to add to.
  check_writer_cases([](tools::ModelWriter& w) {
    const TokenNetwork n = make_token_network(3);
    add_token_tensors(w, n);
    set_token_metadata(w, n);
  }, {{"lexicon in a tagger", [&good](tools::ModelWriter& w) { good.write(w); }, Status::kBadMetadata,
       "'lexicon.entries' is for classifiers; this is a tagger"}});
}

TEST_CASE("lexicon: many entries find their words (the windowed search over prefixes) and nothing else") {
  // The test lexicon among 5,000 random entries (labels 0..2) that match no
  // test word: the same logits as the lexicon alone.
  LexiconKeys small;
  std::vector<uint32_t> large = small.entries();
  std::mt19937 rng(23);
  while (large.size() < 5000) {
    const uint32_t entry = (static_cast<uint32_t>(rng()) & ~3u) | static_cast<uint32_t>(rng() % 3);
    bool taken = false;
    for (const auto& w : small.words) taken = taken || (lexicon_key(w.first, small.seed) & ~3u) == (entry & ~3u);
    if (!taken) large.push_back(entry);
  }
  std::sort(large.begin(), large.end());
  large.erase(std::unique(large.begin(), large.end()), large.end());
  tools::ModelWriter wa, wb;
  write_lexicon_network(wa, LexiconNet::kWords);
  small.write(wa);
  write_lexicon_network(wb, LexiconNet::kWords);
  small.write(wb);
  wb.set_u32s("lexicon.entries", large);
  const std::vector<uint8_t> a = wa.build(), b = wb.build();
  Model ma, mb;
  REQUIRE(Model::load(a.data(), a.size(), &ma, nullptr) == Status::kOk);
  REQUIRE(Model::load(b.data(), b.size(), &mb, nullptr) == Status::kOk);
  for (const std::string& text : lexicon_texts()) {
    CAPTURE(text.substr(0, 40));
    float la[3], lb[3];
    lexicon_logits(ma, text, la);
    lexicon_logits(mb, text, lb);
    for (int i = 0; i < 3; ++i) CHECK(lexicon_bits(la[i]) == lexicon_bits(lb[i]));
  }
}

TEST_CASE("lexicon: the word walk stops after the words asked for (a long text is not read to its end)") {
  internal::FeaturePlan plan;  // lowercase, digits dropped, no clean-up
  const std::string text = "eins zwei, drei vier fuenf " + std::string(100000, 'x') + " sechs";
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(text.data());
  auto collect = [](void* context, uint32_t key) { static_cast<std::vector<uint32_t>*>(context)->push_back(key); };
  std::vector<uint32_t> all, first;
  CHECK(detail::for_each_word_key(bytes, text.size(), plan, 7, 0xFFFFFFFFu, collect, &all) == 7);
  for (size_t stop : {1u, 3u, 5u}) {
    CAPTURE(stop);
    first.clear();
    CHECK(detail::for_each_word_key(bytes, text.size(), plan, 7, 0xFFFFFFFFu, collect, &first, stop) == stop);
    CHECK(first == std::vector<uint32_t>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(stop)));
  }
  first.clear();
  CHECK(detail::for_each_word_key(bytes, text.size(), plan, 7, 0xFFFFFFFFu, collect, &first, 8) == 7);
  CHECK(first == all);
}
