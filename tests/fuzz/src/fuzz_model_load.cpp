// libFuzzer target: Model::load on arbitrary bytes, then one classification
// (plus the metadata and label accessors) on whatever loaded; token models
// (taggers and their features-only files) are tokenized, their token
// features read, and taggers run through tag() and tag_tokens().
//
// The CRC-32 over the whole file would reject nearly every mutation before
// the structural checks, so each input is loaded twice:
//   1. as it is, with the checksum verified (the path an app takes);
//   2. with LoadOptions::verify_checksum = false, so mutations reach every
//      structural check (the same as re-sealing the checksum first, which
//      tests/runtime/test_fuzz_regressions.cpp does for saved inputs).
// Each load gets an exactly sized heap copy (odd inputs at an odd address), so
// AddressSanitizer sees any read past the end and UBSan any misaligned load.
#include "fuzz_check.h"
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ffnlp/ffnlp.h"

namespace {

struct Text {
  const char* bytes;
  size_t size;
};
#define TEXT(s) Text{s, sizeof(s) - 1}
const Text kTexts[] = {
    TEXT("The quick brown fox jumps over the lazy dog."),
    TEXT("Привет, мир! Grüße aus Köln. 日本語のテキスト"),
    TEXT("x\xff\xfe\xc0\xafy \xed\xa0\x80 a\0b"),
    TEXT("12345 ... !!!"),
    TEXT("Hund katze"),  // a text of a few words (lexicon.*)
    TEXT(""),
};
#undef TEXT

// Token models: tokenize(), token_features() of every token (with the
// predicted labels when the model tags), tag() and tag_tokens() with the
// scratch of one Workspace (the runtime allocates nothing per call).
void exercise_tokens(const ffnlp::Model& model) {
  check(!model.is_classifier());
  ffnlp::FeatureRef refs[64];
  ffnlp::Workspace workspace(model);  // taggers only (0 bytes otherwise)
  if (model.is_tagger() && !workspace.ok()) return;
  for (const Text& text : kTexts) {
    ffnlp::Token tokens[64];
    size_t n = 0;
    check(model.tokenize(text.bytes, text.size, tokens, 64, &n) == ffnlp::Status::kOk);
    check(n <= text.size && n <= 64);
    const char* starts[64];
    size_t lengths[64];
    for (size_t j = 0; j < n; ++j) {
      check(tokens[j].begin < tokens[j].end && tokens[j].end <= text.size);
      check(j == 0 || tokens[j - 1].end <= tokens[j].begin);
      starts[j] = text.bytes + tokens[j].begin;
      lengths[j] = static_cast<size_t>(tokens[j].end - tokens[j].begin);
    }
    uint32_t labels[64] = {};
    if (model.is_tagger()) {
      ffnlp::TaggedToken tagged[64];
      size_t count = 0;
      const ffnlp::Status s = model.tag(text.bytes, text.size, workspace, tagged, 64, &count);
      // kNonFinite: the file's (finite) numbers overflowed float for this text.
      check(s == ffnlp::Status::kOk || s == ffnlp::Status::kNonFinite);
      if (s == ffnlp::Status::kOk) {
        check(count == n);
        for (size_t j = 0; j < count; ++j) {
          check(tagged[j].begin == tokens[j].begin && tagged[j].end == tokens[j].end);
          check(tagged[j].label_index < model.label_count());
          check(tagged[j].probability >= 0.0f && tagged[j].probability <= 1.0f);
          (void)std::strlen(tagged[j].label);
          labels[j] = tagged[j].label_index;
        }
      }
      // Too small an output: nothing tagged, the number needed.
      if (n > 1) {
        check(model.tag(text.bytes, text.size, workspace, tagged, n - 1, &count) == ffnlp::Status::kBufferTooSmall);
        check(count == n);
      }
      // Pre-tokenized: the same tokens give the same labels; an empty token too.
      ffnlp::TaggedToken again[65];
      const ffnlp::Status st = model.tag_tokens(starts, lengths, n, workspace, again);
      check(st == s);
      for (size_t j = 0; s == ffnlp::Status::kOk && j < n; ++j) {
        check(again[j].label_index == tagged[j].label_index);
        check(again[j].begin == 0 && again[j].end == lengths[j]);
      }
      starts[n] = text.bytes;
      lengths[n] = 0;
      const ffnlp::Status se = model.tag_tokens(starts, lengths, n + 1, workspace, again);
      check(se == ffnlp::Status::kOk || se == ffnlp::Status::kNonFinite);
    }
    for (size_t i = 0; i < n; ++i) {
      size_t count = 0;
      const ffnlp::Status s = model.token_features(starts, lengths, n, i, labels, refs, 64, &count);
      // Labels 0 are a tagger's labels (the loader matched its prev_label
      // rows to them); a features-only file's prev_label table may have none.
      check(s == ffnlp::Status::kOk || (s == ffnlp::Status::kBufferTooSmall && count > 64) ||
            (s == ffnlp::Status::kInvalidArgument && !model.is_tagger()));
      for (size_t r = 0; r < count && r < 64; ++r) {
        check(refs[r].channel < model.channel_count());
        check(refs[r].row < model.channel(refs[r].channel).buckets);
        check(refs[r].weight > 0.0f && refs[r].weight <= 1.0f);
      }
    }
  }
}

void exercise(const ffnlp::Model& model) {
  check(model.is_loaded());
  const char* name = nullptr;
  uint32_t u = 0;
  float f = 0;
  model.metadata_string("general.name", &name);
  model.metadata_u32("channel.count", &u);
  model.metadata_f32("classifier.reliable_probability", &f);
  // A loaded short-text bar is a probability no lower than the general one,
  // and the rule never marks a text short of reliable_letters().
  if (model.reliable_short_letters() != 0) {
    check(model.reliable_short_probability() >= model.reliable_probability());
    check(model.reliable_short_probability() <= 1.0f);
  }
  if (model.reliable_letters() > 0) check(!model.is_reliable(1.0f, model.reliable_letters() - 1));
  for (uint32_t i = 0; i < model.tensor_count(); ++i) {
    const ffnlp::TensorView& t = model.tensor(i);
    check(model.find_tensor(t.name) == &t);
    (void)t.at(t.rows - 1, t.cols - 1);
    (void)t.row_scale(t.rows - 1);
    (void)t.row_zero_point(t.rows - 1);
  }
  for (uint32_t i = 0; i < model.metadata_count(); ++i) {
    ffnlp::MetadataItem item;
    check(model.metadata_item(i, &item));
    check(item.key_length > 0);
  }
  if (model.is_token_model()) {
    exercise_tokens(model);
    return;
  }
  // The feature API (classifiers and features-only files).
  if (model.has_features()) {
    ffnlp::FeatureRef refs[64];
    for (const Text& text : kTexts) {
      size_t count = 0;
      const ffnlp::Status s = model.text_features(text.bytes, text.size, refs, 64, &count);
      check(s == ffnlp::Status::kOk || (s == ffnlp::Status::kBufferTooSmall && count > 64));
      for (size_t i = 0; i < count && i < 64; ++i) {
        check(refs[i].channel < model.channel_count());
        check(refs[i].row < model.channel(refs[i].channel).buckets);
        check(refs[i].weight > 0.0f && refs[i].weight <= 1.0f);
      }
    }
  }
  if (!model.is_classifier()) return;
  for (uint32_t i = 0; i < model.label_count(); ++i) {
    check(model.find_label(model.label(i)) == static_cast<int32_t>(i));
    (void)std::strlen(model.label_name(i));
  }
  ffnlp::Workspace workspace(model);
  if (!workspace.ok()) return;
  std::vector<float> probs(model.label_count());
  for (const Text& text : kTexts) {
    ffnlp::Prediction top[3];
    size_t count = 0;
    ffnlp::TextStats stats;
    // kNonFinite: the file's (finite) numbers overflowed float for this text.
    const ffnlp::Status s = model.classify(text.bytes, text.size, workspace, top, 3, &count, &stats);
    check(s == ffnlp::Status::kOk || s == ffnlp::Status::kNonFinite);
    check(count <= 3);
    check(s == ffnlp::Status::kOk || count == 0);
    for (size_t i = 0; i < count; ++i) {
      // Never garbage: a probability in [0, 1], best first.
      check(top[i].probability >= 0.0f && top[i].probability <= 1.0f);
      check(i == 0 || top[i].probability <= top[i - 1].probability);
      (void)std::strlen(top[i].label);
      (void)std::strlen(top[i].name);
    }
    check(model.scores(text.bytes, text.size, workspace.data(), workspace.size(), probs.data(), probs.size()) == s);
    if (s == ffnlp::Status::kOk) {
      for (float p : probs) check(p >= 0.0f && p <= 1.0f);
    }
    // Options: no prior, an allow-list of the first and last labels, a hint
    // of the last one at the largest weight; logits.
    const uint32_t only[] = {0, model.label_count() - 1};
    ffnlp::ClassifyOptions options;
    options.prior = ffnlp::Prior::kUniform;
    options.only = only;
    options.only_count = model.label_count() > 1 ? 2 : 1;
    options.prefer = only + 1;
    options.prefer_count = 1;
    options.prefer_weight = ffnlp::kMaxPreferWeight;
    const ffnlp::Status so = model.classify(text.bytes, text.size, workspace, top, 3, &count, options);
    check(so == ffnlp::Status::kOk || so == ffnlp::Status::kNonFinite);
    check(count <= 2);
    ffnlp::Input input;
    input.text = text.bytes;
    input.size = text.size;
    const ffnlp::Status sl = model.logits(input, workspace.data(), workspace.size(), probs.data(), probs.size());
    check(sl == ffnlp::Status::kOk || sl == ffnlp::Status::kNonFinite);
  }
}

void load_and_use(const uint8_t* data, size_t size, bool misalign, bool verify) {
  // Exactly sized copy; offset by one byte to test unaligned buffers.
  std::vector<uint8_t> storage(size + (misalign ? 1 : 0));
  uint8_t* copy = storage.data() + (misalign ? 1 : 0);
  if (size != 0) std::memcpy(copy, data, size);
  std::vector<uint8_t> exact;
  if (!misalign) {
    exact.assign(copy, copy + size);
    copy = exact.data();
  }
  ffnlp::Model model;
  ffnlp::Error error;
  ffnlp::LoadOptions options;
  options.verify_checksum = verify;
  const ffnlp::Status status = ffnlp::Model::load(size != 0 ? copy : data, size, &model, &error, options);
  if (status != ffnlp::Status::kOk) {
    check(error.status == status);
    check(error.message[0] != '\0');
    check(std::strlen(error.message) < sizeof(error.message));
    check(!model.is_loaded());
    return;
  }
  exercise(model);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bool misalign = (size & 1) != 0;
  load_and_use(data, size, misalign, true);
  load_and_use(data, size, misalign, false);
  return 0;
}
