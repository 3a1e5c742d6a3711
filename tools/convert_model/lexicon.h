// The lexicon (docs/SPEC.md "Lexicon"): the words file of a spec's
// [lexicon] section becomes the lexicon.* metadata (docs/FORMAT.md), which
// the runtime reads on texts of a few words: each of their words found in
// it adds a fixed weight to its label's logit (runtime/src/heads/lexicon.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ffnlp/toolkit.h"
#include "tools/common/feature_metadata.h"
#include "tools/common/model_writer.h"

namespace ffnlp {
namespace tools {

// The spec's [lexicon] section.
struct LexiconSpec {
  bool present = false;
  uint32_t seed = 0;
  float weight = 0;        // above 0, at most format::kMaxLexiconWeight
  uint32_t max_words = 0;  // 1 .. format::kMaxLexiconWords
  std::string words_file;  // relative to the spec file
  int line = 0;            // of the section header, for messages
};

// What the file stores, and what the converter reports.
struct LexiconTables {
  uint32_t seed = 0;
  float weight = 0;
  uint32_t max_words = 0;
  std::vector<uint32_t> entries;  // (key & ~mask) | label, strictly ascending
  size_t labels = 0;              // distinct labels of the entries
  // Two words of other labels whose keys share their high bits: each then
  // adds to both labels (rare; the message names them and their lines).
  std::vector<std::string> warnings;
};

// Parses the words file's text (`file` names it in messages) against the
// model's label codes. Each WORD is read as the model reads text (`text`:
// its [text] options: decoding, clean-up, lowercasing, digits) and must be
// exactly one word there. Throws std::runtime_error "FILE:LINE: message"
// (or "FILE: message" for what concerns the whole file).
LexiconTables build_lexicon_tables(const std::string& words_text, const std::string& file, const LexiconSpec& spec,
                                   const std::vector<std::string>& label_codes, const TextMetadata& text);

// Adds the lexicon.* keys.
void write_lexicon_tables(const LexiconTables& tables, ModelWriter* writer);

}  // namespace tools
}  // namespace ffnlp
