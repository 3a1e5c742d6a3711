// train_pos: trains the window part-of-speech tagger (tools/train_pos/
// tagger_net.h) on tagged sentences (tools/common/tagged_corpus.h) and
// writes what convert_model turns into a tagger: OUT.npz (float32 arrays),
// OUT.spec (docs/SPEC.md) and OUT.words.txt (the word vocabulary).
//
//   train_pos --train data/pos/train.tsv --dev data/pos/dev.tsv -o /tmp/pos
//   convert_model /tmp/pos.npz --spec /tmp/pos.spec -o models/pos-en.ffm
//
// Reports per epoch: training loss and accuracy, dev accuracy (all tokens
// and words unseen in training) in float and after the 8-bit round trip.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "tools/common/file_io.h"
#include "tools/common/npy.h"
#include "tools/common/npz.h"
#include "tools/common/tagged_corpus.h"
#include "tools/train_pos/tagger_export.h"
#include "tools/train_pos/tagger_net.h"

using namespace ffnlp;
using namespace ffnlp::train;

namespace {

struct Options {
  std::string train, dev, test, out;
  uint32_t vocab = 8000, min_count = 2, oov_buckets = 64, word_dims = 32;
  std::vector<int32_t> word_window = {-2, -1, 0, 1, 2};
  uint32_t affix_buckets = 2000, affix_dims = 12;
  std::vector<int32_t> suffix_window = {-1, 0, 1};
  std::vector<int32_t> prefix_window = {0};
  uint32_t max_affix = 3;
  uint32_t shape_dims = 8;
  std::vector<int32_t> shape_window = {-2, -1, 0, 1, 2};
  uint32_t ngram_order = 3, ngram_buckets = 4000, ngram_dims = 16;
  uint32_t prev_dims = 8;
  std::vector<int32_t> prev_window = {-2, -1};
  uint32_t hidden = 128;
  bool quantize_dense = true;
  uint32_t epochs = 4, batch = 32;
  float lr = 0.002f, final_lr_fraction = 0.05f, emb_lr_scale = 3.0f, smoothing = 0.05f;
  uint64_t seed = 1;
  size_t max_sentences = 0;  // 0: all (quick runs)
};

std::vector<int32_t> parse_window(const std::string& s) {
  std::vector<int32_t> w;
  if (s == "none") return w;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) w.push_back(std::stoi(item));
  return w;
}

void usage() {
  std::fprintf(stderr,
               "usage: train_pos --train FILE --dev FILE -o OUT [options]\n"
               "  writes OUT.npz, OUT.spec, OUT.words.txt for convert_model\n"
               "  --test FILE            also report this file once at the end\n"
               "  --vocab N              most frequent lowercased words kept (default 8000)\n"
               "  --min-count N          ... seen at least N times (default 2)\n"
               "  --oov-buckets N        hashed rows for other words (default 64)\n"
               "  --word-dims N          (default 32)   --word-window LIST (default -2,-1,0,1,2)\n"
               "  --affix N              prefixes and suffixes of length 1..N (default 3; 0: none)\n"
               "  --affix-buckets N      rows per prefix/suffix length (default 2000)\n"
               "  --affix-dims N         (default 12)\n"
               "  --suffix-window LIST   (default -1,0,1)   --prefix-window LIST (default 0)\n"
               "  --shape-dims N         (default 8)    --shape-window LIST (default -2..2)\n"
               "  --ngram-order N        character n-grams within the token (default 3; 0: none)\n"
               "  --ngram-buckets N      (default 4000) --ngram-dims N (default 16)\n"
               "  --prev-dims N          previous-tag features (default 8; 0: none)\n"
               "  --prev-window LIST     (default -2,-1)\n"
               "  --hidden N             hidden ReLU units (default 128)\n"
               "  --float-dense          keep the dense layers float32 (default: 8-bit rows)\n"
               "  --epochs N (default 4) --batch N (default 32) --lr X (default 0.002, cosine decay)\n"
               "  --smoothing X          label smoothing (default 0.05)\n"
               "  --seed N               --max-sentences N (quick runs)\n");
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    auto u32 = [&]() { return static_cast<uint32_t>(std::stoul(value())); };
    if (a == "--train") o.train = value();
    else if (a == "--dev") o.dev = value();
    else if (a == "--test") o.test = value();
    else if (a == "-o" || a == "--output") o.out = value();
    else if (a == "--vocab") o.vocab = u32();
    else if (a == "--min-count") o.min_count = u32();
    else if (a == "--oov-buckets") o.oov_buckets = u32();
    else if (a == "--word-dims") o.word_dims = u32();
    else if (a == "--word-window") o.word_window = parse_window(value());
    else if (a == "--affix") o.max_affix = u32();
    else if (a == "--affix-buckets") o.affix_buckets = u32();
    else if (a == "--affix-dims") o.affix_dims = u32();
    else if (a == "--suffix-window") o.suffix_window = parse_window(value());
    else if (a == "--prefix-window") o.prefix_window = parse_window(value());
    else if (a == "--shape-dims") o.shape_dims = u32();
    else if (a == "--shape-window") o.shape_window = parse_window(value());
    else if (a == "--ngram-order") o.ngram_order = u32();
    else if (a == "--ngram-buckets") o.ngram_buckets = u32();
    else if (a == "--ngram-dims") o.ngram_dims = u32();
    else if (a == "--prev-dims") o.prev_dims = u32();
    else if (a == "--prev-window") o.prev_window = parse_window(value());
    else if (a == "--hidden") o.hidden = u32();
    else if (a == "--float-dense") o.quantize_dense = false;
    else if (a == "--epochs") o.epochs = u32();
    else if (a == "--batch") o.batch = u32();
    else if (a == "--lr") o.lr = std::stof(value());
    else if (a == "--smoothing") o.smoothing = std::stof(value());
    else if (a == "--seed") o.seed = std::stoull(value());
    else if (a == "--max-sentences") o.max_sentences = std::stoul(value());
    else if (a == "-h" || a == "--help") {
      usage();
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }
  if (o.train.empty() || o.dev.empty() || o.out.empty()) {
    usage();
    throw std::invalid_argument("--train, --dev and -o are required");
  }
  return o;
}

