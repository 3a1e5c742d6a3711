/* ffnlp C API: a plain-C view of the ffnlp runtime for C89/C99 programs,
 * Swift (module.modulemap beside this header), Kotlin/Java through JNI and
 * Python ctypes.
 *
 *   ffnlp_model* model = NULL;
 *   ffnlp_error err;
 *   if (ffnlp_model_create_from_file("langid.ffm", &model, &err) != FFNLP_OK) {
 *     fprintf(stderr, "%s: %s\n", ffnlp_status_name(err.status), err.message);
 *     return 1;
 *   }
 *   ffnlp_workspace* ws = NULL;
 *   ffnlp_workspace_create(model, &ws, &err);       one per thread
 *   ffnlp_prediction top[3];
 *   size_t n = 0;
 *   ffnlp_workspace_classify(ws, text, FFNLP_NUL_TERMINATED, top, 3, &n);
 *   ...
 *   ffnlp_workspace_free(ws);
 *   ffnlp_model_free(model);
 *
 * Rules:
 * - Every function that can fail returns an ffnlp_status (0 = FFNLP_OK) and,
 *   where it takes an ffnlp_error*, fills it (status + NUL-terminated message).
 *   The error pointer may be NULL. There is no global error state.
 * - Nothing here throws, calls exit() or aborts. No C++ type crosses it.
 * - Strings returned by the library (labels, names, task) point into the
 *   model bytes; they stay valid until ffnlp_model_free().
 * - A model is read-only after creation: any number of threads may classify
 *   with one model at once, each with its own scratch memory or workspace.
 * - Classification, scores, logits and features never allocate.
 * - Every API takes the same scratch size (ffnlp_model_scratch_size(), what
 *   a workspace holds) and the same code paths as the C++ API: the numbers
 *   are bit-identical to C++'s.
 *
 * Struct layouts (no implicit padding; see docs/EMBEDDING.md):
 *   ffnlp_error       int32 status; char message[256]             = 260 bytes
 *   ffnlp_prediction  ptr label; ptr name; uint32 label_index;
 *                     float probability; int32 reliable; uint32 reserved
 *                     = 32 bytes with 8-byte pointers, 24 with 4-byte pointers
 *   ffnlp_classify_options  uint32 struct_size; uint32 prior; ptr only;
 *                     size_t only_count; ptr prefer; size_t prefer_count;
 *                     float prefer_weight; uint32 reserved
 *                     = 48 bytes (64-bit), 32 (32-bit); before the hints
 *                     (prefer ...) it ended at only_count: 24 / 16 bytes
 *   ffnlp_channel_ids uint32 channel; uint32 reserved; ptr ids; size_t count
 *                     = 24 bytes (64-bit), 16 (32-bit)
 *   ffnlp_feature     uint32 channel; uint32 slot; uint32 row; float weight = 16 bytes
 *   ffnlp_channel_info uint32 struct_size; uint32 kind; ptr kind_name;
 *                     12 x uint32 (order ... reserved)   = 64 bytes (64-bit), 60 (32-bit)
 *   ffnlp_token       uint64 begin; uint64 end                    = 16 bytes
 *   ffnlp_tagged_token uint64 begin; uint64 end; ptr label; uint32 label_index;
 *                     float probability = 32 bytes (64-bit); 28 + 4 bytes of
 *                     tail padding where uint64 is 8-byte aligned (32-bit ARM)
 *
 * Taggers (task "tagger"): one label per token of a text, greedy left to
 * right over a window of neighbouring tokens:
 *   size_t n = 0;
 *   ffnlp_tagged_token tokens[256];   capacity >= text bytes always suffices
 *   ffnlp_workspace_tag(ws, text, FFNLP_NUL_TERMINATED, tokens, 256, &n);
 *   for (size_t i = 0; i < n; ++i) printf("%.*s/%s ", (int)(tokens[i].end -
 *       tokens[i].begin), text + tokens[i].begin, tokens[i].label);
 */
#ifndef FFNLP_FFNLP_C_H_
#define FFNLP_FFNLP_C_H_

#include <stddef.h>
#include <stdint.h>

/* Symbol export: the shared library is built with -fvisibility=hidden and
 * FFNLP_BUILDING_LIBRARY; only what is marked FFNLP_C_API is exported. */
