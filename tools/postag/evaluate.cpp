#include "tools/postag/evaluate.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

namespace ffnlp {
namespace postag {
namespace {

// The word channel with a vocabulary and the slot of offset 0 in its window,
// or false when the model has none.
bool word_channel(const Model& model, uint32_t* channel, uint32_t* slot, uint32_t* vocab) {
  for (uint32_t c = 0; c < model.channel_count(); ++c) {
    const ChannelInfo& info = model.channel(c);
    if (info.kind != FeatureKind::kWord || info.vocab_size == 0) continue;
    for (uint32_t s = 0; s < info.window_count; ++s) {
      if (info.window[s] != 0) continue;
      *channel = c;
      *slot = info.pooling == Pooling::kConcat ? s : 0;
      *vocab = info.vocab_size;
      return true;
    }
  }
  return false;
}

std::string percent(uint64_t part, uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buf;
}

}  // namespace

Status evaluate_tagger(const Model& model, const tools::TaggedCorpus& corpus, EvalCounts* counts,
                       size_t* failed_sentence) {
  const std::vector<std::string>& tags = tools::universal_tags();
  // The model's label index -> universal tag index.
  std::vector<uint32_t> label_tag(model.label_count(), static_cast<uint32_t>(tags.size()));
  for (uint32_t l = 0; l < model.label_count(); ++l) {
    for (size_t t = 0; t < tags.size(); ++t) {
      if (tags[t] == model.label(l)) label_tag[l] = static_cast<uint32_t>(t);
    }
  }
  *counts = EvalCounts();
  counts->confusion.assign(tags.size(), std::vector<uint64_t>(tags.size() + 1, 0));
  std::map<std::string, size_t> genre_index;
  uint32_t word = 0, word_slot = 0, vocab = 0;
  const bool has_vocab = word_channel(model, &word, &word_slot, &vocab);
  Workspace workspace(model);
  if (!workspace.ok()) return Status::kOutOfMemory;
  std::vector<const char*> pieces;
  std::vector<size_t> lengths;
  std::vector<TaggedToken> out;
  std::vector<FeatureRef> refs(256);
  for (size_t k = 0; k < corpus.sentences.size(); ++k) {
    const tools::TaggedSentence& s = corpus.sentences[k];
    pieces.clear();
    lengths.clear();
    for (const std::string& f : s.forms) {
      pieces.push_back(f.data());
      lengths.push_back(f.size());
    }
    out.resize(std::max(out.size(), pieces.size()));
    Status st = model.tag_tokens(pieces.data(), lengths.data(), pieces.size(), workspace, out.data());
    if (st != Status::kOk) {
      *failed_sentence = k;
      return st;
    }
    const std::string& genre = corpus.genres[s.doc];
    auto g = genre_index.find(genre);
    if (g == genre_index.end()) {
      g = genre_index.emplace(genre, counts->genres.size()).first;
      counts->genres.push_back(genre);
      counts->genre_tokens.push_back(0);
      counts->genre_correct.push_back(0);
    }
    std::vector<uint32_t> labels(pieces.size());
    for (size_t i = 0; i < pieces.size(); ++i) labels[i] = out[i].label_index;
    for (size_t i = 0; i < pieces.size(); ++i) {
      const uint32_t predicted = label_tag[out[i].label_index];
      const bool ok = predicted == s.tags[i];
      counts->tokens += 1;
      counts->correct += ok;
      counts->genre_tokens[g->second] += 1;
      counts->genre_correct[g->second] += ok;
      counts->confusion[s.tags[i]][predicted] += 1;
      if (!has_vocab) continue;
      size_t n = 0;
      st = model.token_features(pieces.data(), lengths.data(), pieces.size(), i, labels.data(), refs.data(),
                                refs.size(), &n);
      if (st == Status::kBufferTooSmall) {
        refs.resize(n);
        st = model.token_features(pieces.data(), lengths.data(), pieces.size(), i, labels.data(), refs.data(),
                                  refs.size(), &n);
      }
      if (st != Status::kOk) {
        *failed_sentence = k;
        return st;
      }
      for (size_t r = 0; r < n; ++r) {
        if (refs[r].channel == word && refs[r].slot == word_slot && refs[r].row >= vocab) {
          counts->oov += 1;
          counts->oov_correct += ok;
          break;
        }
      }
    }
  }
  return Status::kOk;
}

std::string format_eval_report(const EvalCounts& c, const std::string& file) {
  const std::vector<std::string>& tags = tools::universal_tags();
  std::string out;
  char buf[256];
  out += "file\t" + file + "\n";
  std::snprintf(buf, sizeof buf, "accuracy\t%s\t%llu of %llu tokens\n", percent(c.correct, c.tokens).c_str(),
                static_cast<unsigned long long>(c.correct), static_cast<unsigned long long>(c.tokens));
  out += buf;
  std::snprintf(buf, sizeof buf, "unknown-word accuracy\t%s\t%llu of %llu tokens not in the model's vocabulary (%s)\n",
                percent(c.oov_correct, c.oov).c_str(), static_cast<unsigned long long>(c.oov_correct),
                static_cast<unsigned long long>(c.oov), percent(c.oov, c.tokens).c_str());
  out += buf;
  out += "\ntag\tgold\tpredicted\tprecision\trecall\tF1\n";
  for (size_t t = 0; t < tags.size(); ++t) {
    uint64_t gold = 0, predicted = 0;
    for (size_t p = 0; p < tags.size() + 1; ++p) gold += c.confusion[t][p];
    for (size_t g = 0; g < tags.size(); ++g) predicted += c.confusion[g][t];
    const uint64_t hit = c.confusion[t][t];
    const double precision = predicted ? static_cast<double>(hit) / predicted : 0.0;
    const double recall = gold ? static_cast<double>(hit) / gold : 0.0;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    std::snprintf(buf, sizeof buf, "%s\t%llu\t%llu\t%.2f%%\t%.2f%%\t%.2f%%\n", tags[t].c_str(),
                  static_cast<unsigned long long>(gold), static_cast<unsigned long long>(predicted), 100 * precision,
                  100 * recall, 100 * f1);
    out += buf;
  }
  struct Pair {
    uint64_t n;
    size_t gold, predicted;
  };
  std::vector<Pair> pairs;
  const uint64_t errors = c.tokens - c.correct;
  for (size_t g = 0; g < tags.size(); ++g) {
    for (size_t p = 0; p < tags.size() + 1; ++p) {
      if (g != p && c.confusion[g][p] != 0) pairs.push_back({c.confusion[g][p], g, p});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return a.n != b.n ? a.n > b.n : (a.gold != b.gold ? a.gold < b.gold : a.predicted < b.predicted);
  });
  out += "\nconfusion (gold -> predicted)\tcount\tshare of errors\n";
  for (size_t i = 0; i < pairs.size() && i < 12; ++i) {
    const std::string predicted = pairs[i].predicted < tags.size() ? tags[pairs[i].predicted] : "(other label)";
    std::snprintf(buf, sizeof buf, "%s -> %s\t%llu\t%s\n", tags[pairs[i].gold].c_str(), predicted.c_str(),
                  static_cast<unsigned long long>(pairs[i].n), percent(pairs[i].n, errors).c_str());
    out += buf;
  }
  if (c.genres.size() > 1 || (c.genres.size() == 1 && !c.genres[0].empty())) {
    out += "\ngenre\ttokens\taccuracy\n";
    for (size_t g = 0; g < c.genres.size(); ++g) {
      out += (c.genres[g].empty() ? "(none)" : c.genres[g]) + "\t" + std::to_string(c.genre_tokens[g]) + "\t" +
             percent(c.genre_correct[g], c.genre_tokens[g]) + "\n";
    }
  }
  return out;
}

}  // namespace postag
}  // namespace ffnlp
