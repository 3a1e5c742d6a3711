// `train evaluate`: scores a converted model (.ffm) on labelled text files
// under a grid of prior strengths and temperatures, from one pass of the
// network per line. Used to choose the prior strength, the temperature and
// the reliability threshold on development data (tools/train/EXPERIMENTS.md).
//
// The network's logits z come from the runtime (Model::logits with the
// uniform prior: exactly the converted model's numbers). For a prior
// strength a and a temperature T the probabilities are
//   p = softmax(z / T + a * log_prior)
// which is what the runtime computes for a model whose output layer was
// divided by T and whose stored log prior is a * log_prior.
#include "tools/train/evaluate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/train/dataset.h"
#include "tools/train/export.h"

namespace ffnlp {
namespace train {
namespace {

struct Line {
  uint32_t gold;        // label index
  uint32_t chars;       // code points of the raw line
  uint32_t letters = 0;
};

struct EvalSet {
  std::string name;
  std::vector<Line> lines;
  std::vector<std::string> texts;
  std::vector<float> logits;  // lines x labels (uniform prior)
  size_t unknown = 0;         // lines whose code is not a label of the model
};

std::vector<float> parse_floats(const std::string& s) {
  std::vector<float> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stof(item));
  if (out.empty()) throw std::invalid_argument("empty list: '" + s + "'");
  return out;
}

// log(writers / total) per label of the model, from language_prior.py's
// output (a label the file lacks is an error).
std::vector<float> log_prior_from(const std::string& path, const Model& model) {
  const std::map<std::string, double> writers = read_writers(path);
  std::vector<double> w;
  double total = 0;
  for (uint32_t l = 0; l < model.label_count(); ++l) {
    auto it = writers.find(model.label(l));
    if (it == writers.end()) throw std::runtime_error(path + ": no writers for label " + model.label(l));
    w.push_back(it->second);
    total += it->second;
  }
  std::vector<float> lp;
  for (double x : w) lp.push_back(static_cast<float>(std::log(x / total)));
  return lp;
}

EvalSet read_set(const std::string& name, const std::string& path, const Model& model) {
  EvalSet set;
  set.name = name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0) continue;
    const std::string code = line.substr(0, tab);
    const int32_t gold = model.find_label(code.c_str());
    if (gold < 0) {
      ++set.unknown;
      continue;
    }
    std::string text = line.substr(tab + 1);
    set.lines.push_back(Line{static_cast<uint32_t>(gold), count_chars(text.data(), text.size())});
    set.texts.push_back(std::move(text));
  }
  return set;
}

void compute_logits(const Model& model, EvalSet* set, int threads) {
  const size_t L = model.label_count(), n = set->lines.size();
  set->logits.assign(n * L, 0.0f);
  auto work = [&](size_t begin, size_t end) {
    ffnlp::Workspace ws(model);
    if (!ws.ok()) throw std::runtime_error("out of memory");
    for (size_t i = begin; i < end; ++i) {
      TextStats stats;
      const std::string& t = set->texts[i];
      Input input;
      input.text = t.data();
      input.size = t.size();
      // The logits as shipped (the model's prior), then the prior taken
      // out again: a model with neighbour words picks the group of its best
      // label after the prior, so only this way does strength 1 give the
      // runtime's answers (other strengths keep that group choice).
      float* z = set->logits.data() + i * L;
      const Status s = model.logits(input, ws.data(), ws.size(), z, L, nullptr, &stats);
      if (s != Status::kOk) throw std::runtime_error(std::string("logits: ") + status_name(s));
      for (size_t l = 0; l < L; ++l) z[l] -= model.log_prior(static_cast<uint32_t>(l));
      set->lines[i].letters = stats.letters;
    }
  };
  if (threads < 2 || n < 2) {
    work(0, n);
  } else {
    std::thread other(work, n / 2, n);
    work(0, n / 2);
    other.join();
  }
}

struct Combo {
  float strength, temperature;
};

