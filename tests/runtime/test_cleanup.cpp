// Text clean-up (text.cleanup = 1; features/cleanup.h): spans without
// language are skipped as separators. Each golden case: the features of the
// input with clean-up equal the features of the expected text without it.
// Unit-tests the feature internals on purpose (features/extract.h).
#include <doctest/doctest.h>

#include <cstring>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "features/extract.h"
#include "test_models.h"

using namespace ffnlp;

namespace {

using Rows = std::vector<std::pair<uint32_t, uint32_t>>;

std::vector<ChannelSpec> channels() {
  std::vector<ChannelSpec> c;
  for (uint32_t n = 1; n <= 3; ++n) c.push_back(ChannelSpec(FeatureKind::kCharNgram, n, 1000 + n, 17 * n));
  c.push_back(ChannelSpec(FeatureKind::kScript, 0, kScriptCount, 0));
  c.push_back(ChannelSpec(FeatureKind::kWord, 0, 5000, 3));
  c.push_back(ChannelSpec(FeatureKind::kShape, 0, kShapeRows, 0));
  return c;
}

Rows cleanup_rows_of(const std::string& text, bool cleanup, uint32_t* letters = nullptr, bool drop_digits = true) {
  TextOptions options;
  options.cleanup = cleanup;
  options.drop_digits = drop_digits;
  const std::vector<ChannelSpec> c = channels();
  internal::FeaturePlan plan;
  REQUIRE(build_feature_plan(c.data(), static_cast<uint32_t>(c.size()), options, &plan, nullptr) == Status::kOk);
  Rows rows;
  const uint32_t n = extract_features(reinterpret_cast<const uint8_t*>(text.data()), text.size(), plan,
                                      [&](uint32_t ch, uint32_t r) { rows.push_back({ch, r}); });
  if (letters != nullptr) *letters = n;
  return rows;
}

// Whether a model of three labels scores texts a and b exactly alike.
bool same_scores(const Model& model, const std::string& a, const std::string& b) {
  Workspace workspace(model);
  float pa[3], pb[3];
  REQUIRE(model.scores(a.data(), a.size(), workspace.data(), workspace.size(), pa, 3) == Status::kOk);
  REQUIRE(model.scores(b.data(), b.size(), workspace.data(), workspace.size(), pb, 3) == Status::kOk);
  return pa[0] == pb[0] && pa[1] == pb[1] && pa[2] == pb[2];
}

}  // namespace

TEST_CASE("cleanup: each rule, golden cases") {
  const std::pair<const char*, const char*> cases[] = {
      // URLs
      {"visit https://example.org/path?q=1&r=2 today", "visit today"},
      {"see (http://example.com/a), then", "see then"},
      {"visit www.example.org today", "visit today"},
      {"an IRI http://b\xC3\xBC" "cher.example/\xC3\xA9t\xC3\xA9 here", "an IRI here"},
      {"broken http://ex\xff\xfe.com bytes", "broken bytes"},
      {"ftp://files.example.net/pub", ""},
      // e-mail addresses, handles
      {"mail me at jane.doe@example.com please", "mail me at please"},
      {"write <jane@example.org> now", "write now"},
      {"thanks @jane_doe for this", "thanks for this"},
      {"@bob: merci", "merci"},
      // paths and file names
      {"open C:\\Users\\jane\\notes.txt now", "open now"},
      {"run ./configure and /usr/bin/env here", "run and here"},
      {"look in ~/Documents today", "look in today"},
      {"edit README.md or setup.py first", "edit or first"},
      {"see docs/FORMAT.md and src/a/b", "see and"},
      {"IMG_0042.JPG was sent", "was sent"},
      {"run x.py.", "run"},
      // numbers with units
      {"it weighs 5kg and costs $20", "it weighs and costs"},
      {"runs at 3.5 GHz with 16 GB", "runs at with"},
      {"at 12:30pm or 100% sure", "at or sure"},
      {"it was 20\xC2\xB0" "C outside", "it was outside"},
      {"drive 60 km/h please", "drive please"},
      // markup
      {"<p>Bonjour <b>le</b> monde</p>", "Bonjour le monde"},
      {"<a href=\"http://x.org\" title='t'>lien</a>", "lien"},
      {"<!-- comment --><br/>texte", "texte"},
      {"caf&eacute; &amp; th&#233; &#x2014; ok", "caf th ok"},
      {"wo<b>rd</b>s", "wo rd s"},
      // long tokens: the pattern byte (or the token's end) past the first 16 or 32 bytes
      {"open averyveryverylongname_of_a_report.pdf now", "open now"},
      {"open averyveryverylongname_of_a_report_for_the_board.pdf now", "open now"},
      {"write toaveryveryverylongaddress@example.org today", "write today"},
      {"x abcdefghijklmnop\tqrstuvwxyz@example.org y", "x abcdefghijklmnop y"},
      {"x abcdefghijklmno<b>pq.rs</b>tuvwxyz y", "x abcdefghijklmno tuvwxyz y"},
      {"abcdefghijklmnop\n1.5x", "abcdefghijklmnop"},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.first));
    CHECK(cleanup_rows_of(c.first, true) == cleanup_rows_of(c.second, false));
  }
}

