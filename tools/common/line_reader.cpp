#include "tools/common/line_reader.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace ffnlp {
namespace tools {

LineReader::LineReader(int fd, size_t max_line, size_t block_size)
    : fd_(fd), max_line_(std::max<size_t>(max_line, 1)), block_(std::max<size_t>(block_size, 16)) {
  buffer_.reset(new char[block_]);
  capacity_ = block_;
}

bool LineReader::line_ready() const {
  if (eof_ || error_ != 0) return true;
  return std::memchr(buffer_.get() + scan_, '\n', end_ - scan_) != nullptr;
}

bool LineReader::would_block() const {
  if (line_ready()) return false;
  pollfd p{fd_, POLLIN, 0};
  int n;
  do {
    n = ::poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n == 0;  // errors and hang-ups: let read() report them
}

bool LineReader::fill() {
  // Move the current line to the front, then make room for one block.
  if (pos_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + pos_, end_ - pos_);
    scan_ -= pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (capacity_ - end_ < block_ / 2) {
    // Only a line longer than the buffer gets here; the kept part never
    // exceeds max_line (see next()), so max_line + block is enough.
    const size_t grown = std::min(std::max(capacity_ * 2, end_ + block_), max_line_ + block_);
    std::unique_ptr<char[]> bigger(new char[grown]);
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = grown;
  }
  ssize_t n;
  do {
    n = ::read(fd_, buffer_.get() + end_, capacity_ - end_);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    error_ = errno != 0 ? errno : EIO;
    return false;
  }
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += static_cast<size_t>(n);
  return true;
}

LineReader::Result LineReader::next(Line* line) {
  for (;;) {
    char* base = buffer_.get();
    const char* nl = static_cast<const char*>(std::memchr(base + scan_, '\n', end_ - scan_));
    const bool at_end = nl == nullptr && (eof_ || error_ != 0);
    if (nl != nullptr || at_end) {
      if (at_end && error_ != 0) return Result::kError;
      const size_t raw = (nl != nullptr ? static_cast<size_t>(nl - base) : end_) - pos_;
      if (at_end && raw == 0 && skipped_ == 0) return Result::kEnd;
      // The line's last byte: in the buffer, or the last one dropped.
      const char last = raw > max_line_ || skipped_ == 0 ? (raw > 0 ? base[pos_ + raw - 1] : '\0') : last_dropped_;
      uint64_t full = raw + skipped_;
      size_t size = std::min(raw, max_line_);
      if (last == '\r') {
        --full;
        if (size > full) size = static_cast<size_t>(full);
      }
      line->data = base + pos_;
      line->size = size;
      line->full_size = full;
      line->number = ++number_;
      skipped_ = 0;
      pos_ = scan_ = nl != nullptr ? static_cast<size_t>(nl - base) + 1 : end_;
      return Result::kLine;
    }
    // No '\n' yet: keep at most max_line bytes of this line, then read on.
    if (end_ - pos_ > max_line_) {
      last_dropped_ = base[end_ - 1];
      skipped_ += end_ - pos_ - max_line_;
      end_ = pos_ + max_line_;
    }
    scan_ = end_;
    fill();
  }
}

}  // namespace tools
}  // namespace ffnlp
