#include "tools/convert_model/neighbour_words.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "ffnlp/features.h"
#include "ffnlp/toolkit.h"
#include "tools/common/strict_number.h"
#include "tools/convert_model/quantize_matrix.h"

namespace ffnlp {
namespace tools {
namespace {

std::vector<std::string> split(const std::string& s, char sep, bool skip_empty) {
  std::vector<std::string> out;
  size_t at = 0;
  for (;;) {
    const size_t end = s.find(sep, at);
    const std::string item = s.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (!item.empty() || !skip_empty) out.push_back(item);
    if (end == std::string::npos) return out;
    at = end + 1;
  }
}

std::string hex_code_point(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", cp);
  return buf;
}

std::string hex_key(uint32_t key, uint32_t bits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", static_cast<int>(bits / 4), key);
  return buf;
}

// A score: [+-]digits[.digits][(e|E)[+-]digits], finite as a float32.
// `non_finite` tells "inf", "nan" and overflows apart from typos.
bool parse_score(const std::string& s, float* out, bool* non_finite) {
  *non_finite = false;
  std::string bare = s;
  if (!bare.empty() && (bare[0] == '+' || bare[0] == '-')) bare = bare.substr(1);
  std::string lower;
  for (char c : bare) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "inf" || lower == "infinity" || lower == "nan") {
    *non_finite = true;
    return false;
  }
  size_t i = 0;
  auto digits = [&]() {
    const size_t start = i;
    while (i < bare.size() && bare[i] >= '0' && bare[i] <= '9') ++i;
    return i > start;
  };
  if (!digits()) return false;
  if (i < bare.size() && bare[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < bare.size() && (bare[i] == 'e' || bare[i] == 'E')) {
    ++i;
    if (i < bare.size() && (bare[i] == '+' || bare[i] == '-')) ++i;
    if (!digits()) return false;
  }
  if (i != bare.size()) return false;
  // The syntax is checked; the tools never call setlocale, so '.' it is.
  const float v = static_cast<float>(std::strtod(s.c_str(), nullptr));
  if (!std::isfinite(v)) {
    *non_finite = true;
    return false;
  }
  *out = v;
  return true;
}

struct Group {
  std::vector<uint32_t> labels;
  int line = 0;
};

struct Entry {
  uint32_t key = 0;
  std::string word;
  int line = 0;
  size_t scores = 0;  // offset of its scores in the parsed values
};

class WordsFileParser {
 public:
  WordsFileParser(const std::string& file, const NeighbourSpec& spec, const std::vector<std::string>& label_codes,
                  const WordCharacters& characters)
      : file_(file), spec_(spec), codes_(label_codes), characters_(characters), group_of_label_(label_codes.size(), -1) {}

  NeighbourTables parse(const std::string& text) {
    for (const std::string& raw : split(text, '\n', false)) {
      ++line_;
      std::string l = raw;
      if (!l.empty() && l.back() == '\r') l.pop_back();
      if (l.empty() || l[0] == '#') continue;
      const std::vector<std::string> fields = split(l, '\t', false);
      // A word may be "group" too: group lines have two fields, entries three.
      if (fields.size() == 2 && fields[0] == "group") add_group(fields[1]);
      else if (fields.size() == 3) add_entry(fields[0], fields[1], fields[2]);
      else {
        error("expected 'group<TAB>CODE CODE ...' or 'WORD<TAB>GROUP<TAB>SCORES', got " + std::to_string(fields.size()) +
              " tab-separated field" + (fields.size() == 1 ? "" : "s"));
      }
    }
    return tables();
  }

 private:
  [[noreturn]] void error(const std::string& message) const { error_at(line_, message); }
  [[noreturn]] void error_at(int line, const std::string& message) const {
    throw std::runtime_error(file_ + ":" + std::to_string(line) + ": " + message);
  }
  [[noreturn]] void file_error(const std::string& message) const { throw std::runtime_error(file_ + ": " + message); }

  void add_group(const std::string& list) {
    if (groups_.size() == kMaxNeighbourGroups) error("more than " + std::to_string(kMaxNeighbourGroups) + " groups");
    const uint32_t g = static_cast<uint32_t>(groups_.size());
    Group group;
    group.line = line_;
    for (const std::string& code : split(list, ' ', true)) {
      const auto it = std::find(codes_.begin(), codes_.end(), code);
      if (it == codes_.end()) error("group " + std::to_string(g) + ": '" + code + "' is not one of the model's labels");
      const uint32_t label = static_cast<uint32_t>(it - codes_.begin());
      const int other = group_of_label_[label];
      if (other == static_cast<int>(g)) error("group " + std::to_string(g) + ": '" + code + "' is listed twice");
      if (other >= 0) {
        error("group " + std::to_string(g) + ": '" + code + "' is already in group " + std::to_string(other) + " (line " +
              std::to_string(groups_[static_cast<size_t>(other)].line) + "); a label belongs to one group at most");
      }
      group_of_label_[label] = static_cast<int>(g);
      group.labels.push_back(label);
    }
    if (group.labels.size() < kMinNeighbourGroupSize || group.labels.size() > kMaxNeighbourGroupSize) {
      error("group " + std::to_string(g) + " has " + std::to_string(group.labels.size()) + " labels; a group has " +
            std::to_string(kMinNeighbourGroupSize) + " to " + std::to_string(kMaxNeighbourGroupSize));
    }
    groups_.push_back(group);
    entries_.emplace_back();
  }

