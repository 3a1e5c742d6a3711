// The fixed text set the benchmark runs on.
#pragma once

#include <string>
#include <vector>

namespace bench {

struct TextClass {
  std::string name;         // "short", "ui50", ...
  std::string description;  // how it was made
  std::vector<std::string> texts;
  std::vector<std::string> labels;  // gold label per text ("" when unknown)
  size_t bytes() const {
    size_t n = 0;
    for (const std::string& t : texts) n += t.size();
    return n;
  }
};

struct TextSet {
  std::string source;  // "data/heldout.tsv (N lines)" or "built-in sample"
  TextClass short_, ui50, medium, long_, doc;
};

// From a held-out TSV (LABEL<TAB>TEXT per line) when `path` can be read, else
// from the built-in multilingual sample.
TextSet build_text_set(const std::string& path);

}  // namespace bench
