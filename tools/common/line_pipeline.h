// The line mode of the command-line tools: every input line goes through a
// LineWorker, which appends exactly one record for it to the output, and the
// records are written in input order, from one thread or several.
//
//   class Worker : public LineWorker { void process(const Line& l, std::string& out) override; };
//   std::vector<std::unique_ptr<LineWorker>> workers = ...;  // one per thread
//   LineReader reader(0, max_line);
//   PipelineResult r = run_line_pipeline(reader, workers, stdout);
//
// One worker: no thread is started; lines are processed as they are read.
// N workers: N threads process batches of lines while the calling thread
// reads the input and writes finished batches in order. Memory is constant:
// at most 2 N batches are alive, each holding about batch_bytes of input
// (one line may be longer, up to the reader's cap) and its output.
// Output is written when a batch is complete, and always before the reader
// would wait for input, so a line typed at a terminal is answered at once.
// Write errors stop the pipeline (kWriteError, errno in error_number); a read
// error ends it after the lines read before it were written (kReadError).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tools/common/line_reader.h"

namespace ffnlp {
namespace tools {

class LineWorker {
 public:
  virtual ~LineWorker() = default;
  // Appends the record of `line` to `out`. Called from one thread at a time
  // per worker object; different workers run at the same time.
  virtual void process(const Line& line, std::string& out) = 0;
};

struct PipelineOptions {
  size_t batch_bytes = 64 * 1024;  // input bytes per batch (multi-threaded)
  size_t batch_lines = 4096;       // lines per batch (multi-threaded)
  size_t flush_bytes = 64 * 1024;  // output gathered before a write (one thread)
};

struct PipelineResult {
  enum class Kind { kOk, kReadError, kWriteError } kind = Kind::kOk;
  int error_number = 0;  // errno of the failed read or write
  uint64_t lines = 0;    // lines read (and, unless writing failed, answered)
};

PipelineResult run_line_pipeline(LineReader& reader, const std::vector<std::unique_ptr<LineWorker>>& workers,
                                 std::FILE* out, const PipelineOptions& options = PipelineOptions());

// A sensible default thread count: the CPUs this process may run on
// (sched_getaffinity, so `taskset -c 0` means 1), at most `cap`.
unsigned default_thread_count(unsigned cap = 8);

}  // namespace tools
}  // namespace ffnlp
