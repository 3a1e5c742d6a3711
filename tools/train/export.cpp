#include "tools/train/export.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "ffnlp/toolkit.h"
#include "tools/convert_model/model_spec.h"

namespace ffnlp {
namespace train {

namespace {

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

}  // namespace

std::map<std::string, double> read_writers(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::map<std::string, double> writers;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0) throw std::runtime_error(path + ": expected CODE<TAB>WRITERS, got '" + line + "'");
    char* end = nullptr;
    const double w = std::strtod(line.c_str() + tab + 1, &end);
    if (end == line.c_str() + tab + 1 || !(w > 0) || !std::isfinite(w))
      throw std::runtime_error(path + ": writers of " + line.substr(0, tab) + " must be a number > 0");
    writers[line.substr(0, tab)] = w;
  }
  return writers;
}

std::vector<double> prior_weights(const std::map<std::string, double>& writers, const LabelSet& labels,
                                  float strength) {
  double most = 0;
  for (const std::string& code : labels.codes) {
    auto it = writers.find(code);
    if (it == writers.end()) throw std::runtime_error("the prior has no writers for label " + code);
    most = std::max(most, it->second);
  }
  std::vector<double> weights;
  for (const std::string& code : labels.codes)
    weights.push_back(std::pow(writers.at(code) / most, static_cast<double>(strength)));
  return weights;
}

Params quantized_copy(const ModelConfig& cfg, const Params& prm) {
  Params q = prm;
  q.emb_q.clear();
  for (size_t t = 0; t < cfg.table_count(); ++t) {
    const size_t c = cfg.table_channel[t];
    round_trip_rows(q.emb[t].data(), cfg.channel_rows(c), cfg.channel_dims(c), cfg.channel_bits(c),
                    cfg.channel_bf16_scales(c));
  }
  if (cfg.quantize_dense) {
    round_trip_rows(q.w1.data(), cfg.hidden, cfg.input_width);
    round_trip_rows(q.w2.data(), cfg.labels, cfg.hidden);
  }
  return q;
}

std::map<std::string, tools::NpyArray> model_arrays(const ModelConfig& cfg, const Params& prm) {
  using tools::make_npy_f32;
  std::map<std::string, tools::NpyArray> arrays;
  for (size_t t = 0; t < cfg.table_count(); ++t) {
    const size_t c = cfg.table_channel[t];
    if (cfg.channel_simulated(c)) {  // simulated bits: the rounded values, stored 8-bit
      std::vector<float> rounded = prm.emb[t];
      round_trip_rows(rounded.data(), cfg.channel_rows(c), cfg.channel_dims(c), cfg.channel_bits(c),
                      cfg.channel_bf16_scales(c));
      arrays[cfg.channels[c].embedding] = make_npy_f32({cfg.channel_rows(c), cfg.channel_dims(c)}, rounded.data());
      continue;
    }
    arrays[cfg.channels[c].embedding] = make_npy_f32({cfg.channel_rows(c), cfg.channel_dims(c)}, prm.emb[t].data());
  }
  arrays["hidden_w"] = make_npy_f32({cfg.hidden, cfg.input_width}, prm.w1.data());
  arrays["hidden_b"] = make_npy_f32({cfg.hidden}, prm.b1.data());
  arrays["output_w"] = make_npy_f32({cfg.labels, cfg.hidden}, prm.w2.data());
  arrays["output_b"] = make_npy_f32({cfg.labels}, prm.b2.data());
  return arrays;
}

