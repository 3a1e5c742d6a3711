// The langid command: options, model loading and the three modes (argument
// text, standard input line by line, --eval), writing to the given streams
// so that tests can run it in process. tools/langid/main.cpp calls it with
// the standard streams. Exit status: 0 success, 1 error, 2 bad usage.
#pragma once

#include <cstdio>

#include "tools/common/line_reader.h"

namespace ffnlp {
namespace langid {

struct CliIo {
  int in_fd = 0;              // line mode reads this descriptor
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  // Bytes line mode asks read() for at a time; tests pass a few so that
  // lines cross reads.
  size_t read_block = tools::LineReader::kDefaultBlock;
};

int run_langid(int argc, char** argv, const CliIo& io = CliIo());

}  // namespace langid
}  // namespace ffnlp