#if defined(_WIN32)
#if defined(FFNLP_BUILDING_LIBRARY)
#define FFNLP_C_API __declspec(dllexport)
#elif defined(FFNLP_SHARED)
#define FFNLP_C_API __declspec(dllimport)
#else
#define FFNLP_C_API
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define FFNLP_C_API __attribute__((visibility("default")))
#else
#define FFNLP_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define FFNLP_VERSION_MAJOR 1
#define FFNLP_VERSION_MINOR 0
#define FFNLP_VERSION_PATCH 0

/* Status codes: the same numbers as ffnlp::Status in ffnlp.h. */
typedef int32_t ffnlp_status;
#define FFNLP_OK 0
#define FFNLP_INVALID_ARGUMENT 1     /* a null pointer, a zero size where one is needed */
#define FFNLP_TRUNCATED 2            /* buffer shorter than the header or its file size */
#define FFNLP_BAD_MAGIC 3            /* not an .ffm file */
#define FFNLP_BYTE_SWAPPED 4         /* written with the wrong byte order */
#define FFNLP_UNSUPPORTED_VERSION 5  /* a format version this runtime does not read */
#define FFNLP_BAD_CHECKSUM 6         /* contents changed after writing */
#define FFNLP_BAD_HEADER 7           /* header size, flags or counts out of range */
#define FFNLP_BAD_OFFSET 8           /* a region outside the file, misaligned or overlapping */
#define FFNLP_OVERFLOW 9             /* a size that overflows 64-bit arithmetic */
#define FFNLP_BAD_TENSOR 10          /* bad name, dtype, rank, zero point or size */
#define FFNLP_NON_FINITE 11          /* NaN or infinity in a weight or scale */
#define FFNLP_BAD_METADATA 12        /* malformed entry, duplicate or mistyped key, bad UTF-8 */
#define FFNLP_BAD_SHAPE 13           /* tensors that do not chain into the declared network */
#define FFNLP_NOT_FOUND 14           /* a name that is not in the model */
#define FFNLP_NOT_CLASSIFIER 15      /* the model holds tensors only */
#define FFNLP_BUFFER_TOO_SMALL 16    /* scratch smaller than ffnlp_model_scratch_size() */
#define FFNLP_IO_ERROR 17            /* file could not be opened, read or mapped */
#define FFNLP_OUT_OF_MEMORY 18
#define FFNLP_UNSUPPORTED_FEATURES 19 /* features.version (feature code, Unicode tables) this runtime lacks */

/* Pass as a text length to mean "the text is NUL-terminated". */
#define FFNLP_NUL_TERMINATED ((size_t)-1)

/* Flags for ffnlp_model_create_from_buffer_ex() and
 * ffnlp_model_create_from_file_ex(). */
#define FFNLP_LOAD_DEFAULT 0u
#define FFNLP_LOAD_SKIP_CHECKSUM 1u /* only for bytes the caller has verified */
#define FFNLP_LOAD_MAP_FILE 2u      /* _file_ex only: map instead of reading; see below */

/* Label index of the "no language evidence" answer. */
#define FFNLP_NO_LABEL 0xFFFFFFFFu

/* ffnlp_classify_options.prior */
#define FFNLP_PRIOR_MODEL 0u   /* add the model's log prior over labels (when it has one); the default */
#define FFNLP_PRIOR_UNIFORM 1u /* leave it out: every label equally likely a priori */

/* ffnlp_classify_options.prefer_weight: the default (ffnlp_default_prefer_weight()
 * returns it for callers that cannot read macros, e.g. ctypes) and the
 * largest accepted. A weight w multiplies a label's odds by e^w; at 20
 * (about 5e8) the hint already decides, so a larger weight would only be an
 * allow-list (`only` is one). The same values as ffnlp::kDefaultPreferWeight
 * and kMaxPreferWeight (ffnlp.h). */
#define FFNLP_DEFAULT_PREFER_WEIGHT 1.0f
#define FFNLP_MAX_PREFER_WEIGHT 20.0f

typedef struct ffnlp_error {
  ffnlp_status status;   /* FFNLP_OK or the failure */
  char message[256];     /* NUL-terminated; "" on success */
} ffnlp_error;

