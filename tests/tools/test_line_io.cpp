// tools/common line machinery: the block line reader, the ordered line
// pipeline, and the output error discipline.
#include <doctest/doctest.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tools/common/line_pipeline.h"
#include "tools/common/line_reader.h"
#include "tools/common/output_status.h"

using namespace ffnlp::tools;

namespace {

// A temporary file holding `bytes`, opened for reading.
struct TempInput {
  char path[64] = "/tmp/ffnlp_lines_XXXXXX";
  int fd = -1;
  explicit TempInput(const std::string& bytes) {
    fd = mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
  }
  ~TempInput() {
    close(fd);
    unlink(path);
  }
};

struct Expected {
  std::string kept;
  uint64_t full;
};

// The reference split: LineReader's documented rules, written plainly.
std::vector<Expected> reference_lines(const std::string& input, size_t max_line) {
  std::vector<Expected> out;
  size_t start = 0;
  while (start < input.size()) {
    size_t nl = input.find('\n', start);
    const bool has_nl = nl != std::string::npos;
    if (!has_nl) nl = input.size();
    std::string line = input.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back({line.substr(0, max_line), line.size()});
    start = nl + 1;
  }
  return out;
}

std::vector<Expected> read_all_lines(const std::string& input, size_t max_line, size_t block, size_t* capacity = nullptr) {
  TempInput in(input);
  LineReader reader(in.fd, max_line, block);
  std::vector<Expected> out;
  Line line;
  uint64_t number = 0;
  while (reader.next(&line) == LineReader::Result::kLine) {
    CHECK(line.number == ++number);
    out.push_back({std::string(line.data, line.size), line.full_size});
  }
  CHECK_FALSE(reader.failed());
  CHECK(reader.next(&line) == LineReader::Result::kEnd);  // stays at the end
  if (capacity) *capacity = reader.buffer_capacity();
  return out;
}

void check_same_lines(const std::vector<Expected>& got, const std::vector<Expected>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].kept == want[i].kept);
    CHECK(got[i].full == want[i].full);
  }
}

// Echoes "number:line" per line (the line's bytes, NULs included).
class EchoWorker : public LineWorker {
 public:
  void process(const Line& line, std::string& out) override {
    out += std::to_string(line.number);
    out += ':';
    out.append(line.data, line.size);
    out += '\n';
  }
};

std::string read_stream(std::FILE* f) {
  std::fflush(f);
  std::fseek(f, 0, SEEK_END);
  const long size = std::ftell(f);
  std::rewind(f);
  std::string s(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  if (!s.empty()) s.resize(std::fread(&s[0], 1, s.size(), f));
  return s;
}

std::vector<std::unique_ptr<LineWorker>> echo_workers(size_t n) {
  std::vector<std::unique_ptr<LineWorker>> w;
  for (size_t i = 0; i < n; ++i) w.emplace_back(new EchoWorker);
  return w;
}

}  // namespace

TEST_CASE("line reader: lines, CRLF, NUL bytes, a last line without newline") {
  const std::string input = std::string("one\ntwo\r\n\nthr\0ee\r\n\r\nlast\r", 25);
  const std::vector<Expected> want = {{"one", 3}, {"two", 3}, {"", 0}, {std::string("thr\0ee", 6), 6}, {"", 0}, {"last", 4}};
  check_same_lines(read_all_lines(input, 100, 16), want);
  check_same_lines(read_all_lines(input, 100, 1 << 16), want);
  CHECK(read_all_lines("", 10, 16).empty());
  CHECK(read_all_lines("\n", 10, 16).size() == 1);
  check_same_lines(read_all_lines("a\nb", 10, 16), {{"a", 1}, {"b", 1}});
}

TEST_CASE("line reader: the cap keeps the first max_line bytes and counts the rest") {
  check_same_lines(read_all_lines("abcdefgh\nxy\n", 3, 16), {{"abc", 8}, {"xy", 2}});
  // A CR that falls just after the cap is still the line's CR, not content.
  check_same_lines(read_all_lines("abc\r\nabcd\r\n", 3, 16), {{"abc", 3}, {"abc", 4}});
  check_same_lines(read_all_lines("abc\r", 3, 16), {{"abc", 3}});
  // A 10 MB line through a 1 KB cap: the buffer stays near max_line + block.
  std::string huge(10 << 20, 'x');
  huge += "\nok\n";
  size_t capacity = 0;
  check_same_lines(read_all_lines(huge, 1024, 4096, &capacity), {{std::string(1024, 'x'), 10 << 20}, {"ok", 2}});
  CHECK(capacity <= 1024 + 4096);
}

TEST_CASE("line reader: random inputs, caps and block sizes agree with the reference split") {
  std::mt19937 rng(20240611);
  const char alphabet[] = {'a', 'b', '\n', '\r', '\0', '\xc3', '\xa9', ' '};
  for (int trial = 0; trial < 300; ++trial) {
    std::string input;
    const size_t size = rng() % 2000;
    for (size_t i = 0; i < size; ++i) input += alphabet[rng() % sizeof alphabet];
    const size_t max_line = 1 + rng() % 64, block = 16 + rng() % 100;
    CAPTURE(trial);
    check_same_lines(read_all_lines(input, max_line, block), reference_lines(input, max_line));
  }
}

