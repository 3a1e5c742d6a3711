// libFuzzer target: the langid command's line mode (tools/langid), in
// process, on the built-in model (or $FFNLP_FUZZ_MODEL), and the same bytes
// as an --eval TSV file.
//
// Input: the first byte chooses the options (bit 0 --json, bit 1 --spans,
// bit 2 --top 3, bit 3 --prior uniform, bit 4 --max-line 40, bits 3 and 5
// both set --threads 2, bit 5 alone --prefer nb,ms --prefer-weight 3; bits
// 6-7 the bytes read at a time: the CLI's 64 KiB,
// or 16, 64 or 256 so that lines cross reads and the buffer moves and
// grows); the rest is standard input. A threaded run starts three threads,
// which under ASan cost more than the rest of a short input: a quarter of
// the option space has them, with every read size and output format. The options go through
// parse_options() as a command line would, then run_line_mode() reads the
// input from a memory file and writes the records to another.
// Invariants (docs/CLI.md): exit status 0 and nothing on stderr; exactly one
// record per input line; JSON records valid JSON and valid UTF-8, numbered
// 1, 2, ... in order, "truncated" exactly for lines over --max-line; plain
// records CODE<TAB>PROB pairs (--spans: CODE<TAB>BEGIN-END<TAB>PROB triples,
// inside the line, in order) with four-decimal probabilities in [0, 1].
// evaluate_file() may refuse the bytes (false, a message), nothing worse.
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "fuzz_check.h"
#include "tests/tools/json_check.h"
#include "tools/langid/builtin_model.h"
#include "tools/langid/cli.h"
#include "tools/langid/evaluate.h"
#include "tools/langid/line_mode.h"
#include "tools/langid/options.h"

namespace {

constexpr size_t kSmallMaxLine = 40;
constexpr size_t kReadBlocks[4] = {ffnlp::tools::LineReader::kDefaultBlock, 16, 64, 256};

struct Loaded {
  ffnlp::MappedFile file;
  ffnlp::Model model;
  std::set<std::string> codes;  // the model's labels, "und" and "error"
};
Loaded* g = nullptr;

// A memory file holding `size` bytes, positioned at its start.
int memory_file(const char* name, const uint8_t* data, size_t size) {
  const int fd = memfd_create(name, MFD_CLOEXEC);
  check(fd >= 0);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    check(n > 0);
    done += static_cast<size_t>(n);
  }
  check(lseek(fd, 0, SEEK_SET) == 0);
  return fd;
}

// A stream on an empty memory file (no disk, unlike tmpfile()).
std::FILE* memory_stream(const char* name) {
  const int fd = memfd_create(name, MFD_CLOEXEC);
  check(fd >= 0);
  std::FILE* f = fdopen(fd, "w+");
  check(f != nullptr);
  return f;
}

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) s.append(buffer, n);
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + 1) parts.push_back(s.substr(start, at - start));
  parts.push_back(s.substr(start));
  return parts;
}

