// The layer shared by the Python and JavaScript packages (ffnlp_bind.h).
// Classification is the C API's; spans are tools/langid/spans.cpp, the
// algorithm behind `langid --spans`, run on a C++ view of the same bytes.
#include "ffnlp_bind.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "ffnlp/ffnlp.h"
#include "tools/langid/spans.h"

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define FFNLPB_TRY try
#define FFNLPB_CATCH_ALL catch (...)
#else
#define FFNLPB_TRY if (true)
#define FFNLPB_CATCH_ALL else
#endif

struct ffnlpb_model {
  ffnlp::MappedFile file;   // from a path; empty otherwise
  void* owned = nullptr;    // from bytes: malloc'd block holding the aligned copy
  const void* data = nullptr;
  size_t size = 0;
  ffnlp_model* c = nullptr;  // the C API model (validated with its checksum)
  ffnlp::Model cpp;          // a second read-only view of the same bytes, for spans
};

namespace {

constexpr size_t kAlign = 64;

ffnlp_status set_error(ffnlp_error* err, ffnlp_status status, const char* message) {
  if (err != nullptr) {
    err->status = status;
    std::snprintf(err->message, sizeof err->message, "%s", message);
  }
  return status;
}

void clear_error(ffnlp_error* err) {
  if (err != nullptr) {
    err->status = FFNLP_OK;
    err->message[0] = '\0';
  }
}

// Creates the C model over h->data, then the C++ view (the bytes were just
// verified, so the view skips the checksum).
ffnlp_status attach(ffnlpb_model* h, ffnlp_error* err) {
  const ffnlp_status s = ffnlp_model_create_from_buffer(h->data, h->size, &h->c, err);
  if (s != FFNLP_OK) return s;
  ffnlp::LoadOptions options;
  options.verify_checksum = false;
  ffnlp::Error e;
  if (ffnlp::Model::load(h->data, h->size, &h->cpp, &e, options) != ffnlp::Status::kOk) {
    return set_error(err, static_cast<ffnlp_status>(e.status), e.message);
  }
  return FFNLP_OK;
}

ffnlpb_model* new_handle() {
  void* memory = std::malloc(sizeof(ffnlpb_model));
  return memory != nullptr ? new (memory) ffnlpb_model() : nullptr;
}

void name_unknown(ffnlp_prediction* p) {
  if (p->label_index == FFNLP_NO_LABEL && p->label != nullptr && p->label[0] != '\0' &&
      (p->name == nullptr || p->name[0] == '\0')) {
    p->name = FFNLPB_UNKNOWN_NAME;
  }
}

const char kNoOptions[] =
    "classification options (allow-list, prior, hints) need ffnlp_classify_ex(), which this build's runtime does not "
    "have";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t count_words(const char* text, size_t len) {
  size_t words = 0;
  bool in_word = false;
  for (size_t i = 0; i < len; ++i) {
    const bool space = is_space(text[i]);
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

}  // namespace

extern "C" {

int32_t ffnlpb_has_classify_options(void) {
#if defined(FFNLPB_HAVE_CLASSIFY_EX)
  return 1;
#else
  return 0;
#endif
}

float ffnlpb_max_prefer_weight(void) { return FFNLP_MAX_PREFER_WEIGHT; }

ffnlp_status ffnlpb_model_from_bytes(const void* data, size_t size, ffnlpb_model** out, ffnlp_error* err) {
  clear_error(err);
  if (out == nullptr) return set_error(err, FFNLP_INVALID_ARGUMENT, "out is null");
  *out = nullptr;
  if (data == nullptr && size != 0) return set_error(err, FFNLP_INVALID_ARGUMENT, "data is null");
  if (size > static_cast<size_t>(-1) - kAlign) return set_error(err, FFNLP_OVERFLOW, "model size overflows");
  ffnlpb_model* h = new_handle();
  if (h == nullptr) return set_error(err, FFNLP_OUT_OF_MEMORY, "cannot allocate the model handle");
  h->owned = std::malloc(size + kAlign);
  if (h->owned == nullptr) {
    ffnlpb_model_free(h);
    return set_error(err, FFNLP_OUT_OF_MEMORY, "cannot allocate memory for the model bytes");
  }
  const uintptr_t start = (reinterpret_cast<uintptr_t>(h->owned) + kAlign - 1) / kAlign * kAlign;
  if (size != 0) std::memcpy(reinterpret_cast<void*>(start), data, size);
  h->data = reinterpret_cast<const void*>(start);
  h->size = size;
  const ffnlp_status s = attach(h, err);
  if (s != FFNLP_OK) {
    ffnlpb_model_free(h);
    return s;
  }
  *out = h;
  return FFNLP_OK;
}

ffnlp_status ffnlpb_model_from_file(const char* path, ffnlpb_model** out, ffnlp_error* err) {
  clear_error(err);
  if (out == nullptr) return set_error(err, FFNLP_INVALID_ARGUMENT, "out is null");
  *out = nullptr;
  if (path == nullptr) return set_error(err, FFNLP_INVALID_ARGUMENT, "path is null");
  ffnlpb_model* h = new_handle();
  if (h == nullptr) return set_error(err, FFNLP_OUT_OF_MEMORY, "cannot allocate the model handle");
  ffnlp::Error e;
  if (h->file.open(path, &e) != ffnlp::Status::kOk) {
    ffnlpb_model_free(h);
    return set_error(err, static_cast<ffnlp_status>(e.status), e.message);
  }
  h->data = h->file.data();
  h->size = h->file.size();
  const ffnlp_status s = attach(h, err);
  if (s != FFNLP_OK) {
    ffnlpb_model_free(h);
    return s;
  }
  *out = h;
  return FFNLP_OK;
}

void ffnlpb_model_free(ffnlpb_model* model) {
  if (model == nullptr) return;
  ffnlp_model_free(model->c);
  void* owned = model->owned;
  model->~ffnlpb_model();
  std::free(owned);
  std::free(model);
}

const ffnlp_model* ffnlpb_model_c(const ffnlpb_model* model) { return model != nullptr ? model->c : nullptr; }

ffnlp_status ffnlpb_classify(const ffnlpb_model* model, const char* text, size_t len, const ffnlpb_options* options,
                             void* scratch, size_t scratch_size, ffnlp_prediction* top, size_t k, size_t* count,
                             ffnlp_error* err) {
  clear_error(err);
  if (count != nullptr) *count = 0;
  if (model == nullptr) return set_error(err, FFNLP_INVALID_ARGUMENT, "model is null");
  ffnlp_status s;
  if (options == nullptr) {
    s = ffnlp_classify(model->c, text, len, scratch, scratch_size, top, k, count);
  } else {
#if defined(FFNLPB_HAVE_CLASSIFY_EX)
    ffnlp_classify_options o;
    std::memset(&o, 0, sizeof o);
    o.struct_size = static_cast<uint32_t>(sizeof o);
    o.prior = options->prior;
    o.only = options->only;
    o.only_count = options->only_count;
    o.prefer = options->prefer;
    o.prefer_count = options->prefer_count;
    o.prefer_weight = options->prefer_weight;
    s = ffnlp_classify_ex(model->c, text, len, &o, scratch, scratch_size, top, k, count);
#else
    return set_error(err, FFNLP_INVALID_ARGUMENT, kNoOptions);
#endif
  }
  if (s != FFNLP_OK) return set_error(err, s, ffnlp_status_name(s));
  for (size_t i = 0; i < *count; ++i) name_unknown(&top[i]);
  return FFNLP_OK;
}

ffnlp_status ffnlpb_classify_batch(const ffnlpb_model* model, const char* const* texts, const size_t* lengths,
                                   size_t n, const ffnlpb_options* options, void* scratch, size_t scratch_size,
                                   ffnlp_prediction* results, size_t k, size_t* counts, ffnlp_error* err) {
  clear_error(err);
  if (model == nullptr) return set_error(err, FFNLP_INVALID_ARGUMENT, "model is null");
  if (options == nullptr) {
    const ffnlp_status s =
        ffnlp_classify_batch(model->c, texts, lengths, n, scratch, scratch_size, results, k, counts);
    if (s != FFNLP_OK) return set_error(err, s, ffnlp_status_name(s));
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < counts[i]; ++j) name_unknown(&results[i * k + j]);
    }
    return FFNLP_OK;
  }
  if (n != 0 && (texts == nullptr || results == nullptr || counts == nullptr)) {
    return set_error(err, FFNLP_INVALID_ARGUMENT, "null array");
  }
  ffnlp_status first = FFNLP_OK;
  for (size_t i = 0; i < n; ++i) {
    const size_t len = lengths != nullptr ? lengths[i] : FFNLP_NUL_TERMINATED;
    ffnlp_error e;
    const ffnlp_status s =
        ffnlpb_classify(model, texts[i], len, options, scratch, scratch_size, results + i * k, k, &counts[i], &e);
    if (s != FFNLP_OK && first == FFNLP_OK) {
      first = s;
      if (err != nullptr) *err = e;
    }
  }
  return first;
}

ffnlp_status ffnlpb_spans(const ffnlpb_model* model, const char* text, size_t len, ffnlpb_span** out, size_t* count,
                          ffnlp_error* err) {
  clear_error(err);
  if (out == nullptr || count == nullptr) return set_error(err, FFNLP_INVALID_ARGUMENT, "out or count is null");
  *out = nullptr;
  *count = 0;
  if (model == nullptr) return set_error(err, FFNLP_INVALID_ARGUMENT, "model is null");
  if (text == nullptr && len != 0 && len != FFNLP_NUL_TERMINATED) {
    return set_error(err, FFNLP_INVALID_ARGUMENT, "text is null");
  }
  if (len == FFNLP_NUL_TERMINATED) len = text != nullptr ? std::strlen(text) : 0;
  if (!model->cpp.is_classifier()) return set_error(err, FFNLP_NOT_CLASSIFIER, "the model holds tensors only");
  const size_t words = count_words(text, len);
  if (words > FFNLPB_SPANS_MAX_WORDS) {
    char message[160];
    std::snprintf(message, sizeof message, "spans: the text has %zu words, more than the %u this call accepts; "
                  "split it (e.g. into paragraphs) first", words, FFNLPB_SPANS_MAX_WORDS);
    return set_error(err, FFNLP_INVALID_ARGUMENT, message);
  }
  if (words == 0) return FFNLP_OK;
  const ffnlp::Model& m = model->cpp;
  FFNLPB_TRY {
    ffnlp::Workspace workspace(m);
    if (!workspace.ok()) return set_error(err, FFNLP_OUT_OF_MEMORY, "cannot allocate the spans workspace");
    const std::string copy(text, len);
    const std::vector<ffnlp::langid::Span> spans = ffnlp::langid::find_spans(m, workspace, copy);
    if (spans.empty()) return FFNLP_OK;
    ffnlpb_span* result = static_cast<ffnlpb_span*>(std::calloc(spans.size(), sizeof(ffnlpb_span)));
    if (result == nullptr) return set_error(err, FFNLP_OUT_OF_MEMORY, "cannot allocate the spans");
    for (size_t i = 0; i < spans.size(); ++i) {
      const ffnlp::langid::Span& s = spans[i];
      ffnlpb_span& r = result[i];
      r.begin = s.begin;
      r.end = s.end;
      if (s.label_index != ffnlp::kNoLabel) {
        r.prediction.label = m.label(s.label_index);
        r.prediction.name = m.label_name(s.label_index);
        r.prediction.label_index = s.label_index;
      } else {
        // No letters in the span: the model's unknown label (or none).
        r.prediction.label = m.unknown_label();
        r.prediction.name = "";
        r.prediction.label_index = FFNLP_NO_LABEL;
      }
      r.prediction.probability = s.probability;
      r.prediction.reliable = s.reliable ? 1 : 0;
      name_unknown(&r.prediction);
    }
    *out = result;
    *count = spans.size();
    return FFNLP_OK;
  }
  FFNLPB_CATCH_ALL { return set_error(err, FFNLP_OUT_OF_MEMORY, "out of memory while finding spans"); }
}

void ffnlpb_spans_free(ffnlpb_span* spans) { std::free(spans); }

}  // extern "C"
