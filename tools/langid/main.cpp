// langid: the on-device language identifier demo. Usage: see kUsage.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/langid/builtin_model.h"
#include "tools/langid/evaluate.h"
#include "tools/langid/spans.h"

namespace ffnlp {
namespace langid {
namespace {

const char kUsage[] =
    "usage: langid [options] [TEXT...]\n"
    "\n"
    "Identifies the language of TEXT (all arguments joined by spaces). With no\n"
    "TEXT, reads standard input one text per line and prints CODE<TAB>PROBABILITY\n"
    "per line.\n"
    "\n"
    "options:\n"
    "  --top K          the K most probable languages\n"
    "  --prior P        model (default: the model's prior over languages, when it\n"
    "                   has one) or uniform (every language equally likely a priori)\n"
    "  --only L1,L2,..  choose only among these language codes (probabilities\n"
    "                   renormalised over them)\n"
    "  --json           JSON output (one object per text)\n"
    "  --spans          split mixed-language text into spans with byte offsets\n"
    "  --eval FILE.tsv  accuracy, macro-F1, per-language figures and confusions\n"
    "                   on lines CODE<TAB>TEXT\n"
    "  --model FILE     use another model file instead of the built-in one\n"
    "  --list           list the model's languages\n"
    "  --max-line N     in line mode, classify at most the first N bytes of a line\n"
    "                   (default 1048576; the rest of the line is skipped)\n";

struct Options {
  size_t top = 1;
  std::string prior = "model", only;
  std::vector<uint32_t> only_indices;
  ClassifyOptions classify;
  bool json = false, spans = false, list = false;
  std::string eval_path, model_path;
  size_t max_line = 1 << 20;
  std::vector<std::string> words;
};

bool parse_size(const char* s, size_t* out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (s[0] == '\0' || s[0] == '-' || *end != '\0' || v == 0) return false;
  *out = static_cast<size_t>(v);
  return true;
}

void json_string(std::FILE* out, const char* s, size_t n) {
  std::fputc('"', out);
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') std::fprintf(out, "\\%c", c);
    else if (c < 0x20) std::fprintf(out, "\\u%04x", c);
    else std::fputc(c, out);
  }
  std::fputc('"', out);
}
void json_string(std::FILE* out, const char* s) { json_string(out, s, std::strlen(s)); }

int print_one(const Model& model, Workspace& workspace, const std::string& text, const Options& o) {
  std::vector<Prediction> top(o.top);
  size_t count = 0;
  TextStats stats;
  const Status s = model.classify(text.data(), text.size(), workspace, top.data(), top.size(), &count, o.classify, &stats);
  if (s != Status::kOk) {
    std::fprintf(stderr, "langid: %s\n", status_name(s));
    return 1;
  }
  if (o.json) {
    std::printf("{\"text_bytes\": %zu, \"letters\": %u, \"results\": [", text.size(), stats.letters);
    for (size_t i = 0; i < count; ++i) {
      std::printf("%s{\"language\": ", i ? ", " : "");
      json_string(stdout, top[i].label);
      std::printf(", \"name\": ");
      json_string(stdout, top[i].name[0] ? top[i].name : (top[i].label_index == kNoLabel ? "Undetermined" : ""));
      std::printf(", \"probability\": %.4f, \"is_reliable\": %s}", static_cast<double>(top[i].probability),
                  top[i].reliable ? "true" : "false");
    }
    std::printf("]}\n");
    return 0;
  }
  for (size_t i = 0; i < count; ++i) {
    const char* name = top[i].name[0] ? top[i].name : (top[i].label_index == kNoLabel ? "Undetermined" : "");
    std::printf("%-8s %-28s probability %.4f  %s\n", top[i].label, name, static_cast<double>(top[i].probability),
                top[i].reliable ? "reliable" : "not reliable");
  }
  return 0;
}

int print_spans(const Model& model, Workspace& workspace, const std::string& text, const Options& o) {
  const std::vector<Span> spans = find_spans(model, workspace, text);
  if (o.json) {
    std::printf("{\"spans\": [");
    for (size_t i = 0; i < spans.size(); ++i) {
      const Span& s = spans[i];
      std::printf("%s{\"begin\": %zu, \"end\": %zu, \"language\": ", i ? ", " : "", s.begin, s.end);
      json_string(stdout, s.label.c_str());
      std::printf(", \"name\": ");
      json_string(stdout, s.name.c_str());
      std::printf(", \"probability\": %.4f, \"is_reliable\": %s, \"text\": ", static_cast<double>(s.probability),
                  s.reliable ? "true" : "false");
      json_string(stdout, text.data() + s.begin, s.end - s.begin);
      std::printf("}");
    }
    std::printf("]}\n");
    return 0;
  }
  for (const Span& s : spans) {
    std::printf("%zu-%zu\t%s\t%.4f\t%s\t%.*s\n", s.begin, s.end, s.label.c_str(), static_cast<double>(s.probability),
                s.name.c_str(), static_cast<int>(s.end - s.begin), text.data() + s.begin);
  }
  return 0;
}

// Line mode: constant memory whatever the input (lines are capped).
int run_lines(const Model& model, Workspace& workspace, const Options& o) {
  static char out_buffer[1 << 16];
  std::setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
  std::string line;
  line.reserve(4096);
  int c = 0;
  while (c != EOF) {
    line.clear();
    while ((c = std::getchar()) != EOF && c != '\n') {
      if (line.size() < o.max_line) line.push_back(static_cast<char>(c));
    }
    if (c == EOF && line.empty()) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (o.json || o.spans || o.top > 1) {
      const int rc = o.spans ? print_spans(model, workspace, line, o) : print_one(model, workspace, line, o);
      if (rc != 0) return rc;
      continue;
    }
    Prediction top[1];
    size_t count = 0;
    if (model.classify(line.data(), line.size(), workspace, top, 1, &count, o.classify) != Status::kOk) return 1;
    if (count == 0) std::fputs("und\t0.0000\n", stdout);
    else std::printf("%s\t%.4f\n", top[0].label, static_cast<double>(top[0].probability));
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int run(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strcmp(a, "-h") == 0 || std::strcmp(a, "--help") == 0) {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (std::strcmp(a, "--top") == 0 && i + 1 < argc) {
      if (!parse_size(argv[++i], &o.top) || o.top > 10000) {
        std::fprintf(stderr, "langid: --top needs a positive number\n");
        return 2;
      }
    } else if (std::strcmp(a, "--prior") == 0 && i + 1 < argc) {
      o.prior = argv[++i];
      if (o.prior != "model" && o.prior != "uniform") {
        std::fprintf(stderr, "langid: --prior is model or uniform\n");
        return 2;
      }
    } else if (std::strcmp(a, "--only") == 0 && i + 1 < argc) {
      o.only = argv[++i];
    } else if (std::strcmp(a, "--json") == 0) o.json = true;
    else if (std::strcmp(a, "--spans") == 0) o.spans = true;
    else if (std::strcmp(a, "--list") == 0) o.list = true;
    else if (std::strcmp(a, "--eval") == 0 && i + 1 < argc) o.eval_path = argv[++i];
    else if (std::strcmp(a, "--model") == 0 && i + 1 < argc) o.model_path = argv[++i];
    else if (std::strcmp(a, "--max-line") == 0 && i + 1 < argc) {
      if (!parse_size(argv[++i], &o.max_line)) {
        std::fprintf(stderr, "langid: --max-line needs a positive number\n");
        return 2;
      }
    } else if (std::strcmp(a, "--") == 0) {
      for (++i; i < argc; ++i) o.words.push_back(argv[i]);
    } else if (a[0] == '-' && a[1] != '\0') {
      std::fprintf(stderr, "langid: unknown option '%s'\n%s", a, kUsage);
      return 2;
    } else {
      o.words.push_back(a);
    }
  }

  MappedFile file;
  Model model;
  Error error;
  Status s = o.model_path.empty() ? Model::load(builtin_model_data(), builtin_model_size(), &model, &error)
                                  : load_file(o.model_path.c_str(), &file, &model, &error);
  if (s != Status::kOk) {
    std::fprintf(stderr, "langid: cannot load model%s%s: %s\n", o.model_path.empty() ? "" : " ", o.model_path.c_str(),
                 error.message);
    return 1;
  }
  if (!model.is_classifier()) {
    std::fprintf(stderr, "langid: the model is not a classifier (task '%s')\n", model.task());
    return 1;
  }
  o.classify.prior = o.prior == "uniform" ? Prior::kUniform : Prior::kModel;
  if (!o.only.empty()) {
    size_t start = 0;
    while (start <= o.only.size()) {
      const size_t comma = o.only.find(',', start);
      const std::string code = o.only.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      const int32_t index = model.find_label(code.c_str());
      if (index < 0) {
        std::fprintf(stderr, "langid: --only: '%s' is not one of the model's languages (see --list)\n", code.c_str());
        return 2;
      }
      for (uint32_t seen : o.only_indices) {
        if (seen == static_cast<uint32_t>(index)) {
          std::fprintf(stderr, "langid: --only: '%s' is listed twice\n", code.c_str());
          return 2;
        }
      }
      o.only_indices.push_back(static_cast<uint32_t>(index));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    o.classify.only = o.only_indices.data();
    o.classify.only_count = o.only_indices.size();
  }
  if (o.list) {
    for (uint32_t i = 0; i < model.label_count(); ++i) std::printf("%s\t%s\n", model.label(i), model.label_name(i));
    return 0;
  }
  if (!o.eval_path.empty()) {
    EvalOptions eval;
    return evaluate_file(model, o.eval_path, eval, stdout) ? 0 : 1;
  }
  Workspace workspace(model);
  if (!workspace.ok()) {
    std::fprintf(stderr, "langid: out of memory\n");
    return 1;
  }
  if (o.words.empty()) return run_lines(model, workspace, o);
  std::string text;
  for (size_t i = 0; i < o.words.size(); ++i) text += (i ? " " : "") + o.words[i];
  return o.spans ? print_spans(model, workspace, text, o) : print_one(model, workspace, text, o);
}

}  // namespace
}  // namespace langid
}  // namespace ffnlp

int main(int argc, char** argv) { return ffnlp::langid::run(argc, argv); }
