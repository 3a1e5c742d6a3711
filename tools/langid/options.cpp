#include "tools/langid/options.h"

namespace ffnlp {
namespace langid {
namespace {

using tools::OptionSpec;
using tools::parse_count;

const char kUsageHead[] =
    "usage: langid [options] [TEXT...]\n"
    "\n"
    "Identifies the language of TEXT (all arguments joined by spaces) and prints\n"
    "one line per answer. With no TEXT, reads standard input and writes exactly\n"
    "one line (record) per input line, in input order:\n"
    "  CODE<TAB>PROBABILITY                      (default)\n"
    "  CODE<TAB>PROB<TAB>CODE<TAB>PROB...        (--top K)\n"
    "  CODE<TAB>BEGIN-END<TAB>PROB<TAB>...       (--spans; byte offsets; empty\n"
    "                                            when the line has no words)\n"
    "  {\"line\": N, ...}                          (--json: one JSON object per line)\n"
    "  error<TAB>REASON or {\"line\": N, \"error\": REASON}  (a line that failed)\n"
    "\n";

const char kUsageTail[] =
    "\n"
    "JSON strings are valid UTF-8: invalid bytes become U+FFFD, control\n"
    "characters and NUL are escaped; offsets count the input's bytes.\n"
    "Exit status: 0 success; 1 an error (model, input, output, or a line that\n"
    "could not be classified: its record says error and the others are still\n"
    "written); 2 bad usage. See docs/CLI.md.\n";

}  // namespace

std::vector<OptionSpec> option_table(Options* o) {
  auto flag = [](bool* b) {
    return [b](const char*, std::string*) {
      *b = true;
      return true;
    };
  };
  auto text = [](std::string* s) {
    return [s](const char* v, std::string*) {
      *s = v;
      return true;
    };
  };
  return {
      {"--top", "K", "the K most probable languages (1-10000)",
       [o](const char* v, std::string* e) { return parse_count("--top", v, 1, 10000, &o->top, e); }},
      {"--json", nullptr, "JSON output (one object per text)", flag(&o->json)},
      {"--spans", nullptr, "split mixed-language text into spans with byte offsets", flag(&o->spans)},
      {"--eval", "FILE.tsv", "accuracy, macro-F1, per-language figures and confusions\non lines CODE<TAB>TEXT",
       text(&o->eval_path)},
      {"--model", "FILE", "use another model file instead of the built-in one", text(&o->model_path)},
      {"--list", nullptr, "list the model's languages", flag(&o->list)},
      {"--max-line", "N",
       "classify at most the first N bytes of a line (standard input\nand --eval; default 1048576, at most "
       "1073741824); the rest\nof the line is read and skipped",
       [o](const char* v, std::string* e) { return parse_count("--max-line", v, 1, kMaxMaxLine, &o->max_line, e); }},
      {"--threads", "N",
       "threads for standard input (default: the CPUs this process\nmay use, at most 8; 1: no extra thread)",
       [o](const char* v, std::string* e) { return parse_count("--threads", v, 1, kMaxThreads, &o->threads, e); }},
      {"--help", nullptr, "this text", flag(&o->help), "-h"},
  };
}

std::string usage_text() {
  Options unused;
  return std::string(kUsageHead) + tools::format_option_help(option_table(&unused)) + kUsageTail;
}

bool parse_options(int argc, char** argv, Options* options, std::string* error) {
  return tools::parse_args(argc, argv, option_table(options), &options->words, error);
}

}  // namespace langid
}  // namespace ffnlp
