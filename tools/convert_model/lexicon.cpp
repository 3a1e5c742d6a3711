#include "tools/convert_model/lexicon.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "ffnlp/ffnlp.h"
#include "tools/convert_model/neighbour_words.h"

namespace ffnlp {
namespace tools {
namespace {

// The words of a text as the model will read them: the runtime itself, on
// a features-only model with the spec's text options and one hashed word
// channel of 4294967295 rows (a row is a word's key). So an entry is cut,
// cleaned and lowercased exactly as a text's words will be.
class WordCutter {
 public:
  WordCutter(const TextMetadata& text, uint32_t seed) {
    TextMetadata whole = text;
    whole.max_bytes = 0;  // an entry is read whole
    ChannelMetadata word;
    word.kind = "word";
    word.seed = seed;
    word.buckets = 0xFFFFFFFFu;
    word.dims = 1;
    ModelWriter w;
    w.set_string("general.task", "features");
    write_features(w, whole, {word});
    bytes_ = w.build();
    Error e;
    if (Model::load(bytes_.data(), bytes_.size(), &model_, &e) != Status::kOk) {
      throw std::runtime_error(std::string("lexicon: the word reader does not load: ") + e.message);
    }
  }
  WordCutter(const WordCutter&) = delete;
  WordCutter& operator=(const WordCutter&) = delete;

  // The number of words of `text`; *key: the first one's key.
  size_t words(const std::string& text, uint32_t* key) const {
    FeatureRef refs[2];
    size_t count = 0;
    const Status s = model_.text_features(text.data(), text.size(), refs, 2, &count);
    if (s != Status::kOk && s != Status::kBufferTooSmall) throw std::runtime_error("lexicon: reading a word failed");
    if (count != 0) *key = refs[0].row;
    return count;
  }

 private:
  std::vector<uint8_t> bytes_;
  Model model_;
};

struct Entry {
  uint32_t entry = 0;  // (key & ~mask) | label
  uint32_t key = 0;
  std::string word, code;
  int line = 0;
};

}  // namespace

LexiconTables build_lexicon_tables(const std::string& words_text, const std::string& file, const LexiconSpec& spec,
                                   const std::vector<std::string>& label_codes, const TextMetadata& text) {
  const WordCutter cutter(text, spec.seed);
  const uint32_t mask = format::lexicon_label_mask(static_cast<uint32_t>(label_codes.size()));
  std::vector<Entry> entries;
  int line = 0;
  auto error = [&](const std::string& message) { throw std::runtime_error(file + ":" + std::to_string(line) + ": " + message); };
  for (size_t at = 0; at <= words_text.size();) {
    size_t end = words_text.find('\n', at);
    if (end == std::string::npos) end = words_text.size();
    std::string l = words_text.substr(at, end - at);
    at = end + 1;
    ++line;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.empty() || l[0] == '#') continue;
    const size_t tab = l.find('\t');
    if (tab == std::string::npos || l.find('\t', tab + 1) != std::string::npos) {
      error("expected 'WORD<TAB>LABEL' (two fields, one tab), got '" + l + "'");
    }
    Entry e;
    e.word = l.substr(0, tab);
    e.code = l.substr(tab + 1);
    e.line = line;
    const auto it = std::find(label_codes.begin(), label_codes.end(), e.code);
    if (it == label_codes.end()) error("'" + e.word + "': '" + e.code + "' is not one of the model's labels");
    std::vector<uint32_t> cps;
    if (!code_points_of(e.word, &cps)) error("'" + e.word + "' is not valid UTF-8");
    const size_t n = cutter.words(e.word, &e.key);
    if (n != 1) {
      error("'" + e.word + "' is " + (n == 0 ? std::string("no word") : std::to_string(n) + " words") +
            " as the model reads text (its [text] options: separators, digits, clean-up); an entry is one word");
    }
    e.entry = (e.key & ~mask) | static_cast<uint32_t>(it - label_codes.begin());
    entries.push_back(e);
  }
  if (entries.empty()) throw std::runtime_error(file + ": no entries ('WORD<TAB>LABEL' lines)");
  // Sorted by entry; the same word under the same label twice is one entry.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.entry < b.entry; });
  LexiconTables t;
  t.seed = spec.seed;
  t.weight = spec.weight;
  t.max_words = spec.max_words;
  std::vector<bool> labelled(label_codes.size(), false);
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (!t.entries.empty() && t.entries.back() == e.entry) continue;
    t.entries.push_back(e.entry);
    labelled[e.entry & mask] = true;
    // Another word before it with the same high bits and another label.
    for (size_t j = i; j-- > 0 && (entries[j].entry & ~mask) == (e.entry & ~mask);) {
      if (entries[j].key == e.key || entries[j].code == e.code) continue;
      const Entry& first = entries[j].line < e.line ? entries[j] : e;
      const Entry& second = entries[j].line < e.line ? e : entries[j];
      t.warnings.push_back(file + ":" + std::to_string(second.line) + ": '" + second.word + "' (" + second.code +
                           ") and '" + first.word + "' (" + first.code + ", line " + std::to_string(first.line) +
                           ") share their keys' high bits: each adds to both labels");
    }
  }
  if (t.entries.size() > format::kMaxLexiconEntries) {
    throw std::runtime_error(file + ": " + std::to_string(t.entries.size()) + " entries, at most " +
                             std::to_string(format::kMaxLexiconEntries));
  }
  t.labels = static_cast<size_t>(std::count(labelled.begin(), labelled.end(), true));
  return t;
}

void write_lexicon_tables(const LexiconTables& t, ModelWriter* writer) {
  writer->set_u32s("lexicon.entries", t.entries);
  writer->set_u32("lexicon.seed", t.seed);
  writer->set_f32("lexicon.weight", t.weight);
  writer->set_u32("lexicon.max_words", t.max_words);
}

}  // namespace tools
}  // namespace ffnlp