typedef struct ffnlp_prediction {
  const char* label;     /* e.g. "de"; valid while the model lives */
  const char* name;      /* e.g. "German", or "" */
  uint32_t label_index;  /* FFNLP_NO_LABEL for the unknown answer */
  float probability;     /* 0 ... 1 */
  int32_t reliable;      /* 1 when probability and evidence clear the model's bar */
  uint32_t reserved;     /* 0; keeps the layout free of implicit padding */
} ffnlp_prediction;

/* Options of one classification (NULL: the defaults). Set struct_size to
 * sizeof(ffnlp_classify_options): fields added later go after only_count and
 * are read only when struct_size covers them, so a program compiled with an
 * older, smaller struct keeps working (struct_size below the first
 * version's 24 / 16 bytes is FFNLP_INVALID_ARGUMENT). The hints (prefer,
 * prefer_count, prefer_weight) are read when struct_size covers
 * prefer_weight; otherwise there are none. */
typedef struct ffnlp_classify_options {
  uint32_t struct_size;  /* sizeof(ffnlp_classify_options) */
  uint32_t prior;        /* FFNLP_PRIOR_MODEL (0) or FFNLP_PRIOR_UNIFORM */
  const uint32_t* only;  /* allow-list of label indices, or NULL for all labels; */
  size_t only_count;     /* probabilities are renormalised over the list (>= 1, no repeats) */
  /* Hints, as CLD2's (the user's or the page's language): prefer_weight is
   * added to the logit of each of these labels right after the prior,
   * before the neighbour words and the lexicon. They tilt ambiguous text
   * towards the hinted labels and exclude none (a hinted label outside the
   * allow-list changes nothing). NULL: no hints. */
  const uint32_t* prefer; /* label indices (>= 1, no repeats) */
  size_t prefer_count;
  float prefer_weight;    /* 0 ... FFNLP_MAX_PREFER_WEIGHT: set it (FFNLP_DEFAULT_PREFER_WEIGHT);
                             a zeroed struct's 0 tilts nothing */
  uint32_t reserved;      /* 0; keeps the layout free of implicit padding */
} ffnlp_classify_options;

/* Caller-supplied ids for one channel of kind "ids" (its own tokenizer or
 * vocabulary); each id < that channel's buckets. */
typedef struct ffnlp_channel_ids {
  uint32_t channel;      /* index of an ids channel */
  uint32_t reserved;     /* 0 */
  const uint32_t* ids;
  size_t count;
} ffnlp_channel_ids;

/* One feature occurrence (ffnlp_text_features): row `row` of channel
 * `channel`'s table at window position `slot` (0 for whole-text models),
 * with its pooling weight (mean: 1 / the channel's occurrences; sum: 1). */
typedef struct ffnlp_feature {
  uint32_t channel;
  uint32_t slot;
  uint32_t row;
  float weight;
} ffnlp_feature;

/* One token of a text: bytes [begin, end) (ffnlp_tokenize). 16 bytes. */
typedef struct ffnlp_token {
  uint64_t begin;
  uint64_t end;
} ffnlp_token;

/* One tagged token (ffnlp_tag: its bytes [begin, end) in the text;
 * ffnlp_tag_tokens: 0 and the token's length), its label and the label's
 * softmax probability. */
typedef struct ffnlp_tagged_token {
  uint64_t begin;
  uint64_t end;
  const char* label;     /* e.g. "NOUN"; valid while the model lives */
  uint32_t label_index;
  float probability;
} ffnlp_tagged_token;

/* ffnlp_channel_info.kind: the feature kinds (docs/SPEC.md). */
#define FFNLP_KIND_CHAR_NGRAM 1u
#define FFNLP_KIND_SCRIPT 2u
#define FFNLP_KIND_WORD 3u
#define FFNLP_KIND_PREFIX 4u
#define FFNLP_KIND_SUFFIX 5u
#define FFNLP_KIND_SHAPE 6u
#define FFNLP_KIND_IDS 7u
#define FFNLP_KIND_PREV_LABEL 8u
#define FFNLP_KIND_HAN_VARIANT 9u /* each Han letter: shared, Simplified-only or Traditional-only form */
/* ffnlp_channel_info.pooling */
#define FFNLP_POOLING_MEAN 1u
#define FFNLP_POOLING_SUM 2u
#define FFNLP_POOLING_CONCAT 3u /* token models: one slice per window offset */

