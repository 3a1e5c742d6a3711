#include "tools/convert_model/model_spec.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>

#include "tools/common/strict_number.h"

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
  // Strict decimal (tools/common/strict_number.h): "010", "0x8", "+5",
  // "5 6" and "-1" are errors, never octal, hex or a partial read.
  unsigned to_unsigned(const std::string& key, const std::string& value) const {
    uint64_t v = 0;
    if (!parse_decimal(value, &v) || v > 0xFFFFFFFFull) {
      error("'" + key + "' must be a decimal number from 0 to 4294967295 without sign or leading zeros, got '" + value + "'");
    }
    return static_cast<unsigned>(v);
  }
  bool to_bool(const std::string& key, const std::string& value) const {
    if (value == "1" || value == "true" || value == "yes") return true;
    if (value == "0" || value == "false" || value == "no") return false;
    error("'" + key + "' must be 0/1 or true/false, got '" + value + "'");
  }
  // A plain decimal fraction in [0, 1] ("0.7", "1", "0"): no sign, exponent,
  // hex, inf or nan.
  float to_probability(const std::string& key, const std::string& value) const {
    double v = 0;
    if (!parse_plain_fraction(value, &v)) error("'" + key + "' must be a decimal number such as 0.7, got '" + value + "'");
    if (v > 1.0) error("'" + key + "' must be between 0 and 1, got '" + value + "'");
    return static_cast<float>(v);
  }
  // "-2,-1,0,1,2": comma-separated decimal offsets (spaces allowed around
  // the commas); range and order are checked with the channel.
  std::vector<int32_t> to_offsets(const std::string& key, const std::string& value) const {
    std::vector<int32_t> out;
    size_t at = 0;
    for (;;) {
      const size_t comma = value.find(',', at);
      const std::string item = trim(value.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
      const bool negative = !item.empty() && item[0] == '-';
      const std::string digits = negative ? item.substr(1) : item;
      if (digits.empty() || digits.size() > 2 || digits.find_first_not_of("0123456789") != std::string::npos) {
        error("'" + key + "' must be window offsets such as -2,-1,0,1,2, got '" + value + "'");
      }
      const int v = std::stoi(digits);
      out.push_back(negative ? -v : v);
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    return out;
  }
};

// Keys the converter writes itself, or that the runtime reads with a type:
// [metadata] may not set them (it would override, e.g., the unknown label).
bool reserved_metadata_key(const std::string& key) {
  static const char* const kExact[] = {"general.task", "general.name", "general.description", "general.license",
                                       "general.source", "labels", "label_names"};
  static const char* const kPrefixes[] = {"text.", "channel.", "layer.", "classifier.", "features.", "tokenizer.",
                                       "neighbours.", "lexicon."};
  for (const char* k : kExact) {
    if (key == k) return true;
  }
  for (const char* p : kPrefixes) {
    if (key.compare(0, std::strlen(p), p) == 0) return true;
  }
  return false;
}

const char* const kTasks[] = {"classifier", "tagger", "features", "embedding"};

}  // namespace

