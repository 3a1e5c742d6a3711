// The langid command, run in process (tools/langid/cli.h) on the built-in
// model: one record per input line in every mode, valid JSON for any bytes,
// threads, exit codes on read and write errors, usage errors, and lines
// that fail to classify.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "test_models.h"
#include "tests/tools/cli_capture.h"
#include "tests/tools/json_check.h"
#include "features/text_features.h"
#include "tools/langid/builtin_model.h"
#include "tools/langid/cli.h"
#include "tools/langid/line_mode.h"
#include "tools/langid/spans.h"

using namespace ffnlp;

namespace {

using testing::InputFile;
using testing::Run;
using testing::slurp;

// Runs langid with `args` on `input` (standard input); output to a
// temporary file, or to `out_path` (e.g. /dev/full).
Run run_langid_cli(std::vector<std::string> args, const std::string& input = "", const char* out_path = nullptr,
        int in_fd = -1) {
  InputFile in(input);
  std::vector<char*> argv;
  args.insert(args.begin(), "langid");
  for (std::string& a : args) argv.push_back(&a[0]);
  std::FILE* out = out_path ? std::fopen(out_path, "w") : std::tmpfile();
  std::FILE* err = std::tmpfile();
  REQUIRE(out != nullptr);
  REQUIRE(err != nullptr);
  langid::CliIo io;
  io.in_fd = in_fd >= 0 ? in_fd : in.fd;
  io.out = out;
  io.err = err;
  Run r;
  r.status = langid::run_langid(static_cast<int>(argv.size()), argv.data(), io);
  if (!out_path) r.out = slurp(out);
  r.err = slurp(err);
  std::fclose(out);
  std::fclose(err);
  return r;
}

// Counts the records of an output file while reading it in blocks, and
// how many JSON records do not start with {"line": N for their position N.
struct Records {
  size_t lines = 0, misnumbered = 0;
};
Records count_records(std::FILE* f, bool json) {
  std::fflush(f);
  std::rewind(f);
  Records r;
  std::string partial;  // the current line's first bytes (enough for the number)
  bool at_start = true;
  char buf[1 << 16];
  size_t n;
  auto end_line = [&] {
    ++r.lines;
    if (json) {
      r.misnumbered += partial.compare(0, 9, "{\"line\": ") != 0 ||
                       std::strtoull(partial.c_str() + 9, nullptr, 10) != r.lines;
    }
    partial.clear();
  };
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        end_line();
        at_start = true;
      } else if (at_start && partial.size() < 32) {
        partial += buf[i];
      }
    }
  }
  return r;
}

size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) lines.push_back(s.substr(start, nl - start));
  return lines;
}

// 1,000,000 lines: mostly empty, blank or without letters, and every 250th a
// real text (several spans, a NUL byte, invalid UTF-8, no letters).
std::string million_lines() {
  const std::string real[] = {
      "This part is English, written for everybody. Tämä osa on kirjoitettu suomeksi kaikille.",
      std::string("Hello\0world, this sentence is English with a NUL byte inside.", 62),
      "\xff\xfe invalid UTF-8 \xc3 in an English sentence",
      "12345 !!! 678",
      "Привет, как дела? This part is English again. Γεια σου κόσμε, τι κάνεις;",
  };
  const std::string filler[] = {"", " ", "1", "\r", "\t"};
  std::string s;
  s.reserve(12 << 20);
  for (int i = 0; i < 1000000; ++i) {
    s += i % 250 == 0 ? real[(i / 250) % 5] : filler[i % 5];
    s += '\n';
  }
  return s;
}

// The record number of a JSON line record: {"line": N, ...
uint64_t record_number(const std::string& line) {
  const char prefix[] = "{\"line\": ";
  if (line.compare(0, sizeof prefix - 1, prefix) != 0) return 0;
  return std::strtoull(line.c_str() + sizeof prefix - 1, nullptr, 10);
}

}  // namespace

