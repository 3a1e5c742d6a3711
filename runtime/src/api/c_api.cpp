// The C API (ffnlp_c.h) over the C++ runtime. Handles are malloc'd blocks
// with the C++ objects placement-constructed inside, so the library needs no
// C++ allocator and nothing C++ crosses the boundary.
#include "ffnlp/ffnlp_c.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "api/error.h"
#include "ffnlp/ffnlp.h"

struct ffnlp_model {
  ffnlp::Model model;
  ffnlp::MappedFile file;  // empty for models created from a buffer
};

struct ffnlp_workspace {
  const ffnlp_model* model;
  void* data;  // 64-byte aligned, inside the same allocation
  size_t size;
};

namespace {

using ffnlp::Status;

#define FFNLP_SAME_STATUS(c, cpp) static_assert((c) == static_cast<int>(Status::cpp), #c " must equal Status::" #cpp)
FFNLP_SAME_STATUS(FFNLP_OK, kOk);
FFNLP_SAME_STATUS(FFNLP_INVALID_ARGUMENT, kInvalidArgument);
FFNLP_SAME_STATUS(FFNLP_TRUNCATED, kTruncated);
FFNLP_SAME_STATUS(FFNLP_BAD_MAGIC, kBadMagic);
FFNLP_SAME_STATUS(FFNLP_BYTE_SWAPPED, kByteSwapped);
FFNLP_SAME_STATUS(FFNLP_UNSUPPORTED_VERSION, kUnsupportedVersion);
FFNLP_SAME_STATUS(FFNLP_BAD_CHECKSUM, kBadChecksum);
FFNLP_SAME_STATUS(FFNLP_BAD_HEADER, kBadHeader);
FFNLP_SAME_STATUS(FFNLP_BAD_OFFSET, kBadOffset);
FFNLP_SAME_STATUS(FFNLP_OVERFLOW, kOverflow);
FFNLP_SAME_STATUS(FFNLP_BAD_TENSOR, kBadTensor);
FFNLP_SAME_STATUS(FFNLP_NON_FINITE, kNonFinite);
FFNLP_SAME_STATUS(FFNLP_BAD_METADATA, kBadMetadata);
FFNLP_SAME_STATUS(FFNLP_BAD_SHAPE, kBadShape);
FFNLP_SAME_STATUS(FFNLP_NOT_FOUND, kNotFound);
FFNLP_SAME_STATUS(FFNLP_NOT_CLASSIFIER, kNotClassifier);
FFNLP_SAME_STATUS(FFNLP_BUFFER_TOO_SMALL, kBufferTooSmall);
FFNLP_SAME_STATUS(FFNLP_IO_ERROR, kIoError);
FFNLP_SAME_STATUS(FFNLP_OUT_OF_MEMORY, kOutOfMemory);
#undef FFNLP_SAME_STATUS

static_assert(sizeof(ffnlp_error) == 260, "ffnlp_error layout is documented as 260 bytes");
static_assert(sizeof(ffnlp_error::message) == sizeof(ffnlp::Error::message), "error message buffers differ");
static_assert(sizeof(ffnlp_prediction) == 2 * sizeof(void*) + 16, "ffnlp_prediction has implicit padding");
static_assert(offsetof(ffnlp_prediction, label_index) == 2 * sizeof(void*), "ffnlp_prediction layout");
static_assert(sizeof(float) == 4, "float must be IEEE single precision");

constexpr size_t kAlign = 64;

inline ffnlp_status to_c(Status s) { return static_cast<ffnlp_status>(s); }

void clear_error(ffnlp_error* err) {
  if (err == nullptr) return;
  err->status = FFNLP_OK;
  err->message[0] = '\0';
}

ffnlp_status copy_error(const ffnlp::Error& from, ffnlp_error* err) {
  if (err != nullptr) {
    err->status = to_c(from.status);
    std::memcpy(err->message, from.message, sizeof(err->message));
    err->message[sizeof(err->message) - 1] = '\0';
  }
  return to_c(from.status);
}

ffnlp_status set_error(ffnlp_error* err, Status status, const char* message) {
  ffnlp::Error e;
  ffnlp::fail(&e, status, "%s", message);
  return copy_error(e, err);
}

size_t text_length(const char* text, size_t len) {
  if (len != FFNLP_NUL_TERMINATED) return len;
  return text == nullptr ? 0 : std::strlen(text);
}

void to_c(const ffnlp::Prediction& p, ffnlp_prediction* out) {
  out->label = p.label != nullptr ? p.label : "";
  out->name = p.name != nullptr ? p.name : "";
  out->label_index = p.label_index;
  out->probability = p.probability;
  out->reliable = p.reliable ? 1 : 0;
  out->reserved = 0;
}

size_t probs_offset(const ffnlp::Model& model) { return (model.scratch_bytes() + kAlign - 1) / kAlign * kAlign; }

// Scratch for the C API: the C++ scratch, then room for the full
// distribution (used when k is larger than the on-stack conversion buffer).
size_t c_scratch_size(const ffnlp::Model& model) {
  if (!model.is_classifier()) return 0;
  return probs_offset(model) + (static_cast<size_t>(model.label_count()) * sizeof(float) + kAlign - 1) / kAlign * kAlign;
}

// One text into the caller's C array. Small k (the usual case) goes through
// Model::classify with an on-stack buffer; larger k selects from scores()
// kept in the tail of the scratch, with the same rules (ties to the lower
// index, unknown label for a text without letters, reliability).
Status classify_one(const ffnlp::Model& model, const char* text, size_t len, void* scratch, size_t scratch_size,
                    ffnlp_prediction* top, size_t k, size_t* count) {
  if (count != nullptr) *count = 0;
  if (!model.is_classifier()) return Status::kNotClassifier;
  if (top == nullptr || count == nullptr || k == 0) return Status::kInvalidArgument;
  if (text == nullptr && len != 0 && len != FFNLP_NUL_TERMINATED) return Status::kInvalidArgument;
  const size_t size = text_length(text, len);
  constexpr size_t kChunk = 16;
  if (k <= kChunk) {
    ffnlp::Prediction buffer[kChunk];
    size_t n = 0;
    const Status s = model.classify(text, size, scratch, scratch_size, buffer, k, &n);
    if (s != Status::kOk) return s;
    for (size_t i = 0; i < n; ++i) to_c(buffer[i], &top[i]);
    *count = n;
    return Status::kOk;
  }
  if (scratch == nullptr) return Status::kInvalidArgument;
  if (scratch_size < c_scratch_size(model)) return Status::kBufferTooSmall;
  const uint32_t labels = model.label_count();
  float* probs = reinterpret_cast<float*>(static_cast<unsigned char*>(scratch) + probs_offset(model));
  ffnlp::TextStats stats;
  const Status s = model.scores(text, size, scratch, model.scratch_bytes(), probs, labels, &stats);
  if (s != Status::kOk) return s;
  if (stats.letters == 0) {
    if (model.unknown_label()[0] == '\0') return Status::kOk;
    top[0].label = model.unknown_label();
    top[0].name = "";
    top[0].label_index = ffnlp::kNoLabel;
    top[0].probability = 0.0f;
    top[0].reliable = 0;
    top[0].reserved = 0;
    *count = 1;
    return Status::kOk;
  }
  const size_t n = k < labels ? k : labels;
  for (size_t r = 0; r < n; ++r) {
    uint32_t best = 0;
    bool found = false;
    for (uint32_t i = 0; i < labels; ++i) {
      if (probs[i] < 0.0f) continue;  // taken (probabilities are >= 0)
      if (!found || probs[i] > probs[best]) {
        best = i;
        found = true;
      }
    }
    top[r].label = model.label(best);
    top[r].name = model.label_name(best);
    top[r].label_index = best;
    top[r].probability = probs[best];
    top[r].reliable = (probs[best] >= model.reliable_probability() && stats.letters >= model.reliable_letters()) ? 1 : 0;
    top[r].reserved = 0;
    probs[best] = -1.0f;
  }
  *count = n;
  return Status::kOk;
}

}  // namespace