  void add_entry(const std::string& word, const std::string& group_text, const std::string& score_text) {
    uint64_t g = 0;
    if (!parse_decimal(group_text, &g)) error("'" + word + "': the group must be a decimal index, got '" + group_text + "'");
    if (g >= groups_.size()) {
      error("'" + word + "': group " + group_text + " is not declared above (" + std::to_string(groups_.size()) +
            " group lines so far; groups count from 0)");
    }
    check_word(word);
    Entry e;
    e.word = word;
    e.line = line_;
    e.scores = values_.size();
    if (!neighbour_word_key(word, spec_.seed, &e.key)) error("'" + word + "' is not valid UTF-8");
    if (spec_.key_bits == 24) e.key >>= 8;
    const std::vector<std::string> scores = split(score_text, ' ', true);
    const size_t size = groups_[g].labels.size();
    if (scores.size() != size) {
      error("'" + word + "': " + std::to_string(scores.size()) + " scores for group " + group_text + ", which has " +
            std::to_string(size) + " labels");
    }
    for (size_t m = 0; m < size; ++m) {
      float v = 0;
      bool non_finite = false;
      if (!parse_score(scores[m], &v, &non_finite)) {
        error("'" + word + "': score " + std::to_string(m + 1) + " ('" + scores[m] + "') " +
              (non_finite ? "is not a finite number" : "is not a decimal number such as -1.25 or 3e-05"));
      }
      values_.push_back(v);
    }
    entries_[g].push_back(e);
    if (++word_total_ > kMaxNeighbourWords) error("more than " + std::to_string(kMaxNeighbourWords) + " words");
  }

  // What the word channel keeps in a word (docs/SPEC.md "Text"): letters and
  // marks, lowercased when the model lowercases; digits only when it keeps
  // them. A word with anything else could never be found.
  void check_word(const std::string& word) const {
    if (word.empty()) error("empty word");
    std::vector<uint32_t> cps;
    if (!code_points_of(word, &cps)) error("'" + word + "' is not valid UTF-8");
    for (uint32_t cp : cps) {
      const NormalizedChar c = normalize_char(cp, characters_.lowercase);
      if (c.char_class == CharClass::kSeparator) {
        error("'" + word + "' holds " + hex_code_point(cp) + ", which separates words: the model never sees it inside a word");
      }
      if (c.char_class == CharClass::kDigit && characters_.drop_digits) {
        error("'" + word + "' holds the digit " + hex_code_point(cp) + "; the model drops digits (drop_digits = 1)");
      }
      if (c.code_point != cp) {
        error("'" + word + "': the model lowercases " + hex_code_point(cp) + " to " + hex_code_point(c.code_point) +
              ", so the word as written never matches; write it as the model's text has it");
      }
    }
  }