TEST_CASE("langid line mode: 1,000,000 lines in, 1,000,000 records out, in order, in every mode") {
  const std::string input = million_lines();
  const std::vector<std::vector<std::string>> modes = {{}, {"--spans"}, {"--spans", "--json"}};
  const InputFile in(input);
  for (const std::vector<std::string>& mode : modes) {
    std::vector<std::string> args = mode;
    args.insert(args.begin(), "langid");
    args.push_back("--threads");
    args.push_back("2");
    CAPTURE(args.size());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(&a[0]);
    REQUIRE(lseek(in.fd, 0, SEEK_SET) == 0);
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    langid::CliIo io;
    io.in_fd = in.fd;
    io.out = out;
    io.err = err;
    CHECK(langid::run_langid(static_cast<int>(argv.size()), argv.data(), io) == 0);
    CHECK(slurp(err).empty());
    const Records records = count_records(out, mode.size() == 2);
    CHECK(records.lines == 1000000);
    CHECK(records.misnumbered == 0);  // JSON: record N says line N
    std::fclose(out);
    std::fclose(err);
  }
  // The other modes on the first 100,000 lines.
  size_t pos = 0;
  for (int lines = 0; lines < 100000; ++lines) pos = input.find('\n', pos) + 1;
  const std::string head = input.substr(0, pos);
  for (const std::vector<std::string>& mode :
       std::vector<std::vector<std::string>>{{"--top", "3"}, {"--json"}, {"--json", "--top", "2"}}) {
    std::vector<std::string> args = mode;
    args.push_back("--threads=1");
    const Run r = run_langid_cli(args, head);
    CHECK(r.status == 0);
    CHECK(count_lines(r.out) == 100000);
  }
}

TEST_CASE("langid line mode: --threads N writes exactly what one thread writes") {
  std::string input;
  std::mt19937 rng(3);
  const char* words[] = {"the", "house", "Haus", "maison", "дом", "σπίτι", "talo", "家", "1234", "!!", "\xc3", "\x00"};
  for (int i = 0; i < 3000; ++i) {
    const int n = static_cast<int>(rng() % 12);
    for (int w = 0; w < n; ++w) {
      const char* word = words[rng() % 12];
      input += word[0] ? std::string(word) : std::string(1, '\0');
      input += ' ';
    }
    input += '\n';
  }
  for (const std::vector<std::string>& mode :
       std::vector<std::vector<std::string>>{{}, {"--top", "4"}, {"--json"}, {"--spans"}, {"--spans", "--json"}}) {
    std::vector<std::string> one = mode, three = mode;
    one.insert(one.end(), {"--threads", "1"});
    three.insert(three.end(), {"--threads", "3"});
    const Run a = run_langid_cli(one, input), b = run_langid_cli(three, input);
    CHECK(a.status == 0);
    CHECK(b.status == 0);
    CHECK(count_lines(a.out) == 3000);
    CHECK(a.out == b.out);
  }
}

TEST_CASE("langid --json and --spans --json: valid JSON for any bytes, NUL bytes kept") {
  std::string input;
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; ++i) {
    const size_t n = rng() % 60;
    for (size_t k = 0; k < n; ++k) {
      const uint32_t r = rng();
      char c = static_cast<char>(r % 4 == 0 ? 0x80 + (r >> 8) % 0x80 : (r % 4 == 1 ? (r >> 8) % 0x20 : 'a' + (r >> 8) % 26));
      if (c == '\n') c = ' ';
      input += c;
      if (r % 7 == 0) input += ' ';
    }
    input += '\n';
  }
  for (const std::vector<std::string>& mode :
       std::vector<std::vector<std::string>>{{"--json", "--top", "3"}, {"--spans", "--json"}}) {
    const Run r = run_langid_cli(mode, input);
    CHECK(r.status == 0);
    const std::vector<std::string> lines = split_lines(r.out);
    REQUIRE(lines.size() == 2000);
    size_t invalid = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      invalid += !testing_json::valid_json(lines[i]);
      CHECK(record_number(lines[i]) == i + 1);
    }
    CHECK(invalid == 0);
  }
  // A NUL byte inside a span: the span text keeps everything after it.
  const char kNul[] = "Hello\0world, this sentence is English text.";
  const std::string nul(kNul, sizeof kNul - 1);
  const Run r = run_langid_cli({"--spans", "--json"}, nul + "\n");
  CHECK(r.status == 0);
  CHECK(r.out == "{\"line\": 1, \"text_bytes\": 43, \"spans\": [{\"begin\": 0, \"end\": 43, \"language\": \"en\", "
                 "\"name\": \"English\", \"probability\": " + r.out.substr(r.out.find("\"probability\": ") + 15, 6) +
                     ", \"is_reliable\": true, \"text\": \"Hello\\u0000world, this sentence is English text.\"}]}\n");
  const Run plain = run_langid_cli({"--spans"}, nul + "\n\n   \n");
  CHECK(plain.out.substr(0, 9) == "en\t0-43\t0");
  CHECK(count_lines(plain.out) == 3);
  CHECK(plain.out.substr(plain.out.size() - 2) == "\n\n");  // no words: an empty record
}

