// Neighbour words (heads/neighbour_words.h): the word scores of close
// neighbour labels, added to the logits of the best label's group only,
// exactly as the file says, with 32- or 24-bit keys; every malformed
// neighbours.* key refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <random>
#include <set>

#include "api/model_access.h"
#include "features/extract.h"
#include "features/extract_avx2.h"
#include "features/word_keys.h"
#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "heads/key_search.h"
#include "test_models.h"

using namespace ffnlp;
using namespace ffnlp::testing;

namespace {

constexpr uint32_t kSeed = 3001;

uint32_t key_of(const std::u32string& word) {
  std::vector<uint32_t> cps(word.begin(), word.end());
  return bucket_of(hash_code_points_forward(cps.data(), static_cast<uint32_t>(cps.size()), kSeed), 0xFFFFFFFFu);
}

// The tiny classifier (labels aa, bb, cc) with one group {aa, bb} and two
// words; `edit` may change the keys before the file is built.
struct NeighbourFile {
  std::vector<uint32_t> groups{2};
  std::vector<uint32_t> labels{0, 1};
  std::vector<uint32_t> word_counts{2};
  std::vector<uint32_t> words;
  std::vector<float> scores;  // per word: aa, bb
  float weight = 1.5f;
  uint64_t score_cols = 0;  // 0: scores.size()
  bool write_seed = true;
  DType scores_dtype = DType::kQ8Row;  // or kQ4Row (or another packed type, to be refused)

  NeighbourFile() {
    const uint32_t hund = key_of(U"hund"), katze = key_of(U"katze");
    // keys ascending; scores follow their word
    if (hund < katze) {
      words = {hund, katze};
      scores = {2.0f, -2.0f, -1.0f, 1.0f};
    } else {
      words = {katze, hund};
      scores = {-1.0f, 1.0f, 2.0f, -2.0f};
    }
  }

  std::vector<uint8_t> build() const {
    tools::ModelWriter w;
    add_tiny_tensors(w, make_tiny_network(61, kScriptCount), false);
    set_tiny_metadata(w);
    const uint64_t cols = score_cols != 0 ? score_cols : scores.size();
    std::vector<float> v(scores);
    v.resize(cols, 0.0f);
    if (scores_dtype == DType::kQ8Row) w.add_tensor(q8_tensor("neighbour_scores", 1, cols, v));
    else if (scores_dtype == DType::kQ4Row) w.add_tensor(q4_tensor("neighbour_scores", 1, cols, v, DType::kQ4Row));
    else w.add_tensor(packed_tensor("neighbour_scores", 1, cols, v, scores_dtype));
    if (write_seed) w.set_u32("neighbours.seed", kSeed);
    w.set_f32("neighbours.weight", weight);
    w.set_u32s("neighbours.groups", groups);
    w.set_u32s("neighbours.labels", labels);
    w.set_u32s("neighbours.word_counts", word_counts);
    w.set_u32s("neighbours.words", words);
    w.set_string("neighbours.scores", "neighbour_scores");
    return w.build();
  }
};

Status load_status(const std::vector<uint8_t>& bytes, std::string* message = nullptr) {
  Model m;
  Error e;
  const Status s = Model::load(bytes.data(), bytes.size(), &m, &e);
  if (message != nullptr) *message = e.message;
  return s;
}

void logits_of(const Model& m, const char* text, float out[3], const ClassifyOptions* options = nullptr) {
  Workspace ws(m);
  Input in;
  in.text = text;
  in.size = std::strlen(text);
  REQUIRE(m.logits(in, ws.data(), ws.size(), out, 3, options) == Status::kOk);
}

uint32_t float_bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

uint32_t best_of(const float v[3]) { return v[1] > v[0] ? (v[2] > v[1] ? 2 : 1) : (v[2] > v[0] ? 2 : 0); }

}  // namespace

