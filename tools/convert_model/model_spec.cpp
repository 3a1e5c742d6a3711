#include "tools/convert_model/model_spec.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace ffnlp {
namespace tools {
namespace {

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

struct Parser {
  const std::string& file;
  int line = 0;

  [[noreturn]] void error(const std::string& message) const {
    throw std::runtime_error(file + ":" + std::to_string(line) + ": " + message);
  }
  unsigned to_unsigned(const std::string& key, const std::string& value) const {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(value.c_str(), &end, 0);
    if (value.empty() || value[0] == '-' || *end != '\0' || errno != 0 || v > 0xFFFFFFFFull) {
      error("'" + key + "' must be an unsigned 32-bit integer, got '" + value + "'");
    }
    return static_cast<unsigned>(v);
  }
  bool to_bool(const std::string& key, const std::string& value) const {
    if (value == "1" || value == "true" || value == "yes") return true;
    if (value == "0" || value == "false" || value == "no") return false;
    error("'" + key + "' must be 0/1 or true/false, got '" + value + "'");
  }
  float to_float(const std::string& key, const std::string& value) const {
    char* end = nullptr;
    const float v = std::strtof(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(v - v == 0.0f)) error("'" + key + "' must be a finite number, got '" + value + "'");
    return v;
  }
};

}  // namespace

ModelSpec parse_model_spec(const std::string& text, const std::string& file) {
  ModelSpec spec;
  Parser p{file};
  std::istringstream in(text);
  std::string raw, section;
  while (std::getline(in, raw)) {
    ++p.line;
    if (section == "labels") {
      const std::string t = trim(raw);
      if (t.empty() || t[0] == '#') continue;
      if (t[0] != '[') {
        const size_t sep = t.find_first_of(" \t");
        const std::string code = t.substr(0, sep);
        const std::string name = sep == std::string::npos ? "" : trim(t.substr(sep));
        spec.labels.emplace_back(code, name);
        continue;
      }
    }
    const size_t hash = raw.find('#');
    const std::string t = trim(hash == std::string::npos ? raw : raw.substr(0, hash));
    if (t.empty()) continue;
    if (t.front() == '[') {
      if (t.back() != ']') p.error("unterminated section header '" + t + "'");
      section = trim(t.substr(1, t.size() - 2));
      if (section == "channel") spec.channels.emplace_back();
      else if (section == "layer") spec.layers.emplace_back();
      else if (section != "model" && section != "text" && section != "classifier" && section != "labels" && section != "metadata") {
        p.error("unknown section [" + section + "]");
      }
      continue;
    }
    const size_t eq = t.find('=');
    if (eq == std::string::npos) p.error("expected 'key = value', got '" + t + "'");
    const std::string key = trim(t.substr(0, eq)), value = trim(t.substr(eq + 1));
    if (section.empty()) p.error("'" + key + "' appears before any [section]");
    if (section == "model") {
      if (key == "task") spec.task = value;
      else if (key == "name") spec.name = value;
      else if (key == "description") spec.description = value;
      else if (key == "license") spec.license = value;
      else if (key == "source") spec.source = value;
      else p.error("unknown key '" + key + "' in [model]");
    } else if (section == "text") {
      if (key == "lowercase") spec.lowercase = p.to_bool(key, value);
      else if (key == "drop_digits") spec.drop_digits = p.to_bool(key, value);
      else if (key == "max_bytes") spec.max_bytes = p.to_unsigned(key, value);
      else p.error("unknown key '" + key + "' in [text]");
    } else if (section == "channel") {
      ChannelSpecEntry& c = spec.channels.back();
      if (key == "kind") {
        if (value != "char_ngram" && value != "script") p.error("channel kind must be char_ngram or script, got '" + value + "'");
        c.kind = value;
      } else if (key == "order") c.order = p.to_unsigned(key, value);
      else if (key == "seed") c.seed = p.to_unsigned(key, value);
      else if (key == "embedding") c.embedding = value;
      else if (key == "quantize") c.quantize = p.to_bool(key, value);
      else p.error("unknown key '" + key + "' in [channel]");
    } else if (section == "layer") {
      LayerSpecEntry& l = spec.layers.back();
      if (key == "weights") l.weights = value;
      else if (key == "bias") l.bias = value;
      else if (key == "activation") l.activation = value;
      else if (key == "transpose") l.transpose = p.to_bool(key, value);
      else p.error("unknown key '" + key + "' in [layer]");
    } else if (section == "classifier") {
      if (key == "reliable_probability") {
        spec.reliable_probability = p.to_float(key, value);
        spec.has_reliable_probability = true;
      } else if (key == "reliable_letters") spec.reliable_letters = p.to_unsigned(key, value);
      else if (key == "unknown_label") spec.unknown_label = value;
      else p.error("unknown key '" + key + "' in [classifier]");
    } else if (section == "metadata") {
      spec.extra.emplace_back(key, value);
    } else {
      p.error("unexpected line in [" + section + "]");
    }
  }
  for (size_t i = 0; i < spec.channels.size(); ++i) {
    const ChannelSpecEntry& c = spec.channels[i];
    const std::string where = file + ": channel " + std::to_string(i) + ": ";
    if (c.kind.empty()) throw std::runtime_error(where + "missing 'kind'");
    if (c.embedding.empty()) throw std::runtime_error(where + "missing 'embedding'");
    if (c.kind == "char_ngram" && c.order == 0) throw std::runtime_error(where + "char_ngram needs 'order' >= 1");
  }
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpecEntry& l = spec.layers[i];
    const std::string where = file + ": layer " + std::to_string(i) + ": ";
    if (l.weights.empty() || l.bias.empty() || l.activation.empty()) {
      throw std::runtime_error(where + "needs 'weights', 'bias' and 'activation'");
    }
  }
  return spec;
}

}  // namespace tools
}  // namespace ffnlp