TEST_CASE("langid record formats (golden)") {
  const std::string input = "Der schnelle braune Fuchs springt über den faulen Hund.\n\n12345\r\n";
  CHECK(run_langid_cli({"--threads", "1"}, input).out == "de\t0.9999\nund\t0.0000\nund\t0.0000\n");
  const Run top = run_langid_cli({"--top", "2"}, input);
  CHECK(split_lines(top.out)[0].substr(0, 10) == "de\t0.9999\t");
  CHECK(split_lines(top.out)[1] == "und\t0.0000");
  CHECK(run_langid_cli({"--json"}, "12345\n").out ==
        "{\"line\": 1, \"text_bytes\": 5, \"letters\": 0, \"results\": [{\"language\": \"und\", \"name\": "
        "\"Undetermined\", \"probability\": 0.0000, \"is_reliable\": false}]}\n");
  // A line over --max-line: classified on its first bytes and marked.
  const Run cut = run_langid_cli({"--json", "--max-line", "10"}, "Der schnelle braune Fuchs\n");
  CHECK(cut.out.find("{\"line\": 1, \"text_bytes\": 10, \"truncated\": true, \"letters\": 9,") == 0);
  CHECK(run_langid_cli({"Der schnelle braune Fuchs springt über den faulen Hund."}).out ==
        "de       German                       probability 0.9999  reliable\n");
  CHECK(run_langid_cli({"--spans", "Here is a short note for you. Tämä osa on kirjoitettu suomeksi."}).out ==
        "0-29\ten\t0.9991\tEnglish\tHere is a short note for you.\n30-65\tfi\t0.9984\tFinnish\tTämä osa on kirjoitettu suomeksi.\n");
  CHECK(run_langid_cli({"--spans", "Here is a short note for you. Tämä osa on kirjoitettu suomeksi."}, "", nullptr).status == 0);
  CHECK(run_langid_cli({"--spans"}, "Here is a short note for you. Tämä osa on kirjoitettu suomeksi.\n").out ==
        "en\t0-29\t0.9991\tfi\t30-65\t0.9984\n");
}

TEST_CASE("langid exit codes: writing to a full device fails in every mode") {
  char eval_path[] = "/tmp/ffnlp_eval_full_XXXXXX";
  const int fd = mkstemp(eval_path);
  REQUIRE(fd >= 0);
  const std::string eval = "de\tDie Würde des Menschen ist unantastbar.\n";
  REQUIRE(write(fd, eval.data(), eval.size()) == static_cast<ssize_t>(eval.size()));
  close(fd);
  const std::vector<std::vector<std::string>> cases = {
      {"--help"}, {"--list"}, {"Some text"}, {"--json", "Some text"}, {"--spans", "Some text"}, {"--eval", eval_path},
      {"--threads", "1"}, {"--threads", "2"}, {"--spans", "--json"}};
  for (const std::vector<std::string>& args : cases) {
    CAPTURE(args[0]);
    const Run r = run_langid_cli(args, "one line\nanother line\n", "/dev/full");
    CHECK(r.status == 1);
    CHECK(r.err == "langid: cannot write standard output: No space left on device\n");
  }
  unlink(eval_path);
}

