#include "tools/postag/cli.h"

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/common/cli_args.h"
#include "tools/common/line_pipeline.h"
#include "tools/common/line_reader.h"
#include "tools/common/output_status.h"
#include "tools/common/tagged_corpus.h"
#include "tools/postag/builtin_model.h"
#include "tools/postag/evaluate.h"
#include "tools/postag/line_tagger.h"

namespace ffnlp {
namespace postag {
namespace {

const char kProgram[] = "postag";

struct Options {
  bool pretokenized = false;
  OutputFormat format = OutputFormat::kSlash;
  std::string eval_path, model_path;
  size_t max_line = size_t{8} << 20;
  unsigned threads = 0;  // 0: tools::default_thread_count()
  bool help = false;
  std::vector<std::string> words;
};

std::vector<tools::OptionSpec> option_table(Options* o) {
  return {
      {"--pretokenized", nullptr,
       "input tokens are separated by single spaces; exactly one tag per token\n(two spaces: an empty token between)",
       [o](const char*, std::string*) { return o->pretokenized = true; }},
      {"--json", nullptr, "one JSON object per line: tokens with tag, probability, byte offsets",
       [o](const char*, std::string*) { o->format = OutputFormat::kJson; return true; }},
      {"--tags-only", nullptr, "print only the tags, one per token, separated by spaces",
       [o](const char*, std::string*) { o->format = OutputFormat::kTagsOnly; return true; }},
      {"--eval", "FILE",
       "tag a tagged file (FORM<TAB>TAG lines or CoNLL-U, UPOS folded into the 12 tags)\nand report accuracy, "
       "unknown-word accuracy, per-tag figures and confusions",
       [o](const char* v, std::string*) { o->eval_path = v; return true; }},
      {"--model", "FILE", "use this tagger instead of the built-in English one",
       [o](const char* v, std::string*) { o->model_path = v; return true; }},
      {"--max-line", "BYTES", "longer input lines are cut to their first BYTES (default 8388608)",
       [o](const char* v, std::string* e) { return tools::parse_count("--max-line", v, 1, uint64_t{1} << 30, &o->max_line, e); }},
      {"--threads", "N",
       "threads for standard input (default: the CPUs this process\nmay use, at most 8; 1: no extra thread)",
       [o](const char* v, std::string* e) { return tools::parse_count("--threads", v, 1, 64, &o->threads, e); }},
      {"--help", nullptr, "this text", [o](const char*, std::string*) { return o->help = true; }, "-h"},
  };
}

std::string usage_text(const std::vector<tools::OptionSpec>& table) {
  return "usage: postag [options] [TEXT...]\n"
         "Tags English text with the 12 universal part-of-speech tags\n"
         "(NOUN VERB ADJ ADV PRON DET ADP NUM CONJ PRT . X).\n"
         "  postag \"Time flies like an arrow.\" Time/NOUN flies/VERB like/ADP an/DET arrow/NOUN ./.\n"
         "  postag < sentences.txt             one sentence per line in, one line of tags out\n"
         "  postag --eval data/pos/test.tsv    accuracy on a tagged file\n\n" +
         tools::format_option_help(table);
}

bool write_out(const std::string& out, const CliIo& io) {
  int error_number = 0;
  if (tools::write_all(io.out, out, &error_number)) return true;
  tools::report_write_error(io.err, kProgram, "standard output", error_number);
  return false;
}

int run_text(const Model& model, const Options& o, const CliIo& io) {
  std::string text;
  for (size_t i = 0; i < o.words.size(); ++i) text += (i ? " " : "") + o.words[i];
  LineTagger tagger(model);
  if (!tagger.ok()) {
    std::fprintf(io.err, "%s: out of memory\n", kProgram);
    return 1;
  }
  const Status s = tagger.tag(text.data(), text.size(), o.pretokenized);
  if (s != Status::kOk) {
    std::fprintf(io.err, "%s: cannot tag the text: %s\n", kProgram, status_name(s));
    return 1;
  }
  std::string out;
  tagger.append(out, text.data(), o.format);
  if (!write_out(out, io)) return 1;
  return tools::finish_output(io.out, io.err, kProgram) ? 0 : 1;
}

// One output line per input line, whatever the line holds (an empty line
// for a line that cannot be tagged, counted and reported at the end).
class PostagWorker : public tools::LineWorker {
 public:
  PostagWorker(const Model& model, const Options& o) : tagger_(model), options_(o) {}
  bool ok() const { return tagger_.ok(); }
  void process(const tools::Line& line, std::string& out) override {
    truncated_ += line.truncated();
    const Status s = tagger_.tag(line.data, line.size, options_.pretokenized);
    if (s == Status::kOk) return tagger_.append(out, line.data, options_.format);
    out += options_.format == OutputFormat::kJson ? "{\"tokens\":[],\"error\":\"" : "";
    out += options_.format == OutputFormat::kJson ? std::string(status_name(s)) + "\"}\n" : "\n";
    if (failures_++ == 0) {
      first_line_ = line.number;
      first_status_ = s;
    }
  }
  uint64_t failures() const { return failures_; }
  uint64_t truncated() const { return truncated_; }
  uint64_t first_line() const { return first_line_; }
  Status first_status() const { return first_status_; }