extern "C" {

const char* ffnlp_version(void) { return "1.0.0"; }

const char* ffnlp_status_name(ffnlp_status status) {
  if (status < FFNLP_OK || status > FFNLP_OUT_OF_MEMORY) return "unknown status";
  return ffnlp::status_name(static_cast<Status>(status));
}

ffnlp_status ffnlp_model_create_from_buffer_ex(const void* data, size_t size, uint32_t flags, ffnlp_model** out,
                                               ffnlp_error* err) {
  clear_error(err);
  if (out == nullptr) return set_error(err, Status::kInvalidArgument, "out is null");
  *out = nullptr;
  if ((flags & ~FFNLP_LOAD_SKIP_CHECKSUM) != 0) return set_error(err, Status::kInvalidArgument, "unknown load flags");
  void* memory = std::malloc(sizeof(ffnlp_model));
  if (memory == nullptr) return set_error(err, Status::kOutOfMemory, "cannot allocate the model handle");
  ffnlp_model* m = new (memory) ffnlp_model();
  ffnlp::LoadOptions options;
  options.verify_checksum = (flags & FFNLP_LOAD_SKIP_CHECKSUM) == 0;
  ffnlp::Error e;
  if (ffnlp::Model::load(data, size, &m->model, &e, options) != Status::kOk) {
    ffnlp_model_free(m);
    return copy_error(e, err);
  }
  *out = m;
  return FFNLP_OK;
}

ffnlp_status ffnlp_model_create_from_buffer(const void* data, size_t size, ffnlp_model** out, ffnlp_error* err) {
  return ffnlp_model_create_from_buffer_ex(data, size, FFNLP_LOAD_DEFAULT, out, err);
}

ffnlp_status ffnlp_model_create_from_file(const char* path, ffnlp_model** out, ffnlp_error* err) {
  clear_error(err);
  if (out == nullptr) return set_error(err, Status::kInvalidArgument, "out is null");
  *out = nullptr;
  if (path == nullptr) return set_error(err, Status::kInvalidArgument, "path is null");
  void* memory = std::malloc(sizeof(ffnlp_model));
  if (memory == nullptr) return set_error(err, Status::kOutOfMemory, "cannot allocate the model handle");
  ffnlp_model* m = new (memory) ffnlp_model();
  ffnlp::Error e;
  if (ffnlp::load_file(path, &m->file, &m->model, &e) != Status::kOk) {
    ffnlp_model_free(m);
    return copy_error(e, err);
  }
  *out = m;
  return FFNLP_OK;
}

void ffnlp_model_free(ffnlp_model* model) {
  if (model == nullptr) return;
  model->~ffnlp_model();
  std::free(model);
}

size_t ffnlp_model_scratch_size(const ffnlp_model* model) { return model != nullptr ? c_scratch_size(model->model) : 0; }

uint32_t ffnlp_model_label_count(const ffnlp_model* model) { return model != nullptr ? model->model.label_count() : 0; }

const char* ffnlp_model_label(const ffnlp_model* model, uint32_t index) {
  return model != nullptr ? model->model.label(index) : "";
}

const char* ffnlp_model_label_name(const ffnlp_model* model, uint32_t index) {
  return model != nullptr ? model->model.label_name(index) : "";
}

int32_t ffnlp_model_find_label(const ffnlp_model* model, const char* label) {
  return model != nullptr ? model->model.find_label(label) : -1;
}

const char* ffnlp_model_task(const ffnlp_model* model) { return model != nullptr ? model->model.task() : ""; }

const char* ffnlp_model_name(const ffnlp_model* model) { return model != nullptr ? model->model.model_name() : ""; }

const char* ffnlp_model_unknown_label(const ffnlp_model* model) {
  return model != nullptr ? model->model.unknown_label() : "";
}

int32_t ffnlp_model_is_classifier(const ffnlp_model* model) {
  return (model != nullptr && model->model.is_classifier()) ? 1 : 0;
}

size_t ffnlp_model_file_size(const ffnlp_model* model) { return model != nullptr ? model->model.file_size() : 0; }

uint32_t ffnlp_model_format_version(const ffnlp_model* model) {
  return model != nullptr ? model->model.format_version() : 0;
}

uint32_t ffnlp_model_input_width(const ffnlp_model* model) { return model != nullptr ? model->model.input_width() : 0; }

uint32_t ffnlp_model_tensor_count(const ffnlp_model* model) {
  return model != nullptr ? model->model.tensor_count() : 0;
}

ffnlp_status ffnlp_classify(const ffnlp_model* model, const char* text, size_t len, void* scratch, size_t scratch_size,
                            ffnlp_prediction* top, size_t k, size_t* count) {
  if (count != nullptr) *count = 0;
  if (model == nullptr) return FFNLP_INVALID_ARGUMENT;
  return to_c(classify_one(model->model, text, len, scratch, scratch_size, top, k, count));
}

ffnlp_status ffnlp_classify_batch(const ffnlp_model* model, const char* const* texts, const size_t* lengths, size_t n,
                                  void* scratch, size_t scratch_size, ffnlp_prediction* results, size_t k,
                                  size_t* counts) {
  if (model == nullptr || (n != 0 && (texts == nullptr || results == nullptr || counts == nullptr)) || k == 0) {
    if (counts != nullptr) {
      for (size_t i = 0; i < n; ++i) counts[i] = 0;
    }
    return FFNLP_INVALID_ARGUMENT;
  }
  Status first = Status::kOk;
  for (size_t i = 0; i < n; ++i) {
    const size_t len = lengths != nullptr ? lengths[i] : FFNLP_NUL_TERMINATED;
    const Status s = classify_one(model->model, texts[i], len, scratch, scratch_size, results + i * k, k, &counts[i]);
    if (s != Status::kOk && first == Status::kOk) first = s;
  }
  return to_c(first);
}

ffnlp_status ffnlp_scores(const ffnlp_model* model, const char* text, size_t len, void* scratch, size_t scratch_size,
                          float* probs, size_t probs_count) {
  if (model == nullptr || (text == nullptr && len != 0 && len != FFNLP_NUL_TERMINATED)) return FFNLP_INVALID_ARGUMENT;
  return to_c(model->model.scores(text, text_length(text, len), scratch, scratch_size, probs, probs_count));
}

ffnlp_status ffnlp_workspace_create(const ffnlp_model* model, ffnlp_workspace** out, ffnlp_error* err) {
  clear_error(err);
  if (out == nullptr) return set_error(err, Status::kInvalidArgument, "out is null");
  *out = nullptr;
  if (model == nullptr) return set_error(err, Status::kInvalidArgument, "model is null");
  if (!model->model.is_classifier()) return set_error(err, Status::kNotClassifier, "the model holds tensors only");
  const size_t size = c_scratch_size(model->model);
  const size_t header = (sizeof(ffnlp_workspace) + kAlign - 1) / kAlign * kAlign;
  // One block: the handle, then the scratch at the next 64-byte boundary.
  unsigned char* block = static_cast<unsigned char*>(std::malloc(header + size + kAlign));
  if (block == nullptr) return set_error(err, Status::kOutOfMemory, "cannot allocate the workspace");
  ffnlp_workspace* ws = reinterpret_cast<ffnlp_workspace*>(block);
  const uintptr_t start = reinterpret_cast<uintptr_t>(block) + header;
  ws->model = model;
  ws->data = reinterpret_cast<void*>((start + kAlign - 1) / kAlign * kAlign);
  ws->size = size;
  *out = ws;
  return FFNLP_OK;
}

void ffnlp_workspace_free(ffnlp_workspace* workspace) { std::free(workspace); }

void* ffnlp_workspace_data(ffnlp_workspace* workspace) { return workspace != nullptr ? workspace->data : nullptr; }

size_t ffnlp_workspace_size(const ffnlp_workspace* workspace) { return workspace != nullptr ? workspace->size : 0; }

ffnlp_status ffnlp_workspace_classify(ffnlp_workspace* workspace, const char* text, size_t len, ffnlp_prediction* top,
                                      size_t k, size_t* count) {
  if (workspace == nullptr) {
    if (count != nullptr) *count = 0;
    return FFNLP_INVALID_ARGUMENT;
  }
  return ffnlp_classify(workspace->model, text, len, workspace->data, workspace->size, top, k, count);
}

ffnlp_status ffnlp_workspace_classify_batch(ffnlp_workspace* workspace, const char* const* texts,
                                            const size_t* lengths, size_t n, ffnlp_prediction* results, size_t k,
                                            size_t* counts) {
  if (workspace == nullptr) {
    if (counts != nullptr) {
      for (size_t i = 0; i < n; ++i) counts[i] = 0;
    }
    return FFNLP_INVALID_ARGUMENT;
  }
  return ffnlp_classify_batch(workspace->model, texts, lengths, n, workspace->data, workspace->size, results, k,
                              counts);
}

}  // extern "C"