TEST_CASE("langid exit codes: a read error on standard input is an error") {
  const int dir = open("/", O_RDONLY | O_DIRECTORY);
  REQUIRE(dir >= 0);
  for (const char* threads : {"1", "2"}) {
    const Run r = run_langid_cli({"--threads", threads}, "", nullptr, dir);
    CHECK(r.status == 1);
    CHECK(r.err == "langid: cannot read standard input after 0 lines: Is a directory\n");
  }
  close(dir);
}

TEST_CASE("langid usage errors say what is wrong and exit with 2") {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--top"}, "langid: --top needs a value (K) (langid --help lists the options)\n"},
      {{"--top", "0"}, "langid: --top: expected a whole number from 1 to 10000, got '0'"},
      {{"--max-line", "99999999999999999999999"},
       "langid: --max-line: expected a whole number from 1 to 1073741824, got '99999999999999999999999'"},
      {{"--max-line", "18446744073709551617"}, "langid: --max-line: expected a whole number"},
      {{"--max-line", "2000000000"}, "langid: --max-line: expected a whole number from 1 to 1073741824"},
      {{"--threads", "0"}, "langid: --threads: expected a whole number from 1 to 256, got '0'"},
      {{"--bogus"}, "langid: unknown option '--bogus'"},
      {{"--json=yes"}, "langid: --json takes no value"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.first[0]);
    const Run r = run_langid_cli(c.first);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.compare(0, c.second.size(), c.second) == 0);
  }
}

namespace {

// Fails on every line that contains "FAIL".
class FailingWorker : public langid::LangidWorker {
 public:
  using LangidWorker::LangidWorker;

 protected:
  bool fails(const tools::Line& line) const {
    return std::string(line.data, line.size).find("FAIL") != std::string::npos;
  }
  Status classify(const tools::Line& line, size_t* count, TextStats* stats) override {
    return fails(line) ? Status::kInvalidArgument : LangidWorker::classify(line, count, stats);
  }
  Status find_spans(const tools::Line& line) override {
    return fails(line) ? Status::kBufferTooSmall : LangidWorker::find_spans(line);
  }
};

}  // namespace

TEST_CASE("langid: a line that fails to classify gets an error record, the rest go on, exit 1") {
  Model model;
  Error error;
  REQUIRE(Model::load(langid::builtin_model_data(), langid::builtin_model_size(), &model, &error) == Status::kOk);
  const InputFile in("Der schnelle braune Fuchs.\nthis line will FAIL\nTous les êtres humains naissent libres.\nFAIL again\n");
  for (unsigned threads : {1u, 2u}) {
    for (int mode = 0; mode < 3; ++mode) {
      REQUIRE(lseek(in.fd, 0, SEEK_SET) == 0);
      langid::Options o;
      o.threads = threads;
      o.json = mode == 1;
      o.spans = mode == 2;
      std::FILE* out = std::tmpfile();
      std::FILE* err = std::tmpfile();
      langid::CliIo io;
      io.in_fd = in.fd;
      io.out = out;
      io.err = err;
      const int status = langid::run_line_mode(model, o, io, [](const Model& m, const langid::Options& opt) {
        return std::unique_ptr<langid::LangidWorker>(new FailingWorker(m, opt));
      });
      const std::vector<std::string> lines = split_lines(slurp(out));
      CHECK(status == 1);
      REQUIRE(lines.size() == 4);
      const char* reason = mode == 2 ? "buffer too small" : "invalid argument";
      if (mode == 1) {
        CHECK(lines[1] == std::string("{\"line\": 2, \"error\": \"") + reason + "\"}");
        CHECK(lines[3] == std::string("{\"line\": 4, \"error\": \"") + reason + "\"}");
        CHECK(lines[2].find("\"language\": \"fr\"") != std::string::npos);
      } else {
        CHECK(lines[1] == std::string("error\t") + reason);
        CHECK(lines[3] == std::string("error\t") + reason);
        CHECK(lines[0].substr(0, 3) == (mode == 2 ? "de\t" : "de\t"));
      }
      CHECK(slurp(err) == std::string("langid: 2 of 4 lines could not be classified (records 'error'; first: line 2: ") +
                              reason + ")\n");
      std::fclose(out);
      std::fclose(err);
    }
  }
}

