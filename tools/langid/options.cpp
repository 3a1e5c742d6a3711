#include "tools/langid/options.h"

#include <cstdio>
#include <cstring>

#include "tools/common/strict_number.h"

namespace ffnlp {
namespace langid {
namespace {

using tools::OptionSpec;
using tools::parse_count;

// "CODE,CODE,..." -> the codes' label indices, for --only and --prefer.
// False with a message for an unknown or repeated code.
bool label_indices(const Model& model, const char* option, const std::string& codes, std::vector<uint32_t>* out,
                   std::string* error) {
  out->clear();
  size_t start = 0;
  while (start <= codes.size()) {
    size_t comma = codes.find(',', start);
    if (comma == std::string::npos) comma = codes.size();
    const std::string code = codes.substr(start, comma - start);
    const int32_t index = model.find_label(code.c_str());
    if (index < 0) {
      *error = std::string(option) + ": '" + code + "' is not one of the model's languages (see --list)";
      return false;
    }
    for (uint32_t seen : *out) {
      if (seen == static_cast<uint32_t>(index)) {
        *error = std::string(option) + ": '" + code + "' is listed twice";
        return false;
      }
    }
    out->push_back(static_cast<uint32_t>(index));
    start = comma + 1;
  }
  return true;
}

std::string number_text(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(v));
  return text;
}

// --prefer-weight: a plain decimal from 0 to kMaxPreferWeight.
bool parse_prefer_weight(const char* text, float* out, std::string* error) {
  double v = 0;
  if (!tools::parse_plain_decimal(text, &v) || v > kMaxPreferWeight) {
    *error = "--prefer-weight: expected a decimal from 0 to " + number_text(kMaxPreferWeight) + ", got '" + text + "'";
    return false;
  }
  *out = static_cast<float>(v);
  return true;
}

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
  // The library's default and bound, as the library states them.
  static const std::string weight_help = "the hints' weight, 0 to " + number_text(kMaxPreferWeight) + " (default " +
                                         number_text(kDefaultPreferWeight) + "): a hinted\nlanguage's odds times e^W";
  return {
      {"--top", "K", "the K most probable languages (1-10000)",
       [o](const char* v, std::string* e) { return parse_count("--top", v, 1, 10000, &o->top, e); }},
      {"--prior", "P",
       "model (default: the model's prior over languages, when it\nhas one) or uniform (every language equally likely a priori)",
       [o](const char* v, std::string* e) {
         if (std::strcmp(v, "model") != 0 && std::strcmp(v, "uniform") != 0) {
           *e = "--prior is model or uniform";
           return false;
         }
         o->prior = v;
         return true;
       }},
      {"--only", "L1,L2,..",
       "choose only among these language codes (probabilities\nrenormalised over them)", text(&o->only)},
      {"--prefer", "L1,L2,..",
       "hints: favour these language codes on ambiguous text\n(each logit + the weight) without excluding others",
       text(&o->prefer)},
      {"--prefer-weight", "W", weight_help.c_str(),
       [o](const char* v, std::string* e) { return parse_prefer_weight(v, &o->prefer_weight, e); }},
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

bool resolve_classify_options(const Model& model, Options* o, std::string* error) {
  o->classify = ClassifyOptions();
  o->classify.prior = o->prior == "uniform" ? Prior::kUniform : Prior::kModel;
  o->classify.prefer_weight = o->prefer_weight;
  o->only_indices.clear();
  o->prefer_indices.clear();
  if (!o->only.empty()) {
    if (!label_indices(model, "--only", o->only, &o->only_indices, error)) return false;
    o->classify.only = o->only_indices.data();
    o->classify.only_count = o->only_indices.size();
  }
  if (!o->prefer.empty()) {
    if (!label_indices(model, "--prefer", o->prefer, &o->prefer_indices, error)) return false;
    o->classify.prefer = o->prefer_indices.data();
    o->classify.prefer_count = o->prefer_indices.size();
  }
  return true;
}

}  // namespace langid
}  // namespace ffnlp
