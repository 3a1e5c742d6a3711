// The postag command, run in process (tools/postag/cli.h) on the built-in
// tagger: the answer formats, one output line per input line whatever the
// line holds, exactly one tag per pre-tokenized token, valid JSON for any
// bytes, --eval on our TSV and on CoNLL-U (UPOS folded), usage errors.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tests/test_paths.h"
#include "tests/tools/cli_capture.h"
#include "tests/tools/json_check.h"
#include "tools/common/tagged_corpus.h"
#include "tools/postag/builtin_model.h"
#include "tools/postag/cli.h"
#include "tools/postag/line_tagger.h"

using namespace ffnlp;

namespace {

using testing::InputFile;
using testing::Run;
using testing::slurp;

Run run_postag(std::vector<std::string> args, const std::string& input = "") {
  InputFile in(input);
  args.insert(args.begin(), "postag");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(&a[0]);
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  REQUIRE(out != nullptr);
  REQUIRE(err != nullptr);
  postag::CliIo io;
  io.in_fd = in.fd;
  io.out = out;
  io.err = err;
  Run r;
  r.status = postag::run_postag(static_cast<int>(argv.size()), argv.data(), io);
  r.out = slurp(out);
  r.err = slurp(err);
  std::fclose(out);
  std::fclose(err);
  return r;
}

std::vector<std::string> split(const std::string& s, char c) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at; (at = s.find(c, start)) != std::string::npos; start = at + 1) parts.push_back(s.substr(start, at - start));
  parts.push_back(s.substr(start));
  return parts;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> lines = split(s, '\n');
  REQUIRE(lines.back().empty());  // every line ends with '\n'
  lines.pop_back();
  return lines;
}

