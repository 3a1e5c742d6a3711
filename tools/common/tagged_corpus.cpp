#include "tools/common/tagged_corpus.h"

#include <fstream>
#include <map>
#include <stdexcept>

namespace ffnlp {
namespace tools {
namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t begin = 0;
  for (;;) {
    const size_t tab = line.find('\t', begin);
    out.push_back(line.substr(begin, tab == std::string::npos ? std::string::npos : tab - begin));
    if (tab == std::string::npos) return out;
    begin = tab + 1;
  }
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The text after "key = " in a comment line, up to the next " word = " key
// or the end.
std::string comment_value(const std::string& line, const std::string& key) {
  const std::string marker = key + " = ";
  const size_t at = line.find(marker);
  if (at == std::string::npos) return "";
  const size_t begin = at + marker.size();
  size_t end = line.size();
  for (const char* next : {" genre = ", " doc = "}) {
    const size_t n = line.find(next, begin);
    if (n != std::string::npos && n < end) end = n;
  }
  return line.substr(begin, end - begin);
}

}  // namespace

const std::vector<std::string>& universal_tags() {
  static const std::vector<std::string> tags = {"NOUN", "VERB", "ADJ", "ADV", "PRON", "DET",
                                                "ADP",  "NUM",  "CONJ", "PRT", ".",    "X"};
  return tags;
}

std::string fold_upos(const std::string& tag) {
  static const std::map<std::string, std::string> folded = {
      {"PROPN", "NOUN"}, {"AUX", "VERB"}, {"CCONJ", "CONJ"}, {"SCONJ", "CONJ"}, {"PART", "PRT"},
      {"PUNCT", "."},    {"SYM", "X"},    {"INTJ", "X"}};
  const auto f = folded.find(tag);
  if (f != folded.end()) return f->second;
  for (const std::string& t : universal_tags()) {
    if (t == tag) return t;
  }
  return "";
}

uint64_t TaggedCorpus::tokens() const {
  uint64_t n = 0;
  for (const TaggedSentence& s : sentences) n += s.forms.size();
  return n;
}

TaggedCorpus read_tagged_corpus(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::map<std::string, uint32_t> tag_index;
  for (size_t i = 0; i < universal_tags().size(); ++i) tag_index[universal_tags()[i]] = static_cast<uint32_t>(i);
  TaggedCorpus corpus;
  std::map<std::string, uint32_t> doc_index;
  uint32_t doc = 0;
  auto use_doc = [&](const std::string& name, const std::string& genre) {
    const auto found = doc_index.find(name);
    if (found != doc_index.end()) {
      doc = found->second;
      return;
    }
    doc = static_cast<uint32_t>(corpus.docs.size());
    doc_index[name] = doc;
    corpus.docs.push_back(name);
    corpus.genres.push_back(genre);
  };
  use_doc("", "");
  TaggedSentence sentence;
  auto finish = [&]() {
    if (!sentence.forms.empty()) {
      sentence.doc = doc;
      corpus.sentences.push_back(std::move(sentence));
    }
    sentence = TaggedSentence();
  };
  std::string line;
  uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      finish();
      continue;
    }
    if (line[0] == '#') {
      const std::string name = comment_value(line, "doc");
      if (!name.empty()) use_doc(name, comment_value(line, "genre"));
      const std::string newdoc = comment_value(line, "# newdoc id");
      if (!newdoc.empty()) use_doc(newdoc, "");
      continue;
    }
    const std::vector<std::string> cols = split_tabs(line);
    std::string form, tag;
    if (cols.size() == 10 && !cols[0].empty() && cols[0][0] >= '0' && cols[0][0] <= '9') {
      if (!all_digits(cols[0])) continue;  // a multi-word range (1-2) or an empty node (1.1)
      form = cols[1];
      tag = fold_upos(cols[3]);
      if (tag.empty()) throw std::runtime_error(path + ":" + std::to_string(number) + ": UPOS '" + cols[3] + "' is not a UD tag");
    } else if (cols.size() >= 2) {
      form = cols[0];
      tag = cols[1];
    } else {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": expected FORM<TAB>TAG or ten CoNLL-U columns");
    }
    const auto t = tag_index.find(tag);
    if (t == tag_index.end()) {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": tag '" + tag + "' is not one of the 12 universal tags");
    }
    sentence.forms.push_back(form);
    sentence.tags.push_back(t->second);
  }
  finish();
  return corpus;
}

}  // namespace tools
}  // namespace ffnlp