TEST_CASE("cleanup: what is not skipped") {
  for (const char* text : {"and/or either", "e.g. this, i.e. that", "U.S. policy", "hello.world again",
                           "a < b and c > d", "Tom & Jerry", "&nbsp without semicolon", "5 apples", "<3 you",
                           "email@ alone", "@ alone", "x.pyz", "version 2", "\xC2\xAB guillemets \xC2\xBB",
                           "abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz.",
                           "abcdefghijklmnop\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9 x"}) {
    INFO(std::string(text));
    CHECK(cleanup_rows_of(text, true) == cleanup_rows_of(text, false));
  }
}

TEST_CASE("cleanup: off by default and for version 1 files; letters of skipped spans do not count") {
  uint32_t with = 0, without = 0;
  cleanup_rows_of("read http://example.org now", true, &with);
  cleanup_rows_of("read http://example.org now", false, &without);
  CHECK(with == 7);
  CHECK(without > with);
  const std::vector<uint8_t> bytes = testing::build_tiny_model(testing::make_tiny_network(1, kScriptCount));
  Model model;
  REQUIRE(Model::load(bytes.data(), bytes.size(), &model, nullptr) == Status::kOk);
  CHECK_FALSE(model.text_cleanup());
  // Digits kept as word characters: a number with a unit is still skipped whole.
  CHECK(cleanup_rows_of("it is 5kg now", true, nullptr, false) == cleanup_rows_of("it is now", false, nullptr, false));
}

TEST_CASE("cleanup: adversarial inputs take linear time and read nothing out of bounds") {
  const std::string unit = "<a";
  std::string tags;
  while (tags.size() < (1u << 20)) tags += unit;  // a million '<' that never close
  std::string slashes(1u << 20, '/');
  std::string ats(1u << 20, '@');
  std::string amps;
  while (amps.size() < (1u << 20)) amps += "&abcdefghijklmnopqrstuvwxyz0123456789";
  std::string long_token = "http://" + std::string(1u << 20, 'x');
  std::string numbers;
  while (numbers.size() < (1u << 20)) numbers += "1 ";
  for (const std::string* text : {&tags, &slashes, &ats, &amps, &long_token, &numbers}) {
    // CPU time, not wall time: a loaded machine must not fail this.
    const std::clock_t t0 = std::clock();
    cleanup_rows_of(*text, true);
    const double seconds = double(std::clock() - t0) / CLOCKS_PER_SEC;
    CHECK(seconds < 30.0);  // quadratic behaviour would take many minutes (ASan: well under a second here)
  }
  CHECK(cleanup_rows_of(long_token, true).empty());
  CHECK(cleanup_rows_of(tags, true) == cleanup_rows_of(tags, false));  // nothing there is a tag
  // Every prefix of tricky inputs (exact-size copies: ASan sees overreads).
  for (const char* text : {"<a href=x>y</a>", "&#x1F600;", "me@x.org", "5 km", "C:\\x", "www.a"}) {
    const std::string full = text;
    for (size_t n = 0; n <= full.size(); ++n) {
      const std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      TextOptions options;
      options.cleanup = true;
      const std::vector<ChannelSpec> c = channels();
      internal::FeaturePlan plan;
      REQUIRE(build_feature_plan(c.data(), static_cast<uint32_t>(c.size()), options, &plan, nullptr) == Status::kOk);
      extract_features(prefix.data(), prefix.size(), plan, [](uint32_t, uint32_t) {});
    }
  }
}

TEST_CASE("cleanup: a model with text.cleanup = 1 answers as if the spans were not there") {
  const testing::KindsNetwork n = testing::make_kinds_network(8);
  tools::ModelWriter w;
  testing::add_kinds_tensors(w, n);
  testing::set_kinds_metadata(w, n);
  w.set_u32("text.cleanup", 1);
  const std::vector<uint8_t> bytes = w.build();
  Model model;
  Error error;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk, error.message);
  CHECK(model.text_cleanup());
  CHECK(same_scores(model, "Die <b>Hund</b> sieht https://example.org/x die @katze an: 5kg!", "Die Hund sieht die an"));
}

