// The shipped language identifier and the demo's span finder and evaluator,
// on the committed model (models/langid.ffm; missing means failed).
#include <doctest/doctest.h>

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>
#include <set>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "test_paths.h"
#include "tools/langid/evaluate.h"
#include "tools/langid/spans.h"

using namespace ffnlp;

namespace {

struct Shipped {
  MappedFile file;
  Model model;
  Status status;
  Error error;
  Shipped() { status = load_file(testing::source_path("models/langid.ffm").c_str(), &file, &model, &error); }
};

std::string top1(const Model& model, Workspace& workspace, const char* text, float* probability = nullptr,
                 bool* reliable = nullptr) {
  Prediction top[1];
  size_t count = 0;
  REQUIRE(model.classify(text, std::strlen(text), workspace, top, 1, &count) == Status::kOk);
  REQUIRE(count == 1);
  if (probability) *probability = top[0].probability;
  if (reliable) *reliable = top[0].reliable;
  return top[0].label;
}

}  // namespace

TEST_CASE("the shipped model meets its stated shape") {
  Shipped s;
  REQUIRE_MESSAGE(s.status == Status::kOk, s.error.message);
  CHECK(s.model.file_size() <= 409600);  // 400 KB (issue 9)
  CHECK(s.model.label_count() >= 150);
  CHECK(std::string(s.model.unknown_label()) == "und");
  std::set<std::string> labels;
  for (uint32_t i = 0; i < s.model.label_count(); ++i) {
    const std::string code = s.model.label(i);
    CHECK(labels.insert(code).second);
    CHECK(std::strlen(s.model.label_name(i)) > 0);
    // BCP 47 shape: 2-3 lowercase letters, optionally -Xxxx script subtag.
    const size_t dash = code.find('-');
    const std::string language = code.substr(0, dash);
    CHECK((language.size() == 2 || language.size() == 3));
    for (char c : language) CHECK((c >= 'a' && c <= 'z'));
    if (dash != std::string::npos) CHECK(code.size() - dash - 1 == 4);
  }
  for (const char* code : {"en", "de", "fr", "es", "ru", "zh-Hans", "ja", "ar", "hi", "fi", "sw", "ka", "hy", "el"}) {
    CAPTURE(code);
    CHECK(s.model.find_label(code) >= 0);
  }
}

TEST_CASE("clear sentences are identified; empty text is und") {
  Shipped s;
  REQUIRE(s.status == Status::kOk);
  Workspace workspace(s.model);
  const std::pair<const char*, const char*> cases[] = {
      {"de", "Die Würde des Menschen ist unantastbar. Sie zu achten und zu schützen ist Verpflichtung aller staatlichen Gewalt."},
      {"fr", "Tous les êtres humains naissent libres et égaux en dignité et en droits."},
      {"ru", "Все люди рождаются свободными и равными в своем достоинстве и правах."},
      {"fi", "Kaikki ihmiset syntyvät vapaina ja tasavertaisina arvoltaan ja oikeuksiltaan."},
      {"el", "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια και τα δικαιώματα."},
      {"ja", "すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利とについて平等である。"},
      {"ka", "ყველა ადამიანი იბადება თავისუფალი და თანასწორი თავისი ღირსებითა და უფლებებით."},
      {"en", "All human beings are born free and equal in dignity and rights. They are endowed with reason."},
  };
  for (const auto& c : cases) {
    CAPTURE(c.second);
    float p = 0;
    bool reliable = false;
    CHECK(top1(s.model, workspace, c.second, &p, &reliable) == c.first);
    CHECK(p > 0.5f);
  }
  CHECK(top1(s.model, workspace, "") == "und");
  CHECK(top1(s.model, workspace, "12345 !!! ...") == "und");
}

