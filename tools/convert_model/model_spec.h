// The model specification file that convert_model reads (docs/SPEC.md):
// INI-like sections naming the arrays that become channels and layers.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ffnlp {
namespace tools {

struct ChannelSpecEntry {
  std::string kind;       // char_ngram | script
  unsigned order = 0;
  unsigned seed = 0;
  std::string embedding;  // array name
  bool quantize = true;
};

struct LayerSpecEntry {
  std::string weights, bias, activation;
  bool transpose = false;  // weights stored (in, out), as TensorFlow/Keras do
};

struct ModelSpec {
  std::string task = "classifier";
  std::string name, description, license, source;
  bool lowercase = true, drop_digits = true;
  unsigned max_bytes = 0;
  std::vector<ChannelSpecEntry> channels;
  std::vector<LayerSpecEntry> layers;
  bool has_reliable_probability = false;
  float reliable_probability = 0.7f;
  unsigned reliable_letters = 0;
  std::string unknown_label;
  std::vector<std::pair<std::string, std::string>> labels;  // code, name
  std::vector<std::pair<std::string, std::string>> extra;   // [metadata] key = value
};

// Parses spec text; throws std::runtime_error "FILE:LINE: message".
ModelSpec parse_model_spec(const std::string& text, const std::string& file);

}  // namespace tools
}  // namespace ffnlp
