#include "tools/langid/spans.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ffnlp/features.h"

namespace ffnlp {
namespace langid {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Script of a word's first letter (kCommon when it has none).
Script word_script(const char* text, size_t begin, size_t end) {
  size_t i = begin;
  while (i < end) {
    uint32_t cp = 0;
    i += decode_utf8(reinterpret_cast<const uint8_t*>(text) + i, end - i, &cp);
    if (normalize_char(cp, false).char_class == CharClass::kLetter) return script_of(cp);
  }
  return Script::kCommon;
}

// Whether a word ends a sentence: its last character before closing quotes
// and brackets is . ! ? or an ellipsis (ASCII or U+2026), or the word ends
// in a CJK full stop, exclamation or question mark.
bool ends_sentence(const char* text, size_t begin, size_t end) {
  const auto* t = reinterpret_cast<const uint8_t*>(text);
  auto ends_with = [&](const char* suffix, size_t n) {
    return end - begin >= n && std::equal(suffix, suffix + n, text + end - n);
  };
  while (end > begin) {
    const uint8_t c = t[end - 1];
    if (c == '"' || c == '\'' || c == ')' || c == ']') {
      --end;
    } else if (ends_with("\xe2\x80\x9d", 3) || ends_with("\xe2\x80\x99", 3)) {  // ” ’
      end -= 3;
    } else if (ends_with("\xc2\xbb", 2)) {  // »
      end -= 2;
    } else {
      break;
    }
  }
  if (end == begin) return false;
  const uint8_t last = t[end - 1];
  if (last == '.' || last == '!' || last == '?') return true;
  return ends_with("\xe2\x80\xa6", 3) || ends_with("\xe3\x80\x82", 3) ||  // … 。
         ends_with("\xef\xbc\x81", 3) || ends_with("\xef\xbc\x9f", 3);    // ！ ？
}

constexpr size_t kKeepWords = 1 << 16;  // per-word buffers kept between calls

template <class T>
void release(std::vector<T>& v) {
  std::vector<T>().swap(v);
}

}  // namespace

SpanFinder::SpanFinder(const Model& model, const SpanOptions& options)
    : model_(model), options_(options), labels_(model.label_count()) {
  options_.candidates = std::min<size_t>(std::max<size_t>(options_.candidates, 1), 32);
  probs_.resize(labels_);
  own_probs_.resize(labels_);
  total_.resize(labels_);
}

// The scores of word w's window (probs_) and of the word alone (own_probs_).
Status SpanFinder::score_word(const char* text, size_t w, Workspace& workspace) {
  const size_t n = words_.size(), context = options_.context_words;
  // A word's context stops at a change of script: across one, the
  // neighbours say nothing about this word's language.
  auto same_script = [&](size_t a, size_t b) {
    return scripts_[a] == scripts_[b] || scripts_[a] == static_cast<uint8_t>(Script::kCommon) ||
           scripts_[b] == static_cast<uint8_t>(Script::kCommon);
  };
  // Nor does it cross a sentence end (when context_within_sentence): the
  // next sentence may be in another language, and its words would pull
  // this sentence's last words over to it.
  const bool within = options_.context_within_sentence;
  size_t lo = w, hi = w;
  while (lo > 0 && w - (lo - 1) <= context && same_script(lo - 1, w) && !(within && ends_sentence_[lo - 1])) --lo;
  while (hi + 1 < n && (hi + 1) - w <= context && same_script(hi + 1, w) && !(within && ends_sentence_[hi])) ++hi;
  TextStats window;
  Input input;
  input.text = text + words_[lo].begin;
  input.size = words_[hi].end - words_[lo].begin;
  Status s = model_.scores(input, workspace.data(), workspace.size(), probs_.data(), labels_, options_.classify, &window);
  if (s != Status::kOk) return s;
  // Words without letters (numbers, punctuation) follow their neighbours.
  if (lo == w && hi == w) {  // no context: the window is the word
    own_probs_ = probs_;
    has_letters_[w] = window.letters > 0;
    return Status::kOk;
  }
  TextStats own;
  input.text = text + words_[w].begin;
  input.size = words_[w].end - words_[w].begin;
  s = model_.scores(input, workspace.data(), workspace.size(), own_probs_.data(), labels_, options_.classify, &own);
  if (s != Status::kOk) return s;
  has_letters_[w] = own.letters > 0;
  return Status::kOk;
}

Status SpanFinder::classify_span(const char* text, size_t begin, size_t end, Workspace& workspace, Span* span) {
  Prediction top[1];
  size_t count = 0;
  Input input;
  input.text = text + begin;
  input.size = end - begin;
  const Status s = model_.classify(input, workspace.data(), workspace.size(), top, 1, &count, options_.classify);
  if (s != Status::kOk) return s;
  *span = Span();
  span->begin = begin;
  span->end = end;
  if (count == 0) {  // no letters and no unknown label in the model
    span->label = "und";
    span->name = "Undetermined";
    return Status::kOk;
  }
  span->label_index = top[0].label_index;
  span->label = top[0].label[0] ? top[0].label : "und";
  span->name = top[0].name[0] ? top[0].name : (top[0].label_index == kNoLabel ? "Undetermined" : "");
  span->probability = top[0].probability;
  span->reliable = top[0].reliable;
  return Status::kOk;
}

void SpanFinder::release_if_large() {
  if (words_.capacity() <= kKeepWords) return;
  release(words_);
  release(scripts_);
  release(has_letters_);
  release(ends_sentence_);
  release(best_prev_);
  release(path_);
  release(switched_);
}

Status SpanFinder::find(const char* text, size_t size, Workspace& workspace, std::vector<Span>* spans) {
  spans->clear();
  if (spans->capacity() > kKeepWords) release(*spans);
  if (text == nullptr && size != 0) return Status::kInvalidArgument;
  if (size >= std::numeric_limits<uint32_t>::max()) return Status::kInvalidArgument;
  words_.clear();
  for (size_t i = 0; i < size;) {
    while (i < size && is_space(text[i])) ++i;
    const size_t start = i;
    while (i < size && !is_space(text[i])) ++i;
    if (i > start) words_.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(i)});
  }
  const size_t n = words_.size();
  if (n == 0 || labels_ == 0) {
    release_if_large();
    return Status::kOk;
  }
  scripts_.resize(n);
  ends_sentence_.resize(n);
  for (size_t w = 0; w < n; ++w) {
    scripts_[w] = static_cast<uint8_t>(word_script(text, words_[w].begin, words_[w].end));
    ends_sentence_[w] = ends_sentence(text, words_[w].begin, words_[w].end);
  }
  has_letters_.assign(n, 0);
  const float weight = options_.own_word_weight;
  auto log_score = [weight](float window, float own) {
    // The window gives context; the word's own letters decide at a border.
    return std::log(std::max(window, 1e-9f)) + weight * std::log(std::max(own, 1e-9f));
  };

  // Pass 1: every word's window scores; their sum picks the candidates.
  // While the scores of all words fit in the cache, they are kept for pass 2,
  // which takes logarithms for the candidates only.
  const bool cached = options_.cache_bytes / (2 * sizeof(float)) / labels_ >= n;
  if (cached) cache_.resize(2 * n * labels_);
  std::fill(total_.begin(), total_.end(), 0.0f);
  for (size_t w = 0; w < n; ++w) {
    const Status s = score_word(text, w, workspace);
    if (s != Status::kOk) return s;
    if (!has_letters_[w]) continue;  // adds nothing; pass 2 needs no scores
    for (uint32_t l = 0; l < labels_; ++l) total_[l] += probs_[l];
    if (cached) {
      std::copy(probs_.begin(), probs_.end(), cache_.begin() + static_cast<std::ptrdiff_t>(2 * w * labels_));
      std::copy(own_probs_.begin(), own_probs_.end(), cache_.begin() + static_cast<std::ptrdiff_t>((2 * w + 1) * labels_));
    }
  }
  // Without letters every word scores 0 for every label, so the Viterbi
  // path never switches: one span over all the words.
  if (std::find(has_letters_.begin(), has_letters_.end(), 1) == has_letters_.end()) {
    path_.assign(n, 0);
    return make_spans(text, n, workspace, spans);
  }
  // Candidate labels: the best by total probability mass over all windows.
  order_.resize(labels_);
  for (uint32_t l = 0; l < labels_; ++l) order_[l] = l;
  const size_t k = std::min<size_t>(options_.candidates, labels_);
  std::partial_sort(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(k), order_.end(),
                    [&](uint32_t a, uint32_t b) { return total_[a] > total_[b]; });
  order_.resize(k);

  // Pass 2: Viterbi over words, state = candidate label. Only the current
  // costs are kept; per word, the best previous state and which states
  // switched to it are enough to trace the path back.
  logp_.resize(k);
  cost_.assign(k, 0.0f);
  next_cost_.resize(k);
  best_prev_.assign(n, 0);
  switched_.assign(n, 0);
  for (size_t w = 0; w < n; ++w) {
    if (!has_letters_[w]) {
      std::fill(logp_.begin(), logp_.end(), 0.0f);
    } else if (cached) {
      const float* window = &cache_[2 * w * labels_];
      const float* own = window + labels_;
      for (size_t s = 0; s < k; ++s) logp_[s] = log_score(window[order_[s]], own[order_[s]]);
    } else {
      const Status st = score_word(text, w, workspace);
      if (st != Status::kOk) return st;
      for (size_t s = 0; s < k; ++s) logp_[s] = log_score(probs_[order_[s]], own_probs_[order_[s]]);
    }
    if (w == 0) {
      for (size_t s = 0; s < k; ++s) cost_[s] = -logp_[s];
      continue;
    }
    size_t best = 0;
    for (size_t s = 1; s < k; ++s) {
      if (cost_[s] < cost_[best]) best = s;
    }
    // Languages change at sentence and clause ends far more often than
    // inside a clause: a switch right after such punctuation is cheaper.
    // (Penalty 12, discount 0.5, windows and joins within a sentence: chosen
    // on spans_eval.py's dev groups, EXPERIMENTS.md "Spans within sentences".)
    const char last = text[words_[w - 1].end - 1];
    const bool clause_end = ends_sentence_[w - 1] || last == ';' || last == ':' || last == ',';
    const float penalty = options_.switch_penalty * (clause_end ? options_.clause_end_discount : 1.0f);
    uint32_t mask = 0;
    for (size_t s = 0; s < k; ++s) {
      const float stay = cost_[s];
      const float change = cost_[best] + penalty;
      const bool switch_better = change < stay && best != s;
      next_cost_[s] = (switch_better ? change : stay) - logp_[s];
      if (switch_better) mask |= 1u << s;
    }
    best_prev_[w] = static_cast<uint8_t>(best);
    switched_[w] = mask;
    cost_.swap(next_cost_);
  }
  path_.resize(n);
  size_t state = 0;
  for (size_t s = 1; s < k; ++s) {
    if (cost_[s] < cost_[state]) state = s;
  }
  for (size_t w = n; w-- > 0;) {
    path_[w] = static_cast<uint8_t>(state);
    if (w > 0 && (switched_[w] >> state & 1u)) state = best_prev_[w];
  }

  return make_spans(text, n, workspace, spans);
}