/* One feature channel of a model (ffnlp_model_channel). */
typedef struct ffnlp_channel_info {
  uint32_t struct_size;   /* set by the caller: sizeof(ffnlp_channel_info) */
  uint32_t kind;          /* FFNLP_KIND_... */
  const char* kind_name;  /* "char_ngram", ... (static storage) */
  uint32_t order;         /* char_ngram */
  uint32_t length;        /* prefix, suffix (code points) */
  uint32_t seed;          /* hashed kinds */
  uint32_t buckets;       /* rows of the channel's table */
  uint32_t dims;          /* columns of the channel's table */
  uint32_t pooling;       /* FFNLP_POOLING_... */
  uint32_t vocab_size;    /* word with a vocabulary: rows 0 .. vocab_size-1 */
  uint32_t oov_buckets;   /* ... then hashed rows for other words */
  uint32_t input_offset;  /* first column of the channel in the input vector */
  uint32_t slots;         /* slices: window offsets with concat pooling, else 1 */
  uint32_t reserved[2];   /* 0 */
} ffnlp_channel_info;

typedef struct ffnlp_model ffnlp_model;          /* opaque */
typedef struct ffnlp_workspace ffnlp_workspace;  /* opaque */

/* Library version, e.g. "1.0.0". */
FFNLP_C_API const char* ffnlp_version(void);

/* FFNLP_DEFAULT_PREFER_WEIGHT, as the library was built with it. */
FFNLP_C_API float ffnlp_default_prefer_weight(void);

/* A stable, readable name for a status, e.g. "bad checksum". */
FFNLP_C_API const char* ffnlp_status_name(ffnlp_status status);

/* ---- models ---------------------------------------------------------- */

/* Validates `size` bytes at `data` and creates a model that reads them in
 * place: nothing is copied, so the bytes must stay valid and unchanged until
 * ffnlp_model_free(). On failure *out is NULL. */
FFNLP_C_API ffnlp_status ffnlp_model_create_from_buffer(const void* data, size_t size, ffnlp_model** out,
                                                        ffnlp_error* err);
FFNLP_C_API ffnlp_status ffnlp_model_create_from_buffer_ex(const void* data, size_t size, uint32_t flags,
                                                           ffnlp_model** out, ffnlp_error* err);

/* Reads the whole file into memory the model owns and validates it, so the
 * file may afterwards be replaced, rewritten or truncated on disk without
 * affecting the model. Only a regular file is accepted: a FIFO, device,
 * socket or directory fails at once with FFNLP_IO_ERROR (never blocks). */
FFNLP_C_API ffnlp_status ffnlp_model_create_from_file(const char* path, ffnlp_model** out, ffnlp_error* err);

/* As ffnlp_model_create_from_file(), with flags. FFNLP_LOAD_MAP_FILE maps the
 * file read-only instead of reading it (no copy; pages shared between
 * processes). A mapped file must then stay unchanged until
 * ffnlp_model_free(): truncating it makes the next classification die with
 * SIGBUS, and rewriting it in place changes the model under the running
 * program. Replace mapped model files only with rename() (write the new
 * file beside the old one, then rename it over it). */
FFNLP_C_API ffnlp_status ffnlp_model_create_from_file_ex(const char* path, uint32_t flags, ffnlp_model** out,
                                                         ffnlp_error* err);

/* Frees the model (and its memory or mapping). NULL is allowed. As with
 * free(), the handle is invalid afterwards: freeing it a second time, or
 * using it (or a workspace or string that came from it), is the caller's
 * error and undefined behaviour, which the library cannot detect. Set your
 * pointer to NULL after freeing it. */
FFNLP_C_API void ffnlp_model_free(ffnlp_model* model);

/* Bytes of scratch memory one concurrent call needs: the same size for
 * every function and text length (long-text counters included), and the
 * same as the C++ Model::scratch_bytes(). Aligned for double (8 bytes; any
 * malloc'd memory is). */
FFNLP_C_API size_t ffnlp_model_scratch_size(const ffnlp_model* model);

