// Writing a model's feature description (docs/FORMAT.md §3: features.version,
// text.*, channel.*) from tools: the converter, the trainer and test
// generators all go through here, and here checks each channel against the
// runtime's registry of feature kinds (ffnlp/features.h), so no tool keeps
// its own list of kinds or of their parameters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ffnlp/features.h"
#include "tools/common/model_writer.h"

namespace ffnlp {
namespace tools {

struct TextMetadata {
  bool lowercase = true;
  bool drop_digits = true;  // text models only
  uint32_t cleanup = 0;     // text models only: text.cleanup (1 on, 2 laughter too)
  uint32_t max_bytes = 0;   // text models only
  // Token models: the tokenizer rule set (kTokenizerName); empty for text
  // models. A token model's file records features.version 2, the tokenizer
  // and its version, text.lowercase, and each channel's window.
  std::string tokenizer;
  bool tokens() const { return !tokenizer.empty(); }
};

struct ChannelMetadata {
  std::string kind;                // a registry name: char_ngram, script, word, ...
  uint32_t order = 0;              // char_ngram
  uint32_t seed = 0;               // hashed kinds
  uint32_t length = 0;             // prefix, suffix
  uint32_t buckets = 0;            // rows of the channel's table
  uint32_t dims = 0;               // columns of the channel's table
  std::string pooling = "mean";    // mean | sum | concat (token models)
  std::vector<int32_t> window;     // token models: window offsets (empty: 0 only)
  std::vector<std::string> vocab;  // word: sorted by bytes (rows 0 .. size-1)
  uint32_t oov_buckets = 0;        // word with vocab: hashed rows after it
  std::string embedding;           // tensor name; empty in a features-only file
};

// The registry entry of `kind`; throws std::invalid_argument naming the
// known kinds when there is none.
const FeatureKindInfo& kind_info(const std::string& kind, const std::string& where);

// Checks what a tool can check before writing (kind known, required
// parameters given, ranges, rows of a vocabulary channel); the loader checks
// the rest. With vocab_pending (a spec names a vocabulary file not read yet)
// the vocabulary checks wait. `tokens`: a channel of a token model (two
// padding rows after the kind's own). Throws std::invalid_argument("<where>: ...").
void check_channel(const ChannelMetadata& channel, const std::string& where, bool vocab_pending = false,
                   bool tokens = false);

// "-2,-1,0,1,2" ("0" for an empty window).
std::string window_text(const std::vector<int32_t>& window);

// features.version, text.*, channel.count and every channel.<i>.* key (only
// the parameters each kind takes; buckets, dims and pooling always; the
// window in token models), and for token models the tokenizer.
void write_features(ModelWriter& writer, const TextMetadata& text, const std::vector<ChannelMetadata>& channels);

}  // namespace tools
}  // namespace ffnlp
