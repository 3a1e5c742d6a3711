// postag --eval: tags every sentence of a tagged file (our TSV or CoNLL-U,
// tools/common/tagged_corpus.h) as pre-tokenized input and reports token
// accuracy, accuracy on words outside the model's vocabulary, per-tag
// precision/recall/F1, the most frequent confusions and, when the file
// names genres, accuracy per genre.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/common/tagged_corpus.h"

namespace ffnlp {
namespace postag {

struct EvalCounts {
  uint64_t tokens = 0, correct = 0;
  uint64_t oov = 0, oov_correct = 0;  // tokens whose word row is not a vocabulary row
  std::vector<std::vector<uint64_t>> confusion;  // [gold][predicted], universal_tags() order
  std::vector<std::string> genres;               // in first-seen order
  std::vector<uint64_t> genre_tokens, genre_correct;
};

// Tags the corpus; the model's labels must be the 12 universal tags (in any
// order). Returns kOk or the first failing status (with the sentence number
// in *failed_sentence).
Status evaluate_tagger(const Model& model, const tools::TaggedCorpus& corpus, EvalCounts* counts,
                       size_t* failed_sentence);

// The report as text.
std::string format_eval_report(const EvalCounts& counts, const std::string& file);

}  // namespace postag
}  // namespace ffnlp