/* Metadata. Strings are "" (never NULL) when absent or out of range. */
FFNLP_C_API uint32_t ffnlp_model_label_count(const ffnlp_model* model);
FFNLP_C_API const char* ffnlp_model_label(const ffnlp_model* model, uint32_t index);
FFNLP_C_API const char* ffnlp_model_label_name(const ffnlp_model* model, uint32_t index);
FFNLP_C_API int32_t ffnlp_model_find_label(const ffnlp_model* model, const char* label); /* -1: absent */
FFNLP_C_API const char* ffnlp_model_task(const ffnlp_model* model);
FFNLP_C_API const char* ffnlp_model_name(const ffnlp_model* model);
FFNLP_C_API const char* ffnlp_model_unknown_label(const ffnlp_model* model);
FFNLP_C_API int32_t ffnlp_model_is_classifier(const ffnlp_model* model);
FFNLP_C_API size_t ffnlp_model_file_size(const ffnlp_model* model);
FFNLP_C_API uint32_t ffnlp_model_format_version(const ffnlp_model* model);
FFNLP_C_API uint32_t ffnlp_model_input_width(const ffnlp_model* model);
FFNLP_C_API uint32_t ffnlp_model_tensor_count(const ffnlp_model* model);
/* Feature channels: classifiers and features-only models (task "features"). */
FFNLP_C_API uint32_t ffnlp_model_channel_count(const ffnlp_model* model);
/* Describes channel `index` into *out (out->struct_size must be set). */
FFNLP_C_API ffnlp_status ffnlp_model_channel(const ffnlp_model* model, uint32_t index, ffnlp_channel_info* out);
/* The feature code version the model was made for (features.version). */
FFNLP_C_API uint32_t ffnlp_model_features_version(const ffnlp_model* model);
/* The registry of feature kinds: count, and the name of kind id 1 .. count
 * ("" for other ids). */
FFNLP_C_API uint32_t ffnlp_feature_kind_count(void);
FFNLP_C_API const char* ffnlp_feature_kind_name(uint32_t kind);

/* 1 when the model stores a prior over its labels (classifier.log_prior). */
FFNLP_C_API int32_t ffnlp_model_has_prior(const ffnlp_model* model);

/* Token models (taggers and their features-only files). */
FFNLP_C_API int32_t ffnlp_model_is_tagger(const ffnlp_model* model);
/* The tokenizer rule set ("words") and its version; "" and 0 for text models. */
FFNLP_C_API const char* ffnlp_model_tokenizer(const ffnlp_model* model);
FFNLP_C_API uint32_t ffnlp_model_tokenizer_version(const ffnlp_model* model);
/* Window offsets of channel `index` (e.g. -2 -1 0 1 2; text models: 0) into
 * offsets[0 .. *count); FFNLP_BUFFER_TOO_SMALL (with *count) when capacity is
 * below their number (at most 17). */
FFNLP_C_API ffnlp_status ffnlp_model_channel_window(const ffnlp_model* model, uint32_t index, int32_t* offsets,
                                                    size_t capacity, size_t* count);

/* ---- classification -------------------------------------------------- */

/* The k most probable labels of a UTF-8 text, best first, into
 * top[0 .. *count). `len` is in bytes, or FFNLP_NUL_TERMINATED. `scratch`
 * must hold ffnlp_model_scratch_size() bytes, aligned for double (any
 * malloc'd memory is). Any k works (top-k in O(n log k)). A text without letters answers the model's unknown label with
 * probability 0 (label_index FFNLP_NO_LABEL), or *count = 0 if it has none.
 * Allocates nothing. */
FFNLP_C_API ffnlp_status ffnlp_classify(const ffnlp_model* model, const char* text, size_t len, void* scratch,
                                        size_t scratch_size, ffnlp_prediction* top, size_t k, size_t* count);

/* n texts at once: texts[i] with lengths[i] bytes (lengths may be NULL: all
 * NUL-terminated). Text i's predictions go to results[i*k .. i*k + counts[i]).
 * Every text is classified; returns FFNLP_OK or the first failure's status
 * (and that text's counts[i] is 0). Allocates nothing. */
FFNLP_C_API ffnlp_status ffnlp_classify_batch(const ffnlp_model* model, const char* const* texts,
                                              const size_t* lengths, size_t n, void* scratch, size_t scratch_size,
                                              ffnlp_prediction* results, size_t k, size_t* counts);

/* Full probability distribution: probs[0 .. ffnlp_model_label_count()).
 * All zero for a text without letters. Allocates nothing. */