namespace {

Rows level_rows_of(const std::string& text, uint8_t level) {
  TextOptions options;
  options.cleanup = level;
  const std::vector<ChannelSpec> c = channels();
  internal::FeaturePlan plan;
  REQUIRE(build_feature_plan(c.data(), static_cast<uint32_t>(c.size()), options, &plan, nullptr) == Status::kOk);
  Rows rows;
  extract_features(reinterpret_cast<const uint8_t*>(text.data()), text.size(), plan,
                   [&](uint32_t ch, uint32_t r) { rows.push_back({ch, r}); });
  return rows;
}

bool laughter(const std::string& token) {
  return detail::is_laughter(reinterpret_cast<const uint8_t*>(token.data()), token.size());
}

}  // namespace

TEST_CASE("cleanup: laughter (text.cleanup = 2), golden cases") {
  const std::pair<const char*, const char*> cases[] = {
      {"hahaha quina gr\xC3\xA0" "cia", "quina gr\xC3\xA0" "cia"},
      {"HAHAHA, troppo forte!", "troppo forte!"},
      {"ahahah troppo forte", "troppo forte"},
      {"jajaja q fuerte", "q fuerte"},
      {"kkkkk que legal", "que legal"},
      {"wkwk lucu tenan", "lucu tenan"},
      {"\xD0\xB0\xD1\x85\xD0\xB0\xD1\x85\xD0\xB0 \xD0\xBD\xD1\x83", "\xD0\xBD\xD1\x83"},  // ахаха ну
      {"\xD0\xA5\xD0\xB0\xD1\x85\xD0\xB0!", ""},                                        // Хаха!
      {"(hehe) ok", "ok"},
      {"lol that's funny xD", "that's funny"},
      {"haha", ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.first);
    CHECK(level_rows_of(c.first, 2) == level_rows_of(c.second, 0));
    // Level 1 keeps laughter: its features are the text's own.
    CHECK(level_rows_of(c.first, 1) == level_rows_of(c.first, 0));
  }
  // Level 2 is level 1 and more.
  CHECK(level_rows_of("haha see https://example.org now", 2) == level_rows_of("see now", 0));
}

TEST_CASE("cleanup: what laughter is not") {
  // Words, mixed syllables, mixed scripts, too short, invalid bytes: kept.
  for (const char* token : {"hohe", "jaja", "jajaj", "hah", "aha", "hahi", "ihaho", "kk", "wk", "lolo", "xdx",
                            "haha1", "ha-ha", "h\xC3\xA1h\xC3\xA1",
                            "\xD1\x85" "a\xD1\x85" "a",  // Cyrillic х with Latin a
                            "\xD1\x45\xD0\xB0\xD1\x45\xD0\xB0",  // a lead byte without its continuation
                            "\xD1\x85\xD0\xB0\xD1", ""}) {
    CAPTURE(token);
    CHECK_FALSE(laughter(token));
  }
  for (const char* token : {"haha", "HaHa", "ahah", "hahah", "ehehehe", "hihi", "jajaja", "JEJEJE", "kkk", "wkwkwk",
                            "\xD1\x85\xD0\xB5\xD1\x85\xD0\xB5", "lol", "LMAO", "xD", "xDDD"}) {
    CAPTURE(token);
    CHECK(laughter(token));
  }
  // A long run is still one token, found in one pass.
  CHECK(laughter(std::string(4000, 'k')));
  std::string long_laugh;
  for (int i = 0; i < 5000; ++i) long_laugh += "ha";
  CHECK(laughter(long_laugh));
  CHECK_FALSE(laughter(long_laugh + "x"));
}

TEST_CASE("cleanup: a model with text.cleanup = 2 skips laughter; 3 is refused") {
  const testing::KindsNetwork n = testing::make_kinds_network(8);
  for (uint32_t level : {1u, 2u, 3u}) {
    CAPTURE(level);
    tools::ModelWriter w;
    testing::add_kinds_tensors(w, n);
    testing::set_kinds_metadata(w, n);
    w.set_u32("text.cleanup", level);
    const std::vector<uint8_t> bytes = w.build();
    Model model;
    Error error;
    const Status s = Model::load(bytes.data(), bytes.size(), &model, &error);
    if (level == 3) {
      CHECK(s == Status::kBadMetadata);
      CHECK(std::string(error.message).find("text.cleanup") != std::string::npos);
      continue;
    }
    REQUIRE_MESSAGE(s == Status::kOk, error.message);
    CHECK(model.text_cleanup());
    CHECK(model.text_cleanup_level() == level);
    CHECK(same_scores(model, "hahaha die Hund sieht die Katze an lol", "die Hund sieht die Katze an") == (level == 2));
  }
}
