#include "tools/train/dataset.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

namespace ffnlp {
namespace train {

std::map<std::string, std::vector<std::string>> read_tsv(const std::string& path,
                                                         size_t* skipped) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::map<std::string, std::vector<std::string>> out;
  std::string line;
  size_t bad = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 >= line.size()) {
      if (!line.empty()) ++bad;
      continue;
    }
    out[line.substr(0, tab)].push_back(line.substr(tab + 1));
  }
  if (skipped) *skipped = bad;
  return out;
}

LabelSet make_labels(const std::map<std::string, std::vector<std::string>>& train,
                     const std::string& languages_path) {
  std::map<std::string, std::string> names, licences, sources;
  if (!languages_path.empty()) {
    std::ifstream in(languages_path, std::ios::binary);
    if (!in) throw std::runtime_error(languages_path + ": cannot open");
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      const size_t t1 = line.find('\t');
      if (t1 == std::string::npos) continue;
      const size_t t2 = line.find('\t', t1 + 1);
      std::string name = line.substr(t1 + 1, t2 == std::string::npos ? std::string::npos
                                                                     : t2 - t1 - 1);
      names.emplace(line.substr(0, t1), name);
      if (t2 != std::string::npos) {
        const size_t t3 = line.find('\t', t2 + 1);
        sources.emplace(line.substr(0, t1),
                        line.substr(t2 + 1, t3 == std::string::npos ? std::string::npos : t3 - t2 - 1));
      }
      // Columns: CODE, NAME, sources, train chars, held-out chars, licences.
      size_t start = t1;
      for (int col = 1; col < 5 && start != std::string::npos; ++col)
        start = line.find('\t', start + 1);
      if (start != std::string::npos) {
        const size_t stop = line.find('\t', start + 1);
        licences.emplace(line.substr(0, t1),
                         line.substr(start + 1, stop == std::string::npos ? std::string::npos
                                                                           : stop - start - 1));
      }
    }
  }
  LabelSet labels;
  for (const auto& kv : train) {  // std::map: sorted codes
    labels.index[kv.first] = static_cast<uint32_t>(labels.codes.size());
    labels.codes.push_back(kv.first);
    auto it = names.find(kv.first);
    labels.names.push_back(it != names.end() && !it->second.empty() ? it->second : kv.first);
    auto lic = licences.find(kv.first);
    labels.licences.push_back(lic != licences.end() ? lic->second : std::string());
    auto src = sources.find(kv.first);
    labels.sources.push_back(src != sources.end() ? src->second : std::string());
  }
  return labels;
}

Corpus make_corpus(const std::map<std::string, std::vector<std::string>>& by_code,
                   const LabelSet& labels, size_t* unknown_lines) {
  Corpus c;
  size_t unknown = 0, bytes = 0;
  for (const auto& kv : by_code)
    for (const auto& t : kv.second) bytes += t.size();
  c.arena.reserve(bytes);
  c.label_lines.resize(labels.codes.size());
  for (const auto& kv : by_code) {
    auto it = labels.index.find(kv.first);
    if (it == labels.index.end()) {
      unknown += kv.second.size();
      continue;
    }
    for (const auto& t : kv.second) {
      if (t.size() > 0xFFFFFFF0u) continue;
      c.label_lines[it->second].push_back(static_cast<uint32_t>(c.line_begin.size()));
      c.line_begin.push_back(c.arena.size());
      c.line_size.push_back(static_cast<uint32_t>(t.size()));
      c.line_label.push_back(it->second);
      c.arena += t;
    }
  }
  if (unknown_lines) *unknown_lines = unknown;
  return c;
}

uint32_t count_chars(const char* s, size_t n) {
  uint32_t count = 0;
  for (size_t i = 0; i < n; ++i)
    if ((static_cast<uint8_t>(s[i]) & 0xC0) != 0x80) ++count;
  return count;
}

bool has_running_text(const std::string& sources) {
  size_t begin = 0;
  while (begin <= sources.size()) {
    size_t end = sources.find(',', begin);
    if (end == std::string::npos) end = sources.size();
    const std::string family = sources.substr(begin, end - begin);
    if (!family.empty() && family != "udhr" && family != "cldr" && family != "wordlists" &&
        family != "subtitle-words")
      return true;
    begin = end + 1;
  }
  return false;
}

