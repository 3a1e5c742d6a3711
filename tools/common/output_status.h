// Exit-code discipline for a tool's output: whatever was written must reach
// the file, else the tool says so and exits non-zero (ENOSPC on a full disk,
// EPIPE with SIGPIPE ignored, EIO, EBADF for a closed descriptor ...).
#pragma once

#include <cstdio>
#include <string>

namespace ffnlp {
namespace tools {

// Writes `bytes` to `out`; false (errno in *error_number) when it failed.
bool write_all(std::FILE* out, const std::string& bytes, int* error_number);

// Flushes `out` and checks its error flag (a failed write earlier counts
// too). On failure prints "PROGRAM: cannot write WHAT: REASON" to `err` and
// returns false.
bool finish_output(std::FILE* out, std::FILE* err, const char* program, const char* what = "standard output");

// The message above for a known errno.
void report_write_error(std::FILE* err, const char* program, const char* what, int error_number);

}  // namespace tools
}  // namespace ffnlp
