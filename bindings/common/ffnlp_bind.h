/* ffnlp_bind.h: the thin layer the Python and JavaScript packages share,
 * compiled into each of them together with the runtime's sources.
 *
 * Everything that classifies goes through the C API (ffnlp_c.h); this layer
 * only adds what the packages need on top of it and would otherwise write
 * twice:
 *
 * 1. A model handle that owns its bytes (a 64-byte aligned copy, or a
 *    read-only mapping of a file), so a caller's buffer can be released.
 * 2. One classify entry point with optional options (allow-list, prior,
 *    hints).
 *    Options reach ffnlp_classify_ex() when the runtime has it; until then
 *    asking for them fails with FFNLP_INVALID_ARGUMENT and a message, so the
 *    packages' keyword arguments already exist and fail clearly.
 * 3. The display name of the "no language evidence" answer ("Undetermined"),
 *    as the langid command-line tool prints it; the model stores no name.
 * 4. Mixed-language spans: the command-line tool's algorithm
 *    (tools/langid/spans.cpp, compiled in unchanged), which needs the C++
 *    Model; the C API has no spans call yet.
 *
 * Rules: nothing throws or aborts across this boundary; every failure is an
 * ffnlp_status plus, where an ffnlp_error* is taken, a message.
 */
#ifndef FFNLP_BIND_H_
#define FFNLP_BIND_H_

#include <stddef.h>
#include <stdint.h>

#include "ffnlp/ffnlp_c.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ffnlpb_model ffnlpb_model; /* opaque */

/* Name given to the unknown answer (label_index FFNLP_NO_LABEL). */
#define FFNLPB_UNKNOWN_NAME "Undetermined"

/* Prior values for ffnlpb_options.prior (the numbering of ffnlp::Prior). */
#define FFNLPB_PRIOR_MODEL 0u
#define FFNLPB_PRIOR_UNIFORM 1u

/* Zero it, then set what is wanted; a zeroed prefer_weight is 0 (no tilt):
 * set it, e.g. to ffnlp_default_prefer_weight(). wasm32: 32 bytes, the
 * fields at 0, 4, 8, 12, 16, 20, 24, 28. */
typedef struct ffnlpb_options {
  uint32_t prior;        /* FFNLPB_PRIOR_MODEL (the model's own) or FFNLPB_PRIOR_UNIFORM */
  uint32_t reserved;     /* 0 */
  const uint32_t* only;  /* allow-list of label indices, or NULL for all */
  size_t only_count;
  const uint32_t* prefer; /* hints (ffnlp_classify_options.prefer), or NULL for none */
  size_t prefer_count;
  float prefer_weight;    /* 0 ... FFNLP_MAX_PREFER_WEIGHT */
  uint32_t reserved2;     /* 0 */
} ffnlpb_options;

typedef struct ffnlpb_span {
  size_t begin, end;            /* byte offsets into the text, [begin, end) */
  ffnlp_prediction prediction;  /* the span's own text, classified whole */
} ffnlpb_span;

/* 1 when this build's runtime has ffnlp_classify_ex() (options work). */
FFNLP_C_API int32_t ffnlpb_has_classify_options(void);

/* FFNLP_MAX_PREFER_WEIGHT, for callers that cannot read macros (JavaScript);
 * the default is ffnlp_default_prefer_weight(). */
FFNLP_C_API float ffnlpb_max_prefer_weight(void);

/* Copies `size` bytes into memory the handle owns, then validates them
 * (checksum included). The caller's bytes may be freed afterwards. */
FFNLP_C_API ffnlp_status ffnlpb_model_from_bytes(const void* data, size_t size, ffnlpb_model** out,
                                                 ffnlp_error* err);
/* Maps the file read-only (the handle owns the mapping) and validates it. */
FFNLP_C_API ffnlp_status ffnlpb_model_from_file(const char* path, ffnlpb_model** out, ffnlp_error* err);
FFNLP_C_API void ffnlpb_model_free(ffnlpb_model* model); /* NULL is allowed */

/* The C API model inside the handle: use it with any ffnlp_* call. */
FFNLP_C_API const ffnlp_model* ffnlpb_model_c(const ffnlpb_model* model);

/* ffnlp_classify() (options NULL) or ffnlp_classify_ex() (options given),
 * then the unknown answer gets its display name. Same arguments and
 * results as ffnlp_classify(); `err` (may be NULL) gets a message. */
FFNLP_C_API ffnlp_status ffnlpb_classify(const ffnlpb_model* model, const char* text, size_t len,
                                         const ffnlpb_options* options, void* scratch, size_t scratch_size,
                                         ffnlp_prediction* top, size_t k, size_t* count, ffnlp_error* err);

/* n texts, as ffnlp_classify_batch(): results[i*k ..], counts[i]. */
FFNLP_C_API ffnlp_status ffnlpb_classify_batch(const ffnlpb_model* model, const char* const* texts,
                                               const size_t* lengths, size_t n, const ffnlpb_options* options,
                                               void* scratch, size_t scratch_size, ffnlp_prediction* results,
                                               size_t k, size_t* counts, ffnlp_error* err);

/* Most words spans() accepts; its memory grows with words x labels. */
#define FFNLPB_SPANS_MAX_WORDS 20000u

/* Splits a UTF-8 text into language spans (the langid tool's --spans).
 * On success *out is a malloc'd array of *count spans (NULL when there are
 * none), freed with ffnlpb_spans_free(). Words are separated by space, tab,
 * CR or LF. */
FFNLP_C_API ffnlp_status ffnlpb_spans(const ffnlpb_model* model, const char* text, size_t len, ffnlpb_span** out,
                                      size_t* count, ffnlp_error* err);
FFNLP_C_API void ffnlpb_spans_free(ffnlpb_span* spans);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FFNLP_BIND_H_ */