void params_from_arrays(const ModelConfig& cfg, const std::map<std::string, tools::NpyArray>& arrays,
                        Params* prm) {
  auto take = [&](const std::string& name, std::vector<uint64_t> shape, std::vector<float>* out) {
    const auto it = arrays.find(name);
    if (it == arrays.end()) throw std::runtime_error("--init: no array " + name);
    if (it->second.dtype != "<f4" || it->second.shape != shape)
      throw std::runtime_error("--init: " + name + " is not float32 of this configuration's shape");
    *out = tools::to_float32(it->second, name);
  };
  prm->emb.resize(cfg.table_count());
  for (size_t t = 0; t < cfg.table_count(); ++t) {
    const size_t c = cfg.table_channel[t];
    take(cfg.channels[c].embedding, {cfg.channel_rows(c), cfg.channel_dims(c)}, &prm->emb[t]);
  }
  take("hidden_w", {cfg.hidden, cfg.input_width}, &prm->w1);
  take("hidden_b", {cfg.hidden}, &prm->b1);
  take("output_w", {cfg.labels, cfg.hidden}, &prm->w2);
  take("output_b", {cfg.labels}, &prm->b2);
}

std::string spec_text(const SpecInfo& info, const ModelConfig& cfg, const LabelSet& labels) {
  std::ostringstream s;
  s << "# Language identifier, written by tools/train (do not edit by hand: retrain).\n"
    << "# " << one_line(info.command) << "\n"
    << "[model]\n"
    << "task = classifier\n"
    << "name = langid\n"
    << "description = Language identifier: hashed character 1-" << cfg.buckets.size() << "-grams, script"
    << (cfg.word_buckets > 0 ? ", hashed words" : "")
    << (cfg.han_variant_dims > 0 ? ", Han variant forms" : "") << "; one hidden layer\n"
    << "license = " << one_line(info.license) << "\n\n"
    << "[text]\n"
    << "lowercase = " << (cfg.text.lowercase ? 1 : 0) << "\n"
    << "drop_digits = " << (cfg.text.drop_digits ? 1 : 0) << "\n"
    << "max_bytes = " << cfg.text.max_bytes << "\n";
  if (cfg.text.cleanup != 0) s << "cleanup = " << cfg.text.cleanup << "\n";
  // The channels through the spec writer (tools/convert_model/model_spec),
  // which goes through the runtime's registry of kinds.
  for (size_t i = 0; i < cfg.channels.size(); ++i) {
    tools::ChannelSpecEntry entry;
    static_cast<tools::ChannelMetadata&>(entry) = cfg.channels[i];
    entry.buckets = 0;  // taken from the arrays
    entry.dims = 0;
    entry.bits = cfg.channel_simulated(i) ? 8 : cfg.channel_bits(i);  // simulated bits: stored 8-bit
    entry.bf16_scales = cfg.channel_simulated(i) ? false : cfg.channel_bf16_scales(i);
    s << "\n" << tools::format_channel_section(entry);
  }
  const char* quantize = cfg.quantize_dense ? "quantize = 1\n" : "";
  s << "\n[layer]\nweights = hidden_w\nbias = hidden_b\nactivation = relu\n" << quantize
    << "\n[layer]\nweights = output_w\nbias = output_b\nactivation = softmax\n" << quantize
    << "\n[classifier]\n";
  char prob[32];
  std::snprintf(prob, sizeof prob, "%g", static_cast<double>(info.reliable_probability));
  s << "reliable_probability = " << prob << "\n"
    << "reliable_letters = " << info.reliable_letters << "\n";
  if (info.reliable_short_letters) {
    std::snprintf(prob, sizeof prob, "%g", static_cast<double>(info.reliable_short_probability));
    s << "reliable_short_letters = " << info.reliable_short_letters << "\n"
      << "reliable_short_probability = " << prob << "\n";
  }
  s << "unknown_label = und\n"
    << "\n[labels]\n";
  for (size_t l = 0; l < labels.codes.size(); ++l)
    s << labels.codes[l] << '\t' << one_line(labels.names[l]) << "\n";
  if (!info.prior.empty()) {
    // Relative weights; the converter stores log(weight / total).
    s << "\n[prior]\n";
    for (size_t l = 0; l < labels.codes.size(); ++l) {
      char w[32];
      std::snprintf(w, sizeof w, "%.6g", info.prior[l]);
      s << labels.codes[l] << ' ' << w << "\n";
    }
  }
  return s.str();
}

}  // namespace train
}  // namespace ffnlp