TEST_CASE("gibberish and very short text are not claimed with confidence") {
  Shipped s;
  REQUIRE(s.status == Status::kOk);
  Workspace workspace(s.model);
  // Random letters: a fixed linear congruential sequence, so the test is stable.
  uint32_t state = 12345;
  int confident = 0;
  const int trials = 200;
  for (int t = 0; t < trials; ++t) {
    std::string text;
    for (int i = 0; i < 30; ++i) {
      state = state * 1103515245u + 12345u;
      const uint32_t r = (state >> 16) % 32;
      text += r < 26 ? static_cast<char>('a' + r) : ' ';
    }
    float p = 0;
    bool reliable = false;
    top1(s.model, workspace, text.c_str(), &p, &reliable);
    confident += reliable;
  }
  CHECK(confident <= trials / 20);  // at most 5% marked reliable
}

TEST_CASE("short texts need 0.95 to be marked reliable by the shipped model, longer ones 0.85") {
  Shipped s;
  REQUIRE(s.status == Status::kOk);
  CHECK(s.model.reliable_probability() == 0.85f);
  CHECK(s.model.reliable_letters() == 3);
  CHECK(s.model.reliable_short_letters() == 12);
  CHECK(s.model.reliable_short_probability() == 0.95f);
  Workspace workspace(s.model);
  // Everyday words and phrases of up to 11 letters, then longer ones.
  const char* const texts[] = {"Nein", "Danke", "Merci", "Grazie", "Gracias", "Obrigado", "Dziękuję", "Спасибо",
                               "Tack så mycket", "Hvala lijepa", "Terima kasih", "Dobar dan", "Kiitos", "Köszönöm",
                               "Bonne nuit", "Guten Morgen", "Buenas noches, amigos", "Dobranoc wszystkim",
                               "See you tomorrow", "Bis morgen dann"};
  int short_between = 0;  // short answers between the two bars: unmarked now
  for (const char* text : texts) {
    CAPTURE(text);
    Prediction top[1];
    size_t count = 0;
    TextStats stats;
    REQUIRE(s.model.classify(text, std::strlen(text), workspace.data(), workspace.size(), top, 1, &count, &stats) ==
            Status::kOk);
    REQUIRE(count == 1);
    const float bar = stats.letters < 12 ? 0.95f : 0.85f;
    CHECK(top[0].reliable == (top[0].probability >= bar));
    short_between += stats.letters < 12 && top[0].probability >= 0.85f && top[0].probability < 0.95f;
  }
  CHECK(short_between > 0);  // the list reaches the stricter bar's range
}

TEST_CASE("spans: an unsure span joins a sure neighbour whose language still wins on the joined text") {
  Shipped s;
  REQUIRE(s.status == Status::kOk);
  Workspace workspace(s.model);
  // Without the join, the Viterbi runs give "I" (xh, unsure), "am reading a
  // good book." (en) and the Finnish sentence; joined, two spans. (A
  // fixture of the shipped model: a retrained model may split elsewhere.)
  const std::string text = "I am reading a good book. Tämä osa on kirjoitettu suomeksi.";
  const std::vector<langid::Span> spans = langid::find_spans(s.model, workspace, text);
  REQUIRE(spans.size() == 2);
  CHECK(text.substr(spans[0].begin, spans[0].end - spans[0].begin) == "I am reading a good book.");
  // An unsure span of more than SpanOptions::join_max_words words stays:
  // "Aitäh abi eest." is unsure on its own (et 0.82), and the longer
  // English sentence would win the joined text and swallow it.
  const std::string pair = "Please find the report attached. Ait\xC3\xA4h abi eest.";
  const std::vector<langid::Span> kept = langid::find_spans(s.model, workspace, pair);
  REQUIRE(kept.size() == 2);
  CHECK(std::string(kept[0].label) == "en");
  CHECK(pair.substr(kept[1].begin, kept[1].end - kept[1].begin) == "Ait\xC3\xA4h abi eest.");
  CHECK_FALSE(kept[1].reliable);
  langid::SpanOptions any_length;
  any_length.join_max_words = 1000;
  any_length.join_within_sentence = false;
  std::vector<langid::Span> joined;
  REQUIRE(langid::SpanFinder(s.model, any_length).find(pair.data(), pair.size(), workspace, &joined) == Status::kOk);
  CHECK(joined.size() == 1);  // what the join did before it had a limit
  CHECK(spans[0].reliable);
  // Every span of a join is what classify() says of its own bytes.
  for (const std::string& t : {text, std::string("Привет, как дела? This part is English again. Γεια σου κόσμε, τι κάνεις;")}) {
    for (const langid::Span& span : langid::find_spans(s.model, workspace, t)) {
      Prediction top[1];
      size_t count = 0;
      REQUIRE(s.model.classify(t.data() + span.begin, span.end - span.begin, workspace, top, 1, &count) == Status::kOk);
      CHECK(top[0].label_index == span.label_index);
      CHECK(top[0].probability == span.probability);
    }
  }
}

