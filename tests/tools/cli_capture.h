// What the in-process CLI tests (langid, postag) share: an input file to
// serve as standard input, and reading back what a run wrote to a FILE*.
#pragma once

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ffnlp {
namespace testing {

// Everything written to `f` so far.
inline std::string slurp(std::FILE* f) {
  std::fflush(f);
  std::fseek(f, 0, SEEK_END);
  const long size = std::ftell(f);
  std::rewind(f);
  std::string s(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  if (!s.empty()) s.resize(std::fread(&s[0], 1, s.size(), f));
  return s;
}

// A temporary file holding `bytes`, open for reading from its start.
struct InputFile {
  char path[64] = "/tmp/ffnlp_cli_in_XXXXXX";
  int fd = -1;
  explicit InputFile(const std::string& bytes) {
    fd = mkstemp(path);
    REQUIRE(fd >= 0);
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
      REQUIRE(n > 0);
      done += static_cast<size_t>(n);
    }
    REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
  }
  ~InputFile() {
    close(fd);
    unlink(path);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
};

// A command's exit status and what it wrote.
struct Run {
  int status = -1;
  std::string out, err;
};

}  // namespace testing
}  // namespace ffnlp