TEST_CASE("line reader: a read error is an error, not the end of the input") {
  const int fd = open("/", O_RDONLY | O_DIRECTORY);
  REQUIRE(fd >= 0);
  LineReader reader(fd, 100);
  Line line;
  CHECK(reader.next(&line) == LineReader::Result::kError);
  CHECK(reader.failed());
  CHECK(reader.error() == EISDIR);
  CHECK(reader.next(&line) == LineReader::Result::kError);
  close(fd);
}

TEST_CASE("line pipeline: every line answered once, in input order, with 1 to 4 threads") {
  std::string input, want;
  for (int i = 1; i <= 50000; ++i) {
    const std::string line = i % 7 == 0 ? std::string() : (i % 11 == 0 ? std::string("n\0l", 3) : "line " + std::to_string(i * 31));
    input += line + (i % 13 == 0 ? "\r\n" : "\n");
    want += std::to_string(i) + ":" + line + "\n";
  }
  for (size_t threads = 1; threads <= 4; ++threads) {
    CAPTURE(threads);
    TempInput in(input);
    LineReader reader(in.fd, 1 << 20, 4096);
    std::FILE* out = std::tmpfile();
    REQUIRE(out != nullptr);
    PipelineOptions options;
    options.batch_bytes = 1000;  // many small batches
    options.batch_lines = 97;
    options.flush_bytes = 333;
    const PipelineResult r = run_line_pipeline(reader, echo_workers(threads), out, options);
    CHECK(r.kind == PipelineResult::Kind::kOk);
    CHECK(r.lines == 50000);
    CHECK(read_stream(out) == want);
    std::fclose(out);
  }
}

TEST_CASE("line pipeline: a write error stops it and is reported") {
  std::string input;
  for (int i = 0; i < 100000; ++i) input += "some text\n";
  for (size_t threads : {1, 2}) {
    CAPTURE(threads);
    TempInput in(input);
    LineReader reader(in.fd, 100);
    std::FILE* full = std::fopen("/dev/full", "w");
    REQUIRE(full != nullptr);
    const PipelineResult r = run_line_pipeline(reader, echo_workers(threads), full);
    CHECK(r.kind == PipelineResult::Kind::kWriteError);
    CHECK(r.error_number == ENOSPC);
    std::fclose(full);
  }
}

TEST_CASE("line pipeline: a read error ends it after the lines before it were written") {
  for (size_t threads : {1, 3}) {
    const int fd = open("/", O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    LineReader reader(fd, 100);
    std::FILE* out = std::tmpfile();
    const PipelineResult r = run_line_pipeline(reader, echo_workers(threads), out);
    CHECK(r.kind == PipelineResult::Kind::kReadError);
    CHECK(r.error_number == EISDIR);
    CHECK(read_stream(out).empty());
    std::fclose(out);
    close(fd);
  }
}

TEST_CASE("default thread count and the output error discipline") {
  const unsigned n = default_thread_count();
  CHECK(n >= 1);
  CHECK(n <= 8);
  CHECK(default_thread_count(1) == 1);

  std::FILE* full = std::fopen("/dev/full", "w");
  REQUIRE(full != nullptr);
  std::FILE* err = std::tmpfile();
  std::fputs("a few bytes that stay in the buffer", full);
  CHECK_FALSE(finish_output(full, err, "tool"));
  CHECK(read_stream(err) == "tool: cannot write standard output: No space left on device\n");
  std::fclose(full);
  std::fclose(err);
  std::FILE* ok = std::tmpfile();
  std::fputs("fine", ok);
  CHECK(finish_output(ok, stderr, "tool"));
  std::fclose(ok);
}

TEST_CASE("line pipeline: each line is answered before the next one arrives (interactive use)") {
  for (size_t threads : {1, 2}) {
    CAPTURE(threads);
    int in[2], out[2];
    REQUIRE(pipe(in) == 0);
    REQUIRE(pipe(out) == 0);
    std::FILE* out_file = fdopen(out[1], "w");
    REQUIRE(out_file != nullptr);
    LineReader reader(in[0], 100);
    const std::vector<std::unique_ptr<LineWorker>> workers = echo_workers(threads);
    PipelineResult result;
    std::thread pipeline([&] { result = run_line_pipeline(reader, workers, out_file); });
    std::string answers;
    for (int i = 1; i <= 3; ++i) {
      const std::string line = "line " + std::to_string(i) + "\n";
      REQUIRE(write(in[1], line.data(), line.size()) == static_cast<ssize_t>(line.size()));
      // The answer comes while the input is still open; the long timeout
      // only keeps a broken pipeline from hanging the suite.
      std::string answer;
      while (answer.empty() || answer.back() != '\n') {
        pollfd p{out[0], POLLIN, 0};
        REQUIRE(poll(&p, 1, 30000) == 1);
        char buf[256];
        const ssize_t n = read(out[0], buf, sizeof buf);
        REQUIRE(n > 0);
        answer.append(buf, static_cast<size_t>(n));
      }
      CHECK(answer == std::to_string(i) + ":line " + std::to_string(i) + "\n");
    }
    close(in[1]);
    pipeline.join();
    CHECK(result.kind == PipelineResult::Kind::kOk);
    CHECK(result.lines == 3);
    std::fclose(out_file);
    close(in[0]);
    close(out[0]);
  }
}