TEST_CASE("spans: a word's context stops at a sentence end") {
  Shipped s;
  REQUIRE(s.status == Status::kOk);
  Workspace workspace(s.model);
  // With windows across the full stop, "at six." was scored with "Tämä
  // osa" as context and went to Finnish: "The train leaves" | "at six.
  // Tämä ...". Within the sentence, the split is at the full stop. (A
  // fixture of the shipped model.)
  const std::string text = "The train leaves at six. Tämä osa on kirjoitettu suomeksi.";
  const std::vector<langid::Span> spans = langid::find_spans(s.model, workspace, text);
  REQUIRE(spans.size() == 2);
  CHECK(std::string(spans[0].label) == "en");
  CHECK(text.substr(spans[0].begin, spans[0].end - spans[0].begin) == "The train leaves at six.");
  CHECK(std::string(spans[1].label) == "fi");
  // The old windows and penalties give the old split back: the option is
  // what moved the boundary.
  langid::SpanOptions across;
  across.context_within_sentence = false;
  across.switch_penalty = 4.0f;
  across.clause_end_discount = 0.25f;
  std::vector<langid::Span> old;
  REQUIRE(langid::SpanFinder(s.model, across).find(text.data(), text.size(), workspace, &old) == Status::kOk);
  REQUIRE(old.size() == 2);
  CHECK(text.substr(old[0].begin, old[0].end - old[0].begin) == "The train leaves");
  // Closing quotes and brackets after the stop still end the sentence.
  const std::string quoted = "He said \"the train leaves at six.\" Tämä osa on kirjoitettu suomeksi.";
  const std::vector<langid::Span> q = langid::find_spans(s.model, workspace, quoted);
  REQUIRE(q.size() == 2);
  CHECK(quoted.substr(q[0].begin, q[0].end - q[0].begin) == "He said \"the train leaves at six.\"");
}

TEST_CASE("spans: a short unsure sentence of its own is kept, not joined to a neighbour") {
  Shipped s;
  REQUIRE(s.status == Status::kOk);
  Workspace workspace(s.model);
  // "Aitäh teile!" is two words and unsure on its own (et 0.93); it is a
  // sentence of its own, so it does not join the English sentence before
  // or after it. (A fixture of the shipped model: "Kiitos kaikille!" was
  // one until the lexicon made it sure Finnish.)
  const std::string text = "I will send the report tomorrow. Ait\xC3\xA4h teile! See you at the meeting.";
  const std::vector<langid::Span> spans = langid::find_spans(s.model, workspace, text);
  REQUIRE(spans.size() == 3);
  CHECK(std::string(spans[1].label) == "et");
  CHECK(text.substr(spans[1].begin, spans[1].end - spans[1].begin) == "Ait\xC3\xA4h teile!");
  CHECK_FALSE(spans[1].reliable);
  // Joins across sentence ends swallow it, as before the rule.
  langid::SpanOptions across;
  across.join_within_sentence = false;
  std::vector<langid::Span> joined;
  REQUIRE(langid::SpanFinder(s.model, across).find(text.data(), text.size(), workspace, &joined) == Status::kOk);
  // ... and the two English spans left side by side become one.
  REQUIRE(joined.size() == 1);
  CHECK(std::string(joined[0].label) == "en");
  CHECK(joined[0].begin == 0);
  CHECK(joined[0].end == text.size());
}