TEST_CASE("langid spans: a model without an unknown label still names every span") {
  testing::TinyNetwork net = testing::make_tiny_network(5, kScriptCount);
  tools::ModelWriter w;
  testing::add_tiny_tensors(w, net, false);
  testing::set_tiny_metadata(w);
  w.set_string("classifier.unknown_label", "");
  const std::vector<uint8_t> bytes = w.build();
  Model model;
  Error error;
  REQUIRE_MESSAGE(Model::load(bytes.data(), bytes.size(), &model, &error) == Status::kOk, error.message);
  REQUIRE(std::string(model.unknown_label()).empty());
  Workspace workspace(model);
  langid::SpanFinder finder(model);
  std::vector<langid::Span> spans;
  REQUIRE(finder.find("123 456 !!", 10, workspace, &spans) == Status::kOk);
  REQUIRE(spans.size() == 1);
  CHECK(std::string(spans[0].label) == "und");
  CHECK(std::string(spans[0].name) == "Undetermined");
  REQUIRE(finder.find("abc 123 bca", 11, workspace, &spans) == Status::kOk);
  for (const langid::Span& s : spans) CHECK(std::strlen(s.label) > 0);
}

TEST_CASE("langid --only and --prior reach line mode, spans and --eval") {
  const std::string lines = "Der schnelle braune Fuchs springt über den faulen Hund.\nLe renard brun saute.\n";
  const Run only = run_langid_cli({"--only", "fr,it", "--threads", "2"}, lines);
  REQUIRE(only.status == 0);
  CHECK(only.out.substr(0, 3) == "fr\t");  // German is not allowed: one of fr, it
  CHECK((only.out.find("\nfr\t") != std::string::npos || only.out.find("\nit\t") != std::string::npos));
  CHECK(only.out.find("de\t") == std::string::npos);
  const Run spans = run_langid_cli({"--spans", "--only", "fr,it"}, lines);
  REQUIRE(spans.status == 0);
  CHECK(spans.out.find("de\t") == std::string::npos);
  const Run uniform = run_langid_cli({"--prior", "uniform"}, lines);
  REQUIRE(uniform.status == 0);
  CHECK(uniform.out.substr(0, 3) == "de\t");
  const Run unknown = run_langid_cli({"--only", "fr,zz"}, lines);
  CHECK(unknown.status == 2);
  CHECK(unknown.err.find("'zz'") != std::string::npos);
}

