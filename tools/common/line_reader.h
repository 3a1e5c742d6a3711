// Reads text lines from a file descriptor in large blocks, with a cap on
// the bytes kept per line, in memory that does not grow with the input.
//
//   LineReader reader(0, 1 << 20);
//   Line line;
//   while (reader.next(&line) == LineReader::Result::kLine) use(line);
//   if (reader.failed()) report(reader.error());
//
// A line is everything up to a '\n' (not included); one '\r' at the end of
// a line is dropped too, so CRLF files read like LF files (also on a last
// line without '\n'). A last line without a '\n' is still a line; an
// empty input has no lines. Bytes are
// passed through as they are: NUL bytes and invalid UTF-8 stay in the line.
// When a line is longer than the cap, its first `max_line` bytes are kept
// and the rest is read and skipped (Line::full_size counts them).
// Memory: one buffer of at most max_line + block_size bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace ffnlp {
namespace tools {

struct Line {
  const char* data = nullptr;  // valid until the next call of next()
  size_t size = 0;             // bytes kept (<= max_line)
  uint64_t full_size = 0;      // bytes of the whole line, kept or skipped
  uint64_t number = 0;         // 1 for the first line
  bool truncated() const { return full_size > size; }
};

class LineReader {
 public:
  enum class Result { kLine, kEnd, kError };
  static constexpr size_t kDefaultBlock = 1 << 16;

  // `fd` stays open and owned by the caller. max_line >= 1.
  LineReader(int fd, size_t max_line, size_t block_size = kDefaultBlock);
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line, the end of the input, or a read error (errno in error()).
  // After kEnd or kError every further call returns the same.
  Result next(Line* line);

  // True when next() can answer without reading from the file descriptor.
  bool line_ready() const;
  // True when next() would wait for input: no line is ready and the
  // descriptor has no data now (poll). Lets a caller write what it has
  // before it blocks, so interactive use answers line by line.
  bool would_block() const;

  bool failed() const { return error_ != 0; }
  int error() const { return error_; }  // errno of the failed read, else 0
  uint64_t lines() const { return number_; }
  size_t buffer_capacity() const { return capacity_; }

 private:
  bool fill();  // reads once into the buffer; false at end or error

  int fd_;
  size_t max_line_, block_;
  // Not zero-filled: only bytes read are ever looked at (a 64 KiB memset
  // per reader was most of a short input's time under ASan).
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t pos_ = 0;    // start of the current line
  size_t scan_ = 0;   // bytes before this offset hold no '\n'
  size_t end_ = 0;    // end of the data read
  uint64_t skipped_ = 0;  // bytes of the current line dropped after the cap
  char last_dropped_ = 0;  // the last of them
  uint64_t number_ = 0;
  bool eof_ = false;
  int error_ = 0;
};

}  // namespace tools
}  // namespace ffnlp