TEST_CASE("spans split English from Finnish inside one script, with byte offsets") {
  Shipped s;
  REQUIRE(s.status == Status::kOk);
  Workspace workspace(s.model);
  const std::string english = "This is the first part of the text, written in English for everybody.";
  const std::string finnish = "Tämä on tekstin toinen osa, joka on kirjoitettu suomeksi kaikille lukijoille.";
  const std::string text = english + " " + finnish;
  const std::vector<langid::Span> spans = langid::find_spans(s.model, workspace, text);
  REQUIRE(spans.size() == 2);
  CHECK(std::string(spans[0].label) == "en");
  CHECK(std::string(spans[1].label) == "fi");
  CHECK(spans[0].begin == 0);
  CHECK(spans[0].end == english.size());
  CHECK(spans[1].begin == english.size() + 1);
  CHECK(spans[1].end == text.size());
  // Three languages, two scripts: the Latin words' context stops at the script change.
  const std::string mixed = "Привет, как дела? This part is English again. Γεια σου κόσμε, τι κάνεις;";
  const std::vector<langid::Span> three = langid::find_spans(s.model, workspace, mixed);
  REQUIRE(three.size() == 3);
  // The script split is what is tested here. The label of this short
  // greeting is a known weakness of the model (mk, not ru: models/langid.md),
  // so only a Cyrillic-script answer and the span's extent are required.
  const std::set<std::string> cyrillic = {"ru", "mk", "sr-Cyrl", "bg", "uk", "be"};
  CHECK(cyrillic.count(three[0].label) == 1);
  CHECK(mixed.substr(three[0].begin, three[0].end - three[0].begin) == "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xD0\xBA\xD0\xB0\xD0\xBA \xD0\xB4\xD0\xB5\xD0\xBB\xD0\xB0?");
  CHECK(std::string(three[1].label) == "en");
  CHECK(std::string(three.back().label) == "el");
  // "again." alone is Irish to the model, unsure: it joins the English span.
  CHECK(mixed.substr(three[1].begin, three[1].end - three[1].begin) == "This part is English again.");
  CHECK(mixed.substr(three.back().begin) == "\xCE\x93\xCE\xB5\xCE\xB9\xCE\xB1 \xCF\x83\xCE\xBF\xCF\x85 \xCE\xBA\xCF\x8C\xCF\x83\xCE\xBC\xCE\xB5, \xCF\x84\xCE\xB9 \xCE\xBA\xCE\xAC\xCE\xBD\xCE\xB5\xCE\xB9\xCF\x82;");
  const std::vector<langid::Span> one = langid::find_spans(s.model, workspace, english);
  REQUIRE(one.size() == 1);
  CHECK(std::string(one[0].label) == "en");
  CHECK(langid::find_spans(s.model, workspace, "   ").empty());
}

TEST_CASE("--eval figures on a small labelled file") {
  Shipped s;
  REQUIRE(s.status == Status::kOk);
  char path[] = "/tmp/ffnlp_eval_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  FILE* f = fdopen(fd, "w");
  std::fputs("de\tDie Würde des Menschen ist unantastbar und zu schützen.\n", f);
  std::fputs("fr\tTous les êtres humains naissent libres et égaux en dignité.\n", f);
  std::fputs("fi\tTous les êtres humains naissent libres et égaux en dignité.\n", f);  // wrong on purpose
  std::fputs("malformed line without a tab\n", f);
  std::fclose(f);
  char* output = nullptr;
  size_t output_size = 0;
  FILE* out = open_memstream(&output, &output_size);
  REQUIRE(langid::evaluate_file(s.model, path, langid::EvalOptions(), out));
  std::fclose(out);
  const std::string report(output, output_size);
  std::free(output);
  std::remove(path);
  CHECK(report.find("texts       3 (skipped 1 malformed") != std::string::npos);
  CHECK(report.find("accuracy    0.6667") != std::string::npos);
  CHECK(report.find("fi         -> fr") != std::string::npos);
  FILE* quiet = std::tmpfile();
  CHECK_FALSE(langid::evaluate_file(s.model, "/nonexistent/file.tsv", langid::EvalOptions(), stdout, quiet));
  std::fclose(quiet);
}

