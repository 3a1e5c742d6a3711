#include "tools/bench/tagger_bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <vector>

#include "tools/bench/alloc_hooks.h"
#include "tools/common/tagged_corpus.h"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;
volatile uint64_t g_tag_sink = 0;

struct Sentences {
  std::vector<std::string> texts;                 // forms joined by spaces
  std::vector<std::vector<const char*>> tokens;   // into `forms`
  std::vector<std::vector<size_t>> lengths;
  std::vector<std::vector<std::string>> forms;
  std::string source;
  uint64_t token_count = 0, bytes = 0;
};

Sentences load_sentences(const std::string& path) {
  Sentences s;
  try {
    const ffnlp::tools::TaggedCorpus corpus = ffnlp::tools::read_tagged_corpus(path);
    for (const auto& sentence : corpus.sentences) s.forms.push_back(sentence.forms);
    s.source = path;
  } catch (const std::exception&) {
    s.forms = {{"The", "old", "man", "the", "boat", "."},
               {"Time", "flies", "like", "an", "arrow", ";", "fruit", "flies", "like", "a", "banana", "."},
               {"She", "said", "that", "the", "committee", "would", "meet", "again", "on", "Tuesday", "."}};
    s.source = "a built-in sample (" + path + " not found)";
  }
  for (const auto& forms : s.forms) {
    std::string text;
    std::vector<const char*> tokens;
    std::vector<size_t> lengths;
    for (const std::string& f : forms) {
      if (!text.empty()) text += ' ';
      text += f;
      tokens.push_back(f.data());
      lengths.push_back(f.size());
    }
    s.token_count += forms.size();
    s.bytes += text.size();
    s.texts.push_back(text);
    s.tokens.push_back(tokens);
    s.lengths.push_back(lengths);
  }
  return s;
}

double thread_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Passes per second of each timed run, after a warm-up pass: by the wall
// clock (sorted) and by this thread's CPU time (the best run; on a shared
// machine the wall clock also counts time the thread waited for a core).
struct Rates {
  std::vector<double> wall;
  double cpu_best = 0;
};

template <class F>
Rates pass_rates(const TaggerBenchOptions& o, F&& pass) {
  pass();
  const Clock::time_point c0 = Clock::now();
  pass();
  const double once = std::max(std::chrono::duration<double>(Clock::now() - c0).count(), 1e-9);
  const long reps = std::max(1L, static_cast<long>(std::ceil(o.min_time / once)));
  Rates r;
  for (int run = 0; run < o.runs; ++run) {
    const Clock::time_point t0 = Clock::now();
    const double cpu0 = thread_cpu_seconds();
    for (long k = 0; k < reps; ++k) pass();
    const double cpu = std::max(thread_cpu_seconds() - cpu0, 1e-9);
    r.wall.push_back(static_cast<double>(reps) / std::chrono::duration<double>(Clock::now() - t0).count());
    r.cpu_best = std::max(r.cpu_best, static_cast<double>(reps) / cpu);
  }
  std::sort(r.wall.begin(), r.wall.end());
  return r;
}

double median(const std::vector<double>& sorted) {
  const size_t n = sorted.size();
  return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

void row(const char* what, const Rates& r, double tokens, double bytes) {
  std::printf("  %-34s %10.4g tokens/s [%.4g-%.4g]  %7.2f MB/s  (thread CPU time: %.4g tokens/s)\n", what,
              median(r.wall) * tokens, r.wall.front() * tokens, r.wall.back() * tokens,
              median(r.wall) * bytes / 1e6, r.cpu_best * tokens);
}

}  // namespace

void tagger_section(const TaggerBenchOptions& o, const ffnlp::Model& classifier) {
  std::vector<uint8_t> bytes;
  {
    std::ifstream in(o.tagger_path, std::ios::binary);
    if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ffnlp::Model tagger;
  ffnlp::Error error;
  if (bytes.empty() || ffnlp::Model::load(bytes.data(), bytes.size(), &tagger, &error) != ffnlp::Status::kOk ||
      !tagger.is_tagger()) {
    std::printf("  (no tagger at %s; skipped)\n", o.tagger_path.c_str());
    return;
  }
  const Sentences s = load_sentences(o.sentences_path);
  std::printf("  tagger %s, %zu bytes, input %u, layers", o.tagger_path.c_str(), bytes.size(), tagger.input_width());
  for (uint32_t l = 0; l < tagger.layer_count(); ++l) std::printf(" %ux%u", tagger.layer(l).out, tagger.layer(l).in);
  std::printf("\n  sentences: %s: %zu sentences, %llu tokens, %llu bytes; one sentence per call\n", s.source.c_str(),
              s.texts.size(), static_cast<unsigned long long>(s.token_count), static_cast<unsigned long long>(s.bytes));
  ffnlp::Workspace ws(tagger);
  size_t longest = 0;
  for (const auto& t : s.tokens) longest = std::max(longest, t.size());
  std::vector<ffnlp::TaggedToken> out(std::max<size_t>(longest * 4, 64));
  auto tag_text = [&](size_t i) {
    size_t n = 0;
    tagger.tag(s.texts[i].data(), s.texts[i].size(), ws, out.data(), out.size(), &n);
    return out[0].label_index + n;
  };
  auto tag_tokens = [&](size_t i) {
    tagger.tag_tokens(s.tokens[i].data(), s.lengths[i].data(), s.tokens[i].size(), ws, out.data());
    return out[0].label_index;
  };
  const double tokens = static_cast<double>(s.token_count), text_bytes = static_cast<double>(s.bytes);
  const Rates pre = pass_rates(o, [&] {
    uint64_t k = 0;
    for (size_t i = 0; i < s.texts.size(); ++i) k += tag_tokens(i);
    g_tag_sink = g_tag_sink + k;
  });
  const Rates text = pass_rates(o, [&] {
    uint64_t k = 0;
    for (size_t i = 0; i < s.texts.size(); ++i) k += tag_text(i);
    g_tag_sink = g_tag_sink + k;
  });
  row("tag_tokens() (pre-tokenized)", pre, tokens, text_bytes);
  row("tag() (tokenizer + tagger)", text, tokens, text_bytes);
  if (classifier.is_classifier()) {
    ffnlp::Workspace cws(classifier);
    const Rates lid = pass_rates(o, [&] {
      uint64_t k = 0;
      ffnlp::Prediction top[1];
      for (const std::string& t : s.texts) {
        size_t n = 0;
        classifier.classify(t.data(), t.size(), cws, top, 1, &n);
        k += top[0].label_index + n;
      }
      g_tag_sink = g_tag_sink + k;
    });
    std::printf("  %-34s %10.4g sentences/s        %7.2f MB/s\n", "baseline: langid classify(), same text",
                median(lid.wall) * static_cast<double>(s.texts.size()), median(lid.wall) * text_bytes / 1e6);
    std::printf("  ratio tag() / classify(), bytes per second on the same sentences: %.2f; tag_tokens(): %.2f\n",
                median(text.wall) / median(lid.wall), median(pre.wall) / median(lid.wall));
  }
  uint64_t calls = 0;
  const uint64_t before = allocation_count();
  for (size_t i = 0; i < s.texts.size(); ++i) {
    g_tag_sink = g_tag_sink + tag_text(i) + tag_tokens(i);
    calls += 2;
  }
  std::printf("  heap allocations: %llu in %llu calls of tag() and tag_tokens()\n",
              static_cast<unsigned long long>(allocation_count() - before), static_cast<unsigned long long>(calls));
}

}  // namespace bench
