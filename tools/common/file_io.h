// File helpers for tools (POSIX).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ffnlp {
namespace tools {

// Reads a whole regular file of at most `max_bytes` bytes. Throws
// std::runtime_error ("<path>: cannot open: No such file or directory",
// "<path>: is a directory", "<path>: is a FIFO, not a regular file", ...,
// "<path>: file is N bytes, more than the limit of M bytes" as a
// SizeLimitError, read errors).
// The file is opened non-blocking and checked with fstat() first, so a FIFO
// or a device never blocks or streams forever.
std::vector<uint8_t> read_file_bytes(const std::string& path, uint64_t max_bytes = UINT64_MAX);

// Writes `bytes` to `path` atomically: the data goes to a temporary file in
// the same directory, which is fsync'ed and then renamed over `path` (the
// directory is fsync'ed afterwards). On any failure (ENOSPC, EFBIG, EIO,
// permission, ...) the temporary file is removed, an existing file at
// `path` is left untouched, and std::runtime_error is thrown.
// If `path` already exists and `force` is false, refuses ("already exists;
// use --force to overwrite") without touching it. Only a regular file is
// ever replaced: a directory, FIFO, device node, socket or symbolic link at
// `path` is refused even with `force` (checked again just before the
// rename). The new file gets mode 0666 & ~umask.
void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes,
                           bool force);

}  // namespace tools
}  // namespace ffnlp