TEST_CASE("neighbour words: each occurrence adds weight * its dequantized scores inside the best label's group (chosen after the hints)") {
  NeighbourFile f;
  const std::vector<uint8_t> with_bytes = f.build();
  const std::vector<uint8_t> plain_bytes = build_tiny_model(make_tiny_network(61, kScriptCount));
  Model with, plain;
  REQUIRE(Model::load(with_bytes.data(), with_bytes.size(), &with, nullptr, LoadOptions()) == Status::kOk);
  REQUIRE(Model::load(plain_bytes.data(), plain_bytes.size(), &plain, nullptr, LoadOptions()) == Status::kOk);
  // The scores as stored: one q8_row row, zero point 128.
  const TensorView* t = with.find_tensor("neighbour_scores");
  REQUIRE(t != nullptr);
  const float step = f.weight * t->row_scale(0);
  auto q = [&](size_t i) { return static_cast<int32_t>(t->data[i]) - 128; };
  const size_t hund = f.words[0] == key_of(U"hund") ? 0 : 1, katze = 1 - hund;
  CHECK(q(2 * hund) == 127);  // 2.0 is the largest |score|: the row's scale maps it to 127
  CHECK(q(2 * hund + 1) == -127);
  CHECK(q(2 * katze) == -63);  // floor(0.5 + (-1 / (2 / 127)) + 128) - 128: -63.5 rounds half up
  int checked_in_group = 0, checked_outside = 0;
  // "Hund" three times (case folded), "katze" once (digits separate words), other words nothing.
  for (const char* text : {"Hund hund HUND katze", "hund2katze hunde", "der Hund", "xyz katze katze", "hunde katzen",
                           "Grüße", "привет hund"}) {
    CAPTURE(text);
    float base[3], got[3];
    logits_of(plain, text, base);
    logits_of(with, text, got);
    int32_t sum_aa = 0, sum_bb = 0;
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // whole words only
    std::string word;
    auto flush = [&]() {
      if (word == "hund") sum_aa += q(2 * hund), sum_bb += q(2 * hund + 1);
      if (word == "katze") sum_aa += q(2 * katze), sum_bb += q(2 * katze + 1);
      word.clear();
    };
    for (char c : lower) {
      if (c >= 'a' && c <= 'z') word += c;
      else flush();
    }
    flush();
    if (best_of(base) == 2) {
      for (int i = 0; i < 3; ++i) CHECK(got[i] == base[i]);
      ++checked_outside;
    } else {
      CHECK(got[0] == base[0] + step * static_cast<float>(sum_aa));
      CHECK(got[1] == base[1] + step * static_cast<float>(sum_bb));
      CHECK(got[2] == base[2]);
      ++checked_in_group;
    }
  }
  CHECK(checked_in_group > 0);
  // An allow-list without the group's labels: the best allowed label (cc) has no group.
  ClassifyOptions only_cc;
  const uint32_t cc = 2;
  only_cc.only = &cc;
  only_cc.only_count = 1;
  float base[3], got[3];
  logits_of(plain, "hund hund", base, &only_cc);
  logits_of(with, "hund hund", got, &only_cc);
  CHECK(got[2] == base[2]);
  (void)checked_outside;
  // The group is chosen after the caller's hints (ClassifyOptions::prefer),
  // here at the largest weight, which decides the best label. Hinting aa
  // makes the group {aa, bb} the best label's: its words count.
  const uint32_t aa = 0;
  ClassifyOptions prefer_aa, prefer_cc;
  prefer_aa.prefer = &aa;
  prefer_cc.prefer = &cc;
  prefer_aa.prefer_count = prefer_cc.prefer_count = 1;
  prefer_aa.prefer_weight = prefer_cc.prefer_weight = kMaxPreferWeight;
  logits_of(plain, "hund hund", base);
  logits_of(with, "hund hund", got, &prefer_aa);
  CHECK(got[0] == (base[0] + kMaxPreferWeight) + step * static_cast<float>(2 * q(2 * hund)));
  CHECK(got[1] == base[1] + step * static_cast<float>(2 * q(2 * hund + 1)));
  CHECK(got[2] == base[2]);
  // Hinting cc (no group) makes the best label groupless: no word counts.
  logits_of(with, "hund hund", got, &prefer_cc);
  CHECK(got[0] == base[0]);
  CHECK(got[1] == base[1]);
  CHECK(got[2] == base[2] + kMaxPreferWeight);
}

TEST_CASE("neighbour words: 4-bit scores (q4_row) add their dequantized steps as 8-bit ones do") {
  // Scores on the 4-bit grid (multiples of 2/7, the largest 2): q4 stores
  // them exactly and q8 to within its step, so the logits agree to that; the
  // q4 sums are the 4-bit steps exactly (two scores a byte, read per nibble).
  NeighbourFile q8, q4;
  const float step7 = 2.0f / 7.0f;
  const std::vector<float> grid = {7 * step7, -7 * step7, -3 * step7, 5 * step7};
  q8.scores = q4.scores = grid;
  q4.scores_dtype = DType::kQ4Row;
  const std::vector<uint8_t> q8_bytes = q8.build(), q4_bytes = q4.build();
  const std::vector<uint8_t> plain_bytes = build_tiny_model(make_tiny_network(61, kScriptCount));
  Model m8, m4, plain;
  REQUIRE(Model::load(q8_bytes.data(), q8_bytes.size(), &m8, nullptr, LoadOptions()) == Status::kOk);
  REQUIRE(Model::load(q4_bytes.data(), q4_bytes.size(), &m4, nullptr, LoadOptions()) == Status::kOk);
  REQUIRE(Model::load(plain_bytes.data(), plain_bytes.size(), &plain, nullptr, LoadOptions()) == Status::kOk);
  const TensorView* t = m4.find_tensor("neighbour_scores");
  REQUIRE(t != nullptr);
  REQUIRE(t->dtype == DType::kQ4Row);
  CHECK(t->zero_point == 8);
  CHECK(t->row_scale(0) == doctest::Approx(step7));
  const size_t hund = q4.words[0] == key_of(U"hund") ? 0 : 1, katze = 1 - hund;
  int in_group = 0;
  for (const char* text : {"Hund hund HUND katze", "katze", "der Hund katze katze", "hunde"}) {
    CAPTURE(text);
    float base[3], got8[3], got4[3];
    logits_of(plain, text, base);
    logits_of(m8, text, got8);
    logits_of(m4, text, got4);
    // q8 stores the grid to within half its step (2/127) per score; <= 4 words.
    for (int i = 0; i < 3; ++i) CHECK(std::fabs(got4[i] - got8[i]) <= 4 * 0.5f * (2.0f / 127) * q4.weight + 1e-4f);
    if (best_of(base) == 2) continue;
    ++in_group;
    const std::string lower = [&] {
      std::string l(text);
      for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return l;
    }();
    int hunds = 0, katzes = 0;
    for (size_t at = 0; (at = lower.find("hund", at)) != std::string::npos; at += 4) {
      hunds += (at + 4 == lower.size() || lower[at + 4] == ' ') ? 1 : 0;
    }
    for (size_t at = 0; (at = lower.find("katze", at)) != std::string::npos; at += 5) ++katzes;
    // Steps of the file: hund (7, -7) and katze (-3, 5) in the grid's order.
    const int32_t aa = hunds * (hund == 0 ? 7 : -3) + katzes * (katze == 0 ? 7 : -3);
    const int32_t bb = hunds * (hund == 0 ? -7 : 5) + katzes * (katze == 0 ? -7 : 5);
    CHECK(got4[0] == base[0] + q4.weight * t->row_scale(0) * static_cast<float>(aa));
    CHECK(got4[1] == base[1] + q4.weight * t->row_scale(0) * static_cast<float>(bb));
  }
  CHECK(in_group > 0);
}

