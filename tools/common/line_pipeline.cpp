#include "tools/common/line_pipeline.h"

#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tools/common/output_status.h"

namespace ffnlp {
namespace tools {
namespace {

bool flush(std::FILE* out, int* error) {
  errno = 0;
  if (std::fflush(out) == 0 && !std::ferror(out)) return true;
  *error = errno != 0 ? errno : EIO;
  return false;
}

PipelineResult run_single(LineReader& reader, LineWorker& worker, std::FILE* out, const PipelineOptions& options) {
  PipelineResult result;
  std::string text;
  text.reserve(options.flush_bytes + 4096);
  Line line;
  bool ok = true;
  for (;;) {
    if (!text.empty() && reader.would_block()) {
      ok = write_all(out, text, &result.error_number) && flush(out, &result.error_number);
      text.clear();
      if (!ok) break;
    }
    const LineReader::Result r = reader.next(&line);
    if (r != LineReader::Result::kLine) break;
    worker.process(line, text);
    if (text.size() >= options.flush_bytes) {
      ok = write_all(out, text, &result.error_number);
      if (text.capacity() > 4 * options.flush_bytes) std::string().swap(text);
      text.clear();
      if (!ok) break;
    }
  }
  if (ok) ok = write_all(out, text, &result.error_number) && flush(out, &result.error_number);
  result.lines = reader.lines();
  if (!ok) result.kind = PipelineResult::Kind::kWriteError;
  else if (reader.failed()) {
    result.kind = PipelineResult::Kind::kReadError;
    result.error_number = reader.error();
  }
  return result;
}

// A batch of lines: copied input, its records, and where it is in its life.
struct Batch {
  enum class State { kFree, kReady, kDone };
  std::vector<char> text;
  std::vector<size_t> offsets;  // of each line in `text`
  std::vector<Line> lines;
  std::string out;
  State state = State::kFree;
};

// Three roles: the calling thread reads lines into batches, N workers turn
// batches into records, one writer thread writes finished batches in input
// order. The batches form a ring of 2 N slots, so memory is bounded; the
// reader waits for a free slot, the writer for the oldest batch. Nobody
// waits for input but the reader, so output never lags behind it.
class ThreadedPipeline {
 public:
  ThreadedPipeline(LineReader& reader, const std::vector<std::unique_ptr<LineWorker>>& workers, std::FILE* out,
                   const PipelineOptions& options)
      : reader_(reader), workers_(workers), out_(out), options_(options), slots_(2 * workers.size()) {}

  PipelineResult run() {
    std::vector<std::thread> threads;
    threads.reserve(workers_.size() + 1);
    for (size_t i = 0; i < workers_.size(); ++i) threads.emplace_back([this, i] { work(*workers_[i]); });
    threads.emplace_back([this] { write(); });
    read();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      input_done_ = true;
    }
    writer_cv_.notify_all();
    threads.back().join();  // the writer: every batch written, or an error
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (size_t i = 0; i + 1 < threads.size(); ++i) threads[i].join();
    PipelineResult result;
    result.lines = reader_.lines();
    if (write_error_ != 0) {
      result.kind = PipelineResult::Kind::kWriteError;
      result.error_number = write_error_;
    } else if (reader_.failed()) {
      result.kind = PipelineResult::Kind::kReadError;
      result.error_number = reader_.error();
    }
    return result;
  }

 private:
  Batch& slot(uint64_t seq) { return slots_[seq % slots_.size()]; }

  // Reads lines into the next free batch; false at the end of the input.
  bool fill(Batch& b) {
    Line line;
    for (;;) {
      const LineReader::Result r = reader_.next(&line);
      if (r != LineReader::Result::kLine) return false;
      b.offsets.push_back(b.text.size());
      b.text.insert(b.text.end(), line.data, line.data + line.size);
      b.lines.push_back(line);
      if (b.text.size() >= options_.batch_bytes || b.lines.size() >= options_.batch_lines) return true;
      // Input pauses (a terminal, a slow pipe): hand over what there is.
      if (reader_.would_block()) return true;
    }
  }

  void read() {
    for (uint64_t seq = 0;; ++seq) {
      Batch& b = slot(seq);
      {
        std::unique_lock<std::mutex> lock(mutex_);
        free_cv_.wait(lock, [&] { return failed_ || b.state == Batch::State::kFree; });
        if (failed_) return;
      }
      const bool more = fill(b);
      for (size_t i = 0; i < b.lines.size(); ++i) b.lines[i].data = b.text.data() + b.offsets[i];
      if (!b.lines.empty()) {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          b.state = Batch::State::kReady;
          ++published_;
        }
        work_cv_.notify_one();
      }
      if (!more) return;
    }
  }

  void work(LineWorker& worker) {
    for (;;) {
      uint64_t seq;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_cv_.wait(lock, [this] { return stop_ || taken_ < published_; });
        if (stop_) return;
        seq = taken_++;
      }
      Batch& b = slot(seq);
      for (const Line& line : b.lines) worker.process(line, b.out);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        b.state = Batch::State::kDone;
      }
      writer_cv_.notify_one();
    }
  }

  void write() {
    for (uint64_t seq = 0;; ++seq) {
      Batch& b = slot(seq);
      {
        std::unique_lock<std::mutex> lock(mutex_);
        writer_cv_.wait(lock, [&] { return b.state == Batch::State::kDone || (input_done_ && seq == published_); });
        if (b.state != Batch::State::kDone) return;  // all written
      }
      if (!write_all(out_, b.out, &write_error_) || !flush(out_, &write_error_)) {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          failed_ = true;
        }
        free_cv_.notify_all();
        return;
      }
      const size_t big = 4 * options_.batch_bytes;
      if (b.text.capacity() > big) std::vector<char>().swap(b.text);
      if (b.out.capacity() > big) std::string().swap(b.out);
      b.text.clear();
      b.offsets.clear();
      b.lines.clear();
      b.out.clear();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        b.state = Batch::State::kFree;
      }
      free_cv_.notify_one();
    }
  }

  LineReader& reader_;
  const std::vector<std::unique_ptr<LineWorker>>& workers_;
  std::FILE* out_;
  PipelineOptions options_;
  std::vector<Batch> slots_;
  int write_error_ = 0;  // the writer's; read after it has been joined
  // Under mutex_: the batch states and these.
  std::mutex mutex_;
  std::condition_variable work_cv_, writer_cv_, free_cv_;
  uint64_t published_ = 0, taken_ = 0;
  bool input_done_ = false, stop_ = false, failed_ = false;
};

}  // namespace

PipelineResult run_line_pipeline(LineReader& reader, const std::vector<std::unique_ptr<LineWorker>>& workers,
                                 std::FILE* out, const PipelineOptions& options) {
  if (workers.size() <= 1) return run_single(reader, *workers.at(0), out, options);
  return ThreadedPipeline(reader, workers, out, options).run();
}

unsigned default_thread_count(unsigned cap) {
  long n = 0;
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
#endif
  if (n <= 0) n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n <= 0) n = 1;
  return static_cast<unsigned>(std::min<long>(n, std::max(cap, 1u)));
}

}  // namespace tools
}  // namespace ffnlp
