// Neighbour words (heads/neighbour_words.h): the word scores of close
// neighbour labels, added to the logits of the best label's group only,
// exactly as the file says; every malformed neighbours.* key refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <random>

#include "features/extract.h"
#include "features/extract_avx2.h"
#include "features/word_keys.h"
#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
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