// One line's outcome under one combination.
struct Outcome {
  uint32_t pred;   // kNoLabel: no letters (the runtime's "und")
  float p_top, p_gold, sum_sq;
};

Outcome score(const float* z, const std::vector<float>& log_prior, const Combo& c, uint32_t gold,
              uint32_t letters, std::vector<double>* buf) {
  const size_t L = log_prior.size();
  Outcome o{kNoLabel, 0.0f, 0.0f, 0.0f};
  if (letters == 0) return o;  // the runtime answers "und" with probability 0
  std::vector<double>& v = *buf;
  v.resize(L);
  double vmax = -INFINITY;
  for (size_t l = 0; l < L; ++l) {
    v[l] = static_cast<double>(z[l]) / c.temperature + c.strength * static_cast<double>(log_prior[l]);
    if (v[l] > vmax) {
      vmax = v[l];
      o.pred = static_cast<uint32_t>(l);
    }
  }
  double sum = 0;
  for (size_t l = 0; l < L; ++l) sum += v[l] = std::exp(v[l] - vmax);
  double sq = 0;
  for (size_t l = 0; l < L; ++l) {
    v[l] /= sum;
    sq += v[l] * v[l];
  }
  o.p_top = static_cast<float>(v[o.pred]);
  o.p_gold = static_cast<float>(v[gold]);
  o.sum_sq = static_cast<float>(sq);
  return o;
}

struct Summary {
  size_t n = 0, ok = 0;
  size_t n_le20 = 0, ok_le20 = 0, n_21_40 = 0, ok_21_40 = 0, n_gt40 = 0, ok_gt40 = 0, n_ge50 = 0, ok_ge50 = 0;
  double nll = 0, brier = 0;
  size_t long_n = 0, rel_n = 0, rel_ok = 0;  // texts of 20+ chars; marked reliable; of those right
  size_t short_n = 0, short_rel_n = 0, short_rel_ok = 0;  // the same for texts under 20 chars
  double bin_p[10] = {}, bin_ok[10] = {};
  size_t bin_n[10] = {};
};

// The model's rule (Model::is_reliable), with thresholds the caller may override.
struct Reliability {
  float probability = 0.7f;
  uint32_t letters = 0;
  uint32_t short_letters = 0;  // fewer letters than this need short_probability
  float short_probability = 1.0f;
  bool operator()(float p, uint32_t text_letters) const {
    if (text_letters < letters) return false;
    return p >= (text_letters < short_letters ? short_probability : probability);
  }
};

void add(Summary* s, const Line& line, const Outcome& o, const Reliability& reliable) {
  const bool ok = o.pred == line.gold;
  ++s->n;
  s->ok += ok;
  if (line.chars <= 20) ++s->n_le20, s->ok_le20 += ok;
  else if (line.chars <= 40) ++s->n_21_40, s->ok_21_40 += ok;
  else ++s->n_gt40, s->ok_gt40 += ok;
  if (line.chars >= 50) ++s->n_ge50, s->ok_ge50 += ok;
  s->nll += -std::log(std::max(1e-12, static_cast<double>(o.p_gold)));
  // Brier: sum over labels of (p - y)^2 = sum p^2 - 2 p_gold + 1.
  s->brier += static_cast<double>(o.sum_sq) - 2.0 * o.p_gold + 1.0;
  const int bin = std::min(9, static_cast<int>(o.p_top * 10));
  s->bin_n[bin] += 1;
  s->bin_p[bin] += o.p_top;
  s->bin_ok[bin] += ok;
  const bool marked = o.pred != kNoLabel && reliable(o.p_top, line.letters);
  if (line.chars >= 20) {
    ++s->long_n;
    s->rel_n += marked;
    s->rel_ok += marked && ok;
  } else {
    ++s->short_n;
    s->short_rel_n += marked;
    s->short_rel_ok += marked && ok;
  }
}

double pct(size_t a, size_t b) { return b ? 100.0 * a / b : 0.0; }

