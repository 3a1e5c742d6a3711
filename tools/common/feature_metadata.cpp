#include "tools/common/feature_metadata.h"

#include <stdexcept>

namespace ffnlp {
namespace tools {

const FeatureKindInfo& kind_info(const std::string& kind, const std::string& where) {
  const FeatureKindInfo* info = find_feature_kind(kind.c_str());
  if (info == nullptr) {
    std::string known;
    for (uint32_t i = 0; i < feature_kind_count(); ++i) known += (i ? ", " : "") + std::string(feature_kind_at(i)->name);
    throw std::invalid_argument(where + ": unknown channel kind '" + kind + "' (known: " + known + ")");
  }
  return *info;
}

void check_channel(const ChannelMetadata& c, const std::string& where, bool vocab_pending, bool tokens) {
  const uint32_t padding = tokens ? 2 : 0;
  const FeatureKindInfo& info = kind_info(c.kind, where);
  const std::string w = where + " (" + c.kind + ")";
  if ((info.required & kParamOrder) && (c.order < 1 || c.order > kMaxNgramOrder)) {
    throw std::invalid_argument(w + ": 'order' must be 1.." + std::to_string(kMaxNgramOrder));
  }
  if ((info.required & kParamLength) && (c.length < 1 || c.length > kMaxAffixLength)) {
    throw std::invalid_argument(w + ": 'length' must be 1.." + std::to_string(kMaxAffixLength));
  }
  if (info.fixed_buckets != 0 && c.buckets != 0 && c.buckets != info.fixed_buckets + padding) {
    throw std::invalid_argument(w + ": the kind has exactly " + std::to_string(info.fixed_buckets + padding) +
                                " rows" + (tokens ? " (with the 2 padding rows of token models)" : "") + ", not " +
                                std::to_string(c.buckets));
  }
  if (c.pooling != "mean" && c.pooling != "sum" && c.pooling != "concat") {
    throw std::invalid_argument(w + ": 'pooling' must be mean or sum (or concat in token models)");
  }
  if (c.window.size() > kMaxWindow) throw std::invalid_argument(w + ": more than " + std::to_string(kMaxWindow) + " window offsets");
  for (size_t k = 0; k < c.window.size(); ++k) {
    if (c.window[k] < -kMaxWindowOffset || c.window[k] > kMaxWindowOffset || (k > 0 && c.window[k] <= c.window[k - 1])) {
      throw std::invalid_argument(w + ": window offsets must be strictly increasing, in -" +
                                  std::to_string(kMaxWindowOffset) + ".." + std::to_string(kMaxWindowOffset));
    }
  }
  if (!c.vocab.empty() && (info.params & kParamVocab) == 0) throw std::invalid_argument(w + ": the kind takes no vocabulary");
  if (vocab_pending) return;
  if (c.oov_buckets != 0 && c.vocab.empty()) throw std::invalid_argument(w + ": 'oov_buckets' needs a vocabulary");
  if (!c.vocab.empty() && c.buckets != 0 && c.buckets != c.vocab.size() + c.oov_buckets + padding) {
    throw std::invalid_argument(w + ": " + std::to_string(c.buckets) + " rows, but the vocabulary has " +
                                std::to_string(c.vocab.size()) + " words + " + std::to_string(c.oov_buckets) +
                                " oov_buckets" + (tokens ? " + 2 padding rows" : ""));
  }
}

std::string window_text(const std::vector<int32_t>& window) {
  std::string s;
  for (size_t k = 0; k < window.size(); ++k) s += (k ? "," : "") + std::to_string(window[k]);
  return s.empty() ? "0" : s;
}

void write_features(ModelWriter& w, const TextMetadata& text, const std::vector<ChannelMetadata>& channels) {
  if (text.tokens()) {
    w.set_u32("features.version", kTokenFeaturesVersion);
    w.set_string("tokenizer", text.tokenizer);
    w.set_u32("tokenizer.version", kTokenizerVersion);
    w.set_u32("text.lowercase", text.lowercase ? 1 : 0);
  } else {
    w.set_u32("features.version", kFeaturesVersion);
    w.set_u32("text.lowercase", text.lowercase ? 1 : 0);
    w.set_u32("text.drop_digits", text.drop_digits ? 1 : 0);
    w.set_u32("text.max_bytes", text.max_bytes);
    if (text.cleanup != 0) w.set_u32("text.cleanup", text.cleanup);
  }
  w.set_u32("channel.count", static_cast<uint32_t>(channels.size()));
  for (size_t i = 0; i < channels.size(); ++i) {
    const ChannelMetadata& c = channels[i];
    const std::string where = "channel " + std::to_string(i);
    check_channel(c, where, false, text.tokens());
    const FeatureKindInfo& info = kind_info(c.kind, where);
    if (!text.tokens() && (!c.window.empty() || c.pooling == "concat" || c.kind == "prev_label")) {
      throw std::invalid_argument(where + " (" + c.kind + "): windows, concat pooling and prev_label are for token "
                                  "models (give a tokenizer)");
    }
    const std::string k = "channel." + std::to_string(i) + ".";
    if (text.tokens()) w.set_string(k + "window", window_text(c.window));
    w.set_string(k + "kind", c.kind);
    if (!c.embedding.empty()) w.set_string(k + "embedding", c.embedding);
    if (c.buckets != 0) w.set_u32(k + "buckets", c.buckets);
    if (c.dims != 0) w.set_u32(k + "dims", c.dims);
    w.set_string(k + "pooling", c.pooling);
    if (info.params & kParamOrder) w.set_u32(k + "order", c.order);
    if (info.params & kParamSeed) w.set_u32(k + "seed", c.seed);
    if (info.params & kParamLength) w.set_u32(k + "length", c.length);
    if (!c.vocab.empty()) w.set_strings(k + "vocab", c.vocab);
    if ((info.params & kParamOovBuckets) && !c.vocab.empty()) w.set_u32(k + "oov_buckets", c.oov_buckets);
  }
}

}  // namespace tools
}  // namespace ffnlp