TEST_CASE("langid --prefer and --prefer-weight reach every mode: arguments, line mode, threads, JSON, spans, --eval") {
  // Ambiguous short lines (da or nb; id or ms) and an unambiguous one.
  const std::string lines = "Jeg har en hund og en katt.\nDer schnelle braune Fuchs springt über den faulen Hund.\n"
                            "Selamat pagi\n";
  const Run plain = run_langid_cli({}, lines);
  REQUIRE(plain.status == 0);
  CHECK(plain.out == "da\t0.6439\nde\t0.9999\nid\t0.5480\n");
  // The weight is given where the figures are pinned (the default may change).
  for (const char* threads : {"1", "2"}) {
    CAPTURE(threads);
    const Run hinted = run_langid_cli({"--prefer", "nb,ms", "--prefer-weight", "2", "--threads", threads}, lines);
    REQUIRE(hinted.status == 0);
    CHECK(hinted.out == "nb\t0.8030\nde\t0.9998\nms\t0.8591\n");
  }
  // Without --prefer-weight: the library's default.
  char default_weight[32];
  std::snprintf(default_weight, sizeof default_weight, "%.9g", static_cast<double>(kDefaultPreferWeight));
  CHECK(run_langid_cli({"--prefer", "nb,ms"}, lines).out ==
        run_langid_cli({"--prefer", "nb,ms", "--prefer-weight", default_weight}, lines).out);
  // Weight 0 tilts nothing; a larger weight, more.
  CHECK(run_langid_cli({"--prefer", "nb,ms", "--prefer-weight", "0"}, lines).out == plain.out);
  const Run heavy = run_langid_cli({"--prefer=nb,ms", "--prefer-weight=5"}, lines);
  CHECK(heavy.out.substr(0, 7) == "nb\t0.98");
  // Together with --only: a hint outside the allow-list changes nothing.
  CHECK(run_langid_cli({"--only", "da,de,id", "--prefer", "nb,ms"}, lines).out ==
        run_langid_cli({"--only", "da,de,id"}, lines).out);
  const Run json = run_langid_cli({"--json", "--prefer", "nb,ms", "--prefer-weight", "2"}, lines);
  REQUIRE(json.status == 0);
  CHECK(json.out.find("{\"line\": 1, \"text_bytes\": 27, \"letters\": 20, \"results\": [{\"language\": \"nb\"") == 0);
  const Run spans = run_langid_cli({"--spans", "--json", "--threads", "2", "--prefer", "nb,ms", "--prefer-weight", "2"}, lines);
  REQUIRE(spans.status == 0);
  CHECK(spans.out.find("\"language\": \"nb\", \"name\": \"Norwegian Bokmål\", \"probability\": 0.8030") !=
        std::string::npos);
  CHECK(spans.out.find("\"language\": \"ms\"") != std::string::npos);
  CHECK(run_langid_cli({"--spans", "--prefer", "nb,ms", "--prefer-weight", "2"}, lines).out ==
        "nb\t0-27\t0.8030\nde\t0-56\t0.9998\nms\t0-12\t0.8591\n");
  // Argument mode, for people and as JSON.
  const Run words = run_langid_cli({"--top", "2", "--prefer", "nb", "--prefer-weight", "2", "Jeg har en hund"});
  REQUIRE(words.status == 0);
  CHECK(words.out.substr(0, 2) == "nb");
  CHECK(words.out.find("probability 0.7455") != std::string::npos);
  const Run words_json = run_langid_cli({"--json", "--prefer", "nb", "Jeg har en hund"});
  CHECK(words_json.out.find("\"results\": [{\"language\": \"nb\"") != std::string::npos);
  // --eval: the Bokmål lines are right only with the hint.
  const InputFile eval("nb\tJeg har en hund og en katt.\nde\tDer schnelle braune Fuchs springt über den faulen Hund.\n");
  CHECK(run_langid_cli({"--eval", eval.path}).out.find("accuracy    0.5000\n") != std::string::npos);
  CHECK(run_langid_cli({"--eval", eval.path, "--prefer", "nb", "--prefer-weight", "2"}).out.find("accuracy    1.0000\n") !=
        std::string::npos);
  // Usage errors: unknown or repeated codes, weights out of range or not plain decimals.
  const std::pair<std::vector<std::string>, std::string> bad[] = {
      {{"--prefer", "nb,zz"}, "langid: --prefer: 'zz' is not one of the model's languages (see --list)\n"},
      {{"--prefer", "nb,nb"}, "langid: --prefer: 'nb' is listed twice\n"},
      {{"--prefer-weight", "20.5"},
       "langid: --prefer-weight: expected a decimal from 0 to 20, got '20.5' (langid --help lists the options)\n"},
      {{"--prefer-weight", "-1"},
       "langid: --prefer-weight: expected a decimal from 0 to 20, got '-1' (langid --help lists the options)\n"},
      {{"--prefer-weight", "nan"},
       "langid: --prefer-weight: expected a decimal from 0 to 20, got 'nan' (langid --help lists the options)\n"},
      {{"--prefer"}, "langid: --prefer needs a value (L1,L2,..) (langid --help lists the options)\n"},
  };
  for (const auto& c : bad) {
    CAPTURE(c.first[0]);
    const Run r = run_langid_cli(c.first, lines);
    CHECK(r.status == 2);
    CHECK(r.err == c.second);
    CHECK(r.out.empty());
  }
  CHECK(run_langid_cli({"--prefer-weight", "20", "--prefer", "nb"}, lines).status == 0);
  // --help names both, with the library's default and bound.
  const std::string help = run_langid_cli({"--help"}).out;
  CHECK(help.find("--prefer L1,L2,..") != std::string::npos);
  char weights[64];
  std::snprintf(weights, sizeof weights, "0 to %g (default %g)", static_cast<double>(kMaxPreferWeight),
                static_cast<double>(kDefaultPreferWeight));
  CHECK(help.find(weights) != std::string::npos);
}
