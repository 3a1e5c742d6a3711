// langid's line mode: one record per input line (tools/langid/records.h),
// through the ordered line pipeline of tools/common/line_pipeline.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/common/line_pipeline.h"
#include "tools/langid/cli.h"
#include "tools/langid/options.h"
#include "tools/langid/spans.h"

namespace ffnlp {
namespace langid {

// One thread's state: scratch memory, buffers, and the lines that could not
// be classified (each gets an error record; the run then exits with 1).
class LangidWorker : public tools::LineWorker {
 public:
  LangidWorker(const Model& model, const Options& options);
  bool ok() const { return workspace_.ok(); }
  uint64_t failures() const { return failures_; }
  uint64_t first_failed_line() const { return first_line_; }
  Status first_failure() const { return first_status_; }
  void process(const tools::Line& line, std::string& out) override;

 protected:
  // The two model calls, virtual so that a test can make them fail.
  virtual Status classify(const tools::Line& line, size_t* count, TextStats* stats);
  virtual Status find_spans(const tools::Line& line);

  const Model& model_;
  const Options& options_;
  Workspace workspace_;
  std::vector<Prediction> top_;
  SpanFinder finder_;
  std::vector<Span> spans_;

 private:
  uint64_t failures_ = 0, first_line_ = 0;
  Status first_status_ = Status::kOk;
};

using WorkerFactory = std::function<std::unique_ptr<LangidWorker>(const Model&, const Options&)>;

// Reads io.in_fd to its end with options.threads workers (0: the default
// count) and writes the records to io.out. Returns the exit status: 1 after
// a read or write error or when a line could not be classified (with a
// message on io.err), else 0. `factory` makes the workers (tests).
int run_line_mode(const Model& model, const Options& options, const CliIo& io,
                  const WorkerFactory& factory = WorkerFactory());

}  // namespace langid
}  // namespace ffnlp