TEST_CASE("neighbour words: scores() and classify() read the same logits") {
  NeighbourFile f;
  const std::vector<uint8_t> bytes = f.build();
  Model m;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &m, nullptr, LoadOptions()) == Status::kOk);
  Workspace ws(m);
  for (const char* text : {"Hund hund HUND katze", "katze", "der Hund"}) {
    CAPTURE(text);
    float logits[3], probs[3];
    logits_of(m, text, logits);
    Input in;
    in.text = text;
    in.size = std::strlen(text);
    REQUIRE(m.scores(in, ws.data(), ws.size(), probs, 3) == Status::kOk);
    Prediction top[3];
    size_t count = 0;
    REQUIRE(m.classify(text, std::strlen(text), ws, top, 3, &count) == Status::kOk);
    REQUIRE(count == 3);
    CHECK(top[0].label_index == best_of(logits));
    CHECK(std::fabs(top[0].probability - probs[top[0].label_index]) < 1e-6f);
  }
}

TEST_CASE("neighbour words: sums that overflow float are an error, not NaN probabilities") {
  NeighbourFile f;
  f.scores = {3e38f, -3e38f, 3e38f, -3e38f};
  f.weight = 10.0f;
  const std::vector<uint8_t> bytes = f.build();
  Model m;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &m, nullptr, LoadOptions()) == Status::kOk);
  Workspace ws(m);
  float out[3];
  // Either no group applies (the best label is cc) or the sums overflow.
  Input in;
  const char* text = "hund hund katze";
  in.text = text;
  in.size = std::strlen(text);
  const Status s = m.logits(in, ws.data(), ws.size(), out, 3);
  CHECK((s == Status::kNonFinite || (s == Status::kOk && best_of(out) == 2)));
  ClassifyOptions ab;
  const uint32_t labels[2] = {0, 1};
  ab.only = labels;
  ab.only_count = 2;
  CHECK(m.logits(in, ws.data(), ws.size(), out, 3, &ab) == Status::kNonFinite);
}

TEST_CASE("neighbour words: malformed keys are refused with a message") {
  std::string message;
  CHECK(load_status(NeighbourFile().build()) == Status::kOk);
  {
    NeighbourFile f;
    f.write_seed = false;  // a partial set of keys
    CHECK(load_status(f.build(), &message) == Status::kBadMetadata);
    CHECK(message.find("neighbours.seed") != std::string::npos);
  }
  {
    NeighbourFile f;
    f.groups = {1};
    f.labels = {0};
    CHECK(load_status(f.build(), &message) == Status::kBadMetadata);
  }
  {
    NeighbourFile f;
    f.labels = {0, 3};  // the model has 3 labels
    CHECK(load_status(f.build(), &message) == Status::kBadMetadata);
  }
  {
    NeighbourFile f;
    f.labels = {1, 1};
    CHECK(load_status(f.build(), &message) == Status::kBadMetadata);
    CHECK(message.find("twice") != std::string::npos);
  }
  {
    NeighbourFile f;
    f.labels = {0, 1, 2};  // the group has 2
    CHECK(load_status(f.build()) == Status::kBadShape);
  }
  {
    NeighbourFile f;
    std::swap(f.words[0], f.words[1]);  // not ascending
    CHECK(load_status(f.build(), &message) == Status::kBadMetadata);
    CHECK(message.find("ascending") != std::string::npos);
  }
  {
    NeighbourFile f;
    f.words[1] = f.words[0];  // a repeated key
    CHECK(load_status(f.build()) == Status::kBadMetadata);
  }
  {
    NeighbourFile f;
    f.word_counts = {3};  // more than the keys
    CHECK(load_status(f.build()) == Status::kBadShape);
  }
  {
    NeighbourFile f;
    f.word_counts = {0};
    CHECK(load_status(f.build()) == Status::kBadMetadata);
  }
  {
    NeighbourFile f;
    f.score_cols = 5;  // (1, 4) expected
    CHECK(load_status(f.build(), &message) == Status::kBadShape);
  }
  for (DType refused : {DType::kQ4RowBf16, DType::kQ3RowBf16}) {  // q8_row or q4_row only
    NeighbourFile f;
    f.scores_dtype = refused;
    CHECK(load_status(f.build(), &message) == Status::kBadShape);
    CHECK(message.find("q8_row or q4_row") != std::string::npos);
  }
  {
    NeighbourFile f;
    f.scores_dtype = DType::kQ4Row;
    f.score_cols = 5;  // (1, 4) expected, at 4 bits too
    CHECK(load_status(f.build()) == Status::kBadShape);
  }
  {
    NeighbourFile f;
    f.weight = -1.0f;
    CHECK(load_status(f.build()) == Status::kBadMetadata);
  }
  {
    NeighbourFile f;
    f.groups = std::vector<uint32_t>(65, 2);
    CHECK(load_status(f.build()) == Status::kBadMetadata);
  }
}

