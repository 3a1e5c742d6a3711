// Splitting mixed-language text into language spans. Unlike CLD3, which
// only splits where the script changes, this finds switches inside one
// script (English then Finnish): every word is scored with its neighbours as
// context, and a Viterbi pass picks the label sequence that best explains
// the words while paying a penalty for each switch.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"

namespace ffnlp {
namespace langid {

struct Span {
  size_t begin = 0, end = 0;  // byte offsets into the text, [begin, end)
  std::string label, name;
  float probability = 0;      // of the label on the span's own text
  bool reliable = false;
};

struct SpanOptions {
  size_t context_words = 2;    // words on each side that score a word
  float switch_penalty = 4.0f; // nats paid per language change
  size_t candidates = 12;      // labels considered (best over all windows)
  float own_word_weight = 0.5f; // weight of a word's own scores next to its window's
  float clause_end_discount = 0.25f;  // penalty factor after . ! ? ; : ,
};

std::vector<Span> find_spans(const Model& model, Workspace& workspace, const std::string& text,
                             const SpanOptions& options = SpanOptions());

}  // namespace langid
}  // namespace ffnlp
