#include "tools/langid/evaluate.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <vector>

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

size_t count_chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

bool evaluate_file(const Model& model, const std::string& path, const EvalOptions& options, std::FILE* out) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "langid: cannot read '%s'\n", path.c_str());
    return false;
  }
  Workspace workspace(model);
  std::map<std::string, Counts> counts;
  std::map<std::pair<std::string, std::string>, size_t> confusions;
  std::vector<LengthBucket> buckets = {{"<=20", 20}, {"21-50", 50}, {"51-100", 100}, {">100", SIZE_MAX}};
  size_t total = 0, correct = 0, skipped = 0, unknown_gold = 0;
  double brier = 0;
  std::string line;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0) {
      ++skipped;
      continue;
    }
    const std::string gold = line.substr(0, tab);
    const char* text = line.data() + tab + 1;
    const size_t size = line.size() - tab - 1;
    Prediction top[1];
    size_t n = 0;
    if (model.classify(text, size, workspace, top, 1, &n) != Status::kOk) {
      ++skipped;
      continue;
    }
    const std::string predicted = n > 0 ? top[0].label : "und";
    if (model.find_label(gold.c_str()) < 0) ++unknown_gold;
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
    const size_t chars = count_chars(std::string(text, size));
    for (LengthBucket& b : buckets) {
      if (chars <= b.max_chars) {
        ++b.total;
        b.correct += ok;
        break;
      }
    }
  }
  if (total == 0) {
    std::fprintf(stderr, "langid: '%s' has no CODE<TAB>TEXT lines\n", path.c_str());
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
      const int32_t index = model.find_label(r.code.c_str());
      std::fprintf(out, "  %-10s %9.4f %9.4f %9.4f %8zu  %s\n", r.code.c_str(), r.precision, r.recall, r.f1, r.support,
                   index >= 0 ? model.label_name(static_cast<uint32_t>(index)) : "(not in model)");
    }
  }
  std::vector<std::pair<size_t, std::pair<std::string, std::string>>> sorted;
  for (const auto& kv : confusions) sorted.push_back({kv.second, kv.first});
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  std::fprintf(out, "top confusions (gold -> predicted):\n");
  for (size_t i = 0; i < sorted.size() && i < options.confusions; ++i) {
    std::fprintf(out, "  %-10s -> %-10s %zu\n", sorted[i].second.first.c_str(), sorted[i].second.second.c_str(), sorted[i].first);
  }
  return true;
}

}  // namespace langid
}  // namespace ffnlp
