// Tagged sentences for training and evaluating part-of-speech taggers, read
// from either of two formats (one reader, so the trainer and `postag --eval`
// count the same tokens):
//   our TSV (tools/pos/prepare_brown.py): FORM<TAB>TAG[<TAB>ORIGINAL_TAG],
//     a blank line after each sentence, "# doc = ca01 genre = press: ..."
//     comment lines naming the document and genre;
//   CoNLL-U: ten tab-separated columns; FORM (2) and UPOS (4) are read, UPOS
//     folded into the 12 universal tags (fold_upos()); multi-word token
//     ranges (1-2) and empty nodes (1.1) are skipped; "# sent_id"/"# newdoc"
//     comments are ignored except "# newdoc id = X", which names the document.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ffnlp {
namespace tools {

// The 12 universal tags of Petrov, Das and McDonald, in the taggers' label
// order.
const std::vector<std::string>& universal_tags();

// A UPOS tag (Universal Dependencies, 17 tags) folded into the 12:
// PROPN->NOUN, AUX->VERB, CCONJ/SCONJ->CONJ, PART->PRT, PUNCT->., SYM/INTJ->X;
// the 12 themselves map to themselves. Empty for anything else.
std::string fold_upos(const std::string& tag);

struct TaggedSentence {
  std::vector<std::string> forms;
  std::vector<uint32_t> tags;  // index into universal_tags()
  uint32_t doc = 0;            // index into TaggedCorpus::docs
};

struct TaggedCorpus {
  std::vector<TaggedSentence> sentences;
  std::vector<std::string> docs;    // document names ("" when the file has none)
  std::vector<std::string> genres;  // per document ("" when unknown)
  uint64_t tokens() const;
};

// Reads a file in either format (decided per line: ten columns with a
// numeric first one is CoNLL-U). Throws std::runtime_error naming the file
// and line on a tag that is not one of the 12 (after folding) or a line with
// too few columns.
TaggedCorpus read_tagged_corpus(const std::string& path);

}  // namespace tools
}  // namespace ffnlp
