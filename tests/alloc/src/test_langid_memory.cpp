// test_langid_memory: the langid command's heap stays bounded whatever the
// input (issue 14, defect 6: --spans took about 1 GB for one 1 MiB line).
//
// A separate binary (not part of run_tests) because it replaces the global
// allocation functions (tools/bench/alloc_hooks.cpp) to measure the peak of
// heap bytes in use. Run by `make test` (test-langid-memory). The bounds
// below are the ones docs/CLI.md states.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/bench/alloc_hooks.h"
#include "tools/langid/builtin_model.h"
#include "tools/langid/cli.h"
#include "tools/langid/spans.h"

namespace {

int g_failures = 0;

void expect_below(uint64_t peak, uint64_t limit, const char* what) {
  std::printf("test_langid_memory: %-58s peak %8.1f MiB (limit %.0f MiB)\n", what, peak / 1048576.0,
              limit / 1048576.0);
  if (peak >= limit) {
    std::fprintf(stderr, "FAILED: %s: peak %llu bytes >= %llu\n", what, static_cast<unsigned long long>(peak),
                 static_cast<unsigned long long>(limit));
    ++g_failures;
  }
}

// The worst case for spans: two-letter words of two scripts, about 3 bytes
// per word, switching often (1 MiB: 350,000 words, 145,000 spans).
std::string wordy_line(size_t bytes) {
  static const char* const words[] = {"of", "to", "in", "is", "on", "ja", "ei", "on", "и", "в"};
  std::string s;
  for (size_t i = 0; s.size() < bytes; ++i) {
    s += words[(i * 7 + i / 13) % 10];
    s += ' ';
  }
  s.resize(bytes);
  return s;
}

// Ordinary text: sentences of four languages in turn.
std::string sentences_line(size_t bytes) {
  static const char* const sentences[] = {
      "All human beings are born free and equal in dignity and rights. ",
      "Kaikki ihmiset syntyvät vapaina ja tasavertaisina arvoltaan ja oikeuksiltaan. ",
      "Alle Menschen sind frei und gleich an Würde und Rechten geboren. ",
      "Все люди рождаются свободными и равными в своем достоинстве и правах. "};
  std::string s;
  for (size_t i = 0; s.size() < bytes; ++i) s += sentences[i % 4];
  return s.substr(0, s.rfind(' ', bytes));
}

// Runs langid in process on a file holding `input`; returns the peak heap
// bytes in use during the run (above what was in use before it).
uint64_t langid_peak(std::vector<std::string> args, const std::string& input, int* status) {
  char path[] = "/tmp/ffnlp_langid_mem_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0 || write(fd, input.data(), input.size()) != static_cast<ssize_t>(input.size()) ||
      lseek(fd, 0, SEEK_SET) != 0) {
    std::fprintf(stderr, "cannot write %s\n", path);
    std::exit(1);
  }
  std::FILE* out = std::fopen("/dev/null", "w");
  args.insert(args.begin(), "langid");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(&a[0]);
  ffnlp::langid::CliIo io;
  io.in_fd = fd;
  io.out = out;
  const uint64_t before = bench::live_bytes();
  bench::reset_peak_bytes();
  *status = ffnlp::langid::run_langid(static_cast<int>(argv.size()), argv.data(), io);
  const uint64_t peak = bench::peak_bytes() - before;
  std::fclose(out);
  close(fd);
  unlink(path);
  return peak;
}

}  // namespace

int main() {
  if (!bench::bytes_measured()) {
    std::fprintf(stderr, "FAILED: heap bytes are only measured on glibc\n");
    return 1;
  }
  ffnlp::Model model;
  ffnlp::Error error;
  if (ffnlp::Model::load(ffnlp::langid::builtin_model_data(), ffnlp::langid::builtin_model_size(), &model, &error) !=
      ffnlp::Status::kOk) {
    std::fprintf(stderr, "FAILED: load: %s\n", error.message);
    return 1;
  }
  const uint64_t MiB = 1 << 20;
  const std::string worst = wordy_line(1 << 20), ordinary = sentences_line(256 << 10);

  // The span finder alone on one 1 MiB line: 16 bytes per word plus 48 per
  // span; no scores per word and label (those took 1.8 KB per word).
  {
    ffnlp::Workspace workspace(model);
    // No switch penalty: as many spans as the words allow, whatever the
    // default penalty is.
    ffnlp::langid::SpanOptions most_spans;
    most_spans.switch_penalty = 0.0f;
    ffnlp::langid::SpanFinder finder(model, most_spans);
    std::vector<ffnlp::langid::Span> spans;
    const uint64_t before = bench::live_bytes();
    bench::reset_peak_bytes();
    const ffnlp::Status s = finder.find(worst.data(), worst.size(), workspace, &spans);
    const uint64_t peak = bench::peak_bytes() - before;
    if (s != ffnlp::Status::kOk || spans.size() < 100000) {
      std::fprintf(stderr, "FAILED: find on the 1 MiB line: %s, %zu spans\n", ffnlp::status_name(s), spans.size());
      ++g_failures;
    }
    expect_below(peak, 32 * MiB, "SpanFinder::find, 1 MiB line of 350,000 words (worst case)");
  }

  int status = 0;
  // The whole command, spans as JSON, one thread: the line and its record.
  uint64_t peak = langid_peak({"--spans", "--json", "--threads", "1"}, ordinary + "\nshort line\n", &status);
  if (status != 0) ++g_failures;
  expect_below(peak, 8 * MiB, "langid --spans --json --threads 1, 256 KiB line of sentences");

  // Two threads, several long lines: per thread one span finder and one
  // workspace, at most four batches in flight.
  std::string several;
  for (int i = 0; i < 4; ++i) several += wordy_line(32 << 10) + "\n" + sentences_line(32 << 10) + "\n";
  peak = langid_peak({"--spans", "--json", "--threads", "2"}, several, &status);
  if (status != 0) ++g_failures;
  expect_below(peak, 12 * MiB, "langid --spans --json --threads 2, eight 32 KiB lines");

  // Plain line mode on one 32 MiB line: the reader keeps --max-line bytes.
  peak = langid_peak({"--threads", "1"}, std::string(32 << 20, 'a') + "\n", &status);
  if (status != 0) ++g_failures;
  expect_below(peak, 4 * MiB, "langid --threads 1, one 32 MiB line (--max-line 1 MiB)");

  // Many lines: memory does not grow with the input.
  std::string many;
  for (int i = 0; i < 200000; ++i) many += "The quick brown fox jumps over the lazy dog.\n";
  peak = langid_peak({"--json", "--threads", "2"}, many, &status);
  if (status != 0) ++g_failures;
  expect_below(peak, 4 * MiB, "langid --json --threads 2, 200,000 lines");

  if (g_failures != 0) return 1;
  std::printf("test_langid_memory: OK\n");
  return 0;
}
