#include "tools/langid/cli.h"

#include <cstring>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/common/output_status.h"
#include "tools/langid/builtin_model.h"
#include "tools/langid/evaluate.h"
#include "tools/langid/line_mode.h"
#include "tools/langid/options.h"
#include "tools/langid/records.h"
#include "tools/langid/spans.h"

namespace ffnlp {
namespace langid {
namespace {

const char kProgram[] = "langid";

int run_text(const Model& model, const Options& o, const CliIo& io) {
  std::string text;
  for (size_t i = 0; i < o.words.size(); ++i) text += (i ? " " : "") + o.words[i];
  Workspace workspace(model);
  if (!workspace.ok()) {
    std::fprintf(io.err, "%s: out of memory\n", kProgram);
    return 1;
  }
  std::string out;
  Status s;
  if (o.spans) {
    std::vector<Span> spans;
    SpanOptions span_options;
    span_options.classify = &o.classify;
    s = SpanFinder(model, span_options).find(text.data(), text.size(), workspace, &spans);
    if (s == Status::kOk && o.json) append_spans_record(out, true, text.data(), text.size(), spans, nullptr);
    else if (s == Status::kOk) append_spans_text(out, text.data(), spans);
  } else {
    std::vector<Prediction> top(o.top);
    size_t count = 0;
    TextStats stats;
    s = model.classify(text.data(), text.size(), workspace, top.data(), top.size(), &count, o.classify, &stats);
    if (s == Status::kOk && count == 0) {  // a model without an unknown label, no letters
      top[0] = Prediction();
      top[0].label = "und";
      count = 1;
    }
    if (s == Status::kOk && o.json) append_result_record(out, true, top.data(), count, stats, text.size(), nullptr);
    else if (s == Status::kOk) append_result_text(out, top.data(), count);
  }
  if (s != Status::kOk) {
    std::fprintf(io.err, "%s: cannot classify the text: %s\n", kProgram, status_name(s));
    return 1;
  }
  int error_number = 0;
  if (!tools::write_all(io.out, out, &error_number)) {
    tools::report_write_error(io.err, kProgram, "standard output", error_number);
    return 1;
  }
  return tools::finish_output(io.out, io.err, kProgram) ? 0 : 1;
}

int list_labels(const Model& model, const CliIo& io) {
  std::string out;
  for (uint32_t i = 0; i < model.label_count(); ++i) {
    out += model.label(i);
    out += '\t';
    out += model.label_name(i);
    out += '\n';
  }
  int error_number = 0;
  if (!tools::write_all(io.out, out, &error_number)) {
    tools::report_write_error(io.err, kProgram, "standard output", error_number);
    return 1;
  }
  return tools::finish_output(io.out, io.err, kProgram) ? 0 : 1;
}

}  // namespace

int run_langid(int argc, char** argv, const CliIo& io) {
  Options o;
  std::string error;
  if (!parse_options(argc, argv, &o, &error)) {
    std::fprintf(io.err, "%s: %s (langid --help lists the options)\n", kProgram, error.c_str());
    return 2;
  }
  if (o.help) {
    std::fputs(usage_text().c_str(), io.out);
    return tools::finish_output(io.out, io.err, kProgram) ? 0 : 1;
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
  if (!model.is_classifier()) {
    std::fprintf(io.err, "%s: the model is not a classifier (task '%s')\n", kProgram, model.task());
    return 1;
  }
  if (!resolve_classify_options(model, &o, &error)) {
    std::fprintf(io.err, "%s: %s\n", kProgram, error.c_str());
    return 2;
  }
  if (o.list) return list_labels(model, io);
  if (!o.eval_path.empty()) {
    EvalOptions eval;
    eval.max_line = o.max_line;
    eval.classify = o.classify;
    const bool ok = evaluate_file(model, o.eval_path, eval, io.out, io.err);
    return tools::finish_output(io.out, io.err, kProgram) && ok ? 0 : 1;
  }
  return o.words.empty() ? run_line_mode(model, o, io) : run_text(model, o, io);
}

}  // namespace langid
}  // namespace ffnlp
