// Splitting mixed-language text into language spans. Unlike CLD3, which
// only splits where the script changes, this finds switches inside one
// script (English then Finnish): every word is scored with its neighbours as
// context, and a Viterbi pass picks the label sequence that best explains
// the words while paying a penalty for each switch.
//
// Memory is bounded and does not depend on the number of labels per word:
// - per word 17 bytes (offsets, script, letters and sentence-end flags, the
//   Viterbi's back-pointer: the best previous state and a bit per state that
//   switched);
// - per span sizeof(Span) (at most one span per word);
// - a cache of the words' scores over all labels (window and word alone),
//   used while it fits in SpanOptions::cache_bytes (8 MiB: about 2,300 words
//   with 453 labels); a longer text is scored twice instead (once to choose
//   the candidate labels, once for the Viterbi pass), with the same result.
// A SpanFinder keeps its buffers between calls (one per thread); after a
// text of more than 64 K words it gives the extra memory back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"

namespace ffnlp {
namespace langid {

struct Span {
  size_t begin = 0, end = 0;        // byte offsets into the text, [begin, end)
  uint32_t label_index = kNoLabel;  // kNoLabel: no language (no letters)
  const char* label = "";           // inside the model bytes; never empty
  const char* name = "";            // e.g. "Finnish"; "Undetermined" for kNoLabel
  float probability = 0;            // of the label on the span's own text
  bool reliable = false;
};

struct SpanOptions {
  size_t context_words = 2;    // words on each side that score a word
  bool context_within_sentence = true;  // ... never across a sentence end (. ! ? …)
  float switch_penalty = 12.0f; // nats paid per language change
  size_t candidates = 12;      // labels considered (best over all windows), at most 32
  float own_word_weight = 0.5f; // weight of a word's own scores next to its window's
  float clause_end_discount = 0.5f;  // penalty factor after a sentence end or ; : ,
  size_t join_max_words = 2;   // an unsure span of at most this many words may join a neighbour
  bool join_within_sentence = true;  // ... of its own sentence only
  size_t cache_bytes = 8u << 20;  // scores kept per word while they fit (0: never)
  const ClassifyOptions* classify = nullptr;  // prior / allow-list of every model call (not owned)
};

class SpanFinder {
 public:
  explicit SpanFinder(const Model& model, const SpanOptions& options = SpanOptions());

  // Replaces *spans with the spans of text[0, size), in order; no spans when
  // the text has no words. Texts of 4 GiB or more are refused
  // (kInvalidArgument). Any failure of the model's scores() or classify()
  // is returned as it is, with *spans cleared.
  Status find(const char* text, size_t size, Workspace& workspace, std::vector<Span>* spans);

 private:
  struct Word {
    uint32_t begin, end;
  };
  Status score_word(const char* text, size_t w, Workspace& workspace);
  Status classify_span(const char* text, size_t begin, size_t end, Workspace& workspace, Span* span);
  Status make_spans(const char* text, size_t n, Workspace& workspace, std::vector<Span>* spans);
  Status join_unsure_spans(const char* text, Workspace& workspace, std::vector<Span>* spans);
  Status merge_equal_neighbours(const char* text, Workspace& workspace, std::vector<Span>* spans);
  size_t words_in(const Span& span) const;
  size_t last_word(const Span& span) const;
  void release_if_large();

  const Model& model_;
  SpanOptions options_;
  uint32_t labels_;
  std::vector<Word> words_;
  std::vector<uint8_t> scripts_, has_letters_, ends_sentence_;
  std::vector<float> probs_, own_probs_, total_, cache_;
  std::vector<uint32_t> order_;          // candidate labels
  std::vector<float> logp_, cost_, next_cost_;
  std::vector<uint8_t> best_prev_, path_;
  std::vector<uint32_t> switched_;       // bit s: state s came from best_prev
};

// One-shot convenience (allocates a SpanFinder). Spans are empty on failure.
std::vector<Span> find_spans(const Model& model, Workspace& workspace, const std::string& text,
                             const SpanOptions& options = SpanOptions());

}  // namespace langid
}  // namespace ffnlp
