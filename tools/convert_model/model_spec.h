// The model specification file that convert_model reads (docs/SPEC.md):
// INI-like sections naming the arrays that become channels and layers.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tools/common/feature_metadata.h"
#include "tools/convert_model/lexicon.h"
#include "tools/convert_model/neighbour_words.h"

namespace ffnlp {
namespace tools {

// One [channel] section: the channel's metadata (kind and parameters as the
// registry in ffnlp/features.h defines them; `embedding` names an array),
// plus what only the converter needs.
struct ChannelSpecEntry : ChannelMetadata {
  bool quantize = true;
  unsigned bits = 8;       // with quantize: 8 (q8_row), 4 (q4_row, zero point 8) or 3 (q3_row_bf16, zero point 4)
  bool bf16_scales = false;  // scales = bf16 (bits = 4: q4_row_bf16; bits = 3 requires it): one bfloat16 scale per row
  int scales_line = 0;       // of the `scales` key, for messages
  int bits_line = 0;         // of the `bits` key, for messages
  std::string vocab_file;  // word: one word per line, in row order (relative to the spec file)
  int line = 0;            // of the [channel] header, for messages
};

struct LayerSpecEntry {
  std::string weights, bias, activation;
  bool transpose = false;  // weights stored (in, out), as TensorFlow/Keras do
  bool quantize = false;   // store the weights q8_row (one scale per output row)
  // How 8-bit (q8_row) weights are laid out in the file: "auto" (q8_col,
  // transposed, where the layer reads a ReLU's output and has at most 256
  // inputs; else q8_row), "rows" (always q8_row) or "cols" (always q8_col).
  std::string layout = "auto";
};

struct ModelSpec {
  std::string task = "classifier";
  std::string name, description, license, source;
  bool lowercase = true, drop_digits = true;
  uint32_t cleanup = 0;  // text.cleanup: 0 off, 1 on, 2 on with laughter
  unsigned max_bytes = 0;
  std::string tokenizer;  // [text] tokenizer = words: a token model (task tagger, or features)
  std::vector<ChannelSpecEntry> channels;
  std::vector<LayerSpecEntry> layers;
  bool has_reliable_probability = false;
  float reliable_probability = 0.7f;
  unsigned reliable_letters = 0;
  // Texts of fewer letters than this need reliable_short_probability (0: no
  // such tier; both keys or neither).
  unsigned reliable_short_letters = 0;
  bool has_reliable_short_probability = false;
  float reliable_short_probability = 1.0f;
  std::string unknown_label;
  std::vector<std::pair<std::string, std::string>> labels;  // code, name
  // The prior over labels: [prior] lines "CODE WEIGHT" (relative weights > 0;
  // "* WEIGHT" for every label not listed), or [classifier] prior = ARRAY
  // (an array of one log weight per label, used as it is).
  std::vector<std::pair<std::string, double>> prior;
  bool has_prior_default = false;
  double prior_default = 0;
  std::string prior_array;
  NeighbourSpec neighbours;  // [neighbours]: seed, weight, words (all three)
  LexiconSpec lexicon;       // [lexicon]: words, seed, weight, max_words (all four)
  std::vector<std::pair<std::string, std::string>> extra;   // [metadata] key = value
};

// Parses spec text; throws std::runtime_error "FILE:LINE: message".
ModelSpec parse_model_spec(const std::string& text, const std::string& file);

// The spec writer: one [channel] section (the keys its kind takes, in the
// order the parser documents), for tools that write specs (the trainer).
std::string format_channel_section(const ChannelSpecEntry& channel);

}  // namespace tools
}  // namespace ffnlp