FFNLP_C_API ffnlp_status ffnlp_scores(const ffnlp_model* model, const char* text, size_t len, void* scratch,
                                      size_t scratch_size, float* probs, size_t probs_count);

/* ffnlp_classify() with options: the prior (FFNLP_PRIOR_UNIFORM leaves the
 * model's prior out), an allow-list of label indices (probabilities
 * renormalised over them) and hints (labels favoured by prefer_weight).
 * options may be NULL (the defaults). Bad options (a repeated or
 * out-of-range index, a count of 0 with its list set, a weight outside
 * 0 ... FFNLP_MAX_PREFER_WEIGHT) are FFNLP_INVALID_ARGUMENT. */
FFNLP_C_API ffnlp_status ffnlp_classify_ex(const ffnlp_model* model, const char* text, size_t len,
                                           const ffnlp_classify_options* options, void* scratch, size_t scratch_size,
                                           ffnlp_prediction* top, size_t k, size_t* count);

/* ffnlp_classify_ex() for models with "ids" channels: the caller's ids per
 * channel (ids may be NULL when ids_count is 0; text may be empty). */
FFNLP_C_API ffnlp_status ffnlp_classify_ids(const ffnlp_model* model, const char* text, size_t len,
                                            const ffnlp_channel_ids* ids, size_t ids_count,
                                            const ffnlp_classify_options* options, void* scratch,
                                            size_t scratch_size, ffnlp_prediction* top, size_t k, size_t* count);

/* ffnlp_scores() with options (labels outside an allow-list get 0). */
FFNLP_C_API ffnlp_status ffnlp_scores_ex(const ffnlp_model* model, const char* text, size_t len,
                                         const ffnlp_classify_options* options, void* scratch, size_t scratch_size,
                                         float* probs, size_t probs_count);

/* The values the probabilities are the softmax of: the last layer's outputs
 * plus the model's log prior (unless options->prior is FFNLP_PRIOR_UNIFORM),
 * plus prefer_weight for each label of options->prefer, plus, for the
 * members of the best allowed label's group, the neighbour words' scores
 * (models with neighbours.* keys, docs/FORMAT.md), plus, on a text of a few
 * words, the lexicon's weight for each of its words' labels (models with
 * lexicon.* keys); labels outside an allow-list get -infinity. All zero for
 * a text without evidence. logits[0 .. ffnlp_model_label_count()). */
FFNLP_C_API ffnlp_status ffnlp_logits(const ffnlp_model* model, const char* text, size_t len,
                                      const ffnlp_classify_options* options, void* scratch, size_t scratch_size,
                                      float* logits, size_t logits_count);

/* ---- tagging (token models) ------------------------------------------- */

/* The tokens of a UTF-8 text by the model's tokenizer (docs/SPEC.md
 * "Tokens") into tokens[0 .. *count). FFNLP_BUFFER_TOO_SMALL with *count =
 * the number needed when capacity is too small (the first capacity are
 * written); a text of n bytes has at most n tokens. FFNLP_NOT_CLASSIFIER for
 * text models. Allocates nothing. */
FFNLP_C_API ffnlp_status ffnlp_tokenize(const ffnlp_model* model, const char* text, size_t len, ffnlp_token* tokens,
                                        size_t capacity, size_t* count);

/* Tags a UTF-8 text: each of its tokens with one label, into out[0 ..
 * *count). The text is one sequence. When capacity is below the number of
 * tokens nothing is tagged: FFNLP_BUFFER_TOO_SMALL with *count = that number
 * (capacity >= len always suffices). scratch: ffnlp_model_scratch_size()
 * bytes. Allocates nothing. */
FFNLP_C_API ffnlp_status ffnlp_tag(const ffnlp_model* model, const char* text, size_t len, void* scratch,
                                   size_t scratch_size, ffnlp_tagged_token* out, size_t capacity, size_t* count);

/* Tags the caller's tokens (pre-tokenized input): tokens[j] with lengths[j]
 * bytes (lengths NULL: every token NUL-terminated), any bytes, empty tokens
 * too; exactly one label per token into out[0 .. n). Allocates nothing. */
FFNLP_C_API ffnlp_status ffnlp_tag_tokens(const ffnlp_model* model, const char* const* tokens, const size_t* lengths,
                                          size_t n, void* scratch, size_t scratch_size, ffnlp_tagged_token* out);

