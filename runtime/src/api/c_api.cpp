// The C API (ffnlp_c.h) over the C++ runtime. Handles are malloc'd blocks
// with the C++ objects placement-constructed inside, so the library needs no
// C++ allocator and nothing C++ crosses the boundary.
#include "ffnlp/ffnlp_c.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "api/error.h"
#include "ffnlp/features.h"
#include "ffnlp/ffnlp.h"
#include "heads/classifier.h"
#include "heads/tagger.h"

struct ffnlp_model {
  ffnlp::Model model;
  ffnlp::MappedFile file;  // the file's bytes (owned or mapped); empty for a buffer
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
FFNLP_SAME_STATUS(FFNLP_UNSUPPORTED_FEATURES, kUnsupportedFeatures);
#undef FFNLP_SAME_STATUS

static_assert(sizeof(ffnlp_error) == 260, "ffnlp_error layout is documented as 260 bytes");
static_assert(sizeof(ffnlp_error::message) == sizeof(ffnlp::Error::message), "error message buffers differ");
static_assert(sizeof(ffnlp_prediction) == 2 * sizeof(void*) + 16, "ffnlp_prediction has implicit padding");
static_assert(offsetof(ffnlp_prediction, label_index) == 2 * sizeof(void*), "ffnlp_prediction layout");
static_assert(sizeof(float) == 4, "float must be IEEE single precision");
static_assert(sizeof(ffnlp_classify_options) == 16 + 4 * sizeof(void*), "ffnlp_classify_options has implicit padding");
// The first version of the struct ended at only_count (24 / 16 bytes).
constexpr size_t kClassifyOptionsV1 = offsetof(ffnlp_classify_options, prefer);
static_assert(kClassifyOptionsV1 == 8 + 2 * sizeof(void*), "ffnlp_classify_options: the first version's size");
constexpr size_t kClassifyOptionsHints = offsetof(ffnlp_classify_options, prefer_weight) + sizeof(float);
static_assert(FFNLP_DEFAULT_PREFER_WEIGHT == ffnlp::kDefaultPreferWeight, "default prefer weights differ");
static_assert(FFNLP_MAX_PREFER_WEIGHT == ffnlp::kMaxPreferWeight, "largest prefer weights differ");
static_assert(sizeof(ffnlp_channel_ids) == 8 + 2 * sizeof(void*), "ffnlp_channel_ids has implicit padding");
static_assert(sizeof(ffnlp_feature) == 16, "ffnlp_feature has implicit padding");
static_assert(sizeof(ffnlp_channel_info) == 8 + sizeof(void*) + 48, "ffnlp_channel_info has implicit padding");
static_assert(FFNLP_KIND_IDS == static_cast<uint32_t>(ffnlp::FeatureKind::kIds), "kind ids");
static_assert(FFNLP_KIND_CHAR_NGRAM == static_cast<uint32_t>(ffnlp::FeatureKind::kCharNgram), "kind ids");
static_assert(FFNLP_KIND_SHAPE == static_cast<uint32_t>(ffnlp::FeatureKind::kShape), "kind ids");
static_assert(FFNLP_POOLING_SUM == static_cast<uint32_t>(ffnlp::Pooling::kSum), "pooling ids");
static_assert(FFNLP_POOLING_CONCAT == static_cast<uint32_t>(ffnlp::Pooling::kConcat), "pooling ids");
static_assert(FFNLP_KIND_PREV_LABEL == static_cast<uint32_t>(ffnlp::FeatureKind::kPrevLabel), "kind ids");
static_assert(FFNLP_KIND_HAN_VARIANT == static_cast<uint32_t>(ffnlp::FeatureKind::kHanVariant), "kind ids");
static_assert(sizeof(ffnlp_token) == 16, "ffnlp_token has implicit padding");
static_assert(sizeof(void*) != 8 || sizeof(ffnlp_tagged_token) == 32, "ffnlp_tagged_token has implicit padding");
static_assert(offsetof(ffnlp_tagged_token, label_index) == 16 + sizeof(void*), "ffnlp_tagged_token layout");

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

// The C options as the C++ ones; *out is null for the defaults.
Status to_options(const ffnlp_classify_options* c, ffnlp::ClassifyOptions* options,
                  const ffnlp::ClassifyOptions** out) {
  *out = nullptr;
  if (c == nullptr) return Status::kOk;
  if (c->struct_size < kClassifyOptionsV1) return Status::kInvalidArgument;
  if (c->prior == FFNLP_PRIOR_MODEL) options->prior = ffnlp::Prior::kModel;
  else if (c->prior == FFNLP_PRIOR_UNIFORM) options->prior = ffnlp::Prior::kUniform;
  else return Status::kInvalidArgument;
  options->only = c->only;
  options->only_count = c->only_count;
  if (c->struct_size >= kClassifyOptionsHints) {  // older callers' structs end before the hints
    options->prefer = c->prefer;
    options->prefer_count = c->prefer_count;
    options->prefer_weight = c->prefer_weight;
  }
  *out = options;
  return Status::kOk;
}

// The caller's text (and ids) as an Input.
Status to_input(const char* text, size_t len, const ffnlp_channel_ids* ids, size_t ids_count,
                ffnlp::ChannelIds* converted, ffnlp::Input* input) {
  if (text == nullptr && len != 0 && len != FFNLP_NUL_TERMINATED) return Status::kInvalidArgument;
  if (ids_count > ffnlp::Model::kMaxChannels || (ids_count != 0 && ids == nullptr)) return Status::kInvalidArgument;
  for (size_t i = 0; i < ids_count; ++i) {
    converted[i].channel = ids[i].channel;
    converted[i].ids = ids[i].ids;
    converted[i].count = ids[i].count;
  }
  input->text = text;
  input->size = text_length(text, len);
  input->ids = ids_count != 0 ? converted : nullptr;
  input->ids_count = ids_count;
  return Status::kOk;
}

// One text into the caller's C array, through the same head as
// Model::classify (top-k, prior, allow-list, reliability, unknown label).
Status classify_one(const ffnlp::Model& model, const char* text, size_t len, const ffnlp_channel_ids* ids,
                    size_t ids_count, const ffnlp_classify_options* c_options, void* scratch, size_t scratch_size,
                    ffnlp_prediction* top, size_t k, size_t* count) {
  if (count != nullptr) *count = 0;
  if (!model.is_classifier()) return Status::kNotClassifier;
  if (top == nullptr || count == nullptr || k == 0) return Status::kInvalidArgument;
  ffnlp::ClassifyOptions options;
  const ffnlp::ClassifyOptions* opt = nullptr;
  Status s = to_options(c_options, &options, &opt);
  if (s != Status::kOk) return s;
  ffnlp::ChannelIds converted[ffnlp::Model::kMaxChannels];
  ffnlp::Input input;
  if ((s = to_input(text, len, ids, ids_count, converted, &input)) != Status::kOk) return s;
  ffnlp::internal::HeadResult r;
  s = ffnlp::internal::ModelAccess::classify(model, input, scratch, scratch_size, k, opt, &r);
  if (s != Status::kOk) return s;
  if (!r.answered) {
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
  for (size_t i = 0; i < r.count; ++i) {
    const uint32_t label = r.label_at(i);
    const float p = r.probability_at(i);
    top[i].label = model.label(label);
    top[i].name = model.label_name(label);
    top[i].label_index = label;
    top[i].probability = p;
    top[i].reliable = ffnlp::internal::ModelAccess::reliable(model, p, r.stats) ? 1 : 0;
    top[i].reserved = 0;
  }
  *count = r.count;
  return Status::kOk;
}

// scores() or logits() with C options.
Status distribution(const ffnlp::Model& model, const char* text, size_t len, const ffnlp_classify_options* c_options,
                    void* scratch, size_t scratch_size, float* out, size_t out_count, bool want_logits) {
  ffnlp::ClassifyOptions options;
  const ffnlp::ClassifyOptions* opt = nullptr;
  Status s = to_options(c_options, &options, &opt);
  if (s != Status::kOk) return s;
  ffnlp::Input input;
  if ((s = to_input(text, len, nullptr, 0, nullptr, &input)) != Status::kOk) return s;
  return want_logits ? model.logits(input, scratch, scratch_size, out, out_count, opt)
                     : model.scores(input, scratch, scratch_size, out, out_count, opt);
}

}  // namespace

extern "C" {

const char* ffnlp_version(void) { return "1.0.0"; }

float ffnlp_default_prefer_weight(void) { return ffnlp::kDefaultPreferWeight; }

const char* ffnlp_status_name(ffnlp_status status) {
  if (status < FFNLP_OK || status > FFNLP_UNSUPPORTED_FEATURES) return "unknown status";
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
  return ffnlp_model_create_from_file_ex(path, FFNLP_LOAD_DEFAULT, out, err);
}

ffnlp_status ffnlp_model_create_from_file_ex(const char* path, uint32_t flags, ffnlp_model** out, ffnlp_error* err) {
  clear_error(err);
  if (out == nullptr) return set_error(err, Status::kInvalidArgument, "out is null");
  *out = nullptr;
  if (path == nullptr) return set_error(err, Status::kInvalidArgument, "path is null");
  if ((flags & ~(FFNLP_LOAD_SKIP_CHECKSUM | FFNLP_LOAD_MAP_FILE)) != 0) {
    return set_error(err, Status::kInvalidArgument, "unknown load flags");
  }
  void* memory = std::malloc(sizeof(ffnlp_model));
  if (memory == nullptr) return set_error(err, Status::kOutOfMemory, "cannot allocate the model handle");
  ffnlp_model* m = new (memory) ffnlp_model();
  ffnlp::LoadOptions options;
  options.verify_checksum = (flags & FFNLP_LOAD_SKIP_CHECKSUM) == 0;
  options.map_file = (flags & FFNLP_LOAD_MAP_FILE) != 0;
  ffnlp::Error e;
  if (ffnlp::load_file(path, &m->file, &m->model, &e, options) != Status::kOk) {
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

size_t ffnlp_model_scratch_size(const ffnlp_model* model) { return model != nullptr ? model->model.scratch_bytes() : 0; }

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

uint32_t ffnlp_model_channel_count(const ffnlp_model* model) {
  return model != nullptr ? model->model.channel_count() : 0;
}

ffnlp_status ffnlp_model_channel(const ffnlp_model* model, uint32_t index, ffnlp_channel_info* out) {
  if (model == nullptr || out == nullptr || out->struct_size < sizeof(ffnlp_channel_info) ||
      index >= model->model.channel_count()) {
    return FFNLP_INVALID_ARGUMENT;
  }
  const ffnlp::ChannelInfo& c = model->model.channel(index);
  const uint32_t size = out->struct_size;
  std::memset(out, 0, sizeof(ffnlp_channel_info));
  out->struct_size = size;
  out->kind = static_cast<uint32_t>(c.kind);
  out->kind_name = c.kind_name;
  out->order = c.order;
  out->length = c.length;
  out->seed = c.seed;
  out->buckets = c.buckets;
  out->dims = c.dims;
  out->pooling = static_cast<uint32_t>(c.pooling);
  out->vocab_size = c.vocab_size;
  out->oov_buckets = c.oov_buckets;
  out->input_offset = c.input_offset;
  out->slots = c.slots;
  return FFNLP_OK;
}

uint32_t ffnlp_model_features_version(const ffnlp_model* model) {
  return model != nullptr ? model->model.features_version() : 0;
}

uint32_t ffnlp_feature_kind_count(void) { return ffnlp::feature_kind_count(); }

const char* ffnlp_feature_kind_name(uint32_t kind) {
  const ffnlp::FeatureKindInfo* info = ffnlp::feature_kind_info(static_cast<ffnlp::FeatureKind>(kind));
  return info != nullptr ? info->name : "";
}

ffnlp_status ffnlp_text_features(const ffnlp_model* model, const char* text, size_t len, ffnlp_feature* out,
                                 size_t capacity, size_t* count) {
  if (count != nullptr) *count = 0;
  if (model == nullptr || (text == nullptr && len != 0 && len != FFNLP_NUL_TERMINATED)) return FFNLP_INVALID_ARGUMENT;
  return to_c(ffnlp::internal::ModelAccess::text_features(model->model, text, text_length(text, len), out, capacity,
                                                          count));
}

int32_t ffnlp_model_has_prior(const ffnlp_model* model) { return (model != nullptr && model->model.has_prior()) ? 1 : 0; }

int32_t ffnlp_model_is_tagger(const ffnlp_model* model) { return (model != nullptr && model->model.is_tagger()) ? 1 : 0; }

const char* ffnlp_model_tokenizer(const ffnlp_model* model) { return model != nullptr ? model->model.tokenizer() : ""; }

uint32_t ffnlp_model_tokenizer_version(const ffnlp_model* model) {
  return model != nullptr ? model->model.tokenizer_version() : 0;
}

ffnlp_status ffnlp_model_channel_window(const ffnlp_model* model, uint32_t index, int32_t* offsets, size_t capacity,
                                        size_t* count) {
  if (count != nullptr) *count = 0;
  if (model == nullptr || count == nullptr || (offsets == nullptr && capacity != 0) ||
      index >= model->model.channel_count()) {
    return FFNLP_INVALID_ARGUMENT;
  }
  const ffnlp::ChannelInfo& c = model->model.channel(index);
  for (size_t k = 0; k < c.window_count && k < capacity; ++k) offsets[k] = c.window[k];
  *count = c.window_count;
  return c.window_count > capacity ? FFNLP_BUFFER_TOO_SMALL : FFNLP_OK;
}

ffnlp_status ffnlp_tokenize(const ffnlp_model* model, const char* text, size_t len, ffnlp_token* tokens,
                            size_t capacity, size_t* count) {
  if (count != nullptr) *count = 0;
  if (model == nullptr || (text == nullptr && len != 0 && len != FFNLP_NUL_TERMINATED)) return FFNLP_INVALID_ARGUMENT;
  return to_c(ffnlp::internal::TaggerAccess::tokenize(model->model, text, text_length(text, len), tokens, capacity,
                                                      count));
}

ffnlp_status ffnlp_tag(const ffnlp_model* model, const char* text, size_t len, void* scratch, size_t scratch_size,
                       ffnlp_tagged_token* out, size_t capacity, size_t* count) {
  if (count != nullptr) *count = 0;
  if (model == nullptr || (text == nullptr && len != 0 && len != FFNLP_NUL_TERMINATED)) return FFNLP_INVALID_ARGUMENT;
  return to_c(ffnlp::internal::TaggerAccess::tag(model->model, text, text_length(text, len), scratch, scratch_size, out,
                                                 capacity, count));
}

ffnlp_status ffnlp_tag_tokens(const ffnlp_model* model, const char* const* tokens, const size_t* lengths, size_t n,
                              void* scratch, size_t scratch_size, ffnlp_tagged_token* out) {
  if (model == nullptr) return FFNLP_INVALID_ARGUMENT;
  return to_c(ffnlp::internal::TaggerAccess::tag_tokens(model->model, tokens, lengths, n, scratch, scratch_size, out));
}

ffnlp_status ffnlp_token_features(const ffnlp_model* model, const char* const* tokens, const size_t* lengths, size_t n,
                                  size_t i, const uint32_t* labels, ffnlp_feature* out, size_t capacity,
                                  size_t* count) {
  if (count != nullptr) *count = 0;
  if (model == nullptr) return FFNLP_INVALID_ARGUMENT;
  return to_c(
      ffnlp::internal::ModelAccess::token_features(model->model, tokens, lengths, n, i, labels, out, capacity, count));
}

ffnlp_status ffnlp_classify(const ffnlp_model* model, const char* text, size_t len, void* scratch, size_t scratch_size,
                            ffnlp_prediction* top, size_t k, size_t* count) {
  if (count != nullptr) *count = 0;
  if (model == nullptr) return FFNLP_INVALID_ARGUMENT;
  return to_c(classify_one(model->model, text, len, nullptr, 0, nullptr, scratch, scratch_size, top, k, count));
}

ffnlp_status ffnlp_classify_ex(const ffnlp_model* model, const char* text, size_t len,
                               const ffnlp_classify_options* options, void* scratch, size_t scratch_size,
                               ffnlp_prediction* top, size_t k, size_t* count) {
  if (count != nullptr) *count = 0;
  if (model == nullptr) return FFNLP_INVALID_ARGUMENT;
  return to_c(classify_one(model->model, text, len, nullptr, 0, options, scratch, scratch_size, top, k, count));
}

ffnlp_status ffnlp_classify_ids(const ffnlp_model* model, const char* text, size_t len, const ffnlp_channel_ids* ids,
                                size_t ids_count, const ffnlp_classify_options* options, void* scratch,
                                size_t scratch_size, ffnlp_prediction* top, size_t k, size_t* count) {
  if (count != nullptr) *count = 0;
  if (model == nullptr) return FFNLP_INVALID_ARGUMENT;
  return to_c(classify_one(model->model, text, len, ids, ids_count, options, scratch, scratch_size, top, k, count));
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
    const Status s =
        classify_one(model->model, texts[i], len, nullptr, 0, nullptr, scratch, scratch_size, results + i * k, k, &counts[i]);
    if (s != Status::kOk && first == Status::kOk) first = s;
  }
  return to_c(first);
}

ffnlp_status ffnlp_scores(const ffnlp_model* model, const char* text, size_t len, void* scratch, size_t scratch_size,
                          float* probs, size_t probs_count) {
  return ffnlp_scores_ex(model, text, len, nullptr, scratch, scratch_size, probs, probs_count);
}

ffnlp_status ffnlp_scores_ex(const ffnlp_model* model, const char* text, size_t len, const ffnlp_classify_options* options,
                             void* scratch, size_t scratch_size, float* probs, size_t probs_count) {
  if (model == nullptr) return FFNLP_INVALID_ARGUMENT;
  return to_c(distribution(model->model, text, len, options, scratch, scratch_size, probs, probs_count, false));
}

ffnlp_status ffnlp_logits(const ffnlp_model* model, const char* text, size_t len, const ffnlp_classify_options* options,
                          void* scratch, size_t scratch_size, float* logits, size_t logits_count) {
  if (model == nullptr) return FFNLP_INVALID_ARGUMENT;
  return to_c(distribution(model->model, text, len, options, scratch, scratch_size, logits, logits_count, true));
}

ffnlp_status ffnlp_workspace_create(const ffnlp_model* model, ffnlp_workspace** out, ffnlp_error* err) {
  clear_error(err);
  if (out == nullptr) return set_error(err, Status::kInvalidArgument, "out is null");
  *out = nullptr;
  if (model == nullptr) return set_error(err, Status::kInvalidArgument, "model is null");
  if (!model->model.is_classifier() && !model->model.is_tagger()) {
    return set_error(err, Status::kNotClassifier, "the model has no network (tensors or features only)");
  }
  const size_t size = model->model.scratch_bytes();
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

ffnlp_status ffnlp_workspace_classify_ex(ffnlp_workspace* workspace, const char* text, size_t len,
                                         const ffnlp_classify_options* options, ffnlp_prediction* top, size_t k,
                                         size_t* count) {
  if (workspace == nullptr) {
    if (count != nullptr) *count = 0;
    return FFNLP_INVALID_ARGUMENT;
  }
  return ffnlp_classify_ex(workspace->model, text, len, options, workspace->data, workspace->size, top, k, count);
}

ffnlp_status ffnlp_workspace_scores_ex(ffnlp_workspace* workspace, const char* text, size_t len,
                                       const ffnlp_classify_options* options, float* probs, size_t probs_count) {
  if (workspace == nullptr) return FFNLP_INVALID_ARGUMENT;
  return ffnlp_scores_ex(workspace->model, text, len, options, workspace->data, workspace->size, probs, probs_count);
}

ffnlp_status ffnlp_workspace_logits(ffnlp_workspace* workspace, const char* text, size_t len,
                                    const ffnlp_classify_options* options, float* logits, size_t logits_count) {
  if (workspace == nullptr) return FFNLP_INVALID_ARGUMENT;
  return ffnlp_logits(workspace->model, text, len, options, workspace->data, workspace->size, logits, logits_count);
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

ffnlp_status ffnlp_workspace_tag(ffnlp_workspace* workspace, const char* text, size_t len, ffnlp_tagged_token* out,
                                 size_t capacity, size_t* count) {
  if (workspace == nullptr) {
    if (count != nullptr) *count = 0;
    return FFNLP_INVALID_ARGUMENT;
  }
  return ffnlp_tag(workspace->model, text, len, workspace->data, workspace->size, out, capacity, count);
}

ffnlp_status ffnlp_workspace_tag_tokens(ffnlp_workspace* workspace, const char* const* tokens, const size_t* lengths,
                                        size_t n, ffnlp_tagged_token* out) {
  if (workspace == nullptr) return FFNLP_INVALID_ARGUMENT;
  return ffnlp_tag_tokens(workspace->model, tokens, lengths, n, workspace->data, workspace->size, out);
}

}  // extern "C"