bool is_tag(const std::string& t) {
  for (const std::string& u : tools::universal_tags()) {
    if (u == t) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("postag: the built-in tagger has the 12 universal tags and tags a plain sentence") {
  Model model;
  Error error;
  REQUIRE(Model::load(postag::builtin_model_data(), postag::builtin_model_size(), &model, &error) == Status::kOk);
  REQUIRE(model.is_tagger());
  REQUIRE(model.label_count() == 12);
  std::set<std::string> labels;
  for (uint32_t l = 0; l < model.label_count(); ++l) labels.insert(model.label(l));
  for (const std::string& t : tools::universal_tags()) CHECK(labels.count(t) == 1);
  const Run r = run_postag({"The", "cat", "sat", "on", "the", "mat", "."});
  CHECK(r.status == 0);
  CHECK(r.out == "The/DET cat/NOUN sat/VERB on/ADP the/DET mat/NOUN ./.\n");
}

TEST_CASE("postag: word/TAG pairs reproduce the tokens; --tags-only and --json say the same") {
  const std::string text = "The old man the boat. Don't panic: 3.5% of U.S. voters aren't sure!";
  const Run slash = run_postag({text});
  REQUIRE(slash.status == 0);
  const std::vector<std::string> pairs = split(lines_of(slash.out).at(0), ' ');
  const Run tags = run_postag({"--tags-only", text});
  const std::vector<std::string> only = split(lines_of(tags.out).at(0), ' ');
  REQUIRE(pairs.size() == only.size());
  std::string joined;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const size_t slash_at = pairs[i].rfind('/');
    REQUIRE(slash_at != std::string::npos);
    CHECK(pairs[i].substr(slash_at + 1) == only[i]);
    CHECK(is_tag(only[i]));
    joined += pairs[i].substr(0, slash_at);
  }
  std::string no_spaces;
  for (char c : text) {
    if (c != ' ') no_spaces += c;
  }
  CHECK(joined == no_spaces);
  const Run json = run_postag({"--json", text});
  REQUIRE(json.status == 0);
  CHECK(testing_json::valid_json(lines_of(json.out).at(0)));
  size_t count = 0;
  for (size_t at = 0; (at = json.out.find("\"tag\":", at)) != std::string::npos; ++at) ++count;
  CHECK(count == only.size());
}

TEST_CASE("postag: line mode answers every line, whatever it holds") {
  std::string long_token(10000, 'x');
  std::string long_line;
  for (int i = 0; i < 20000; ++i) long_line += "word ";
  const std::vector<std::string> input = {
      "The dog barked.", "", "   ", "!!! ... ?? ;", "caf\xc3\xa9 \xff\xfe broken \xc3", long_token, long_line,
      std::string("nul\0byte", 8), "\xe4\xb8\xad\xe6\x96\x87 text"};
  std::string bytes;
  for (const std::string& l : input) bytes += l + "\n";
  for (const char* mode : {"", "--pretokenized", "--json", "--tags-only"}) {
    CAPTURE(mode);
    std::vector<std::string> args;
    if (*mode) args.push_back(mode);
    const Run r = run_postag(args, bytes);
    CHECK(r.status == 0);
    const std::vector<std::string> lines = lines_of(r.out);
    REQUIRE(lines.size() == input.size());
    CHECK(lines[1] == (std::strcmp(mode, "--json") == 0 ? "{\"tokens\":[]}" : ""));
    if (std::strcmp(mode, "--json") == 0) {
      for (const std::string& l : lines) CHECK(testing_json::valid_json(l));
    }
  }
  // Threads answer in input order, with the one-thread bytes.
  std::string many;
  for (int i = 0; i < 3000; ++i) many += input[static_cast<size_t>(i) % input.size()].substr(0, 200) + "\n";
  const Run one = run_postag({"--threads", "1", "--json"}, many);
  const Run three = run_postag({"--threads", "3", "--json"}, many);
  CHECK(one.status == 0);
  CHECK(lines_of(one.out).size() == 3000);
  CHECK(three.out == one.out);
  // A last line without '\n' still gets its line.
  CHECK(lines_of(run_postag({}, "one\ntwo").out).size() == 2);
}

TEST_CASE("postag --pretokenized: exactly one tag per space-separated token, empty tokens included") {
  const std::vector<std::string> input = {"I saw her duck .", "a  b", " leading", "trailing ", "single",
                                          "U.S. don't 3.5% ---", "\xff \xc3 x"};
  std::string bytes;
  for (const std::string& l : input) bytes += l + "\n";
  const Run r = run_postag({"--pretokenized", "--tags-only"}, bytes);
  REQUIRE(r.status == 0);
  const std::vector<std::string> lines = lines_of(r.out);
  REQUIRE(lines.size() == input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    CAPTURE(input[i]);
    const std::vector<std::string> tags = split(lines[i], ' ');
    CHECK(tags.size() == split(input[i], ' ').size());
    for (const std::string& t : tags) CHECK(is_tag(t));
  }
  // Tokens the tokenizer would split stay whole.
  CHECK(run_postag({"--pretokenized", "don't"}).out.find("don't/") == 0);
  CHECK(split(run_postag({"--pretokenized", "--tags-only", "a", "", "b"}).out, ' ').size() == 3);  // "a  b": a, "", b
}

TEST_CASE("postag --eval: our TSV and CoNLL-U with UPOS folded; errors name the line") {
  const std::string tsv =
      "# doc = ca01 genre = press: reportage\n"
      "The\tDET\tAT\ncat\tNOUN\tNN\nsat\tVERB\tVBD\n.\t.\t.\n\n"
      "# doc = cb01 genre = press: editorial\n"
      "Dogs\tNOUN\tNNS\nbark\tVERB\tVB\n.\t.\t.\n\n";
  InputFile t(tsv);
  const Run a = run_postag({"--eval", t.path});
  REQUIRE(a.status == 0);
  CHECK(a.out.find("accuracy\t") != std::string::npos);
  CHECK(a.out.find("of 7 tokens") != std::string::npos);
  CHECK(a.out.find("unknown-word accuracy\t") != std::string::npos);
  CHECK(a.out.find("press: editorial\t3\t") != std::string::npos);
  CHECK(a.out.find("\nNOUN\t2\t") != std::string::npos);
  const std::string conllu =
      "# newdoc id = d1\n# sent_id = 1\n# text = Mary's dog can't run.\n"
      "1\tMary\tMary\tPROPN\tNNP\t_\t3\tnsubj\t_\t_\n"
      "2-3\tcan't\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "2\tca\tcan\tAUX\tMD\t_\t4\taux\t_\t_\n"
      "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n"
      "3.1\tx\tx\tX\tX\t_\t_\t_\t_\t_\n"
      "4\trun\trun\tVERB\tVB\t_\t0\troot\t_\t_\n"
      "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n\n";
  InputFile c(conllu);
  tools::TaggedCorpus corpus = tools::read_tagged_corpus(c.path);
  REQUIRE(corpus.sentences.size() == 1);
  const std::vector<std::string> forms = {"Mary", "ca", "n't", "run", "."};
  CHECK(corpus.sentences[0].forms == forms);
  std::vector<std::string> tags;
  for (uint32_t tag : corpus.sentences[0].tags) tags.push_back(tools::universal_tags()[tag]);
  CHECK(tags == std::vector<std::string>{"NOUN", "VERB", "PRT", "VERB", "."});
  const Run b = run_postag({"--eval", c.path});
  CHECK(b.status == 0);
  CHECK(b.out.find("of 5 tokens") != std::string::npos);
  CHECK(tools::fold_upos("SCONJ") == "CONJ");
  CHECK(tools::fold_upos("CCONJ") == "CONJ");
  CHECK(tools::fold_upos("SYM") == "X");
  CHECK(tools::fold_upos("INTJ") == "X");
  CHECK(tools::fold_upos("NOPE").empty());
  InputFile bad("The\tDET\ncat\tFELINE\n");
  const Run e = run_postag({"--eval", bad.path});
  CHECK(e.status == 1);
  CHECK(e.err.find(":2: tag 'FELINE'") != std::string::npos);
  CHECK(run_postag({"--eval", "/nonexistent/file.tsv"}).status == 1);
}

TEST_CASE("postag: usage errors and models that are not taggers") {
  CHECK(run_postag({"--frobnicate"}).status == 2);
  CHECK(run_postag({"--eval"}).status == 2);
  CHECK(run_postag({"--eval", "x.tsv", "some", "text"}).status == 2);
  const Run help = run_postag({"--help"});
  CHECK(help.status == 0);
  CHECK(help.out.find("--pretokenized") != std::string::npos);
  const Run langid = run_postag({"--model", ffnlp::testing::source_path("models/langid.ffm"), "text"});
  CHECK(langid.status == 1);
  CHECK(langid.err.find("not a tagger") != std::string::npos);
  CHECK(run_postag({"--model", "/nonexistent.ffm", "text"}).status == 1);
}

TEST_CASE("postag: split_at_spaces keeps every piece between single spaces") {
  std::vector<const char*> pieces;
  std::vector<size_t> lengths;
  postag::split_at_spaces("", 0, &pieces, &lengths);
  CHECK(pieces.empty());
  postag::split_at_spaces(" a  b ", 6, &pieces, &lengths);
  CHECK(lengths == std::vector<size_t>{0, 1, 0, 1, 0});
}