ModelSpec parse_model_spec(const std::string& text, const std::string& file) {
  ModelSpec spec;
  Parser p{file};
  std::istringstream in(text);
  std::string raw, section;
  // Where each key of the current section instance was set, and where each
  // one-off section and each label first appeared: repeats are errors.
  std::map<std::string, int> keys_here, sections_seen, labels_seen;
  std::vector<std::vector<std::string>> channel_keys;  // parameter keys given, per channel
  std::vector<std::string> neighbour_keys;               // keys given in [neighbours]
  std::vector<std::string> lexicon_keys;                 // keys given in [lexicon]
  while (std::getline(in, raw)) {
    ++p.line;
    if (section == "labels") {
      const std::string t = trim(raw);
      if (t.empty() || t[0] == '#') continue;
      if (t[0] != '[') {
        const size_t sep = t.find_first_of(" \t");
        const std::string code = t.substr(0, sep);
        const std::string name = sep == std::string::npos ? "" : trim(t.substr(sep));
        const auto first = labels_seen.emplace(code, p.line);
        if (!first.second) p.error("label '" + code + "' appears twice (first on line " + std::to_string(first.first->second) + ")");
        spec.labels.emplace_back(code, name);
        continue;
      }
    }
    const size_t hash = raw.find('#');
    const std::string t = trim(hash == std::string::npos ? raw : raw.substr(0, hash));
    if (t.empty()) continue;
    if (section == "prior" && t[0] != '[') {
      const size_t sep = t.find_first_of(" \t");
      if (sep == std::string::npos) p.error("expected 'CODE WEIGHT' in [prior], got '" + t + "'");
      const std::string code = t.substr(0, sep), value = trim(t.substr(sep));
      double w = 0;
      if (!parse_plain_decimal(value, &w) || !(w > 0)) {
        p.error("prior weight of '" + code + "' must be a plain decimal number > 0 (such as 30 or 0.5), got '" + value + "'");
      }
      if (code == "*") {
        if (spec.has_prior_default) p.error("'*' appears twice in [prior]");
        spec.has_prior_default = true;
        spec.prior_default = w;
      } else {
        for (const auto& e : spec.prior) {
          if (e.first == code) p.error("'" + code + "' appears twice in [prior]");
        }
        spec.prior.emplace_back(code, w);
      }
      continue;
    }
    if (t.front() == '[') {
      if (t.back() != ']') p.error("unterminated section header '" + t + "'");
      section = trim(t.substr(1, t.size() - 2));
      keys_here.clear();
      if (section == "channel") {
        spec.channels.emplace_back();
        spec.channels.back().line = p.line;
        channel_keys.emplace_back();
      }
      else if (section == "layer") spec.layers.emplace_back();
      else if (section != "model" && section != "text" && section != "classifier" && section != "labels" &&
               section != "metadata" && section != "prior" && section != "neighbours" && section != "lexicon") {
        p.error("unknown section [" + section + "]");
      } else {
        if (section == "neighbours") {
          spec.neighbours.present = true;
          spec.neighbours.line = p.line;
        }
        if (section == "lexicon") {
          spec.lexicon.present = true;
          spec.lexicon.line = p.line;
        }
        const auto first = sections_seen.emplace(section, p.line);
        if (!first.second) {
          p.error("section [" + section + "] appears twice (first on line " + std::to_string(first.first->second) +
                  "); only [channel] and [layer] repeat");
        }
      }
      continue;
    }
    const size_t eq = t.find('=');
    if (eq == std::string::npos) p.error("expected 'key = value', got '" + t + "'");
    const std::string key = trim(t.substr(0, eq)), value = trim(t.substr(eq + 1));
    if (section.empty()) p.error("'" + key + "' appears before any [section]");
    const auto first = keys_here.emplace(key, p.line);
    if (!first.second) {
      p.error("'" + key + "' is set twice in this [" + section + "] section (first on line " +
              std::to_string(first.first->second) + ")");
    }
    if (section == "model") {
      if (key == "task") {
        bool known = false;
        for (const char* k : kTasks) known = known || value == k;
        if (!known) p.error("'task' must be classifier, tagger, features or embedding, got '" + value + "'");
        spec.task = value;
      } else if (key == "name") spec.name = value;
      else if (key == "description") spec.description = value;
      else if (key == "license") spec.license = value;
      else if (key == "source") spec.source = value;
      else p.error("unknown key '" + key + "' in [model]");
    } else if (section == "text") {
      if (key == "lowercase") spec.lowercase = p.to_bool(key, value);
      else if (key == "cleanup") {
        // 0 or 1 (false/true), or 2: laughter skipped too.
        if (value == "2") spec.cleanup = 2;
        else if (value == "1" || value == "true" || value == "yes") spec.cleanup = 1;
        else if (value == "0" || value == "false" || value == "no") spec.cleanup = 0;
        else p.error("'cleanup' must be 0, 1 or 2 (2: laughter skipped too), got '" + value + "'");
      }
      else if (key == "drop_digits") spec.drop_digits = p.to_bool(key, value);
      else if (key == "max_bytes") spec.max_bytes = p.to_unsigned(key, value);
      else if (key == "tokenizer") spec.tokenizer = value;
      else p.error("unknown key '" + key + "' in [text]");
    } else if (section == "channel") {
      ChannelSpecEntry& c = spec.channels.back();
      if (key == "kind") c.kind = value;
      else if (key == "order") c.order = p.to_unsigned(key, value);
      else if (key == "seed") c.seed = p.to_unsigned(key, value);
      else if (key == "length") c.length = p.to_unsigned(key, value);
      else if (key == "buckets") c.buckets = p.to_unsigned(key, value);
      else if (key == "dims") c.dims = p.to_unsigned(key, value);
      else if (key == "pooling") c.pooling = value;
      else if (key == "window") c.window = p.to_offsets(key, value);
      else if (key == "vocab_file") c.vocab_file = value;
      else if (key == "oov_buckets") c.oov_buckets = p.to_unsigned(key, value);
      else if (key == "embedding") c.embedding = value;
      else if (key == "quantize") c.quantize = p.to_bool(key, value);
      else if (key == "bits") {
        if (value != "4" && value != "8" && value != "3") {
          p.error("bits must be 8 (q8_row), 4 (q4_row) or 3 (q3_row_bf16), got '" + value + "'");
        }
        c.bits = static_cast<unsigned>(std::stoul(value));
        c.bits_line = p.line;
      } else if (key == "scales") {
        if (value != "f32" && value != "bf16") p.error("scales must be f32 or bf16 (with bits = 4 or 3), got '" + value + "'");
        c.bf16_scales = value == "bf16";
        c.scales_line = p.line;
      } else p.error("unknown key '" + key + "' in [channel]");
      if (key != "kind" && key != "embedding" && key != "quantize" && key != "bits" && key != "scales" && key != "window") {
        channel_keys.back().push_back(key);
      }
    } else if (section == "layer") {
      LayerSpecEntry& l = spec.layers.back();
      if (key == "weights") l.weights = value;
      else if (key == "bias") l.bias = value;
      else if (key == "activation") l.activation = value;
      else if (key == "transpose") l.transpose = p.to_bool(key, value);
      else if (key == "quantize") l.quantize = p.to_bool(key, value);
      else if (key == "layout") {
        if (value != "auto" && value != "rows" && value != "cols") p.error("layout must be auto, rows or cols, got '" + value + "'");
        l.layout = value;
      } else p.error("unknown key '" + key + "' in [layer]");
    } else if (section == "classifier") {
      if (key == "reliable_probability") {
        spec.reliable_probability = p.to_probability(key, value);
        spec.has_reliable_probability = true;
      } else if (key == "reliable_letters") spec.reliable_letters = p.to_unsigned(key, value);
      else if (key == "reliable_short_letters") {
        spec.reliable_short_letters = p.to_unsigned(key, value);
        if (spec.reliable_short_letters == 0) p.error("'reliable_short_letters' must be at least 1 (leave both short keys out for no such tier)");
      } else if (key == "reliable_short_probability") {
        spec.reliable_short_probability = p.to_probability(key, value);
        spec.has_reliable_short_probability = true;
      } else if (key == "unknown_label") spec.unknown_label = value;
      else if (key == "prior") spec.prior_array = value;
      else p.error("unknown key '" + key + "' in [classifier]");
    } else if (section == "neighbours") {
      if (key == "seed") spec.neighbours.seed = p.to_unsigned(key, value);
      else if (key == "weight") {
        double w = 0;
        if (!parse_plain_decimal(value, &w)) p.error("'weight' must be a plain decimal number >= 0 (such as 1 or 0.5), got '" + value + "'");
        spec.neighbours.weight = static_cast<float>(w);
      } else if (key == "words") spec.neighbours.words_file = value;
      else if (key == "bits") {
        if (value != "8" && value != "4") p.error("'bits' of [neighbours] must be 8 or 4, got '" + value + "'");
        spec.neighbours.bits = value == "4" ? 4 : 8;
      } else if (key == "key_bits") {
        if (value != "32" && value != "24") p.error("'key_bits' of [neighbours] must be 32 or 24, got '" + value + "'");
        spec.neighbours.key_bits = value == "24" ? 24 : 32;
      } else p.error("unknown key '" + key + "' in [neighbours]");
      neighbour_keys.push_back(key);
    } else if (section == "lexicon") {
      if (key == "words") spec.lexicon.words_file = value;
      else if (key == "seed") spec.lexicon.seed = p.to_unsigned(key, value);
      else if (key == "weight") {
        double w = 0;
        if (!parse_plain_decimal(value, &w) || !(w > 0) || w > format::kMaxLexiconWeight) {
          p.error("'weight' of [lexicon] must be a plain decimal number above 0 and at most 64 (such as 3 or 0.5), "
                  "got '" + value + "'");
        }
        spec.lexicon.weight = static_cast<float>(w);
      } else if (key == "max_words") {
        spec.lexicon.max_words = p.to_unsigned(key, value);
        if (spec.lexicon.max_words == 0 || spec.lexicon.max_words > format::kMaxLexiconWords) {
          p.error("'max_words' of [lexicon] must be 1 to " + std::to_string(format::kMaxLexiconWords) + ", got '" + value +
                  "'");
        }
      } else p.error("unknown key '" + key + "' in [lexicon]");
      lexicon_keys.push_back(key);
    } else if (section == "metadata") {
      if (reserved_metadata_key(key)) {
        p.error("'" + key + "' is set by the converter (from [model], [text], [channel], [layer], [classifier], " +
                "[labels], [neighbours] or [lexicon]); [metadata] holds only other keys");
      }
      spec.extra.emplace_back(key, value);
    } else {
      p.error("unexpected line in [" + section + "]");
    }
  }
  // Channels: the kind and its parameters, through the runtime's registry.
  for (size_t i = 0; i < spec.channels.size(); ++i) {
    ChannelSpecEntry& c = spec.channels[i];
    const std::string where = file + ":" + std::to_string(c.line) + ": channel " + std::to_string(i);
    if (c.kind.empty()) throw std::runtime_error(where + ": missing 'kind'");
    // bfloat16 scales exist for 4- and 3-bit tables only (q4_row_bf16,
    // q3_row_bf16): an 8-bit table keeps f32 scales, so the key would be a
    // silent no-op there. A 3-bit table has no f32-scale form: the spec says
    // so rather than the converter choosing a scale type unasked.
    if (c.bf16_scales && c.bits == 8) {
      throw std::runtime_error(file + ":" + std::to_string(c.scales_line) + ": channel " + std::to_string(i) +
                               ": scales = bf16 needs bits = 4 or 3 (bfloat16 scales exist only for 4-bit tables, "
                               "q4_row_bf16, and 3-bit ones, q3_row_bf16)");
    }
    if (c.bits == 3 && !c.bf16_scales) {
      throw std::runtime_error(file + ":" + std::to_string(c.bits_line) + ": channel " + std::to_string(i) +
                               ": bits = 3 needs scales = bf16 (3-bit tables, q3_row_bf16, store their row scales "
                               "as bfloat16 only)");
    }
    try {
      const FeatureKindInfo& info = kind_info(c.kind, where);
      static const std::pair<uint32_t, const char*> kParams[] = {
          {kParamOrder, "order"}, {kParamSeed, "seed"}, {kParamLength, "length"}, {kParamVocab, "vocab_file"},
          {kParamOovBuckets, "oov_buckets"}};
      for (const std::string& key : channel_keys[i]) {
        for (const auto& param : kParams) {
          if (key == param.second && (info.params & param.first) == 0) {
            throw std::runtime_error(where + " (" + c.kind + "): '" + key + "' does not apply to this kind");
          }
        }
      }
      auto given = [&](const char* key) {
        for (const std::string& k : channel_keys[i]) {
          if (k == key) return true;
        }
        return false;
      };
      // Required parameters (a missing seed means seed 0, as it always has).
      if ((info.required & kParamOrder) && !given("order")) throw std::runtime_error(where + " (" + c.kind + "): needs 'order' (1..8)");
      if ((info.required & kParamLength) && !given("length")) throw std::runtime_error(where + " (" + c.kind + "): needs 'length' (1..8)");
      check_channel(c, where, !c.vocab_file.empty(), !spec.tokenizer.empty());
      if (spec.tokenizer.empty() && (!c.window.empty() || c.pooling == "concat" || c.kind == "prev_label")) {
        throw std::runtime_error(where + " (" + c.kind + "): 'window', concat pooling and prev_label are for token "
                                 "models ([text] tokenizer = words)");
      }
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(e.what());
    }
  }
  if (spec.neighbours.present) {
    const std::string where = file + ":" + std::to_string(spec.neighbours.line) + ": [neighbours]: ";
    for (const char* key : {"seed", "weight", "words"}) {
      if (std::find(neighbour_keys.begin(), neighbour_keys.end(), key) == neighbour_keys.end()) {
        throw std::runtime_error(where + "needs 'seed', 'weight' and 'words' (missing '" + key + "')");
      }
    }
    if (spec.neighbours.words_file.empty()) throw std::runtime_error(where + "'words' names no file");
    if (spec.task != "classifier") throw std::runtime_error(where + "neighbour words are for classifiers (task = classifier)");
  }
  if (spec.lexicon.present) {
    const std::string where = file + ":" + std::to_string(spec.lexicon.line) + ": [lexicon]: ";
    for (const char* key : {"words", "seed", "weight", "max_words"}) {
      if (std::find(lexicon_keys.begin(), lexicon_keys.end(), key) == lexicon_keys.end()) {
        throw std::runtime_error(where + "needs 'words', 'seed', 'weight' and 'max_words' (missing '" + key + "')");
      }
    }
    if (spec.lexicon.words_file.empty()) throw std::runtime_error(where + "'words' names no file");
    if (spec.task != "classifier") throw std::runtime_error(where + "a lexicon is for classifiers (task = classifier)");
  }
  if ((spec.reliable_short_letters != 0) != spec.has_reliable_short_probability) {
    throw std::runtime_error(file + ": [classifier]: 'reliable_short_letters' and 'reliable_short_probability' come together");
  }
  if (spec.has_reliable_short_probability && spec.reliable_short_probability < spec.reliable_probability) {
    throw std::runtime_error(file + ": [classifier]: 'reliable_short_probability' must be at least 'reliable_probability' "
                             "(short texts need more, not less)");
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

std::string format_channel_section(const ChannelSpecEntry& c) {
  const FeatureKindInfo& info = kind_info(c.kind, "channel");
  std::ostringstream s;
  s << "[channel]\nkind = " << c.kind << "\n";
  if (info.params & kParamOrder) s << "order = " << c.order << "\n";
  if (info.params & kParamLength) s << "length = " << c.length << "\n";
  if (info.params & kParamSeed) s << "seed = " << c.seed << "\n";
  if (c.buckets != 0) s << "buckets = " << c.buckets << "\n";
  if (c.dims != 0) s << "dims = " << c.dims << "\n";
  if (c.pooling != "mean") s << "pooling = " << c.pooling << "\n";
  if (!c.window.empty()) s << "window = " << window_text(c.window) << "\n";
  if (!c.vocab_file.empty()) s << "vocab_file = " << c.vocab_file << "\n";
  if (c.oov_buckets != 0) s << "oov_buckets = " << c.oov_buckets << "\n";
  if (!c.embedding.empty()) s << "embedding = " << c.embedding << "\n";
  if (!c.quantize) s << "quantize = 0\n";
  if (c.bits != 8) s << "bits = " << c.bits << "\n";
  if (c.bf16_scales) s << "scales = bf16\n";
  return s.str();
}

}  // namespace tools
}  // namespace ffnlp
