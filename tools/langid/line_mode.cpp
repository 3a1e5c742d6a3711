#include "tools/langid/line_mode.h"

#include <cstring>

#include "tools/common/output_status.h"
#include "tools/langid/records.h"

namespace ffnlp {
namespace langid {
namespace {

SpanOptions span_options_for(const Options& options) {
  SpanOptions span_options;
  span_options.classify = &options.classify;
  return span_options;
}

}  // namespace

LangidWorker::LangidWorker(const Model& model, const Options& options)
    : model_(model), options_(options), workspace_(model), top_(options.top), finder_(model, span_options_for(options)) {}

Status LangidWorker::classify(const tools::Line& line, size_t* count, TextStats* stats) {
  return model_.classify(line.data, line.size, workspace_, top_.data(), top_.size(), count, options_.classify, stats);
}

Status LangidWorker::find_spans(const tools::Line& line) {
  return finder_.find(line.data, line.size, workspace_, &spans_);
}

void LangidWorker::process(const tools::Line& line, std::string& out) {
  Status s;
  if (options_.spans) {
    s = find_spans(line);
    if (s == Status::kOk) return append_spans_record(out, options_.json, line.data, line.size, spans_, &line);
  } else {
    size_t count = 0;
    TextStats stats;
    s = classify(line, &count, &stats);
    if (s == Status::kOk) return append_result_record(out, options_.json, top_.data(), count, stats, line.size, &line);
  }
  append_error_record(out, options_.json, s, &line);
  if (failures_++ == 0) {
    first_line_ = line.number;
    first_status_ = s;
  }
}

int run_line_mode(const Model& model, const Options& o, const CliIo& io, const WorkerFactory& factory) {
  const unsigned threads = o.threads != 0 ? o.threads : tools::default_thread_count();
  std::vector<std::unique_ptr<tools::LineWorker>> workers;
  std::vector<const LangidWorker*> langid_workers;
  for (unsigned i = 0; i < threads; ++i) {
    std::unique_ptr<LangidWorker> w = factory ? factory(model, o) : std::unique_ptr<LangidWorker>(new LangidWorker(model, o));
    if (!w || !w->ok()) {
      std::fprintf(io.err, "langid: out of memory\n");
      return 1;
    }
    langid_workers.push_back(w.get());
    workers.push_back(std::move(w));
  }
  tools::LineReader reader(io.in_fd, o.max_line, io.read_block);
  const tools::PipelineResult r = tools::run_line_pipeline(reader, workers, io.out);
  if (r.kind == tools::PipelineResult::Kind::kWriteError) {
    tools::report_write_error(io.err, "langid", "standard output", r.error_number);
    return 1;
  }
  int rc = 0;
  if (r.kind == tools::PipelineResult::Kind::kReadError) {
    std::fprintf(io.err, "langid: cannot read standard input after %llu lines: %s\n",
                 static_cast<unsigned long long>(r.lines), std::strerror(r.error_number));
    rc = 1;
  }
  uint64_t failures = 0, first_line = 0;
  Status first_status = Status::kOk;
  for (const LangidWorker* w : langid_workers) {
    failures += w->failures();
    if (w->failures() != 0 && (first_line == 0 || w->first_failed_line() < first_line)) {
      first_line = w->first_failed_line();
      first_status = w->first_failure();
    }
  }
  if (failures != 0) {
    std::fprintf(io.err, "langid: %llu of %llu lines could not be classified (records 'error'; first: line %llu: %s)\n",
                 static_cast<unsigned long long>(failures), static_cast<unsigned long long>(r.lines),
                 static_cast<unsigned long long>(first_line), status_name(first_status));
    rc = 1;
  }
  return rc;
}

}  // namespace langid
}  // namespace ffnlp