std::vector<uint32_t> label_quota(const Corpus& corpus, const LabelSet& labels,
                                  const SamplingOptions& options) {
  const uint32_t label_count = static_cast<uint32_t>(labels.codes.size());
  std::vector<uint64_t> chars(label_count, 0);
  for (size_t i = 0; i < corpus.size(); ++i) chars[corpus.line_label[i]] += corpus.line_size[i];
  std::vector<uint32_t> quota(label_count, 0);
  for (uint32_t l = 0; l < label_count; ++l) {
    if (corpus.label_lines[l].empty()) continue;
    // Bytes, not characters: close enough for Latin; other scripts (2-3
    // bytes per character) get somewhat more examples, which they need
    // anyway (more distinct n-grams).
    uint64_t q = chars[l] / std::max<uint32_t>(1, options.chars_per_example);
    q = std::max<uint64_t>(q, options.min_per_label);
    q = std::min<uint64_t>(q, options.max_per_label);
    quota[l] = static_cast<uint32_t>(q);
    if (options.rich_quota && l < labels.sources.size() && has_running_text(labels.sources[l]))
      quota[l] = options.rich_quota;
  }
  for (const std::string& code : options.boosted) {
    const auto it = labels.index.find(code);
    if (it == labels.index.end() || quota[it->second] == 0) continue;
    quota[it->second] = static_cast<uint32_t>(std::lround(quota[it->second] * options.boost));
  }
  return quota;
}

namespace {

// Character start offsets of a line, plus its size as the final entry.
void char_offsets(const char* s, uint32_t n, std::vector<uint32_t>* out) {
  out->clear();
  for (uint32_t i = 0; i < n; ++i)
    if ((static_cast<uint8_t>(s[i]) & 0xC0) != 0x80) out->push_back(i);
  if (out->empty() || out->front() != 0) out->insert(out->begin(), 0);
  out->push_back(n);
}

uint32_t between(std::mt19937_64& rng, uint32_t lo, uint32_t hi) {  // [lo, hi]
  return lo + static_cast<uint32_t>(uniform_below(rng, hi - lo + 1));
}

}  // namespace

std::vector<Span> plan_epoch(const Corpus& corpus, uint32_t label_count,
                             const std::vector<uint32_t>& quota, const SamplingOptions& options,
                             std::mt19937_64& rng) {
  constexpr uint32_t kMaxWholeChars = 1000;
  std::vector<Span> spans;
  size_t total = 0;
  for (uint32_t q : quota) total += q;
  spans.reserve(total);
  std::vector<uint32_t> off;
  for (uint32_t l = 0; l < label_count; ++l) {
    const auto& lines = corpus.label_lines[l];
    if (lines.empty()) continue;
    for (uint32_t k = 0; k < quota[l]; ++k) {
      const uint32_t line = lines[uniform_below(rng, lines.size())];
      const char* s = corpus.text(line);
      const uint32_t size = corpus.line_size[line];
      char_offsets(s, size, &off);
      const uint32_t n = static_cast<uint32_t>(off.size() - 1);  // characters
      const double r = uniform01(rng);
      uint32_t target;
      if (r < options.whole_line) {
        target = n <= kMaxWholeChars ? n : between(rng, 300, kMaxWholeChars);
      } else if (r < options.whole_line + options.short_span) {
        target = between(rng, 5, 20);
      } else if (r < options.whole_line + options.short_span + options.medium_span) {
        target = between(rng, 20, 60);
      } else {
        target = between(rng, 60, 300);
      }
      uint32_t b = 0, e = n;
      if (target < n) {
        b = static_cast<uint32_t>(uniform_below(rng, n - target + 1));
        e = b + target;
        if (uniform01(rng) < options.word_snap) {
          // Extend to whole words (at most 20 characters each way).
          for (int i = 0; i < 20 && b > 0 && s[off[b - 1]] != ' '; ++i) --b;
          for (int i = 0; i < 20 && e < n && s[off[e]] != ' '; ++i) ++e;
        }
      }
      while (b < e && s[off[b]] == ' ') ++b;
      while (e > b && s[off[e - 1]] == ' ') --e;
      if (b >= e) {
        b = 0;
        e = n;
      }
      spans.push_back(Span{line, off[b], off[e], l});
    }
  }
  // Fisher-Yates with a portable bounded draw.
  for (size_t i = spans.size(); i > 1; --i) std::swap(spans[i - 1], spans[uniform_below(rng, i)]);
  return spans;
}

