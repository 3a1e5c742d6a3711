#include "tools/langid/spans.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ffnlp/features.h"

namespace ffnlp {
namespace langid {
namespace {

struct Word {
  size_t begin, end;
};

std::vector<Word> split_words(const std::string& text) {
  std::vector<Word> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    const size_t start = i;
    while (i < text.size() && !(text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    if (i > start) words.push_back({start, i});
  }
  return words;
}

// Script of a word's first letter (kCommon when it has none).
Script word_script(const std::string& text, const Word& word) {
  size_t i = word.begin;
  while (i < word.end) {
    uint32_t cp = 0;
    i += decode_utf8(reinterpret_cast<const uint8_t*>(text.data()) + i, word.end - i, &cp);
    if (normalize_char(cp, false).char_class == CharClass::kLetter) return script_of(cp);
  }
  return Script::kCommon;
}

Span classify_span(const Model& model, Workspace& workspace, const std::string& text, size_t begin, size_t end) {
  Span span;
  span.begin = begin;
  span.end = end;
  Prediction top[1];
  size_t count = 0;
  if (model.classify(text.data() + begin, end - begin, workspace, top, 1, &count) == Status::kOk && count == 1) {
    span.label = top[0].label;
    span.name = top[0].name;
    span.probability = top[0].probability;
    span.reliable = top[0].reliable;
  }
  return span;
}

}  // namespace

std::vector<Span> find_spans(const Model& model, Workspace& workspace, const std::string& text,
                             const SpanOptions& options) {
  const std::vector<Word> words = split_words(text);
  if (words.empty()) return {};
  const uint32_t labels = model.label_count();
  const size_t n = words.size();
  // Per-word log-probabilities from a window of neighbouring words.
  std::vector<std::vector<float>> logp(n, std::vector<float>(labels, 0.0f));
  std::vector<float> probs(labels), own_probs(labels);
  std::vector<float> total(labels, 0.0f);
  std::vector<bool> has_letters(n, false);
  // A word's context stops at a change of script: across one, the
  // neighbours say nothing about this word's language.
  std::vector<Script> scripts(n);
  for (size_t w = 0; w < n; ++w) scripts[w] = word_script(text, words[w]);
  auto same_script = [&](size_t a, size_t b) {
    return scripts[a] == scripts[b] || scripts[a] == Script::kCommon || scripts[b] == Script::kCommon;
  };
  for (size_t w = 0; w < n; ++w) {
    size_t lo = w, hi = w;
    while (lo > 0 && w - (lo - 1) <= options.context_words && same_script(lo - 1, w)) --lo;
    while (hi + 1 < n && (hi + 1) - w <= options.context_words && same_script(hi + 1, w)) ++hi;
    const size_t begin = words[lo].begin, end = words[hi].end;
    TextStats stats;
    if (model.scores(text.data() + begin, end - begin, workspace.data(), workspace.size(), probs.data(), labels, &stats) != Status::kOk) {
      continue;
    }
    // Words without letters (numbers, punctuation) follow their neighbours.
    TextStats own;
    model.scores(text.data() + words[w].begin, words[w].end - words[w].begin, workspace.data(), workspace.size(),
                 own_probs.data(), labels, &own);
    has_letters[w] = own.letters > 0;
    for (uint32_t l = 0; l < labels; ++l) {
      // The window gives context; the word's own letters decide at a border.
      logp[w][l] = has_letters[w] ? std::log(std::max(probs[l], 1e-9f)) +
                                        options.own_word_weight * std::log(std::max(own_probs[l], 1e-9f))
                                  : 0.0f;
      total[l] += has_letters[w] ? probs[l] : 0.0f;
    }
  }
  // Candidate labels: the best by total probability mass over all windows.
  std::vector<uint32_t> order(labels);
  for (uint32_t l = 0; l < labels; ++l) order[l] = l;
  const size_t k = std::min<size_t>(options.candidates, labels);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](uint32_t a, uint32_t b) { return total[a] > total[b]; });
  order.resize(k);
  // Viterbi over words: state = candidate label.
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<std::vector<float>> cost(n, std::vector<float>(k, inf));
  std::vector<std::vector<uint32_t>> back(n, std::vector<uint32_t>(k, 0));
  for (size_t s = 0; s < k; ++s) cost[0][s] = -logp[0][order[s]];
  for (size_t w = 1; w < n; ++w) {
    size_t best_prev = 0;
    for (size_t s = 1; s < k; ++s) {
      if (cost[w - 1][s] < cost[w - 1][best_prev]) best_prev = s;
    }
    // Languages change at sentence and clause ends far more often than
    // inside a clause: a switch right after such punctuation is cheaper.
    const char last = text[words[w - 1].end - 1];
    const bool clause_end = last == '.' || last == '!' || last == '?' || last == ';' || last == ':' || last == ',';
    const float penalty = options.switch_penalty * (clause_end ? options.clause_end_discount : 1.0f);
    for (size_t s = 0; s < k; ++s) {
      const float stay = cost[w - 1][s];
      const float change = cost[w - 1][best_prev] + penalty;
      const bool switch_better = change < stay && best_prev != s;
      cost[w][s] = (switch_better ? change : stay) - logp[w][order[s]];
      back[w][s] = static_cast<uint32_t>(switch_better ? best_prev : s);
    }
  }
  std::vector<size_t> path(n);
  size_t state = 0;
  for (size_t s = 1; s < k; ++s) {
    if (cost[n - 1][s] < cost[n - 1][state]) state = s;
  }
  for (size_t w = n; w-- > 0;) {
    path[w] = state;
    state = back[w][state];
  }
  // Runs of one label become spans; each span is then classified whole.
  std::vector<Span> spans;
  size_t start = 0;
  for (size_t w = 1; w <= n; ++w) {
    if (w == n || path[w] != path[start]) {
      const size_t begin = words[start].begin;
      const size_t end = w == n ? words[n - 1].end : words[w].begin;
      size_t trimmed_end = end;
      while (trimmed_end > begin && (text[trimmed_end - 1] == ' ' || text[trimmed_end - 1] == '\t' ||
                                     text[trimmed_end - 1] == '\n' || text[trimmed_end - 1] == '\r')) {
        --trimmed_end;
      }
      Span span = classify_span(model, workspace, text, begin, trimmed_end);
      if (!spans.empty() && spans.back().label == span.label) {
        spans.back() = classify_span(model, workspace, text, spans.back().begin, trimmed_end);
      } else {
        spans.push_back(span);
      }
      start = w;
    }
  }
  return spans;
}

}  // namespace langid
}  // namespace ffnlp
