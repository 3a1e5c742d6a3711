// libFuzzer target: the tokenizer and the tagger on arbitrary bytes.
//
// The model is loaded once at start-up: the file named by $FFNLP_FUZZ_MODEL,
// else models/pos-en.ffm (the shipped English tagger) when it exists, else
// the test tagger of tests/test_models.h built in memory (every token kind).
// Invariants checked on every input:
//  - tokenize(): tokens non-empty, inside the text, in order, not
//    overlapping; Model::tokenize() and tokenize_words() agree; at most one
//    token per byte;
//  - tag(): succeeds with exactly the tokens of tokenize(); every label a
//    label of the model, probability in (0, 1]; an exact-size copy of the
//    text gives the same bits (no reads past the end);
//  - pre-tokenized input (the bytes split at every ' ', empty tokens kept):
//    tag_tokens() answers one label per token, the C API the same bits;
//  - token_features() of a few tokens, with the predicted labels, succeeds
//    and names only existing rows.
#include "fuzz_check.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/ffnlp_c.h"
#include "test_models.h"

namespace {

struct Loaded {
  std::vector<uint8_t> owned;
  ffnlp::MappedFile file;
  ffnlp::Model model;
  std::unique_ptr<ffnlp::Workspace> workspace;
  ffnlp_model* cmodel = nullptr;
  ffnlp_workspace* cworkspace = nullptr;
};
Loaded* g = nullptr;

bool file_exists(const char* path) {
  FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return false;
  std::fclose(f);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g = new Loaded;
  const char* path = std::getenv("FFNLP_FUZZ_MODEL");
  if (path == nullptr && file_exists("models/pos-en.ffm")) path = "models/pos-en.ffm";
  ffnlp::Error error;
  if (path != nullptr) {
    if (ffnlp::load_file(path, &g->file, &g->model, &error) != ffnlp::Status::kOk) {
      std::fprintf(stderr, "fuzz_tag_text: %s: %s\n", path, error.message);
      std::exit(1);
    }
    std::fprintf(stderr, "fuzz_tag_text: model %s (%u labels)\n", path, g->model.label_count());
  } else {
    g->owned = ffnlp::testing::build_token_model(ffnlp::testing::make_token_network(1));
    check(ffnlp::Model::load(g->owned.data(), g->owned.size(), &g->model, &error) == ffnlp::Status::kOk);
    std::fprintf(stderr, "fuzz_tag_text: test tagger (no models/pos-en.ffm)\n");
  }
  check(g->model.is_tagger());
  g->workspace.reset(new ffnlp::Workspace(g->model));
  check(g->workspace->ok());
  const void* bytes = path != nullptr ? g->file.data() : g->owned.data();
  const size_t size = path != nullptr ? g->file.size() : g->owned.size();
  check(ffnlp_model_create_from_buffer(bytes, size, &g->cmodel, nullptr) == FFNLP_OK);
  check(ffnlp_workspace_create(g->cmodel, &g->cworkspace, nullptr) == FFNLP_OK);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ffnlp::Model& m = g->model;
  const char* text = reinterpret_cast<const char*>(data);
  std::vector<ffnlp::Token> tokens(size + 1);
  size_t n = 0;
  check(m.tokenize(text, size, tokens.data(), tokens.size(), &n) == ffnlp::Status::kOk);
  check(n <= size);
  size_t n2 = 0;
  std::vector<ffnlp::Token> again(size + 1);
  check(ffnlp::tokenize_words(text, size, again.data(), again.size(), &n2) == ffnlp::Status::kOk);
  check(n2 == n);
  for (size_t i = 0; i < n; ++i) {
    check(tokens[i].begin < tokens[i].end);
    check(tokens[i].end <= size);
    check(i == 0 || tokens[i - 1].end <= tokens[i].begin);
    check(again[i].begin == tokens[i].begin && again[i].end == tokens[i].end);
  }

  std::vector<ffnlp::TaggedToken> tagged(size + 1);
  size_t t = 0;
  check(m.tag(text, size, *g->workspace, tagged.data(), tagged.size(), &t) == ffnlp::Status::kOk);
  check(t == n);
  for (size_t i = 0; i < t; ++i) {
    check(tagged[i].begin == tokens[i].begin && tagged[i].end == tokens[i].end);
    check(tagged[i].label_index < m.label_count());
    check(std::strcmp(tagged[i].label, m.label(tagged[i].label_index)) == 0);
    check(tagged[i].probability > 0.0f && tagged[i].probability <= 1.0f);
  }
  // An exact-size heap copy: any read past the end is an ASan report.
  std::unique_ptr<char[]> copy(new char[size == 0 ? 1 : size]);
  if (size != 0) std::memcpy(copy.get(), data, size);
  std::vector<ffnlp::TaggedToken> tagged2(size + 1);
  size_t t2 = 0;
  check(m.tag(copy.get(), size, *g->workspace, tagged2.data(), tagged2.size(), &t2) == ffnlp::Status::kOk);
  check(t2 == t);
  for (size_t i = 0; i < t; ++i) {
    check(tagged2[i].label_index == tagged[i].label_index && tagged2[i].probability == tagged[i].probability);
  }

  // Pre-tokenized: split at every ' ' (empty tokens kept): one answer each.
  std::vector<const char*> parts;
  std::vector<size_t> lengths;
  size_t start = 0;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == ' ') {
      parts.push_back(copy.get() + start);
      lengths.push_back(i - start);
      start = i + 1;
    }
  }
  std::vector<ffnlp::TaggedToken> listed(parts.size());
  check(m.tag_tokens(parts.data(), lengths.data(), parts.size(), *g->workspace, listed.data()) == ffnlp::Status::kOk);
  std::vector<ffnlp_tagged_token> clisted(parts.size());
  check(ffnlp_workspace_tag_tokens(g->cworkspace, parts.data(), lengths.data(), parts.size(), clisted.data()) ==
        FFNLP_OK);
  std::vector<uint32_t> labels(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    check(listed[i].label_index < m.label_count());
    check(listed[i].end == lengths[i]);
    check(clisted[i].label_index == listed[i].label_index && clisted[i].probability == listed[i].probability);
    labels[i] = listed[i].label_index;
  }
  ffnlp::FeatureRef refs[512];
  for (size_t i : {size_t{0}, parts.size() / 2, parts.size() - 1}) {
    size_t count = 0;
    const ffnlp::Status s =
        m.token_features(parts.data(), lengths.data(), parts.size(), i, labels.data(), refs, 512, &count);
    check(s == ffnlp::Status::kOk || s == ffnlp::Status::kBufferTooSmall);
    for (size_t k = 0; k < count && k < 512; ++k) {
      check(refs[k].channel < m.channel_count());
      check(refs[k].row < m.channel(refs[k].channel).buckets);
      check(refs[k].slot < m.channel(refs[k].channel).slots);
      check(refs[k].weight > 0.0f && refs[k].weight <= 1.0f);
    }
  }
  return 0;
}