// The token as the word channel looks it up: letters lowercased (the
// runtime's Unicode simple lowercase).
std::string normalized(const std::string& form) {
  std::string out;
  const uint8_t* s = reinterpret_cast<const uint8_t*>(form.data());
  size_t i = 0;
  while (i < form.size()) {
    uint32_t cp = 0;
    i += decode_utf8(s + i, form.size() - i, &cp);
    cp = normalize_char(cp, true).code_point;
    char buf[4];
    size_t n = 0;
    if (cp < 0x80) {
      buf[n++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
      buf[n++] = static_cast<char>(0xC0 | (cp >> 6));
      buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      buf[n++] = static_cast<char>(0xE0 | (cp >> 12));
      buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      buf[n++] = static_cast<char>(0xF0 | (cp >> 18));
      buf[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
    out.append(buf, n);
  }
  return out;
}

// The most frequent normalised words, sorted by bytes (the row order of a
// vocabulary channel).
std::vector<std::string> make_vocab(const tools::TaggedCorpus& train, const Options& o) {
  std::map<std::string, uint64_t> counts;
  for (const auto& s : train.sentences) {
    for (const std::string& f : s.forms) ++counts[normalized(f)];
  }
  std::vector<std::pair<uint64_t, std::string>> ranked;
  for (const auto& [word, n] : counts) {
    const bool usable = n >= o.min_count && !word.empty() && word.size() <= 255 &&
                        word.find_first_of(std::string(" \t\r\n\x7f", 5)) == std::string::npos;
    if (usable) ranked.push_back({n, word});
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (ranked.size() > o.vocab) ranked.resize(o.vocab);
  std::vector<std::string> vocab;
  for (const auto& r : ranked) vocab.push_back(r.second);
  std::sort(vocab.begin(), vocab.end());
  return vocab;
}

TaggerConfig make_config(const Options& o, const std::vector<std::string>& vocab) {
  TaggerConfig cfg;
  auto add = [&](tools::ChannelMetadata c, const std::string& name) {
    c.embedding = "emb_" + name;
    c.pooling = "concat";
    cfg.channels.push_back(c);
  };
  tools::ChannelMetadata word;
  word.kind = "word";
  word.seed = 1201;
  word.vocab = vocab;
  word.oov_buckets = o.oov_buckets;
  word.buckets = static_cast<uint32_t>(vocab.size()) + o.oov_buckets + 2;
  word.dims = o.word_dims;
  word.window = o.word_window;
  add(word, "word");
  for (uint32_t k = 1; k <= o.max_affix; ++k) {
    for (const char* kind : {"suffix", "prefix"}) {
      const bool suffix = std::strcmp(kind, "suffix") == 0;
      if ((suffix ? o.suffix_window : o.prefix_window).empty()) continue;
      tools::ChannelMetadata c;
      c.kind = kind;
      c.length = k;
      c.seed = (suffix ? 1300 : 1400) + k;
      c.buckets = o.affix_buckets + 2;
      c.dims = o.affix_dims;
      c.window = suffix ? o.suffix_window : o.prefix_window;
      add(c, std::string(kind) + std::to_string(k));
    }
  }
  if (o.shape_dims > 0 && !o.shape_window.empty()) {
    tools::ChannelMetadata c;
    c.kind = "shape";
    c.buckets = 102;
    c.dims = o.shape_dims;
    c.window = o.shape_window;
    add(c, "shape");
  }
  if (o.ngram_order > 0) {
    tools::ChannelMetadata c;
    c.kind = "char_ngram";
    c.order = o.ngram_order;
    c.seed = 1500;
    c.buckets = o.ngram_buckets + 2;
    c.dims = o.ngram_dims;
    c.window = {0};
    add(c, "ngram" + std::to_string(o.ngram_order));
  }
  if (o.prev_dims > 0 && !o.prev_window.empty()) {
    tools::ChannelMetadata c;
    c.kind = "prev_label";
    c.buckets = static_cast<uint32_t>(tools::universal_tags().size()) + 2;
    c.dims = o.prev_dims;
    c.window = o.prev_window;
    add(c, "prev");
  }
  cfg.hidden = o.hidden;
  cfg.labels = static_cast<uint32_t>(tools::universal_tags().size());
  cfg.quantize_dense = o.quantize_dense;
  cfg.finalize();
  return cfg;
}

TokenSpan span_of(const tools::TaggedSentence& s) {
  TokenSpan t;
  for (const std::string& f : s.forms) {
    t.tokens.push_back(f.data());
    t.lengths.push_back(f.size());
  }
  return t;
}

struct Score {
  uint64_t tokens = 0, correct = 0, unknown = 0, unknown_correct = 0;
  double accuracy() const { return tokens ? 100.0 * correct / tokens : 0.0; }
  double unknown_accuracy() const { return unknown ? 100.0 * unknown_correct / unknown : 0.0; }
};

Score evaluate(const TaggerConfig& cfg, const TaggerParams& prm, const tools::TaggedCorpus& data,
               const std::set<std::string>& seen) {
  TaggerScratch s;
  s.init(cfg);
  Score score;
  std::vector<uint32_t> tags;
  for (const auto& sentence : data.sentences) {
    const TokenSpan span = span_of(sentence);
    tagger_tag(cfg, prm, span, &s, &tags);
    for (size_t i = 0; i < tags.size(); ++i) {
      const bool ok = tags[i] == sentence.tags[i];
      score.tokens += 1;
      score.correct += ok;
      if (!seen.count(sentence.forms[i])) {
        score.unknown += 1;
        score.unknown_correct += ok;
      }
    }
  }
  return score;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error(path + ": cannot write");
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int run(int argc, char** argv) {
  const Options o = parse_args(argc, argv);
  std::string command = "train_pos";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  tools::TaggedCorpus train = tools::read_tagged_corpus(o.train);
  if (o.max_sentences && train.sentences.size() > o.max_sentences) train.sentences.resize(o.max_sentences);
  const tools::TaggedCorpus dev = tools::read_tagged_corpus(o.dev);
  std::set<std::string> seen;
  for (const auto& s : train.sentences) seen.insert(s.forms.begin(), s.forms.end());
  const std::vector<std::string> vocab = make_vocab(train, o);
  const TaggerConfig cfg = make_config(o, vocab);
  std::fprintf(stderr, "train: %zu sentences, %llu tokens; dev: %llu tokens; vocabulary %zu words\n",
               train.sentences.size(), static_cast<unsigned long long>(train.tokens()),
               static_cast<unsigned long long>(dev.tokens()), vocab.size());
  std::fprintf(stderr, "channels %zu, input %u, hidden %u; weights about %.1f KB (%s dense)\n", cfg.channels.size(),
               cfg.input_width, cfg.hidden, cfg.weight_bytes() / 1024.0, cfg.quantize_dense ? "8-bit" : "float");

  std::mt19937_64 rng(o.seed);
  TaggerParams prm;
  prm.init(cfg, rng);
  TaggerAdam adam;
  adam.init(cfg);
  TaggerGrads grads;
  grads.init(cfg);
  TaggerScratch scratch;
  scratch.init(cfg);
  std::vector<TokenSpan> spans;
  for (const auto& s : train.sentences) spans.push_back(span_of(s));
  std::vector<size_t> order(train.sentences.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const uint64_t total_steps = (train.tokens() * o.epochs) / o.batch + 1;
  uint64_t steps = 0;
  for (uint32_t epoch = 1; epoch <= o.epochs; ++epoch) {
    const double start = now();
    std::shuffle(order.begin(), order.end(), rng);
    double loss = 0;
    uint64_t examples = 0, correct = 0;
    for (size_t k : order) {
      const tools::TaggedSentence& s = train.sentences[k];
      for (size_t i = 0; i < s.forms.size(); ++i) {
        tagger_accumulate(cfg, prm, spans[k], i, s.tags.data(), s.tags[i], o.smoothing, &scratch, &grads);
        if (grads.examples >= o.batch) {
          loss += grads.loss;
          examples += grads.examples;
          correct += grads.correct;
          const double progress = static_cast<double>(steps++) / static_cast<double>(total_steps);
          const float lr = o.lr * static_cast<float>(o.final_lr_fraction + (1.0 - o.final_lr_fraction) * 0.5 *
                                                                             (1.0 + std::cos(3.14159265358979 * progress)));
          tagger_adam_step(cfg, lr, o.emb_lr_scale, &grads, &prm, &adam);
        }
      }
    }
    const Score f = evaluate(cfg, prm, dev, seen);
    const Score q = evaluate(cfg, tagger_quantized_copy(cfg, prm), dev, seen);
    std::fprintf(stderr,
                 "epoch %u: loss %.4f train %.2f%% | dev float %.2f%% (unseen %.2f%%) | dev 8-bit %.2f%% (unseen "
                 "%.2f%%) | %.0f s\n",
                 epoch, examples ? loss / examples : 0.0, examples ? 100.0 * correct / examples : 0.0, f.accuracy(),
                 f.unknown_accuracy(), q.accuracy(), q.unknown_accuracy(), now() - start);
  }
  const Score f = evaluate(cfg, prm, dev, seen);
  const Score q = evaluate(cfg, tagger_quantized_copy(cfg, prm), dev, seen);
  std::printf("dev\t%llu tokens\tfloat %.2f%%\t8-bit %.2f%%\tunseen %llu tokens\tfloat %.2f%%\t8-bit %.2f%%\tweights %.1f KB\n",
              static_cast<unsigned long long>(f.tokens), f.accuracy(), q.accuracy(),
              static_cast<unsigned long long>(f.unknown), f.unknown_accuracy(), q.unknown_accuracy(),
              cfg.weight_bytes() / 1024.0);
  if (!o.test.empty()) {
    const tools::TaggedCorpus test = tools::read_tagged_corpus(o.test);
    const Score tf = evaluate(cfg, prm, test, seen);
    const Score tq = evaluate(cfg, tagger_quantized_copy(cfg, prm), test, seen);
    std::printf("test\t%llu tokens\tfloat %.2f%%\t8-bit %.2f%%\tunseen %llu tokens\tfloat %.2f%%\t8-bit %.2f%%\n",
                static_cast<unsigned long long>(tf.tokens), tf.accuracy(), tq.accuracy(),
                static_cast<unsigned long long>(tf.unknown), tf.unknown_accuracy(), tq.unknown_accuracy());
  }
  // Export: float arrays, the vocabulary (row order), the spec.
  const std::map<std::string, tools::NpyArray> arrays = tagger_arrays(cfg, prm);
  const std::vector<uint8_t> npz = tools::write_npz(arrays);
  write_text(o.out + ".npz", std::string(npz.begin(), npz.end()));
  std::string words;
  for (const std::string& w : vocab) words += w + "\n";
  const size_t slash = o.out.find_last_of('/');
  const std::string base = slash == std::string::npos ? o.out : o.out.substr(slash + 1);
  write_text(o.out + ".words.txt", words);
  write_text(o.out + ".spec", tagger_spec_text(cfg, base + ".words.txt", command));
  std::fprintf(stderr, "wrote %s.npz, %s.spec, %s.words.txt\n", o.out.c_str(), o.out.c_str(), o.out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_pos: %s\n", e.what());
    return 1;
  }
}
