#include "tools/train/export.h"

#include <cstdio>
#include <sstream>
#include <vector>

#include "network/quantize.h"

namespace ffnlp {
namespace train {

Params quantized_copy(const ModelConfig& cfg, const Params& prm) {
  Params q = prm;
  std::vector<uint8_t> buf;
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    const uint32_t d = cfg.channel_dims[c];
    buf.resize(d);
    for (uint32_t r = 0; r < cfg.channels[c].buckets; ++r) {
      float* row = q.emb[c].data() + static_cast<size_t>(r) * d;
      const float scale = quantize_row(row, d, kDefaultZeroPoint, Rounding::kHalfUp, buf.data());
      for (uint32_t j = 0; j < d; ++j) row[j] = dequantize(buf[j], scale, kDefaultZeroPoint);
    }
  }
  return q;
}

std::map<std::string, tools::NpyArray> model_arrays(const ModelConfig& cfg, const Params& prm) {
  using tools::make_npy_f32;
  std::map<std::string, tools::NpyArray> arrays;
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    const std::string name = cfg.channels[c].kind == ChannelKind::kScript
                                 ? "emb_script"
                                 : "emb_ngram" + std::to_string(cfg.channels[c].order);
    arrays[name] = make_npy_f32({cfg.channels[c].buckets, cfg.channel_dims[c]}, prm.emb[c].data());
  }
  arrays["hidden_w"] = make_npy_f32({cfg.hidden, cfg.input_width}, prm.w1.data());
  arrays["hidden_b"] = make_npy_f32({cfg.hidden}, prm.b1.data());
  arrays["output_w"] = make_npy_f32({cfg.labels, cfg.hidden}, prm.w2.data());
  arrays["output_b"] = make_npy_f32({cfg.labels}, prm.b2.data());
  return arrays;
}

namespace {
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

}  // namespace

std::string spec_text(const SpecInfo& info, const ModelConfig& cfg, const LabelSet& labels) {
  std::ostringstream s;
  s << "# Language identifier, written by tools/train (do not edit by hand: retrain).\n"
    << "# " << one_line(info.command) << "\n"
    << "[model]\n"
    << "task = classifier\n"
    << "name = langid\n"
    << "description = Language identifier: hashed character 1-" << cfg.buckets.size()
    << "-grams + script, one hidden layer\n"
    << "license = " << one_line(info.license) << "\n\n"
    << "[text]\n"
    << "lowercase = " << (cfg.text.lowercase ? 1 : 0) << "\n"
    << "drop_digits = " << (cfg.text.drop_digits ? 1 : 0) << "\n"
    << "max_bytes = " << cfg.text.max_bytes << "\n";
  for (const ChannelSpec& ch : cfg.channels) {
    s << "\n[channel]\n";
    if (ch.kind == ChannelKind::kCharNgram) {
      s << "kind = char_ngram\norder = " << ch.order << "\nseed = " << ch.seed
        << "\nembedding = emb_ngram" << ch.order << "\n";
    } else {
      s << "kind = script\nembedding = emb_script\n";
    }
  }
  s << "\n[layer]\nweights = hidden_w\nbias = hidden_b\nactivation = relu\n"
    << "\n[layer]\nweights = output_w\nbias = output_b\nactivation = softmax\n"
    << "\n[classifier]\n";
  char prob[32];
  std::snprintf(prob, sizeof prob, "%g", static_cast<double>(info.reliable_probability));
  s << "reliable_probability = " << prob << "\n"
    << "reliable_letters = " << info.reliable_letters << "\n"
    << "unknown_label = und\n"
    << "\n[labels]\n";
  for (size_t l = 0; l < labels.codes.size(); ++l)
    s << labels.codes[l] << '\t' << one_line(labels.names[l]) << "\n";
  return s.str();
}

}  // namespace train
}  // namespace ffnlp
