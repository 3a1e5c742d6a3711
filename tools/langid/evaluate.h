// --eval: accuracy, macro-F1, per-language figures and top confusions of a
// model on a labelled TSV file (lines CODE<TAB>TEXT).
#pragma once

#include <cstdio>
#include <string>

#include "ffnlp/ffnlp.h"

namespace ffnlp {
namespace langid {

struct EvalOptions {
  size_t confusions = 20;  // how many confused pairs to print
  bool per_language = true;
};

// Returns false (with a message on stderr) when the file cannot be read.
bool evaluate_file(const Model& model, const std::string& path, const EvalOptions& options, std::FILE* out);

}  // namespace langid
}  // namespace ffnlp