TEST_CASE("neighbour words: word keys equal a word channel's rows (every text option, hostile text)") {
  // Pieces that exercise each rule: case, digits, marks, other scripts,
  // clean-up spans (URL, e-mail, @handle, path, markup, entity), invalid bytes.
  const std::vector<std::string> pieces = {
      "Hund", "KATZE", " ", "  ", "x2y", "42", "ǅemal", "İstanbul", "ΟΔΟΣ", "čekaj", "naïve", "e\xCC\x81t", "ह\xE0\xA5\x8Dन",
      "https://example.org/a?b=c", "me@example.org", "@handle", "/usr/lib/x.so", "<b>bold</b>", "&amp;", "a&b",
      "5km", "\xFF", "\xE2\x82", "\n", "-", "'", "日本語", "\t", "haha", "XD"};
  std::mt19937 rng(7);
  for (int lowercase = 0; lowercase < 2; ++lowercase) {
    for (int drop_digits = 0; drop_digits < 2; ++drop_digits) {
      for (int cleanup = 0; cleanup < 3; ++cleanup) {
        for (uint32_t max_bytes : {0u, 9u}) {
          internal::FeaturePlan plan;
          plan.lowercase = lowercase != 0;
          plan.drop_digits = drop_digits != 0;
          plan.cleanup = static_cast<uint8_t>(cleanup);
          plan.max_bytes = max_bytes;
          plan.channel_count = 1;
          plan.word_count = 1;
          plan.words[0].kind = FeatureKind::kWord;
          plan.words[0].buckets = 0xFFFFFFFFu;
          plan.words[0].seed = kSeed;
          for (int trial = 0; trial < 300; ++trial) {
            std::string text;
            const int n = static_cast<int>(rng() % 8);
            for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
            CAPTURE(text);
            std::vector<uint32_t> expected, got;
            extract_features(reinterpret_cast<const uint8_t*>(text.data()), text.size(), plan,
                             [&](uint32_t, uint32_t row) { expected.push_back(row); });
            const size_t words = detail::for_each_word_key(
                reinterpret_cast<const uint8_t*>(text.data()), text.size(), plan, kSeed, 0xFFFFFFFFu,
                [](void* context, uint32_t key) { static_cast<std::vector<uint32_t>*>(context)->push_back(key); }, &got);
            CHECK(words == got.size());
            CHECK(got == expected);
          }
        }
      }
    }
  }
  // And the key of a plain word is the converter's: the hash of its code points.
  internal::FeaturePlan plan;
  std::vector<uint32_t> got;
  const char* text = "Hund, katze!";
  detail::for_each_word_key(reinterpret_cast<const uint8_t*>(text), std::strlen(text), plan, kSeed, 0xFFFFFFFFu,
                            [](void* context, uint32_t key) { static_cast<std::vector<uint32_t>*>(context)->push_back(key); },
                            &got);
  CHECK(got == std::vector<uint32_t>{key_of(U"hund"), key_of(U"katze")});
}

TEST_CASE("neighbour words: the AVX2 extraction's word hashes give the walker's keys") {
  ChannelSpec channels[2];
  channels[0].kind = FeatureKind::kCharNgram;
  channels[0].order = 2;
  channels[0].seed = 11;
  channels[0].buckets = 300;
  channels[1].kind = FeatureKind::kWord;
  channels[1].seed = kSeed;
  channels[1].buckets = 500;
  const std::vector<std::string> pieces = {"Hund", "KATZE", " ", "x2y", "42", "čekaj", "e\xCC\x81t", "https://a.org/b",
                                           "me@example.org", "<b>x</b>", "&amp;", "\xFF", "日本語", ", ", "ΟΔΟΣ", "jajaja"};
  std::mt19937 rng(11);
  for (int variant = 0; variant < 4; ++variant) {
    TextOptions options;
    options.cleanup = static_cast<uint8_t>((variant & 1) != 0 ? 1 + variant / 2 : 0);
    options.drop_digits = (variant & 2) == 0;
    internal::FeaturePlan plan;
    Error error;
    REQUIRE(build_feature_plan(channels, 2, options, &plan, &error) == Status::kOk);
    if (!detail::avx2_extraction_fits(plan)) {
      MESSAGE("no AVX2 on this CPU: the walker is the only path here");
      return;
    }
    for (int trial = 0; trial < 200; ++trial) {
      std::string text;
      // Long enough, at times, for several 512-position chunks.
      const int n = trial < 20 ? static_cast<int>(rng() % 400) : static_cast<int>(rng() % 12);
      for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
      CAPTURE(text);
      const uint8_t* bytes = reinterpret_cast<const uint8_t*>(text.data());
      std::vector<uint32_t> walked, kept;
      detail::for_each_word_key(bytes, text.size(), plan, kSeed, 0xFFFFFFFFu,
                                [](void* c, uint32_t key) { static_cast<std::vector<uint32_t>*>(c)->push_back(key); },
                                &walked);
      detail::RowBatchSink sink{[](void*, uint32_t, const uint32_t*, uint32_t) {}, &kept};
      sink.add_word_hashes = [](void* c, const uint32_t* hashes, uint32_t count) {
        for (uint32_t i = 0; i < count; ++i) {
          static_cast<std::vector<uint32_t>*>(c)->push_back(bucket_of(hashes[i], 0xFFFFFFFFu));
        }
      };
      for (bool wide : {true, false}) {
        kept.clear();
        detail::extract_rows_avx2(bytes, text.size(), plan, sink, wide);
        CHECK(kept == walked);
      }
    }
  }
}

