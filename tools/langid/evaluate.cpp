#include "tools/langid/evaluate.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "tools/common/json_string.h"
#include "tools/common/line_reader.h"

namespace ffnlp {
namespace langid {
namespace {

struct Counts {
  size_t support = 0, predicted = 0, correct = 0;
};

struct LengthBucket {
  const char* name;
  size_t max_chars;
  size_t total = 0, correct = 0;
};

size_t count_chars(const char* s, size_t size) {
  size_t n = 0;
  for (size_t i = 0; i < size; ++i) n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
  return n;
}

// A label as it can be printed: control bytes and invalid UTF-8 as \xHH,
// so nothing is cut at a NUL byte or garbles the terminal.
std::string printable(const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    size_t bad = 0;
    const size_t len = tools::utf8_sequence_length(p + i, s.size() - i, &bad);
    if (len > 0 && (p[i] >= 0x20 && p[i] != 0x7F)) {
      out.append(s, i, len);
      i += len;
      continue;
    }
    for (size_t j = 0; j < (len > 0 ? len : bad); ++j, ++i) {
      out += "\\x";
      out += kHex[p[i] >> 4];
      out += kHex[p[i] & 15];
    }
  }
  return out;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

bool evaluate_file(const Model& model, const std::string& path, const EvalOptions& options, std::FILE* out,
                   std::FILE* err) {
  int raw;
  do {
    raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (raw < 0 && errno == EINTR);
  const Fd fd(raw);
  if (fd.get() < 0) {
    std::fprintf(err, "langid: --eval: cannot open '%s': %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  struct stat st;
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::fprintf(err, "langid: --eval: '%s' is a directory, not a file of CODE<TAB>TEXT lines\n", path.c_str());
    return false;
  }
  Workspace workspace(model);
  if (!workspace.ok()) {
    std::fprintf(err, "langid: out of memory\n");
    return false;
  }
  std::map<std::string, Counts> counts;
  std::map<std::pair<std::string, std::string>, size_t> confusions;
  std::vector<LengthBucket> buckets = {{"<=20", 20}, {"21-50", 50}, {"51-100", 100}, {">100", SIZE_MAX}};
  size_t total = 0, correct = 0, skipped = 0, unknown_gold = 0, cut = 0;
  double brier = 0;
  tools::LineReader reader(fd.get(), options.max_line, options.read_block);
  tools::Line line;
  while (reader.next(&line) == tools::LineReader::Result::kLine) {
    const char* data = line.data;
    size_t size = line.size;
    if (line.number == 1 && size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) {  // byte-order mark
      data += 3;
      size -= 3;
    }
    const char* tab = static_cast<const char*>(std::memchr(data, '\t', size));
    if (tab == nullptr || tab == data) {
      ++skipped;
      continue;
    }
    cut += line.truncated();
    const std::string gold(data, static_cast<size_t>(tab - data));
    const char* text = tab + 1;
    size = static_cast<size_t>(data + size - text);
    Prediction top[1];
    size_t n = 0;
    if (model.classify(text, size, workspace, top, 1, &n, options.classify) != Status::kOk) {
      ++skipped;
      continue;
    }
    const std::string predicted = n > 0 ? top[0].label : "und";
    if (model.find_label(gold.c_str()) < 0 || gold.find('\0') != std::string::npos) ++unknown_gold;
    ++total;
    Counts& g = counts[gold];
    ++g.support;
    ++counts[predicted].predicted;
    const bool ok = predicted == gold;
    if (ok) {
      ++correct;
      ++g.correct;
    } else {
      ++confusions[{gold, predicted}];
    }
    const float p = n > 0 ? top[0].probability : 0.0f;
    brier += (ok ? (1.0 - p) * (1.0 - p) : p * p);
    const size_t chars = count_chars(text, size);
    for (LengthBucket& b : buckets) {
      if (chars <= b.max_chars) {
        ++b.total;
        b.correct += ok;
        break;
      }
    }
  }
  if (reader.failed()) {
    std::fprintf(err, "langid: --eval: cannot read '%s' after %llu lines: %s\n", path.c_str(),
                 static_cast<unsigned long long>(reader.lines()), std::strerror(reader.error()));
    return false;
  }
  if (total == 0) {
    std::fprintf(err, "langid: '%s' has no CODE<TAB>TEXT lines\n", path.c_str());
    return false;
  }
  double f1_sum = 0;
  size_t f1_count = 0;
  struct Row {
    std::string code;
    double precision, recall, f1;
    size_t support;
  };
  std::vector<Row> rows;
  for (const auto& kv : counts) {
    if (kv.second.support == 0) continue;
    const double precision = kv.second.predicted ? static_cast<double>(kv.second.correct) / kv.second.predicted : 0.0;
    const double recall = static_cast<double>(kv.second.correct) / kv.second.support;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    f1_sum += f1;
    ++f1_count;
    rows.push_back({kv.first, precision, recall, f1, kv.second.support});
  }
  std::fprintf(out, "texts       %zu (skipped %zu malformed lines; %zu with a gold label the model lacks)\n", total, skipped,
               unknown_gold);
  if (cut > 0) {
    std::fprintf(out, "cut         %zu lines longer than %zu bytes (classified on their first bytes)\n", cut,
                 options.max_line);
  }
  std::fprintf(out, "accuracy    %.4f\n", static_cast<double>(correct) / total);
  std::fprintf(out, "macro-F1    %.4f over %zu languages\n", f1_sum / f1_count, f1_count);
  std::fprintf(out, "brier       %.4f (mean squared error of the top probability)\n", brier / total);
  std::fprintf(out, "by length (characters):\n");
  for (const LengthBucket& b : buckets) {
    if (b.total) std::fprintf(out, "  %-7s %.4f  (%zu texts)\n", b.name, static_cast<double>(b.correct) / b.total, b.total);
  }
  if (options.per_language) {
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.f1 < b.f1 || (a.f1 == b.f1 && a.code < b.code); });
    std::fprintf(out, "per language (worst F1 first):\n  %-10s %9s %9s %9s %8s  %s\n", "code", "precision", "recall", "F1", "support", "name");
    for (const Row& r : rows) {
      const int32_t index = r.code.find('\0') == std::string::npos ? model.find_label(r.code.c_str()) : -1;
      std::fprintf(out, "  %-10s %9.4f %9.4f %9.4f %8zu  %s\n", printable(r.code).c_str(), r.precision, r.recall, r.f1, r.support,
                   index >= 0 ? model.label_name(static_cast<uint32_t>(index)) : "(not in model)");
    }
  }
  std::vector<std::pair<size_t, std::pair<std::string, std::string>>> sorted;
  for (const auto& kv : confusions) sorted.push_back({kv.second, kv.first});
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  std::fprintf(out, "top confusions (gold -> predicted):\n");
  for (size_t i = 0; i < sorted.size() && i < options.confusions; ++i) {
    std::fprintf(out, "  %-10s -> %-10s %zu\n", printable(sorted[i].second.first).c_str(),
                 printable(sorted[i].second.second).c_str(), sorted[i].first);
  }
  return true;
}

}  // namespace langid
}  // namespace ffnlp
