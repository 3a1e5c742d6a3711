// The langid command: options, model loading and the three modes (argument
// text, standard input line by line, --eval), writing to the given streams
// so that tests can run it in process. tools/langid/main.cpp calls it with
// the standard streams. Exit status: 0 success, 1 error, 2 bad usage.
#pragma once

#include <cstdio>

namespace ffnlp {
namespace langid {

struct CliIo {
  int in_fd = 0;              // line mode reads this descriptor
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

int run_langid(int argc, char** argv, const CliIo& io = CliIo());

}  // namespace langid
}  // namespace ffnlp