TEST_CASE("neighbour words: a long word list finds its words (the windowed search) and nothing else") {
  // The two words among 3,000 random keys of score 0: the same logits as the
  // two-word list (the same scale: the largest |score| is the same).
  NeighbourFile small;
  NeighbourFile large;
  std::mt19937 rng(5);
  std::vector<std::pair<uint32_t, std::pair<float, float>>> entries;
  for (size_t j = 0; j < small.words.size(); ++j) {
    entries.push_back({small.words[j], {small.scores[2 * j], small.scores[2 * j + 1]}});
  }
  while (entries.size() < 3002) {
    const uint32_t key = static_cast<uint32_t>(rng());
    bool taken = false;
    for (const auto& e : entries) taken = taken || e.first == key;
    if (!taken) entries.push_back({key, {0.0f, 0.0f}});
  }
  std::sort(entries.begin(), entries.end());
  large.words.clear();
  large.scores.clear();
  for (const auto& e : entries) {
    large.words.push_back(e.first);
    large.scores.push_back(e.second.first);
    large.scores.push_back(e.second.second);
  }
  large.word_counts = {static_cast<uint32_t>(entries.size())};
  const std::vector<uint8_t> a = small.build(), b = large.build();
  Model ma, mb;
  REQUIRE(Model::load(a.data(), a.size(), &ma, nullptr, LoadOptions()) == Status::kOk);
  REQUIRE(Model::load(b.data(), b.size(), &mb, nullptr, LoadOptions()) == Status::kOk);
  const uint32_t labels[2] = {0, 1};
  ClassifyOptions ab;  // the group always applies
  ab.only = labels;
  ab.only_count = 2;
  for (const char* text : {"Hund hund HUND katze", "katze", "der Hund", "nichts hier", "hund katze hund katze hund"}) {
    CAPTURE(text);
    float la[3], lb[3];
    logits_of(ma, text, la, &ab);
    logits_of(mb, text, lb, &ab);
    for (int i = 0; i < 3; ++i) CHECK(float_bits_of(la[i]) == float_bits_of(lb[i]));
  }
}

// ---- 24-bit keys (neighbours.key_bits = 24, docs/FORMAT.md): the key
// search over 3-byte keys; a model whose words are stored as 24-bit keys
// answers bit for bit as the same words with 32-bit keys (the walker and the
// word hashes kept by the extraction); every malformed file refused. (A
// namespace of their own: the tests compile as a few unity units.)

namespace {
namespace keys24 {

constexpr uint32_t kLabelCount = 7;  // aa .. gg

// A word's 32-bit key (lowercase ASCII: its bytes are its code points).
uint32_t key32(const std::string& word) {
  const std::vector<uint32_t> cps(word.begin(), word.end());
  return bucket_of(hash_code_points_forward(cps.data(), static_cast<uint32_t>(cps.size()), kSeed), 0xFFFFFFFFu);
}

// Two words whose 24-bit keys are equal (0x755581), their 32-bit keys not
// (0x7555818c, 0x75558157): found by a search over random words.
const char kCollidingA[] = "keerwp";
const char kCollidingB[] = "czeoqgc";

// Keys as neighbours.words stores 24-bit ones, packed here byte by byte (not
// with the converter's code): 3 little-endian bytes a key, zero-padded to
// whole u32s, which the writer stores little-endian.
std::vector<uint32_t> pack24(const std::vector<uint32_t>& keys) {
  std::vector<uint8_t> bytes;
  for (uint32_t k : keys) {
    for (int b = 0; b < 3; ++b) bytes.push_back(static_cast<uint8_t>(k >> (8 * b)));
  }
  while (bytes.size() % 4 != 0) bytes.push_back(0);
  std::vector<uint32_t> out;
  for (size_t i = 0; i < bytes.size(); i += 4) {
    out.push_back(bytes[i] | bytes[i + 1] << 8 | bytes[i + 2] << 16 | static_cast<uint32_t>(bytes[i + 3]) << 24);
  }
  return out;
}

// Three groups: {aa, bb} of 150 words (the windowed search), {cc, dd, ee}
// of 6 and {ff, gg} of one; 157 words, so the 24-bit array ends in a byte
// of padding. Each group's words sorted by key, the scores moved along.
struct Groups {
  std::vector<uint32_t> sizes{2, 3, 2};
  std::vector<uint32_t> labels{0, 1, 2, 3, 4, 5, 6};
  std::vector<std::vector<std::string>> words;  // per group, by key
  std::vector<float> scores;                    // per word and member, group after group