// Runs of one label on path_ become spans; each span is then classified
// whole, neighbours that get the same label are merged, and unsure spans
// join a neighbour that still wins (join_unsure_spans).
Status SpanFinder::make_spans(const char* text, size_t n, Workspace& workspace, std::vector<Span>* spans) {
  size_t start = 0;
  for (size_t w = 1; w <= n; ++w) {
    if (w < n && path_[w] == path_[start]) continue;
    const size_t begin = words_[start].begin;
    size_t end = w == n ? words_[n - 1].end : words_[w].begin;
    while (end > begin && is_space(text[end - 1])) --end;
    Span span;
    Status s = classify_span(text, begin, end, workspace, &span);
    if (s == Status::kOk && !spans->empty() && spans->back().label_index == span.label_index) {
      s = classify_span(text, spans->back().begin, end, workspace, &spans->back());
    } else if (s == Status::kOk) {
      spans->push_back(span);
    }
    if (s != Status::kOk) {
      spans->clear();
      return s;
    }
    start = w;
  }
  const Status s = join_unsure_spans(text, workspace, spans);
  if (s != Status::kOk) spans->clear();
  release_if_large();
  return s;
}

// The index of the span's last word (a span holds at least one word).
size_t SpanFinder::last_word(const Span& span) const {
  auto starts_before = [](const Word& w, size_t at) { return w.begin < at; };
  return static_cast<size_t>(std::lower_bound(words_.begin(), words_.end(), span.end, starts_before) - words_.begin()) - 1;
}