size_t append_lines(Corpus* to, const Corpus& from) {
  const size_t first = to->size();
  const uint64_t base = to->arena.size();
  to->arena += from.arena;
  for (size_t i = 0; i < from.size(); ++i) {
    to->line_begin.push_back(base + from.line_begin[i]);
    to->line_size.push_back(from.line_size[i]);
    to->line_label.push_back(from.line_label[i]);
  }
  return first;
}

std::vector<uint32_t> finetune_quota(const Corpus& finetune, const LabelSet& labels,
                                     const SamplingOptions& options) {
  SamplingOptions o = options;
  o.min_per_label = 1;
  o.rich_quota = 0;
  o.boost = 1;  // a cap on the fine-tuning text's own examples, not a share
  return label_quota(finetune, labels, o);
}

void finetune_counts(const std::vector<uint32_t>& main_quota, const std::vector<uint32_t>& cap,
                     double size, double own_share, std::vector<uint32_t>* own,
                     std::vector<uint32_t>* ordinary) {
  own->assign(main_quota.size(), 0);
  ordinary->assign(main_quota.size(), 0);
  for (size_t l = 0; l < main_quota.size(); ++l) {
    const uint32_t q = static_cast<uint32_t>(size * main_quota[l] + 0.5);
    (*own)[l] = std::min(cap[l], static_cast<uint32_t>(own_share * q + 0.5));
    (*ordinary)[l] = q - (*own)[l];
  }
}

std::vector<Span> plan_finetune_epoch(const Corpus& main, const std::vector<uint32_t>& ordinary,
                                      const Corpus& finetune, const std::vector<uint32_t>& own,
                                      size_t finetune_first, uint32_t label_count,
                                      const SamplingOptions& options, std::mt19937_64& rng) {
  std::vector<Span> spans = plan_epoch(finetune, label_count, own, options, rng);
  for (Span& s : spans) s.line += static_cast<uint32_t>(finetune_first);
  const std::vector<Span> rest = plan_epoch(main, label_count, ordinary, options, rng);
  spans.insert(spans.end(), rest.begin(), rest.end());
  for (size_t i = spans.size(); i > 1; --i) std::swap(spans[i - 1], spans[uniform_below(rng, i)]);
  return spans;
}

void add_noise_spans(std::vector<Span>* spans, double fraction, std::mt19937_64& rng) {
  const size_t real = spans->size();
  if (real == 0 || fraction <= 0) return;
  const size_t count = static_cast<size_t>(fraction * static_cast<double>(real) + 0.5);
  for (size_t k = 0; k < count; ++k) {
    Span noise = (*spans)[uniform_below(rng, real)];
    noise.scramble = static_cast<uint32_t>(rng() | 1);
    spans->push_back(noise);
  }
  for (size_t i = spans->size(); i > 1; --i) std::swap((*spans)[i - 1], (*spans)[uniform_below(rng, i)]);
}

void scramble_text(const char* s, size_t n, uint32_t seed, std::string* out) {
  std::vector<std::pair<size_t, size_t>> chars;  // byte ranges of non-space characters
  std::vector<size_t> slots;                      // their positions in the character sequence
  std::vector<std::pair<size_t, size_t>> all;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
    if (s[i] != ' ') {
      slots.push_back(all.size());
      chars.push_back({i, j - i});
    }
    all.push_back({i, j - i});
    i = j;
  }
  std::mt19937_64 local(seed);
  for (size_t i = chars.size(); i > 1; --i) std::swap(chars[i - 1], chars[uniform_below(local, i)]);
  for (size_t k = 0; k < slots.size(); ++k) all[slots[k]] = chars[k];
  out->clear();
  for (const auto& c : all) out->append(s + c.first, c.second);
}

}  // namespace train
}  // namespace ffnlp