/* ---- features, for trainers ----------------------------------------- */

/* The feature occurrences of a UTF-8 text, exactly as classification reads
 * them, into out[0 .. *count): for a classifier or a features-only model
 * file. Channels of kind "ids" get nothing from text. When `capacity` is
 * too small, the first `capacity` records are written, *count is the number
 * needed and the status is FFNLP_BUFFER_TOO_SMALL. Needs no scratch;
 * allocates nothing. */
FFNLP_C_API ffnlp_status ffnlp_text_features(const ffnlp_model* model, const char* text, size_t len,
                                             ffnlp_feature* out, size_t capacity, size_t* count);

/* The feature occurrences of token i of tokens[0 .. n) (as ffnlp_tag_tokens
 * takes them), exactly as tagging reads them, for a tagger or a token
 * features-only file: for every channel and window offset o, the rows of
 * token i + o (padding rows outside the sequence); slot = the offset's
 * position in a concat channel's window (0 for mean and sum); weight = 1 /
 * the slot's occurrences (concat), 1 / the channel's (mean), 1 (sum).
 * prev_label channels read labels[j] for the earlier tokens j < i (NULL
 * allowed when the model has none or i is 0; each < the label count): pass
 * gold labels to train, predicted ones to reproduce tagging. Buffer protocol
 * as ffnlp_text_features. Needs no scratch; allocates nothing. */
FFNLP_C_API ffnlp_status ffnlp_token_features(const ffnlp_model* model, const char* const* tokens,
                                              const size_t* lengths, size_t n, size_t i, const uint32_t* labels,
                                              ffnlp_feature* out, size_t capacity, size_t* count);

/* ---- workspaces: scratch memory allocated once, for one thread -------- */

FFNLP_C_API ffnlp_status ffnlp_workspace_create(const ffnlp_model* model, ffnlp_workspace** out, ffnlp_error* err);
/* NULL is allowed. Free every workspace before its model. As with free(),
 * freeing a workspace twice or using it afterwards is the caller's error
 * (undefined behaviour the library cannot detect). */
FFNLP_C_API void ffnlp_workspace_free(ffnlp_workspace* workspace);
FFNLP_C_API void* ffnlp_workspace_data(ffnlp_workspace* workspace);
FFNLP_C_API size_t ffnlp_workspace_size(const ffnlp_workspace* workspace);

/* ffnlp_classify() / ffnlp_classify_batch() with the workspace's model and
 * scratch memory. */
FFNLP_C_API ffnlp_status ffnlp_workspace_classify(ffnlp_workspace* workspace, const char* text, size_t len,
                                                  ffnlp_prediction* top, size_t k, size_t* count);
FFNLP_C_API ffnlp_status ffnlp_workspace_classify_ex(ffnlp_workspace* workspace, const char* text, size_t len,
                                                     const ffnlp_classify_options* options, ffnlp_prediction* top,
                                                     size_t k, size_t* count);
FFNLP_C_API ffnlp_status ffnlp_workspace_scores_ex(ffnlp_workspace* workspace, const char* text, size_t len,
                                                   const ffnlp_classify_options* options, float* probs,
                                                   size_t probs_count);
FFNLP_C_API ffnlp_status ffnlp_workspace_logits(ffnlp_workspace* workspace, const char* text, size_t len,
                                                const ffnlp_classify_options* options, float* logits,
                                                size_t logits_count);
FFNLP_C_API ffnlp_status ffnlp_workspace_classify_batch(ffnlp_workspace* workspace, const char* const* texts,
                                                        const size_t* lengths, size_t n, ffnlp_prediction* results,
                                                        size_t k, size_t* counts);
/* ffnlp_tag() / ffnlp_tag_tokens() with the workspace's model and scratch. */
FFNLP_C_API ffnlp_status ffnlp_workspace_tag(ffnlp_workspace* workspace, const char* text, size_t len,
                                             ffnlp_tagged_token* out, size_t capacity, size_t* count);
FFNLP_C_API ffnlp_status ffnlp_workspace_tag_tokens(ffnlp_workspace* workspace, const char* const* tokens,
                                                    const size_t* lengths, size_t n, ffnlp_tagged_token* out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FFNLP_FFNLP_C_H_ */