 private:
  LineTagger tagger_;
  const Options& options_;
  uint64_t failures_ = 0, truncated_ = 0, first_line_ = 0;
  Status first_status_ = Status::kOk;
};

int run_line_mode(const Model& model, const Options& o, const CliIo& io) {
  const unsigned threads = o.threads != 0 ? o.threads : tools::default_thread_count();
  std::vector<std::unique_ptr<tools::LineWorker>> workers;
  std::vector<const PostagWorker*> postag_workers;
  for (unsigned i = 0; i < threads; ++i) {
    std::unique_ptr<PostagWorker> w(new PostagWorker(model, o));
    if (!w->ok()) {
      std::fprintf(io.err, "%s: out of memory\n", kProgram);
      return 1;
    }
    postag_workers.push_back(w.get());
    workers.push_back(std::move(w));
  }
  tools::LineReader reader(io.in_fd, o.max_line);
  const tools::PipelineResult r = tools::run_line_pipeline(reader, workers, io.out);
  if (r.kind == tools::PipelineResult::Kind::kWriteError) {
    tools::report_write_error(io.err, kProgram, "standard output", r.error_number);
    return 1;
  }
  int rc = 0;
  if (r.kind == tools::PipelineResult::Kind::kReadError) {
    std::fprintf(io.err, "%s: cannot read standard input after %llu lines: %s\n", kProgram,
                 static_cast<unsigned long long>(r.lines), std::strerror(r.error_number));
    rc = 1;
  }
  uint64_t failures = 0, truncated = 0, first_line = 0;
  Status first_status = Status::kOk;
  for (const PostagWorker* w : postag_workers) {
    failures += w->failures();
    truncated += w->truncated();
    if (w->failures() != 0 && (first_line == 0 || w->first_line() < first_line)) {
      first_line = w->first_line();
      first_status = w->first_status();
    }
  }
  if (truncated != 0) {
    std::fprintf(io.err, "%s: %llu lines longer than --max-line %zu bytes were tagged on their first %zu bytes\n",
                 kProgram, static_cast<unsigned long long>(truncated), o.max_line, o.max_line);
  }
  if (failures != 0) {
    std::fprintf(io.err, "%s: %llu of %llu lines could not be tagged (empty answers; first: line %llu: %s)\n",
                 kProgram, static_cast<unsigned long long>(failures), static_cast<unsigned long long>(r.lines),
                 static_cast<unsigned long long>(first_line), status_name(first_status));
    rc = 1;
  }
  return tools::finish_output(io.out, io.err, kProgram) ? rc : 1;
}

int run_eval(const Model& model, const Options& o, const CliIo& io) {
  tools::TaggedCorpus corpus;
  try {
    corpus = tools::read_tagged_corpus(o.eval_path);
  } catch (const std::exception& e) {
    std::fprintf(io.err, "%s: %s\n", kProgram, e.what());
    return 1;
  }
  EvalCounts counts;
  size_t failed = 0;
  const Status s = evaluate_tagger(model, corpus, &counts, &failed);
  if (s != Status::kOk) {
    std::fprintf(io.err, "%s: %s: sentence %zu: cannot tag: %s\n", kProgram, o.eval_path.c_str(), failed + 1,
                 status_name(s));
    return 1;
  }
  if (!write_out(format_eval_report(counts, o.eval_path), io)) return 1;
  return tools::finish_output(io.out, io.err, kProgram) ? 0 : 1;
}

}  // namespace

int run_postag(int argc, char** argv, const CliIo& io) {
  Options o;
  const std::vector<tools::OptionSpec> table = option_table(&o);
  std::string error;
  if (!tools::parse_args(argc, argv, table, &o.words, &error)) {
    std::fprintf(io.err, "%s: %s (postag --help lists the options)\n", kProgram, error.c_str());
    return 2;
  }
  if (o.help) {
    std::fputs(usage_text(table).c_str(), io.out);
    return tools::finish_output(io.out, io.err, kProgram) ? 0 : 1;
  }
  if (!o.eval_path.empty() && !o.words.empty()) {
    std::fprintf(io.err, "%s: --eval takes no text arguments (postag --help lists the options)\n", kProgram);
    return 2;
  }
  MappedFile file;
  Model model;
  Error load_error;
  const Status s = o.model_path.empty()
                       ? Model::load(builtin_model_data(), builtin_model_size(), &model, &load_error)
                       : load_file(o.model_path.c_str(), &file, &model, &load_error);
  if (s != Status::kOk) {
    std::fprintf(io.err, "%s: cannot load model%s%s: %s\n", kProgram, o.model_path.empty() ? "" : " ",
                 o.model_path.c_str(), load_error.message);
    return 1;
  }
  if (!model.is_tagger()) {
    std::fprintf(io.err, "%s: the model is not a tagger (task '%s')\n", kProgram, model.task());
    return 1;
  }
  if (!o.eval_path.empty()) return run_eval(model, o, io);
  return o.words.empty() ? run_line_mode(model, o, io) : run_text(model, o, io);
}

}  // namespace postag
}  // namespace ffnlp