TEST_CASE("spans: scoring twice (no cache) gives exactly the cached answer") {
  Shipped s;
  REQUIRE(s.status == Status::kOk);
  Workspace workspace(s.model);
  langid::SpanOptions no_cache;
  no_cache.cache_bytes = 0;
  langid::SpanFinder cached(s.model), twice(s.model, no_cache);
  const std::string texts[] = {
      "This is the first part of the text, written in English for everybody. Tämä on tekstin toinen osa, joka on "
      "kirjoitettu suomeksi kaikille lukijoille.",
      "Привет, как дела? This part is English again. Γεια σου κόσμε, τι κάνεις; 12345 !!! Und jetzt auf Deutsch, "
      "bitte sehr. Et maintenant en français, s'il vous plaît.",
      "one", "   ", "123 456"};
  for (const std::string& t : texts) {
    CAPTURE(t);
    std::vector<langid::Span> a, b;
    REQUIRE(cached.find(t.data(), t.size(), workspace, &a) == Status::kOk);
    REQUIRE(twice.find(t.data(), t.size(), workspace, &b) == Status::kOk);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].begin == b[i].begin);
      CHECK(a[i].end == b[i].end);
      CHECK(a[i].label_index == b[i].label_index);
      CHECK(a[i].probability == b[i].probability);
    }
  }
}

namespace {

std::string write_temp(const std::string& bytes) {
  char path[] = "/tmp/ffnlp_eval_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  close(fd);
  return path;
}

std::string eval_report(const Model& model, const std::string& path, const langid::EvalOptions& options,
                        bool* ok, std::string* err_text) {
  char* output = nullptr;
  size_t output_size = 0;
  FILE* out = open_memstream(&output, &output_size);
  FILE* err = std::tmpfile();
  *ok = langid::evaluate_file(model, path, options, out, err);
  std::fclose(out);
  const std::string report(output, output_size);
  std::free(output);
  std::fflush(err);
  std::rewind(err);
  char buf[4096];
  const size_t n = std::fread(buf, 1, sizeof buf, err);
  *err_text = std::string(buf, n);
  std::fclose(err);
  return report;
}

}  // namespace

TEST_CASE("--eval: byte-order mark, long lines, NUL bytes in labels, directories") {
  Shipped s;
  REQUIRE(s.status == Status::kOk);
  bool ok = false;
  std::string err;
  // A BOM before the first label is not part of it.
  std::string path = write_temp("\xEF\xBB\xBF" "de\tDie Würde des Menschen ist unantastbar und zu schützen.\n");
  std::string report = eval_report(s.model, path, langid::EvalOptions(), &ok, &err);
  CHECK(ok);
  CHECK(report.find("accuracy    1.0000") != std::string::npos);
  CHECK(report.find("0 with a gold label the model lacks") != std::string::npos);
  std::remove(path.c_str());
  // A 5 MB line is read in constant memory and classified on its first bytes.
  std::string huge = "fr\t";
  while (huge.size() < (5u << 20)) huge += "Tous les êtres humains naissent libres et égaux en dignité. ";
  path = write_temp(huge + "\nde\tDie Würde des Menschen ist unantastbar.\n");
  langid::EvalOptions capped;
  capped.max_line = 4096;
  report = eval_report(s.model, path, capped, &ok, &err);
  CHECK(ok);
  CHECK(report.find("texts       2 (") != std::string::npos);
  CHECK(report.find("cut         1 lines longer than 4096 bytes") != std::string::npos);
  CHECK(report.find("accuracy    1.0000") != std::string::npos);
  std::remove(path.c_str());
  // A NUL byte in a gold label is shown, not cut.
  const char kNulLabel[] = "d\0e\tDie Würde des Menschen ist unantastbar.\n";
  path = write_temp(std::string(kNulLabel, sizeof kNulLabel - 1));
  report = eval_report(s.model, path, langid::EvalOptions(), &ok, &err);
  CHECK(ok);
  CHECK(report.find("  d\\x00e     -> de         1") != std::string::npos);
  CHECK(report.find("1 with a gold label the model lacks") != std::string::npos);
  std::remove(path.c_str());
  // A directory says so.
  report = eval_report(s.model, "/tmp", langid::EvalOptions(), &ok, &err);
  CHECK_FALSE(ok);
  CHECK(err == "langid: --eval: '/tmp' is a directory, not a file of CODE<TAB>TEXT lines\n");
  report = eval_report(s.model, "/nonexistent/x.tsv", langid::EvalOptions(), &ok, &err);
  CHECK_FALSE(ok);
  CHECK(err == "langid: --eval: cannot open '/nonexistent/x.tsv': No such file or directory\n");
}