  NeighbourTables tables() const {
    if (groups_.empty()) file_error("no groups ('group<TAB>CODE CODE ...' lines)");
    NeighbourTables t;
    t.seed = spec_.seed;
    t.weight = spec_.weight;
    t.key_bits = spec_.key_bits;
    std::vector<float>& values = t.values;
    for (size_t g = 0; g < groups_.size(); ++g) {
      const Group& group = groups_[g];
      std::vector<Entry> entries = entries_[g];
      if (entries.empty()) error_at(group.line, "group " + std::to_string(g) + " has no words");
      std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
      for (size_t j = 1; j < entries.size(); ++j) {
        const Entry& a = entries[j - 1];
        const Entry& b = entries[j];
        if (a.key != b.key) continue;
        const Entry& first = a.line < b.line ? a : b;
        const Entry& second = a.line < b.line ? b : a;
        if (a.word == b.word) {
          error_at(second.line, "'" + second.word + "' appears twice in group " + std::to_string(g) + " (first on line " +
                                    std::to_string(first.line) + ")");
        }
        const std::string width = spec_.key_bits == 24 ? "24-bit key " : "key ";
        error_at(second.line, "'" + second.word + "' and '" + first.word + "' (line " + std::to_string(first.line) +
                                  ") have the same " + width + hex_key(a.key, spec_.key_bits) + " in group " +
                                  std::to_string(g) + "; keep one of them");
      }
      const size_t size = group.labels.size();
      t.groups.push_back(static_cast<uint32_t>(size));
      t.labels.insert(t.labels.end(), group.labels.begin(), group.labels.end());
      t.word_counts.push_back(static_cast<uint32_t>(entries.size()));
      for (const Entry& e : entries) {
        t.words.push_back(e.key);
        values.insert(values.end(), values_.begin() + static_cast<std::ptrdiff_t>(e.scores),
                      values_.begin() + static_cast<std::ptrdiff_t>(e.scores + size));
      }
    }
    // Fewer 24-bit keys would take as many u32s as 32-bit ones, and a runtime
    // from before key_bits would then misread them rather than refuse them.
    if (spec_.key_bits == 24 && word_total_ < 4) {
      file_error("key_bits = 24 needs at least 4 words (" + std::to_string(word_total_) +
                 " take as many bytes as 32-bit keys)");
    }
    // One row, the core scheme: s = max|S| / 127, q = floor(0.5 + S/s + 128);
    // with bits = 4 the same at 4 bits (s = max|S| / 7, zero point 8), half
    // the bytes: a score is a few steps of evidence, 15 levels hold it.
    if (spec_.bits == 4) {
      t.scores = quantize_matrix_q4(kNeighbourScoresTensor, 1, values.size(), values, Rounding::kHalfUp, nullptr);
      return t;
    }
    TensorToWrite& s = t.scores;
    s.name = kNeighbourScoresTensor;
    s.dtype = DType::kQ8Row;
    s.rank = 2;
    s.rows = 1;
    s.cols = values.size();
    s.zero_point = kDefaultZeroPoint;
    s.q.resize(values.size());
    s.scales.push_back(quantize_row(values.data(), values.size(), kDefaultZeroPoint, Rounding::kHalfUp, s.q.data()));
    if (!std::isfinite(s.scales[0])) file_error("the scores' scale is not a finite float32 (scores too large)");
    return t;
  }

  const std::string& file_;
  const NeighbourSpec& spec_;
  const std::vector<std::string>& codes_;
  const WordCharacters characters_;
  std::vector<int> group_of_label_;  // -1: in no group
  std::vector<Group> groups_;
  std::vector<std::vector<Entry>> entries_;  // per group, in file order
  std::vector<float> values_;                // scores in file order
  uint64_t word_total_ = 0;
  int line_ = 0;
};

}  // namespace

// decode_utf8 yields U+FFFD for an invalid, overlong, surrogate or truncated
// sequence after one byte; a real U+FFFD takes three.
bool code_points_of(const std::string& word, std::vector<uint32_t>* cps) {
  cps->clear();
  const uint8_t* s = reinterpret_cast<const uint8_t*>(word.data());
  size_t at = 0;
  while (at < word.size()) {
    uint32_t cp = 0;
    const size_t n = decode_utf8(s + at, word.size() - at, &cp);
    if (cp == kReplacementChar && n != 3) return false;
    cps->push_back(cp);
    at += n;
  }
  return true;
}

bool neighbour_word_key(const std::string& word, uint32_t seed, uint32_t* key) {
  std::vector<uint32_t> cps;
  if (!code_points_of(word, &cps)) return false;
  *key = bucket_of(hash_code_points_forward(cps.data(), static_cast<uint32_t>(cps.size()), seed), 0xFFFFFFFFu);
  return true;
}

NeighbourTables build_neighbour_tables(const std::string& text, const std::string& file, const NeighbourSpec& spec,
                                       const std::vector<std::string>& label_codes, const WordCharacters& characters) {
  return WordsFileParser(file, spec, label_codes, characters).parse(text);
}

std::vector<uint32_t> pack_keys_24(const std::vector<uint32_t>& keys) {
  std::vector<uint32_t> packed((3 * keys.size() + 3) / 4, 0);
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t b = 0; b < 3; ++b) {
      const size_t at = 3 * i + b;  // byte of the array
      packed[at / 4] |= ((keys[i] >> (8 * b)) & 0xFFu) << (8 * (at % 4));
    }
  }
  return packed;
}

void write_neighbour_tables(NeighbourTables t, ModelWriter* writer) {
  writer->set_u32("neighbours.seed", t.seed);
  writer->set_f32("neighbours.weight", t.weight);
  writer->set_u32s("neighbours.groups", t.groups);
  writer->set_u32s("neighbours.labels", t.labels);
  writer->set_u32s("neighbours.word_counts", t.word_counts);
  if (t.key_bits == 24) {
    writer->set_u32("neighbours.key_bits", 24);
    writer->set_u32s("neighbours.words", pack_keys_24(t.words));
  } else {
    writer->set_u32s("neighbours.words", t.words);
  }
  writer->set_string("neighbours.scores", t.scores.name);
  writer->add_tensor(std::move(t.scores));
}

}  // namespace tools
}  // namespace ffnlp
