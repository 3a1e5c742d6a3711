// --eval: accuracy, macro-F1, per-language figures and top confusions of a
// model on a labelled TSV file (lines CODE<TAB>TEXT).
#pragma once

#include <cstdio>
#include <string>

#include "ffnlp/ffnlp.h"
#include "tools/common/line_reader.h"

namespace ffnlp {
namespace langid {

struct EvalOptions {
  size_t confusions = 20;  // how many confused pairs to print
  bool per_language = true;
  // A line is read in constant memory: at most its first max_line bytes are
  // kept (gold label included), the rest is skipped and the line counted as
  // cut in the report.
  size_t max_line = 1 << 20;
  ClassifyOptions classify;  // prior and allow-list of every classification
  size_t read_block = tools::LineReader::kDefaultBlock;  // bytes per read() (tests: a few)
};

// Reads the file in blocks; a UTF-8 byte-order mark at its start is
// ignored. Lines without a tab (or starting with one) are counted as
// malformed. Labels are printed with control bytes and invalid UTF-8 as
// \xHH. Returns false, with a message on `err`, when the file cannot be
// opened or read (a directory, a read error) or has no labelled line.
bool evaluate_file(const Model& model, const std::string& path, const EvalOptions& options, std::FILE* out,
                   std::FILE* err = stderr);

}  // namespace langid
}  // namespace ffnlp
