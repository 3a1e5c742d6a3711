#include "tools/postag/line_tagger.h"

#include <cstdio>

#include "tools/common/json_string.h"

namespace ffnlp {
namespace postag {

void split_at_spaces(const char* line, size_t size, std::vector<const char*>* pieces, std::vector<size_t>* lengths) {
  pieces->clear();
  lengths->clear();
  if (size == 0) return;
  size_t begin = 0;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || line[i] == ' ') {
      pieces->push_back(line + begin);
      lengths->push_back(i - begin);
      begin = i + 1;
    }
  }
}

Status LineTagger::tag(const char* line, size_t size, bool pretokenized) {
  count_ = 0;
  if (pretokenized) {
    split_at_spaces(line, size, &pieces_, &lengths_);
    if (out_.size() < pieces_.size()) out_.resize(pieces_.size());
    const Status s = model_.tag_tokens(pieces_.data(), lengths_.data(), pieces_.size(), workspace_, out_.data());
    if (s != Status::kOk) return s;
    // Offsets into the line, as in text mode.
    for (size_t j = 0; j < pieces_.size(); ++j) {
      out_[j].begin = static_cast<uint64_t>(pieces_[j] - line);
      out_[j].end = out_[j].begin + lengths_[j];
    }
    count_ = pieces_.size();
    return Status::kOk;
  }
  // The token count first, so the records fit the line's tokens exactly.
  size_t n = 0;
  Status s = model_.tokenize(line, size, nullptr, 0, &n);
  if (s != Status::kOk && s != Status::kBufferTooSmall) return s;
  if (out_.size() < n) out_.resize(n);
  s = model_.tag(line, size, workspace_, out_.data(), out_.size(), &n);
  if (s != Status::kOk) return s;
  count_ = n;
  return Status::kOk;
}

void LineTagger::append(std::string& out, const char* line, OutputFormat format) const {
  if (format == OutputFormat::kJson) {
    out += "{\"tokens\":[";
    for (size_t i = 0; i < count_; ++i) {
      const TaggedToken& t = out_[i];
      char numbers[96];
      std::snprintf(numbers, sizeof numbers, ",\"probability\":%.4f,\"begin\":%llu,\"end\":%llu}",
                    static_cast<double>(t.probability), static_cast<unsigned long long>(t.begin),
                    static_cast<unsigned long long>(t.end));
      out += i ? ",{\"token\":" : "{\"token\":";
      tools::append_json_string(out, line + t.begin, static_cast<size_t>(t.end - t.begin));
      out += ",\"tag\":";
      tools::append_json_string(out, t.label, std::char_traits<char>::length(t.label));
      out += numbers;
    }
    out += "]}\n";
    return;
  }
  for (size_t i = 0; i < count_; ++i) {
    const TaggedToken& t = out_[i];
    if (i) out += ' ';
    if (format == OutputFormat::kSlash) {
      out.append(line + t.begin, static_cast<size_t>(t.end - t.begin));
      out += '/';
    }
    out += t.label;
  }
  out += '\n';
}

}  // namespace postag
}  // namespace ffnlp