// The words that start inside the span (words_ is in text order).
size_t SpanFinder::words_in(const Span& span) const {
  auto starts_before = [](const Word& w, size_t at) { return w.begin < at; };
  const auto first = std::lower_bound(words_.begin(), words_.end(), span.begin, starts_before);
  const auto last = std::lower_bound(first, words_.end(), span.end, starts_before);
  return static_cast<size_t>(last - first);
}

// A span of a word or two whose own answer is not reliable ("I", "text
// first.") joins a reliable neighbour when that neighbour's language still
// wins on the joined text; otherwise it stays as it is. Longer unsure spans
// stay: a whole sentence in another language is often unsure on its own,
// and a longer neighbour would win the joined text and swallow it
// (tests/langid/spans_eval.py, dev, when it was chosen: pairs of sentences
// in two languages with both sentences right 67.0 % when any unsure span
// could join, 83.2 % with at most two words; pairs in one language answered
// as one span 90.0 % -> 86.4 %). One
// pass; a span takes part in at most one join, so each classification
// covers at most two of the original spans (linear in the text, however
// many spans).
Status SpanFinder::join_unsure_spans(const char* text, Workspace& workspace, std::vector<Span>* spans) {
  std::vector<Span>& v = *spans;
  // A span may join the one after it unless it ends a sentence (with
  // join_within_sentence): a short sentence of its own ("Dobrý den!")
  // between sentences of another language is kept, not swallowed.
  auto may_join = [&](const Span& first) {
    return !options_.join_within_sentence || !ends_sentence_[last_word(first)];
  };
  size_t out = 0;
  bool last_joined = false;  // v[out - 1] came from a join
  bool next_joined = false;  // v[i] came from a join (with the span before it)
  for (size_t i = 0; i < v.size(); ++i) {
    const Span current = v[i];
    const bool current_joined = next_joined;
    next_joined = false;
    if (!current.reliable && current.label_index != kNoLabel && !current_joined &&
        words_in(current) <= options_.join_max_words) {
      Span merged;
      if (out > 0 && !last_joined && v[out - 1].reliable && may_join(v[out - 1])) {
        const Status s = classify_span(text, v[out - 1].begin, current.end, workspace, &merged);
        if (s != Status::kOk) return s;
        if (merged.label_index == v[out - 1].label_index) {
          v[out - 1] = merged;
          last_joined = true;
          continue;
        }
      }
      if (i + 1 < v.size() && v[i + 1].reliable && may_join(current)) {
        const Status s = classify_span(text, current.begin, v[i + 1].end, workspace, &merged);
        if (s != Status::kOk) return s;
        if (merged.label_index == v[i + 1].label_index) {
          v[i + 1] = merged;
          next_joined = true;
          continue;
        }
      }
    }
    v[out++] = current;
    last_joined = current_joined;
  }
  v.resize(out);
  return merge_equal_neighbours(text, workspace, spans);
}

// A join can leave two neighbours with one label ("en" + "fi" joined, then
// "en"): each run of them becomes one span, classified once on its whole
// text (so each byte is classified at most once more here).
Status SpanFinder::merge_equal_neighbours(const char* text, Workspace& workspace, std::vector<Span>* spans) {
  std::vector<Span>& v = *spans;
  size_t out = 0;
  for (size_t i = 0; i < v.size();) {
    size_t j = i + 1;
    while (j < v.size() && v[j].label_index == v[i].label_index) ++j;
    if (j - i == 1) {
      v[out++] = v[i];
    } else {
      Span merged;
      const Status s = classify_span(text, v[i].begin, v[j - 1].end, workspace, &merged);
      if (s != Status::kOk) return s;
      v[out++] = merged;
    }
    i = j;
  }
  v.resize(out);
  return Status::kOk;
}

std::vector<Span> find_spans(const Model& model, Workspace& workspace, const std::string& text,
                             const SpanOptions& options) {
  SpanFinder finder(model, options);
  std::vector<Span> spans;
  finder.find(text.data(), text.size(), workspace, &spans);
  return spans;
}

}  // namespace langid
}  // namespace ffnlp