TEST_CASE("shipped model: a hint flips an ambiguous short text, not a long unambiguous one") {
  Shipped s;
  REQUIRE_MESSAGE(s.status == Status::kOk, s.error.message);
  Workspace workspace(s.model);
  auto top_with = [&](const char* text, const char* hinted, float weight, float* probability) {
    const int32_t index = s.model.find_label(hinted);
    REQUIRE(index >= 0);
    const uint32_t prefer = static_cast<uint32_t>(index);
    ClassifyOptions options;
    options.prefer = &prefer;
    options.prefer_count = 1;
    options.prefer_weight = weight;
    Prediction top[1];
    size_t count = 0;
    REQUIRE(s.model.classify(text, std::strlen(text), workspace, top, 1, &count, options) == Status::kOk);
    REQUIRE(count == 1);
    *probability = top[0].probability;
    return std::string(top[0].label);
  };
  float p = 0;
  // Danish or Norwegian Bokmål: da 0.72, nb 0.28 without hints; a hint of nb
  // at the default weight (1: odds x e) makes it nb 0.52. Any default above
  // ln(0.72 / 0.28) = 0.92 flips it.
  CHECK(top1(s.model, workspace, "Jeg har en hund", &p) == "da");
  CHECK(p < 0.75f);
  CHECK(top_with("Jeg har en hund", "nb", kDefaultPreferWeight, &p) == "nb");
  CHECK(p > 0.5f);
  CHECK(top_with("Jeg har en hund", "nb", 0.0f, &p) == "da");  // weight 0: no tilt
  // Indonesian or Malay: id 0.54, ms 0.45; hinted ms, ms 0.69.
  CHECK(top1(s.model, workspace, "Selamat pagi", &p) == "id");
  CHECK(top_with("Selamat pagi", "ms", kDefaultPreferWeight, &p) == "ms");
  CHECK(p > 0.65f);
  // A long unambiguous text keeps its language under a hint of a close and a far one.
  const char* german = "Die Würde des Menschen ist unantastbar. Sie zu achten und zu schützen ist Verpflichtung "
                       "aller staatlichen Gewalt.";
  for (const char* hinted : {"lb", "nl", "nb", "sw"}) {
    CAPTURE(hinted);
    CHECK(top_with(german, hinted, kDefaultPreferWeight, &p) == "de");
    CHECK(p > 0.9f);
  }
  // At the largest weight a hint decides (what the headers say of the bound).
  CHECK(top_with(german, "sw", kMaxPreferWeight, &p) == "sw");
}