// "0.1234": exactly four decimals, 0 to 1.
bool probability_text(const std::string& s) {
  if (s.size() != 6 || s[1] != '.' || (s[0] != '0' && s[0] != '1')) return false;
  for (size_t i = 2; i < 6; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return s[0] == '0' || s == "1.0000";
}

// (A set: find_label() compares with every label, for every record.)
bool known_code(const std::string& code) { return g->codes.count(code) != 0; }

// One plain record for `line` (its bytes as classified).
void check_plain_record(const std::string& record, const std::string& line, bool spans) {
  if (spans && record.empty()) return;  // a line without words
  const std::vector<std::string> fields = split(record, '\t');
  if (fields.size() == 2 && fields[0] == "error") return;
  if (!spans) {
    check(fields.size() % 2 == 0);
    for (size_t i = 0; i < fields.size(); i += 2) {
      check(known_code(fields[i]));
      check(probability_text(fields[i + 1]));
    }
    return;
  }
  check(fields.size() % 3 == 0);
  unsigned long long previous_end = 0;
  for (size_t i = 0; i < fields.size(); i += 3) {
    check(known_code(fields[i]));
    const std::string& range = fields[i + 1];
    char* dash = nullptr;
    const unsigned long long begin = std::strtoull(range.c_str(), &dash, 10);
    check(dash != nullptr && *dash == '-');
    char* end_of = nullptr;
    const unsigned long long end = std::strtoull(dash + 1, &end_of, 10);
    check(*end_of == '\0');
    check(begin >= previous_end && begin < end && end <= line.size());
    previous_end = end;
    check(probability_text(fields[i + 2]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // --threads 2 starts three threads per input. With the default 8 MB
  // stacks, ASan clears 1 MB of stack shadow for each: most of such an
  // input's time. The pipeline's threads keep their data on the heap.
  pthread_attr_t attr;
  check(pthread_attr_init(&attr) == 0);
  check(pthread_attr_setstacksize(&attr, 256 * 1024) == 0);
  check(pthread_setattr_default_np(&attr) == 0);
  pthread_attr_destroy(&attr);
  g = new Loaded;
  const char* env = std::getenv("FFNLP_FUZZ_MODEL");
  ffnlp::Error error;
  const ffnlp::Status status =
      env != nullptr ? ffnlp::load_file(env, &g->file, &g->model, &error)
                     : ffnlp::Model::load(ffnlp::langid::builtin_model_data(), ffnlp::langid::builtin_model_size(),
                                          &g->model, &error);
  if (status != ffnlp::Status::kOk) {
    std::fprintf(stderr, "fuzz_langid_lines: %s: %s\n", env != nullptr ? env : "built-in model", error.message);
    std::exit(1);
  }
  g->codes = {"und", "error"};
  for (uint32_t i = 0; i < g->model.label_count(); ++i) g->codes.insert(g->model.label(i));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned mode = data[0];
  const uint8_t* input = data + 1;
  const size_t input_size = size - 1;
  const bool json = mode & 1, spans = mode & 2;

  std::vector<std::string> args = {"langid"};
  if (json) args.push_back("--json");
  if (spans) args.push_back("--spans");
  if (mode & 4) args.insert(args.end(), {"--top", "3"});
  if (mode & 8) args.push_back("--prior=uniform");
  if (mode & 16) args.insert(args.end(), {"--max-line", std::to_string(kSmallMaxLine)});
  const bool threaded = (mode & 32) && (mode & 8);
  args.insert(args.end(), {"--threads", threaded ? "2" : "1"});
  if ((mode & 32) && !(mode & 8) && g->model.find_label("nb") >= 0 && g->model.find_label("ms") >= 0) {
    args.insert(args.end(), {"--prefer", "nb,ms", "--prefer-weight", "3"});
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(&a[0]);
  ffnlp::langid::Options options;
  std::string error;
  check(ffnlp::langid::parse_options(static_cast<int>(argv.size()), argv.data(), &options, &error));
  check(ffnlp::langid::resolve_classify_options(g->model, &options, &error));

  // Line mode.
  const int in_fd = memory_file("fuzz_langid_in", input, input_size);
  std::FILE* out = memory_stream("fuzz_langid_out");
  std::FILE* err = memory_stream("fuzz_langid_err");
  ffnlp::langid::CliIo io;
  io.in_fd = in_fd;
  io.out = out;
  io.err = err;
  io.read_block = kReadBlocks[(mode >> 6) & 3];
  const int status = ffnlp::langid::run_line_mode(g->model, options, io);
  const std::string records = read_all(out);
  const std::string messages = read_all(err);
  std::fclose(out);
  std::fclose(err);
  close(in_fd);
  check(status == 0);
  check(messages.empty());

  // The input's lines: up to each '\n', a last line without one counts, an
  // empty input has none; one '\r' at the end of a line is not part of it
  // (tools/common/line_reader.h, also on a last line without '\n').
  const std::string text(reinterpret_cast<const char*>(input), input_size);
  std::vector<std::string> lines = split(text, '\n');
  if (lines.back().empty()) lines.pop_back();
  for (std::string& line : lines) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
  }
  check(records.empty() || records.back() == '\n');
  std::vector<std::string> got = records.empty() ? std::vector<std::string>() : split(records.substr(0, records.size() - 1), '\n');
  check(got.size() == lines.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const std::string& record = got[i];
    const std::string& line = lines[i];
    const bool cut = line.size() > options.max_line;
    const std::string classified = cut ? line.substr(0, options.max_line) : line;
    if (json) {
      check(testing_json::valid_json(record));
      check(testing_json::valid_utf8(record));
      const std::string prefix = "{\"line\": " + std::to_string(i + 1) + ", ";
      check(record.compare(0, prefix.size(), prefix) == 0);
      check((record.find("\"truncated\": true") != std::string::npos) == cut);
    } else {
      check_plain_record(record, classified, spans);
    }
  }

  // The same bytes as an --eval file.
  const int eval_fd = memory_file("fuzz_eval", input, input_size);
  const std::string path = "/proc/self/fd/" + std::to_string(eval_fd);
  std::FILE* sink = std::fopen("/dev/null", "w");
  check(sink != nullptr);
  ffnlp::langid::EvalOptions eval;
  eval.max_line = options.max_line;
  eval.classify = options.classify;
  eval.read_block = io.read_block;
  (void)ffnlp::langid::evaluate_file(g->model, path, eval, sink, sink);
  std::fclose(sink);
  close(eval_fd);
  return 0;
}