  Groups() {
    std::mt19937 rng(24);
    std::set<uint32_t> taken{key32(kCollidingB) >> 8};  // kCollidingB stays out of every list
    auto random_word = [&]() {
      for (;;) {
        std::string w;
        const int length = 3 + static_cast<int>(rng() % 6);
        for (int i = 0; i < length; ++i) w += static_cast<char>('a' + rng() % 26);
        if (taken.insert(key32(w) >> 8).second) return w;
      }
    };
    const size_t counts[3] = {150, 6, 1};
    for (size_t g = 0; g < 3; ++g) {
      std::vector<std::string> list;
      if (g == 0) list.push_back(kCollidingA), taken.insert(key32(kCollidingA) >> 8);
      while (list.size() < counts[g]) list.push_back(random_word());
      std::sort(list.begin(), list.end(), [](const std::string& a, const std::string& b) { return key32(a) < key32(b); });
      for (size_t j = 0; j < list.size(); ++j) {
        for (uint32_t m = 0; m < sizes[g]; ++m) scores.push_back(static_cast<float>(rng() % 41) / 10.0f - 2.0f);
      }
      words.push_back(list);
    }
  }
  std::vector<uint32_t> counts() const {
    std::vector<uint32_t> c;
    for (const auto& list : words) c.push_back(static_cast<uint32_t>(list.size()));
    return c;
  }
  std::vector<uint32_t> keys32() const {
    std::vector<uint32_t> k;
    for (const auto& list : words) {
      for (const std::string& w : list) k.push_back(key32(w));
    }
    return k;
  }
  std::vector<uint32_t> keys24() const {
    std::vector<uint32_t> k = keys32();
    for (uint32_t& x : k) x >>= 8;
    return k;
  }
};

// The neighbours.* keys as written.
struct NeighbourKeys {
  std::vector<uint32_t> sizes, labels, counts, words;
  std::vector<float> scores;
  int64_t key_bits = -1;  // -1: no neighbours.key_bits
  bool key_bits_as_f32 = false;
  bool others = true;  // false: neighbours.key_bits alone
};

// The groups' keys at key_bits (24 or 32), written as neighbours.key_bits
// when `write`.
NeighbourKeys keys_of(const Groups& g, uint32_t key_bits, bool write = true) {
  NeighbourKeys k;
  k.sizes = g.sizes;
  k.labels = g.labels;
  k.counts = g.counts();
  k.words = key_bits == 24 ? pack24(g.keys24()) : g.keys32();
  k.scores = g.scores;
  k.key_bits = write ? static_cast<int64_t>(key_bits) : -1;
  return k;
}

// A classifier of 7 labels over the tiny network's 1-gram table and, with
// `word_channel`, a hashed word channel of the neighbours' seed (then the
// extraction keeps the words' hashes for the head on AVX2 machines).
std::vector<uint8_t> build_model(const NeighbourKeys* n, bool word_channel) {
  using T = TinyNetwork;
  const TinyNetwork tiny = make_tiny_network(31, kScriptCount);
  std::mt19937 rng(77);
  constexpr uint32_t kWordRows = 40, kWordDims = 3;
  const uint32_t in = T::kDims1 + (word_channel ? kWordDims : 0);
  tools::ModelWriter w;
  w.add_tensor(q8_tensor("emb1", T::kBuckets1, T::kDims1, tiny.emb1));
  w.set_string("general.task", "classifier");
  w.set_u32("text.lowercase", 1);
  w.set_u32("text.drop_digits", 1);
  w.set_u32("channel.count", word_channel ? 2 : 1);
  w.set_string("channel.0.kind", "char_ngram");
  w.set_u32("channel.0.order", 1);
  w.set_u32("channel.0.seed", 7);
  w.set_string("channel.0.embedding", "emb1");
  if (word_channel) {
    w.add_tensor(q8_tensor("emb_word", kWordRows, kWordDims, random_values(rng, kWordRows * kWordDims, 1.0f)));
    w.set_string("channel.1.kind", "word");
    w.set_u32("channel.1.seed", kSeed);
    w.set_string("channel.1.embedding", "emb_word");
  }
  w.add_tensor(f32_tensor("hidden_w", T::kHidden, in, random_values(rng, T::kHidden * in, 1.0f)));
  w.add_tensor(f32_tensor("hidden_b", T::kHidden, 1, random_values(rng, T::kHidden, 0.1f), 1));
  w.add_tensor(f32_tensor("out_w", kLabelCount, T::kHidden, random_values(rng, kLabelCount * T::kHidden, 1.0f)));
  w.add_tensor(f32_tensor("out_b", kLabelCount, 1, random_values(rng, kLabelCount, 0.1f), 1));
  set_two_layer_metadata(w);
  w.set_strings("labels", {"aa", "bb", "cc", "dd", "ee", "ff", "gg"});
  if (n != nullptr) {
    if (n->others) {
      w.add_tensor(q8_tensor("neighbour_scores", 1, n->scores.size(), n->scores));
      w.set_u32("neighbours.seed", kSeed);
      w.set_f32("neighbours.weight", 0.75f);
      w.set_u32s("neighbours.groups", n->sizes);
      w.set_u32s("neighbours.labels", n->labels);
      w.set_u32s("neighbours.word_counts", n->counts);
      w.set_u32s("neighbours.words", n->words);
      w.set_string("neighbours.scores", "neighbour_scores");
    }
    if (n->key_bits_as_f32) w.set_f32("neighbours.key_bits", 24.0f);
    else if (n->key_bits >= 0) w.set_u32("neighbours.key_bits", static_cast<uint32_t>(n->key_bits));
  }
  return w.build();
}

std::vector<uint32_t> logit_bits(const Model& m, const std::string& text, const ClassifyOptions* options) {
  Workspace ws(m);
  Input in;
  in.text = text.data();
  in.size = text.size();
  float out[kLabelCount];
  REQUIRE(m.logits(in, ws.data(), ws.size(), out, kLabelCount, options) == Status::kOk);
  std::vector<uint32_t> bits;
  for (float f : out) bits.push_back(float_bits_of(f));
  return bits;
}

}  // namespace keys24
}  // namespace

