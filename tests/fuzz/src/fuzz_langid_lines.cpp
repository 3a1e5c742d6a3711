// libFuzzer target: what the langid tool does with its input lines, as far
// as it is library code (tools/langid): every line through find_spans() with
// the shipped model, and the whole input as an --eval TSV file through
// evaluate_file(). (The line reading itself lives in tools/langid/main.cpp.)
// Invariants for spans: inside the line, non-empty, in order, not
// overlapping; a label from the model; a probability in [0, 1].
// evaluate_file() may refuse a file without CODE<TAB>TEXT lines (false, a
// message on stderr), nothing worse.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "ffnlp/ffnlp.h"
#include "fuzz_check.h"
#include "test_paths.h"
#include "tools/langid/evaluate.h"
#include "tools/langid/spans.h"

namespace {

struct Loaded {
  ffnlp::MappedFile file;
  ffnlp::Model model;
  std::unique_ptr<ffnlp::Workspace> workspace;
};
Loaded* g = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g = new Loaded;
  const char* env = std::getenv("FFNLP_FUZZ_MODEL");
  const std::string path = env != nullptr ? env : ffnlp::testing::source_path("models/langid.ffm");
  ffnlp::Error error;
  if (ffnlp::load_file(path.c_str(), &g->file, &g->model, &error) != ffnlp::Status::kOk) {
    std::fprintf(stderr, "fuzz_langid_lines: %s: %s\n", path.c_str(), error.message);
    std::exit(1);
  }
  g->workspace.reset(new ffnlp::Workspace(g->model));
  check(g->workspace->ok());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    const std::string line = input.substr(start, end - start);
    const std::vector<ffnlp::langid::Span> spans = ffnlp::langid::find_spans(g->model, *g->workspace, line);
    size_t previous_end = 0;
    for (const ffnlp::langid::Span& s : spans) {
      check(s.begin < s.end && s.end <= line.size());
      check(s.begin >= previous_end);
      previous_end = s.end;
      check(s.probability >= 0.0f && s.probability <= 1.0f);
      check(s.label.empty() || g->model.find_label(s.label.c_str()) >= 0 || s.label == g->model.unknown_label());
    }
    start = end + 1;
  }
  // The same bytes as an --eval file, through a memory file.
  const int fd = memfd_create("fuzz_eval", MFD_CLOEXEC);
  check(fd >= 0);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    check(n > 0);
    done += static_cast<size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  std::FILE* out = std::fopen("/dev/null", "w");
  check(out != nullptr);
  ffnlp::langid::EvalOptions options;
  (void)ffnlp::langid::evaluate_file(g->model, path, options, out);
  std::fclose(out);
  close(fd);
  return 0;
}
