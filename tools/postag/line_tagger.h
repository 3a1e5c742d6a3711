// One line of input -> its tagged tokens, for every postag mode: text (the
// model's tokenizer) or pre-tokenized (tokens separated by single spaces:
// "a  b" is three tokens, the middle one empty; an empty line has none), and
// the three ways of writing the result. Buffers grow to the longest line
// seen and are reused, so a stream of lines allocates only when a line is
// longer than every earlier one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"

namespace ffnlp {
namespace postag {

enum class OutputFormat { kSlash, kTagsOnly, kJson };

class LineTagger {
 public:
  explicit LineTagger(const Model& model) : model_(model), workspace_(model) {}
  bool ok() const { return workspace_.ok(); }

  // Tags `line`; the tokens are then tokens()[0 .. count()).
  Status tag(const char* line, size_t size, bool pretokenized);
  size_t count() const { return count_; }
  const TaggedToken* tokens() const { return out_.data(); }

  // Appends one output line (with its '\n') for the last tag() of `line`.
  void append(std::string& out, const char* line, OutputFormat format) const;

 private:
  const Model& model_;
  Workspace workspace_;
  std::vector<TaggedToken> out_;
  std::vector<const char*> pieces_;
  std::vector<size_t> lengths_;
  size_t count_ = 0;
};

// Splits a line at every single space (pre-tokenized input).
void split_at_spaces(const char* line, size_t size, std::vector<const char*>* pieces, std::vector<size_t>* lengths);

}  // namespace postag
}  // namespace ffnlp