TEST_CASE("neighbour words: the key search over 3-byte keys gives std::lower_bound's index, reading no byte past the array") {
  using namespace keys24;
  std::mt19937 rng(3);
  for (size_t n : {0, 1, 2, 3, 5, 31, 64, 65, 66, 97, 500, 3001}) {
    CAPTURE(n);
    std::set<uint32_t> distinct;
    distinct.insert(0);
    if (n > 1) distinct.insert(0xFFFFFFu);
    while (distinct.size() < n) distinct.insert(static_cast<uint32_t>(rng()) >> 8);
    std::vector<uint32_t> keys(distinct.begin(), distinct.end());
    keys.resize(n);
    // Exactly 3n bytes on the heap: AddressSanitizer sees any read past them.
    std::vector<uint8_t> packed(3 * n);
    for (size_t i = 0; i < n; ++i) {
      for (size_t b = 0; b < 3; ++b) packed[3 * i + b] = static_cast<uint8_t>(keys[i] >> (8 * b));
    }
    const uint8_t* p = n == 0 ? nullptr : packed.data();
    for (size_t i = 0; i < n; ++i) CHECK(internal::key_at<3>(p, i) == keys[i]);
    std::vector<uint32_t> probes{0, 1, 0xFFFFFEu, 0xFFFFFFu};
    for (int t = 0; t < 300; ++t) probes.push_back(static_cast<uint32_t>(rng()) >> 8);
    for (size_t i = 0; i < n; ++i) probes.push_back(keys[i]);
    for (uint32_t key : probes) {
      const size_t expected = static_cast<size_t>(std::lower_bound(keys.begin(), keys.end(), key) - keys.begin());
      CHECK(internal::lower_bound_key<3>(p, n, key) == expected);
      const bool found = expected < n && keys[expected] == key;
      CHECK(internal::find_key<3>(p, n, key) == (found ? expected : n));
    }
  }
}

TEST_CASE("neighbour words: 24-bit keys answer bit for bit as the same words' 32-bit keys") {
  using namespace keys24;
  const Groups g;
  const NeighbourKeys k32 = keys_of(g, 32, false), k24 = keys_of(g, 24), k32_explicit = keys_of(g, 32);
  REQUIRE(k24.words.size() == (3 * 157 + 3) / 4);  // 118 u32s: 471 bytes of keys and one of padding
  REQUIRE((k24.words.back() >> 24) == 0);
  for (bool word_channel : {false, true}) {
    CAPTURE(word_channel);
    const std::vector<uint8_t> b32 = build_model(&k32, word_channel), b24 = build_model(&k24, word_channel),
                               b32e = build_model(&k32_explicit, word_channel), bplain = build_model(nullptr, word_channel);
    Model m32, m24, m32e, plain;
    Error e;
    REQUIRE_MESSAGE(Model::load(b32.data(), b32.size(), &m32, &e) == Status::kOk, e.message);
    REQUIRE_MESSAGE(Model::load(b24.data(), b24.size(), &m24, &e) == Status::kOk, e.message);
    REQUIRE_MESSAGE(Model::load(b32e.data(), b32e.size(), &m32e, &e) == Status::kOk, e.message);
    REQUIRE(Model::load(bplain.data(), bplain.size(), &plain, &e) == Status::kOk);
    CHECK(internal::ModelAccess::neighbours(m24).key_bytes == 3);
    CHECK(internal::ModelAccess::neighbours(m32).key_bytes == 4);
    if (word_channel && !detail::avx2_extraction_fits(internal::ModelAccess::plan(m24))) {
      MESSAGE("no AVX2 on this CPU: the head reads the text again here too");
    }
    // A word in no list, whose 24-bit key is no group's either.
    const std::string miss = "zzqxv";
    for (uint32_t key : g.keys24()) REQUIRE(key != key32(miss) >> 8);
    uint32_t member = 0;
    for (size_t grp = 0; grp < g.words.size(); ++grp) {
      CAPTURE(grp);
      const std::vector<std::string>& list = g.words[grp];
      const std::string first = list.front(), last = list.back(), middle = list[list.size() / 2];
      ClassifyOptions only;  // the group's members: its words always count
      std::vector<uint32_t> members(g.labels.begin() + member, g.labels.begin() + member + g.sizes[grp]);
      member += g.sizes[grp];
      only.only = members.data();
      only.only_count = members.size();
      const std::vector<std::string> texts = {first, last, middle, first + " " + last + ", " + middle + " " + first,
                                              "Der " + last + " " + miss + " und", miss, "x " + miss + " " + miss,
                                              std::string(kCollidingB) + " " + kCollidingA};
      int moved = 0;
      for (const std::string& text : texts) {
        CAPTURE(text);
        const ClassifyOptions* const choices[] = {nullptr, &only};
        for (const ClassifyOptions* options : choices) {
          const std::vector<uint32_t> a = logit_bits(m32, text, options), b = logit_bits(m24, text, options);
          CHECK((a == b || text.find(kCollidingB) != std::string::npos));
          CHECK(logit_bits(m32e, text, options) == a);
          if (options != nullptr) moved += logit_bits(plain, text, options) != a ? 1 : 0;
        }
      }
      CHECK(moved >= 4);  // the group's words count (the miss-only texts do not)
      CHECK(logit_bits(m24, miss, &only) == logit_bits(plain, miss, &only));
      CHECK(logit_bits(m24, "x " + miss + " " + miss, &only) == logit_bits(plain, "x " + miss + " " + miss, &only));
    }
    // The price of 24 bits: a word whose key shares its top 24 bits with a
    // listed word's counts as that word (kCollidingA is in group 0's list).
    ClassifyOptions only_ab;
    const uint32_t ab[2] = {0, 1};
    only_ab.only = ab;
    only_ab.only_count = 2;
    CHECK(logit_bits(m24, kCollidingB, &only_ab) != logit_bits(plain, kCollidingB, &only_ab));
    CHECK(logit_bits(m32, kCollidingB, &only_ab) == logit_bits(plain, kCollidingB, &only_ab));
    CHECK(logit_bits(m32, kCollidingA, &only_ab) == logit_bits(m24, kCollidingA, &only_ab));
    CHECK(logit_bits(m32, kCollidingA, &only_ab) != logit_bits(plain, kCollidingA, &only_ab));
  }
}

