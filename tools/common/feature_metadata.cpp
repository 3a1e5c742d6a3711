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

void check_channel(const ChannelMetadata& c, const std::string& where, bool vocab_pending) {
  const FeatureKindInfo& info = kind_info(c.kind, where);
  const std::string w = where + " (" + c.kind + ")";
  if ((info.required & kParamOrder) && (c.order < 1 || c.order > kMaxNgramOrder)) {
    throw std::invalid_argument(w + ": 'order' must be 1.." + std::to_string(kMaxNgramOrder));
  }
  if ((info.required & kParamLength) && (c.length < 1 || c.length > kMaxAffixLength)) {
    throw std::invalid_argument(w + ": 'length' must be 1.." + std::to_string(kMaxAffixLength));
  }
  if (info.fixed_buckets != 0 && c.buckets != 0 && c.buckets != info.fixed_buckets) {
    throw std::invalid_argument(w + ": the kind has exactly " + std::to_string(info.fixed_buckets) + " rows, not " +
                                std::to_string(c.buckets));
  }
  if (c.pooling != "mean" && c.pooling != "sum") throw std::invalid_argument(w + ": 'pooling' must be mean or sum");
  if (!c.vocab.empty() && (info.params & kParamVocab) == 0) throw std::invalid_argument(w + ": the kind takes no vocabulary");
  if (vocab_pending) return;
  if (c.oov_buckets != 0 && c.vocab.empty()) throw std::invalid_argument(w + ": 'oov_buckets' needs a vocabulary");
  if (!c.vocab.empty() && c.buckets != 0 && c.buckets != c.vocab.size() + c.oov_buckets) {
    throw std::invalid_argument(w + ": " + std::to_string(c.buckets) + " rows, but the vocabulary has " +
                                std::to_string(c.vocab.size()) + " words + " + std::to_string(c.oov_buckets) +
                                " oov_buckets");
  }
}

void write_features(ModelWriter& w, const TextMetadata& text, const std::vector<ChannelMetadata>& channels) {
  w.set_u32("features.version", kFeaturesVersion);
  w.set_u32("text.lowercase", text.lowercase ? 1 : 0);
  w.set_u32("text.drop_digits", text.drop_digits ? 1 : 0);
  w.set_u32("text.max_bytes", text.max_bytes);
  if (text.cleanup) w.set_u32("text.cleanup", 1);
  w.set_u32("channel.count", static_cast<uint32_t>(channels.size()));
  for (size_t i = 0; i < channels.size(); ++i) {
    const ChannelMetadata& c = channels[i];
    const std::string where = "channel " + std::to_string(i);
    check_channel(c, where);
    const FeatureKindInfo& info = kind_info(c.kind, where);
    const std::string k = "channel." + std::to_string(i) + ".";
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