TEST_CASE("shipped model: a hint raises its label's logit by the weight, with either prior") {
  Shipped s;
  REQUIRE_MESSAGE(s.status == Status::kOk, s.error.message);
  Workspace workspace(s.model);
  const uint32_t n = s.model.label_count();
  std::vector<float> base(n), got(n);
  // Long texts (no lexicon); the hinted labels are outside the best label's
  // neighbour group, so the hint is the only change.
  const char* text = "Die Würde des Menschen ist unantastbar. Sie zu achten und zu schützen ist Verpflichtung "
                     "aller staatlichen Gewalt.";
  Input in;
  in.text = text;
  in.size = std::strlen(text);
  const uint32_t prefer[] = {static_cast<uint32_t>(s.model.find_label("sw")),
                             static_cast<uint32_t>(s.model.find_label("ja"))};
  for (Prior prior : {Prior::kModel, Prior::kUniform}) {
    CAPTURE(static_cast<int>(prior));
    ClassifyOptions plain;
    plain.prior = prior;
    ClassifyOptions hinted = plain;
    hinted.prefer = prefer;
    hinted.prefer_count = 2;
    hinted.prefer_weight = 3.5f;
    REQUIRE(s.model.logits(in, workspace.data(), workspace.size(), base.data(), n, &plain) == Status::kOk);
    REQUIRE(s.model.logits(in, workspace.data(), workspace.size(), got.data(), n, &hinted) == Status::kOk);
    for (uint32_t i = 0; i < n; ++i) {
      const bool is_hinted = i == prefer[0] || i == prefer[1];
      CAPTURE(s.model.label(i));
      CHECK(got[i] == (is_hinted ? base[i] + 3.5f : base[i]));
    }
  }
}

namespace {

// Runs the langid of this build (tool_path) and returns its standard output;
// *status gets the exit status.
std::string run_langid(const std::string& args, int* status) {
  const std::string command = testing::tool_path("langid") + " " + args + " 2>/dev/null";
  std::FILE* p = popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, p)) > 0) out.append(buffer, n);
  const int raw = pclose(p);
  *status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

}  // namespace

TEST_CASE("langid: --only restricts the answers and renormalises; --prior model|uniform") {
  int status = 0;
  const std::string out = run_langid("--top 3 --only fr,it,es 'Où est la gare ?'", &status);
  REQUIRE(status == 0);
  size_t lines = 0;
  double total = 0;
  for (size_t at = 0; at < out.size();) {
    const size_t end = out.find('\n', at);
    const std::string line = out.substr(at, end - at);
    at = end == std::string::npos ? out.size() : end + 1;
    ++lines;
    const std::string code = line.substr(0, line.find(' '));
    CHECK((code == "fr" || code == "it" || code == "es"));
    total += std::stod(line.substr(line.find("probability ") + 12));
  }
  CHECK(lines == 3);
  CHECK(total == doctest::Approx(1.0).epsilon(1e-3));
  // The prior moves a near tie: German against Luxembourgish (far fewer
  // writers), both over {de, lb} only, is surer German with the model's
  // prior than without it ("Auto": 0.49 German without it, 0.70 with it).
  auto de_probability = [&](const std::string& prior) {
    const std::string answer = run_langid("--prior " + prior + " --top 2 --only de,lb 'Auto'", &status);
    CHECK(status == 0);
    const size_t at = answer.rfind("de ", answer.find("German"));
    REQUIRE(at != std::string::npos);
    return std::stod(answer.substr(answer.find("probability ", at) + 12));
  };
  const double with_prior = de_probability("model"), uniform = de_probability("uniform");
  CHECK(with_prior > 0.5);
  CHECK(with_prior > uniform + 0.1);
  run_langid("--only fr,zz x", &status);
  CHECK(status == 2);
  run_langid("--only fr,fr x", &status);
  CHECK(status == 2);
  run_langid("--prior bogus x", &status);
  CHECK(status == 2);
  // --top of every language: one routine, O(n log k).
  const std::string all = run_langid("--top 1000 'hello world'", &status);
  CHECK(status == 0);
  Shipped s;
  CHECK(static_cast<uint32_t>(std::count(all.begin(), all.end(), '\n')) == s.model.label_count());
}