TEST_CASE("neighbour words: malformed 24-bit keys and key_bits are refused, naming the key") {
  using namespace keys24;
  const Groups g;
  struct Case {
    const char* what;
    NeighbourKeys keys;
    Status status;
    const char* message;
  };
  std::vector<Case> cases;
  auto with = [&](const char* what, Status status, const char* message, auto edit) {
    NeighbourKeys k = keys_of(g, 24);
    edit(k);
    cases.push_back({what, k, status, message});
  };
  with("valid", Status::kOk, "", [](NeighbourKeys&) {});
  with("key_bits 16", Status::kBadMetadata, "neighbours.key_bits is 16, expected 24 or 32",
       [](NeighbourKeys& k) { k.key_bits = 16; });
  with("key_bits 0", Status::kBadMetadata, "neighbours.key_bits is 0, expected 24 or 32",
       [](NeighbourKeys& k) { k.key_bits = 0; });
  with("key_bits an f32", Status::kBadMetadata, "'neighbours.key_bits' has the wrong type",
       [](NeighbourKeys& k) { k.key_bits_as_f32 = true; });
  with("key_bits alone", Status::kBadMetadata, "neighbours.key_bits is set without the other neighbours.* keys",
       [](NeighbourKeys& k) { k.others = false; });
  with("one u32 more", Status::kBadShape, "neighbours.words has 119 u32s; 157 24-bit keys (neighbours.key_bits) pack into 118",
       [](NeighbourKeys& k) { k.words.push_back(0); });
  with("one u32 fewer", Status::kBadShape, "neighbours.words has 117 u32s", [](NeighbourKeys& k) { k.words.pop_back(); });
  with("32-bit keys declared 24", Status::kBadShape, "neighbours.words has 157 u32s",
       [&](NeighbourKeys& k) { k.words = g.keys32(); });
  with("24-bit keys without key_bits (a runtime from before it)", Status::kBadShape,
       "neighbours.words has 118 keys; the word counts add up to 157", [](NeighbourKeys& k) { k.key_bits = -1; });
  with("nonzero padding", Status::kBadMetadata, "neighbours.words: the padding after the 24-bit keys is not zero",
       [](NeighbourKeys& k) { k.words.back() |= 1u << 24; });
  with("two keys swapped", Status::kBadMetadata, "neighbours.words: group 0's keys are not strictly ascending at 2",
       [&](NeighbourKeys& k) {
         std::vector<uint32_t> keys = g.keys24();
         std::swap(keys[1], keys[2]);
         k.words = pack24(keys);
       });
  with("a repeated key in the second group", Status::kBadMetadata,
       "neighbours.words: group 1's keys are not strictly ascending at 5", [&](NeighbourKeys& k) {
         std::vector<uint32_t> keys = g.keys24();
         keys[150 + 5] = keys[150 + 4];
         k.words = pack24(keys);
       });
  // One group of 4 keys, ascending at 32 bits (kCollidingB's key just below
  // kCollidingA's), two of them one key at 24 bits.
  auto colliding = [](NeighbourKeys& k, uint32_t bits) {
    REQUIRE(key32(kCollidingB) < key32(kCollidingA));
    k.sizes = {2};
    k.labels = {0, 1};
    k.counts = {4};
    const std::vector<uint32_t> keys = {key32(kCollidingB), key32(kCollidingA), 0x80000000u, 0x90000000u};
    k.words = keys;
    if (bits == 24) {
      for (uint32_t& x : k.words) x >>= 8;
      k.words = pack24(k.words);
    }
    k.key_bits = bits;
    k.scores.resize(8);
  };
  with("keys ascending at 32 bits", Status::kOk, "", [&](NeighbourKeys& k) { colliding(k, 32); });
  with("the same keys at 24 bits, two equal", Status::kBadMetadata, "group 0's keys are not strictly ascending at 1",
       [&](NeighbourKeys& k) { colliding(k, 24); });
  with("fewer than 4 words", Status::kBadMetadata, "neighbours.key_bits is 24 with 3 words (24-bit keys need at least 4)",
       [&](NeighbourKeys& k) {
         k.sizes = {2};
         k.labels = {0, 1};
         k.counts = {3};
         std::vector<uint32_t> keys = g.keys24();
         keys.resize(3);
         k.words = pack24(keys);
         k.scores.resize(6);
       });
  for (const Case& c : cases) {
    CAPTURE(c.what);
    std::string message;
    CHECK(load_status(build_model(&c.keys, false), &message) == c.status);
    CHECK_MESSAGE(message.find(c.message) != std::string::npos, message);
  }
}