void usage() {
  std::printf(
      "usage: train evaluate --model M.ffm [options] NAME=FILE.tsv ...\n"
      "  Scores the model on each CODE<TAB>TEXT file (lines of codes the model lacks\n"
      "  are counted and skipped) under every combination of prior strength and\n"
      "  temperature: p = softmax(logits / T + strength x log prior).\n"
      "  --writers TSV          writers per language (tools/train/language_prior.py);\n"
      "                         default: the model's own log prior (strength 1 = as shipped)\n"
      "  --strength A,B,..      prior strengths (default 1)\n"
      "  --temperature A,B,..   temperatures (default 1)\n"
      "  --reliable-probability P  threshold for the reliable share (default: the model's)\n"
      "  --reliable-letters N      (default: the model's)\n"
      "  --reliable-short-letters N, --reliable-short-probability P\n"
      "                            texts of fewer letters need P (default: the model's)\n"
      "  --dump FILE            per line: set, gold, chars, letters, then per combination\n"
      "                         pred, p_top, p_gold, sum of p^2\n"
      "  --threads N            1 or 2 (default 2)\n");
}

}  // namespace

int evaluate_main(int argc, char** argv) {
  std::string model_path, writers_path, dump_path;
  std::vector<float> strengths{1.0f}, temperatures{1.0f};
  float reliable_probability = -1;
  long reliable_letters = -1, reliable_short_letters = -1;
  float reliable_short_probability = -1;
  int threads = 2;
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else if (a == "--model") model_path = value();
    else if (a == "--writers") writers_path = value();
    else if (a == "--strength") strengths = parse_floats(value());
    else if (a == "--temperature") temperatures = parse_floats(value());
    else if (a == "--reliable-probability") reliable_probability = std::stof(value());
    else if (a == "--reliable-letters") reliable_letters = std::stol(value());
    else if (a == "--reliable-short-letters") reliable_short_letters = std::stol(value());
    else if (a == "--reliable-short-probability") reliable_short_probability = std::stof(value());
    else if (a == "--dump") dump_path = value();
    else if (a == "--threads") threads = std::atoi(value().c_str());
    else if (a.find('=') != std::string::npos && a[0] != '-')
      files.emplace_back(a.substr(0, a.find('=')), a.substr(a.find('=') + 1));
    else throw std::invalid_argument("unknown option " + a + " (see train evaluate --help)");
  }
  if (model_path.empty() || files.empty()) throw std::invalid_argument("--model and NAME=FILE are required");
  for (float t : temperatures)
    if (!(t > 0)) throw std::invalid_argument("temperatures must be > 0");

  MappedFile file;
  Model model;
  Error error;
  if (load_file(model_path.c_str(), &file, &model, &error) != Status::kOk)
    throw std::runtime_error(model_path + ": " + error.message);
  if (!model.is_classifier()) throw std::runtime_error(model_path + ": not a classifier");
  const uint32_t L = model.label_count();
  std::vector<float> log_prior(L, 0.0f);
  if (!writers_path.empty()) log_prior = log_prior_from(writers_path, model);
  else
    for (uint32_t l = 0; l < L; ++l) log_prior[l] = model.log_prior(l);
  Reliability reliable;
  reliable.probability = reliable_probability < 0 ? model.reliable_probability() : reliable_probability;
  reliable.letters = reliable_letters < 0 ? model.reliable_letters() : static_cast<uint32_t>(reliable_letters);
  reliable.short_letters =
      reliable_short_letters < 0 ? model.reliable_short_letters() : static_cast<uint32_t>(reliable_short_letters);
  reliable.short_probability =
      reliable_short_probability < 0 ? model.reliable_short_probability() : reliable_short_probability;

  std::vector<Combo> combos;
  for (float a : strengths)
    for (float t : temperatures) combos.push_back(Combo{a, t});

  std::vector<EvalSet> sets;
  for (const auto& f : files) {
    sets.push_back(read_set(f.first, f.second, model));
    compute_logits(model, &sets.back(), threads);
  }

  std::unique_ptr<std::ofstream> dump;
  if (!dump_path.empty()) {
    dump = std::make_unique<std::ofstream>(dump_path, std::ios::trunc);
    *dump << "set\tgold\tchars\tletters";
    for (const Combo& c : combos)
      *dump << "\tpred@" << c.strength << "/" << c.temperature << "\tp_top\tp_gold\tsum_sq";
    *dump << "\n";
  }
  std::printf("model %s: %u labels%s; reliable = p >= %.3g and >= %u letters", model_path.c_str(), L,
              model.has_prior() ? ", with a prior" : "", reliable.probability, reliable.letters);
  if (reliable.short_letters) std::printf(", p >= %.3g below %u letters", reliable.short_probability, reliable.short_letters);
  std::printf(" (rel%%, relok: share marked and of those right, texts of 20+ chars; srel%%, srelok: under 20)\n");
  std::printf("%-14s %5s %5s %7s %7s %7s %7s %7s %7s %6s %6s %6s %6s %6s %6s %6s\n", "set", "prior", "T", "lines", "acc",
              "<=20", "21-40", ">40", ">=50", "NLL", "Brier", "ECE", "rel%", "relok", "srel%", "srelok");
  std::vector<double> buf;
  std::vector<std::vector<Outcome>> per_combo(combos.size());
  for (const EvalSet& set : sets) {
    if (set.unknown) std::printf("%s: %zu lines of codes the model lacks skipped\n", set.name.c_str(), set.unknown);
    for (size_t c = 0; c < combos.size(); ++c) {
      Summary s;
      per_combo[c].resize(set.lines.size());
      for (size_t i = 0; i < set.lines.size(); ++i) {
        const Line& line = set.lines[i];
        const Outcome o = score(set.logits.data() + i * L, log_prior, combos[c], line.gold, line.letters, &buf);
        per_combo[c][i] = o;
        add(&s, line, o, reliable);
      }
      double ece = 0;
      for (int b = 0; b < 10; ++b) ece += std::fabs(s.bin_p[b] - s.bin_ok[b]);
      std::printf("%-14s %5.2f %5.2f %7zu %7.2f %7.2f %7.2f %7.2f %7.2f %6.3f %6.4f %6.4f %6.1f %6.2f %6.1f %6.2f\n",
                  set.name.c_str(), combos[c].strength, combos[c].temperature, s.n, pct(s.ok, s.n),
                  pct(s.ok_le20, s.n_le20), pct(s.ok_21_40, s.n_21_40), pct(s.ok_gt40, s.n_gt40),
                  pct(s.ok_ge50, s.n_ge50), s.n ? s.nll / s.n : 0.0, s.n ? s.brier / s.n : 0.0,
                  s.n ? ece / s.n : 0.0, pct(s.rel_n, s.long_n), pct(s.rel_ok, s.rel_n), pct(s.short_rel_n, s.short_n),
                  pct(s.short_rel_ok, s.short_rel_n));
    }
    if (dump) {
      for (size_t i = 0; i < set.lines.size(); ++i) {
        const Line& line = set.lines[i];
        *dump << set.name << '\t' << model.label(line.gold) << '\t' << line.chars << '\t' << line.letters;
        for (size_t c = 0; c < combos.size(); ++c) {
          const Outcome& o = per_combo[c][i];
          char cell[128];
          std::snprintf(cell, sizeof cell, "\t%s\t%.5f\t%.5g\t%.5f", o.pred == kNoLabel ? "und" : model.label(o.pred),
                        o.p_top, o.p_gold, o.sum_sq);
          *dump << cell;
        }
        *dump << '\n';
      }
    }
    std::fflush(stdout);
  }
  if (dump && !*dump) throw std::runtime_error(dump_path + ": cannot write");
  return 0;
}

}  // namespace train
}  // namespace ffnlp
