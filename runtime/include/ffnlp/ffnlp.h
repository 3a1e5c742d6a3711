// ffnlp: a freestanding runtime for small feed-forward NLP models
// (Botha et al. 2017, "Natural Language Processing with Small Feed-Forward
// Networks"), such as a language identifier.
//
// THE MODEL FILE (.ffm; docs/FORMAT.md), little-endian, each region aligned:
//   1. Header, 64 bytes: magic "FFNM", byte-order mark 0x0A0B0C0D, format
//      version (1 or 2), header size, file size, tensor table offset and
//      count, metadata offset, count and size, flags (0), CRC-32 of the file.
//   2. Tensor table: 128 bytes per tensor: name (64 bytes, NUL-padded),
//      dtype (1 f32, 2 q8_row, 3 q8_row_fzp), rank, zero point, rows, cols,
//      data offset and size, scales offset and size.
//   3. Metadata: typed key/value entries (u32, f32, string, string array,
//      u32 array): task, labels, the feature channels (kind, parameters,
//      pooling, window), the layers, text normalisation, the tokenizer of
//      token models, classifier settings.
//   4. Data: each tensor's values (and per-row scales / zero points),
//      64-byte aligned, no overlaps, up to the file size.
//
// THIS HEADER:
//   1. Status and Error          5. Results: Prediction, TextStats,
//   2. Tensor views                 FeatureRef, Token, TaggedToken
//   3. Channels and layers       6. Internals a Model holds by value
//   4. Inputs and options        7. Model
//                                8. Workspace, MappedFile, load_file
//
// Use:
//   ffnlp::Model model;
//   ffnlp::Error error;
//   if (ffnlp::Model::load(bytes, size, &model, &error) != ffnlp::Status::kOk) {
//     fprintf(stderr, "%s\n", error.message);
//   }
//   ffnlp::Workspace workspace(model);            // one per thread
//   ffnlp::Prediction top[3];
//   size_t n = 0;
//   model.classify(text, text_size, workspace, top, 3, &n);
//
// Rules that hold for every function here:
// - No exceptions, no RTTI, no global mutable state.
// - A Model is a read-only view into the caller's bytes; those bytes must
//   outlive it and stay unchanged. Loading copies no tensor data. A Model may
//   be copied freely: it holds no pointer into itself.
// - load_file() reads the file into memory it owns, so the model file may be
//   replaced, rewritten or truncated on disk while the Model is in use. Only
//   with LoadOptions::map_file is the file mapped instead; then replace it
//   only with rename(), never in place (docs/SECURITY.md).
// - Everything a model's features and layers need is decided at load; calls
//   never re-validate the file or rebuild tables.
// - Any number of threads may use one loaded Model at the same time, each
//   with its own Workspace (or scratch buffer).
// - classify(), scores(), logits(), tag(), tag_tokens(), tokenize(),
//   text_features() and token_features() allocate nothing.
//
// Two kinds of network models: classifiers (task "classifier": one answer
// per text) and taggers (task "tagger": one label per token, over a window
// of neighbouring tokens; "token models"). Features-only files (task
// "features") describe either kind's features for outside trainers.
#ifndef FFNLP_FFNLP_H_
#define FFNLP_FFNLP_H_

#include <cstddef>
#include <cstdint>

namespace ffnlp {

// Newest format version this runtime reads (it reads 1 and 2).
constexpr uint32_t kFormatVersion = 2;

// ---- 1. Status and Error -----------------------------------------------------
enum class Status : int {
  kOk = 0,
  kInvalidArgument = 1,     // a null pointer, a zero size where one is needed
  kTruncated = 2,           // buffer shorter than the header or its file size
  kBadMagic = 3,            // not an .ffm file
  kByteSwapped = 4,         // written with the wrong byte order
  kUnsupportedVersion = 5,  // a format version this runtime does not read
  kBadChecksum = 6,         // contents changed after writing
  kBadHeader = 7,           // header size, flags or counts out of range
  kBadOffset = 8,           // a region outside the file, misaligned or overlapping
  kOverflow = 9,            // a size that overflows 64-bit arithmetic
  kBadTensor = 10,          // bad name, dtype, rank, zero point or size
  kNonFinite = 11,          // NaN or infinity in a weight or scale
  kBadMetadata = 12,        // malformed entry, duplicate or mistyped key, bad UTF-8
  kBadShape = 13,           // tensors that do not chain into the declared network
  kNotFound = 14,           // a name that is not in the model
  kNotClassifier = 15,      // the model cannot answer this call: it holds tensors (or features) only,
                            // or a tagger was asked to classify, or a classifier to tag
  kBufferTooSmall = 16,     // scratch smaller than scratch_bytes(), or an output array too short
  kIoError = 17,            // file could not be opened, read or mapped
  kOutOfMemory = 18,
  kUnsupportedFeatures = 19,  // features.version (feature code, Unicode tables) or tokenizer rules this runtime lacks
};

// A stable, human-readable name for a status, e.g. "bad checksum".
const char* status_name(Status status);

// Filled on failure with the status and a message naming what was wrong.
struct Error {
  Status status = Status::kOk;
  char message[256] = {0};
};

// ---- 2. Tensor views -----------------------------------------------------------
enum class DType : uint32_t {
  kF32 = 1,
  kQ8Row = 2,     // uint8, one f32 scale per row, one integer zero point per tensor
  kQ8RowFzp = 3,  // uint8, one f32 scale AND one f32 zero point per row (PyTorch
                  // per_channel_affine_float_qparams): value = (float(q) - zp) * s
  kQ8Col = 4,     // uint8, one f32 scale per COLUMN, one integer zero point per tensor:
                  // dense layer weights stored transposed, (in, out) (docs/FORMAT.md)
  kQ4Row = 5,     // 4-bit, two per byte (even column in the low nibble), each row
                  // padded to whole bytes, one f32 scale per row, one zero point
                  // (0..15) per tensor: embedding tables only (docs/FORMAT.md)
  kQ4RowBf16 = 6, // kQ4Row with one bfloat16 scale per row (2 bytes): a 16-wide
                  // row in 10 bytes instead of 12 (docs/FORMAT.md)
  kQ3RowBf16 = 7, // 3-bit, a little-endian bit stream per row (column j in bits
                  // 3j..3j+2), each row padded to whole bytes, one bfloat16 scale
                  // per row, one zero point (0..7) per tensor: embedding tables
                  // only; a 16-wide row in 6 + 2 bytes (docs/FORMAT.md)
};

// A read-only view of one tensor in the model bytes. Matrices are row-major.
// The pointers point into the caller's buffer (not owned); values are
// little-endian, so read them through the accessors when in doubt.
struct TensorView {
  const char* name = nullptr;            // NUL-terminated, inside the buffer
  DType dtype = DType::kF32;
  uint32_t rank = 0;                     // 1 or 2; 0 for an empty view
  uint64_t rows = 0;                     // rank 1: the length
  uint64_t cols = 0;                     // rank 1: 1
  const uint8_t* data = nullptr;         // rows * cols elements (kQ4Row, kQ4RowBf16: rows * ceil(cols / 2) bytes;
                                         // kQ3RowBf16: rows * ceil(cols * 3 / 8) bytes)
  const uint8_t* scales = nullptr;       // kQ8Row, kQ8RowFzp, kQ4Row: rows f32 scales; kQ4RowBf16, kQ3RowBf16:
                                         // rows bf16; kQ8Col: cols f32; else null
  const uint8_t* zero_points = nullptr;  // kQ8RowFzp: rows f32 zero points; else null
  uint32_t zero_point = 0;               // kQ8Row, kQ8Col, kQ4Row, kQ4RowBf16 and kQ3RowBf16 only

  // Dequantized (or plain) element value; r < rows, c < cols.
  float at(uint64_t r, uint64_t c) const;
  float row_scale(uint64_t r) const;       // 1 for kF32 and kQ8Col
  float col_scale(uint64_t c) const;       // kQ8Col: its column's; else 1
  float row_zero_point(uint64_t r) const;  // kQ8Row, kQ8Col, kQ4Row(Bf16), kQ3RowBf16: zero_point;
                                           // kQ8RowFzp: its row's; kF32: 0
};

// ---- 3. Channels and layers ----------------------------------------------------
// The feature kinds (docs/SPEC.md; the registry with names and parameters
// is in ffnlp/features.h). Ids are part of the format: never reused.
enum class FeatureKind : uint32_t {
  kCharNgram = 1,  // hashed character n-grams of one order inside words
  kScript = 2,     // script of each letter; row = Script id
  kWord = 3,       // each word: hashed, or a vocabulary row (+ hashed rows for the rest)
  kPrefix = 4,     // first `length` code points of each word, hashed
  kSuffix = 5,     // last `length` code points of each word, hashed
  kShape = 6,      // each word's shape: case pattern x content x length class
  kIds = 7,        // ids the caller passes (its own tokenizer or vocabulary)
  kPrevLabel = 8,  // token models: the labels predicted for earlier tokens
  kHanVariant = 9, // each Han letter: shared, Simplified-only or Traditional-only form
};
using ChannelKindId = FeatureKind;  // the name before kinds became a registry

// How a channel's rows become its slice of the input vector.
enum class Pooling : uint32_t {
  kMean = 1,    // average of the rows of its occurrences (weight 1/n each)
  kSum = 2,     // sum of the rows (weight 1)
  kConcat = 3,  // token models: one slice per window position
};

// Token models read each token's features at window offsets around it
// (-2 = two tokens before, 0 = the token itself): at most kMaxWindow
// offsets per channel, each in -kMaxWindowOffset .. kMaxWindowOffset.
constexpr uint32_t kMaxWindow = 17;
constexpr int32_t kMaxWindowOffset = 8;

struct ChannelInfo {
  FeatureKind kind = FeatureKind::kCharNgram;
  const char* kind_name = "";  // registry name, e.g. "char_ngram" (static storage)
  uint32_t order = 0;          // char_ngram: n-gram order
  uint32_t length = 0;         // prefix, suffix: code points
  uint32_t seed = 0;           // hashed kinds
  uint32_t buckets = 0;        // rows of the channel's table
  uint32_t dims = 0;           // columns of the channel's table
  Pooling pooling = Pooling::kMean;
  uint32_t vocab_size = 0;     // word with a vocabulary: rows 0 .. vocab_size-1
  uint32_t oov_buckets = 0;    // ... then this many hashed rows for other words
  uint32_t input_offset = 0;   // first column of the channel's slice in the input vector
  uint32_t slots = 1;          // slices: window_count with concat pooling, else 1
  uint32_t window_count = 1;   // token models: offsets of the window; text models: 1 (offset 0)
  int32_t window[kMaxWindow] = {0};  // strictly increasing
  TensorView embedding;        // the table (by value); rank 0 in a features-only model
};

enum class Activation : uint32_t { kNone = 0, kRelu = 1, kSoftmax = 2 };

struct LayerInfo {
  TensorView weights;  // (out, in): f32, q8_row or q8_row_fzp; q8_col: (in, out) (by value)
  TensorView bias;     // (out), f32 (by value)
  uint32_t in = 0, out = 0;
  Activation activation = Activation::kNone;
  // The (dequantized) weight of input i for output o, whatever the layout.
  float weight(uint32_t o, uint32_t i) const { return weights.dtype == DType::kQ8Col ? weights.at(i, o) : weights.at(o, i); }
};

// Metadata value types (docs/FORMAT.md §3). Ids are never reused.
enum class MetaType : uint32_t { kU32 = 1, kF32 = 2, kString = 3, kStringArray = 4, kU32Array = 5 };

// One metadata entry, for tools that list them all (inspect_model).
struct MetadataItem {
  const char* key = nullptr;    // NOT NUL-terminated: key_length bytes
  uint32_t key_length = 0;
  MetaType type = MetaType::kU32;
  uint32_t count = 0;           // arrays: elements; otherwise 1
  const uint8_t* value = nullptr;  // the encoded value (internal layout)
  uint32_t u32(uint32_t i = 0) const;        // kU32 (i = 0) or kU32Array
  float f32() const;                         // kF32
  const char* string(uint32_t i = 0) const;  // kString (i = 0) or kStringArray; NUL-terminated
};

// ---- 4. Inputs and options --------------------------------------------------
struct LoadOptions {
  bool verify_checksum = true;  // skip only for bytes you have verified yourself
  // load_file() only: map the file read-only (no copy; pages shared between
  // processes) instead of reading it into an owned buffer. A mapped file must
  // not change while the Model is used: truncating it makes the next access
  // raise SIGBUS, rewriting it in place changes the weights under the running
  // process. Replace mapped model files with rename() (write a new file, then
  // rename it over the old one); the old mapping then stays intact.
  bool map_file = false;
};

// The ids for one channel of kind FeatureKind::kIds.
struct ChannelIds {
  uint32_t channel = 0;           // index of an ids channel
  const uint32_t* ids = nullptr;  // `count` ids, each < that channel's buckets
  size_t count = 0;
};

// The prior over labels: the model's (classifier.log_prior, added to the
// logits) or none (every label equally likely a priori).
enum class Prior : uint32_t { kModel = 0, kUniform = 1 };

// Language hints (ClassifyOptions::prefer): the weight added to a preferred
// label's logit unless the caller gives one (ffnlp_c.h has the same value as
// FFNLP_DEFAULT_PREFER_WEIGHT and ffnlp_default_prefer_weight()), and the
// largest weight accepted. A weight w multiplies the label's odds by e^w;
// at 20 (about 5e8) the hint already decides (a German sentence hinted
// Swahili answers Swahili), so a larger one would only be an allow-list,
// which `only` already is.
constexpr float kDefaultPreferWeight = 1.0f;
constexpr float kMaxPreferWeight = 20.0f;

// Options of one classification; a null pointer means these defaults.
struct ClassifyOptions {
  Prior prior = Prior::kModel;
  // Allow-list: label indices to choose from (no repeats, each <
  // label_count()); probabilities are renormalised over them. Null: all.
  const uint32_t* only = nullptr;
  size_t only_count = 0;  // >= 1 when `only` is set
  // Hints (CLD2's language hints, e.g. the user's or the page's language):
  // label indices (no repeats, each < label_count()) whose logits get
  // prefer_weight added right after the prior, before the neighbour words
  // choose their group and before the lexicon. They tilt an ambiguous text
  // towards the hinted labels and exclude nothing; a hinted label outside
  // the allow-list changes nothing. Probabilities and reliability are those
  // of the tilted logits. Null: no hints. A repeated or
  // out-of-range index, prefer_count 0 with `prefer` set, or a weight
  // outside 0 ... kMaxPreferWeight (NaN included) is kInvalidArgument.
  const uint32_t* prefer = nullptr;
  size_t prefer_count = 0;  // >= 1 when `prefer` is set
  float prefer_weight = kDefaultPreferWeight;
};

// What a model reads for one call: a UTF-8 text and, for models with ids
// channels, the caller's ids (each ids channel at most once; an ids channel
// not listed gets no ids).
struct Input {
  const char* text = nullptr;
  size_t size = 0;
  const ChannelIds* ids = nullptr;
  size_t ids_count = 0;
};

// ---- 5. Results ---------------------------------------------------------------
// label_index of the "no evidence" answer (Model::unknown_label()).
constexpr uint32_t kNoLabel = 0xFFFFFFFFu;

struct Prediction {
  uint32_t label_index = kNoLabel;
  const char* label = "";   // e.g. "de"; inside the model bytes
  const char* name = "";    // e.g. "German", or "" when the model has no names
  float probability = 0.0f;
  bool reliable = false;
};

// Facts about one classified text, for callers that want them.
struct TextStats {
  uint32_t letters = 0;   // letters seen (after max_bytes)
  uint64_t bytes_used = 0;
  uint64_t ids = 0;       // caller-supplied ids read (ids channels)
  // No letters and no ids: nothing to go on (the head's "no evidence" case).
  bool no_evidence() const { return letters == 0 && ids == 0; }
};

// One feature occurrence, as a trainer needs it: row `row` of channel
// `channel`'s table, at window position `slot` (0 in whole-text models),
// with the weight the channel's pooling gives it (mean: 1 / the channel's
// occurrences in this text; sum: 1). The input vector's slice of a channel
// is sum(weight x table[row]) over its records.
struct FeatureRef {
  uint32_t channel = 0;
  uint32_t slot = 0;
  uint32_t row = 0;
  float weight = 0.0f;
};

// One token of a text: bytes [begin, end) of it (Model::tokenize()).
struct Token {
  uint64_t begin = 0;
  uint64_t end = 0;
};

// One tagged token: tag() gives the token's bytes [begin, end) in the text;
// tag_tokens() gives 0 and the token's length. label points into the model
// bytes; probability is the label's softmax probability.
struct TaggedToken {
  uint64_t begin = 0;
  uint64_t end = 0;
  uint32_t label_index = 0;
  const char* label = "";
  float probability = 0.0f;
};

// ---- 6. Internals a Model holds by value ---------------------------------------
// Decided at load (runtime/src/features/feature_plan.cpp, file/loader.cpp);
// not API, may change in any release. They hold pointers into the model
// bytes only, never into the Model, so copying a Model is safe.
namespace internal {
constexpr uint32_t kMaxChannels = 16;
struct NgramPlan {
  uint32_t channel, order, buckets, state;  // state: first running hash of its seed group
};
struct UnitPlan {
  uint32_t channel, buckets;
};
struct WordPlan {  // word, prefix, suffix, shape
  uint32_t channel = 0;
  FeatureKind kind = FeatureKind::kWord;
  uint32_t buckets = 0, seed = 0, length = 0;
  uint32_t vocab_count = 0;              // word with a vocabulary
  const uint8_t* vocab_offsets = nullptr;  // vocab_count + 1 little-endian u32 (model bytes)
  const char* vocab_blob = nullptr;
  uint32_t oov_buckets = 0;
};
struct FeaturePlan {
  uint32_t channel_count = 0;
  bool tokens = false;  // a token model: features per token, over windows
  bool lowercase = true, drop_digits = true;
  uint8_t cleanup = 0;  // text.cleanup: 0 off, 1 on, 2 on and laughter too
  uint32_t max_bytes = 0;
  uint32_t ngram_count = 0, group_count = 0, script_count = 0, word_count = 0, ids_count = 0;
  NgramPlan ngrams[kMaxChannels] = {};
  uint32_t group_init[kMaxChannels] = {};   // 0x811C9DC5 ^ seed
  uint32_t group_seed[kMaxChannels] = {};
  uint32_t group_order[kMaxChannels] = {};  // largest order of the group
  UnitPlan scripts[kMaxChannels] = {};
  WordPlan words[kMaxChannels] = {};
  UnitPlan ids[kMaxChannels] = {};
  uint32_t suffix_length = 0;  // longest suffix any channel takes
  bool word_bytes = false;     // a vocabulary lookup needs the word's UTF-8
  Pooling pooling[kMaxChannels] = {};
  // Token models: per channel its table's rows (padding rows: rows - 2
  // before the sequence, rows - 1 after) and window; the offsets the
  // channels read from tokens reach (reach_before <= 0 <= reach_after).
  uint32_t rows[kMaxChannels] = {};
  uint8_t window_count[kMaxChannels] = {};
  int8_t window[kMaxChannels][kMaxWindow] = {};
  int32_t reach_before = 0, reach_after = 0;
  uint32_t prev_count = 0;
  UnitPlan prevs[kMaxChannels] = {};  // prev_label channels: channel, label rows (rows - 2)
  uint32_t han_count = 0;
  UnitPlan hans[kMaxChannels] = {};  // han_variant channels
};
struct TaggerPlan {  // token models with a network (heads/tagger.cpp)
  static constexpr uint32_t kHistory = 16;  // labels kept for prev_label (offsets >= -kMaxWindowOffset)
  uint32_t unit_offset[kMaxChannels] = {};  // a channel's floats in a token unit
  uint32_t unit_width = 0;                  // floats of a token unit
  uint32_t ring = 1;                        // token units kept: reach_after - reach_before + 1
  bool prev[kMaxChannels] = {};             // prev_label channels
};
struct RowTable {  // a channel's embedding rows, for the lookup kernels
  const uint8_t* data = nullptr;
  const uint8_t* scales = nullptr;       // q8 kinds and kQ4Row: one f32 per row; kQ4RowBf16, kQ3RowBf16: one bf16
  const uint8_t* zero_points = nullptr;  // kQ8RowFzp
  int32_t zero_point = 0;                // kQ8Row, kQ4Row, kQ4RowBf16, kQ3RowBf16
  uint32_t dims = 0;
  uint32_t offset = 0;                   // input_offset
  DType dtype = DType::kF32;
};
// neighbours.*: word scores that separate close neighbour labels
// (heads/neighbour_words.h); views into the model bytes, or empty.
struct NeighbourPlan {
  uint32_t group_count = 0;              // 0: the model has none
  const uint8_t* sizes = nullptr;        // u32[group_count]: members per group
  const uint8_t* labels = nullptr;       // u32[sum of sizes]: the members' label indices
  const uint8_t* word_counts = nullptr;  // u32[group_count]
  const uint8_t* words = nullptr;        // keys, strictly ascending within each group
  uint32_t key_bytes = 4;                // of a key: 4, or 3 (neighbours.key_bits 24: the 32-bit key >> 8)
  const uint8_t* scores = nullptr;       // one value per (word, member), group after group
  float scale = 0.0f;                    // of the scores (q8_row or q4_row, one row)
  int32_t zero_point = 0;
  uint32_t bits = 8;                     // of a score: 8 (q8_row) or 4 (q4_row: two per byte)
  float weight = 0.0f;                   // multiplier on a member's summed scores
  uint32_t seed = 0;                     // of the word keys
};
// lexicon.*: whole words that name one label, for texts of a few words
// (heads/lexicon.h); a view into the model bytes, or empty.
struct LexiconPlan {
  static constexpr uint32_t kNoChannel = 0xFFFFFFFFu;
  uint32_t count = 0;                  // entries; 0: the model has none
  const uint8_t* entries = nullptr;    // u32[count], strictly ascending: (key & ~label_mask) | label
  uint32_t label_mask = 0;             // (1 << label bits) - 1
  uint32_t seed = 0;                   // of the word keys
  float weight = 0.0f;                 // added to a label's logit per word found
  uint32_t max_words = 0;              // texts of 1 .. max_words words
  // A channel that gives one row per word (its occurrences in a text are
  // the text's words), or kNoChannel: then the head counts them itself.
  uint32_t count_channel = kNoChannel;
};
struct ModelAccess;  // runtime-internal access to a Model's private parts
struct TaggerAccess;  // the tagger head (heads/tagger.cpp)
struct HeadResult;   // one classification's result (heads/classifier.h)
}  // namespace internal

class Workspace;

// ---- 7. Model --------------------------------------------------------------------
class Model {
 public:
  static constexpr uint32_t kMaxTensors = 256;
  static constexpr uint32_t kMaxChannels = internal::kMaxChannels;
  static constexpr uint32_t kMaxLayers = 8;

  Model() = default;

  // Validates `size` bytes at `data` and makes `*out` a view of them. On
  // failure returns the status, fills `*error` (may be null) and leaves
  // `*out` empty. `data` must stay valid and unchanged while `*out` (or any
  // copy of it) is used.
  static Status load(const void* data, size_t size, Model* out, Error* error,
                     const LoadOptions& options = LoadOptions());

  bool is_loaded() const { return loaded_; }
  bool is_classifier() const { return layer_count_ != 0 && !plan_.tokens; }
  bool is_tagger() const { return layer_count_ != 0 && plan_.tokens; }
  bool has_features() const { return channel_count_ != 0; }  // network models and features-only files
  bool is_token_model() const { return plan_.tokens; }       // taggers and their features-only files

  // File, tensors, metadata.
  uint32_t format_version() const { return version_; }  // of the loaded file (1 or 2)
  uint32_t checksum() const { return checksum_; }       // the header's CRC-32
  size_t file_size() const { return size_; }
  uint32_t tensor_count() const { return tensor_count_; }
  const TensorView& tensor(uint32_t i) const { return tensors_[i]; }  // i < tensor_count()
  const TensorView* find_tensor(const char* name) const;               // null if absent
  const char* task() const { return task_; }
  const char* model_name() const { return name_; }

  // Metadata lookup by key; false when absent or of another type.
  bool metadata_u32(const char* key, uint32_t* value) const;
  bool metadata_f32(const char* key, float* value) const;
  bool metadata_string(const char* key, const char** value) const;
  // Every entry, in file order.
  uint32_t metadata_count() const { return metadata_count_; }
  bool metadata_item(uint32_t i, MetadataItem* item) const;  // false when i >= metadata_count()

  // Features.
  uint32_t channel_count() const { return channel_count_; }
  const ChannelInfo& channel(uint32_t i) const { return channels_[i]; }  // i < channel_count()
  uint32_t input_width() const { return input_width_; }
  uint32_t features_version() const { return features_version_; }
  bool text_cleanup() const { return plan_.cleanup != 0; }  // text.cleanup: URLs, markup, ... skipped
  uint32_t text_cleanup_level() const { return plan_.cleanup; }  // 0 off, 1 on, 2 on with laughter
  uint32_t max_bytes() const { return plan_.max_bytes; }
  // Overrides the model's text.max_bytes for this Model object: every call
  // then reads at most the first `max_bytes` bytes of each text (cut at a
  // character boundary; 0: the whole text). Bounds the time spent on very
  // long documents. Call before sharing the Model between threads.
  void set_max_bytes(uint32_t max_bytes) { plan_.max_bytes = max_bytes; }

  // The feature occurrences of a text, exactly as classify() reads them
  // (same normalisation, clean-up, max_bytes), into refs[0 .. *count), in
  // the order the feature code emits them (not significant). Channels of
  // kind ids get nothing from text: their ids are the caller's. Works for
  // classifiers and features-only models (task "features"); needs no
  // scratch and allocates nothing. When `capacity` is too small the first
  // `capacity` records are written and kBufferTooSmall is returned with
  // *count = the number needed (call again with at least that).
  Status text_features(const char* text, size_t size, FeatureRef* refs, size_t capacity, size_t* count,
                       TextStats* stats = nullptr) const;

  // Token models (taggers and their features-only files) ---------------------
  // The tokenizer rule set the model reads text with ("words"), and its
  // version; "" and 0 for text models.
  const char* tokenizer() const { return tokenizer_; }
  uint32_t tokenizer_version() const { return tokenizer_version_; }

  // The tokens of a UTF-8 text by the model's tokenizer, into
  // tokens[0 .. *count). kBufferTooSmall with *count = the number needed
  // when `capacity` is too small (the first `capacity` are written); a text
  // of n bytes has at most n tokens. kNotClassifier for text models.
  Status tokenize(const char* text, size_t size, Token* tokens, size_t capacity, size_t* count) const;

  // The feature occurrences of token i of the sequence tokens[0 .. n)
  // (tokens[j] has lengths[j] bytes; lengths null: NUL-terminated; any
  // bytes), exactly as tag() and tag_tokens() read them: for every channel
  // and window offset o, the rows of token i + o (padding rows outside the
  // sequence), with slot = the offset's position in a concat channel's
  // window (0 for mean and sum channels) and weight = 1 / the occurrences
  // in that slot (concat), 1 / the channel's occurrences (mean) or 1 (sum).
  // prev_label channels read labels[j] for earlier tokens j (labels of
  // tokens 0 .. i-1; may be null when the model has no prev_label channel
  // or i is 0); each must be a label index (< rows - 2). A trainer passes
  // the gold labels, or its own greedy predictions. Needs no scratch;
  // allocates nothing; kBufferTooSmall protocol as text_features().
  Status token_features(const char* const* tokens, const size_t* lengths, size_t n, size_t i, const uint32_t* labels,
                        FeatureRef* refs, size_t capacity, size_t* count) const;

  // Tags a UTF-8 text: its tokens (tokenize()) each with one label, greedy
  // left to right, into out[0 .. *count). The text is one sequence (windows
  // reach across sentence ends inside it). When `capacity` is below the
  // number of tokens, nothing is tagged and kBufferTooSmall is returned with
  // *count = that number (capacity >= size always suffices). scratch as for
  // classify(). An empty text (or only spaces) gives *count = 0.
  Status tag(const char* text, size_t size, void* scratch, size_t scratch_size, TaggedToken* out, size_t capacity,
             size_t* count) const;
  Status tag(const char* text, size_t size, Workspace& workspace, TaggedToken* out, size_t capacity,
             size_t* count) const;
  // Tags the caller's tokens (pre-tokenized input: tokens[j] with
  // lengths[j] bytes, lengths null: NUL-terminated; any bytes, empty tokens
  // too): exactly one label per token into out[0 .. n).
  Status tag_tokens(const char* const* tokens, const size_t* lengths, size_t n, void* scratch, size_t scratch_size,
                    TaggedToken* out) const;
  Status tag_tokens(const char* const* tokens, const size_t* lengths, size_t n, Workspace& workspace,
                    TaggedToken* out) const;

  // Network and classifier.
  uint32_t layer_count() const { return layer_count_; }
  const LayerInfo& layer(uint32_t i) const { return layers_[i]; }  // i < layer_count()
  uint32_t label_count() const { return label_count_; }
  const char* label(uint32_t i) const;       // "" when out of range
  const char* label_name(uint32_t i) const;  // "" when the model has no names
  int32_t find_label(const char* label) const;  // -1 when absent
  bool has_prior() const { return log_prior_ != nullptr; }
  float log_prior(uint32_t i) const;  // classifier.log_prior[i]; 0 without a prior or out of range
  float reliable_probability() const { return reliable_probability_; }
  uint32_t reliable_letters() const { return reliable_letters_; }
  // Short texts may need more: below reliable_short_letters() letters the
  // bar is reliable_short_probability() (0 letters: no such tier).
  uint32_t reliable_short_letters() const { return reliable_short_letters_; }
  float reliable_short_probability() const { return reliable_short_probability_; }
  // The rule every API applies to the top answer.
  bool is_reliable(float probability, uint32_t letters) const {
    if (letters < reliable_letters_) return false;
    return probability >= (letters < reliable_short_letters_ ? reliable_short_probability_ : reliable_probability_);
  }
  const char* unknown_label() const { return unknown_label_; }  // may be ""

  // Bytes of scratch memory one concurrent call needs (classifiers and
  // taggers): ONE size for every call, text length and API (the C API and Workspace use the same), so
  // every caller takes the same code paths and gets the same bits. Includes
  // one counter per table row (long texts count rows first: 4 bytes per
  // bucket, about 64 KB for the shipped model). `scratch` arguments must be
  // at least this big and aligned for double (any malloc'd or Workspace
  // memory is); 0 for a model without a network.
  size_t scratch_bytes() const;
  size_t scratch_bytes_long_texts() const;  // the same as scratch_bytes() (older name)

  // The k most probable labels, best first, into top[0 .. *count) (any k:
  // top-k in O(n log k)). Each answer's probability is
  // exp(l - max) / sum_j exp(l_j - max) over the candidate labels' logits l
  // (with the model's log prior added, unless options->prior is kUniform,
  // options->prefer_weight for each label of options->prefer,
  // its neighbour words' scores when it has them (docs/FORMAT.md,
  // neighbours.*) and, on a text of a few words, its lexicon's weight for
  // each word's label (lexicon.*); only the allow-list's labels when
  // options->only is set). An answer is
  // reliable when is_reliable(probability, letters of the text) holds: at
  // least reliable_letters() letters and a probability of at least
  // reliable_probability() (reliable_short_probability() for texts of fewer
  // than reliable_short_letters() letters). With no evidence (no
  // letters and no caller ids) the answer is unknown_label() with
  // probability 0 and label_index kNoLabel when the model has one, else
  // *count = 0. Text is UTF-8; invalid bytes separate words.
  Status classify(const Input& input, void* scratch, size_t scratch_size, Prediction* top, size_t k, size_t* count,
                  const ClassifyOptions* options = nullptr, TextStats* stats = nullptr) const;
  Status classify(const char* text, size_t size, void* scratch, size_t scratch_size, Prediction* top, size_t k,
                  size_t* count, TextStats* stats = nullptr) const;
  Status classify(const char* text, size_t size, void* scratch, size_t scratch_size, Prediction* top, size_t k,
                  size_t* count, const ClassifyOptions& options, TextStats* stats = nullptr) const;
  Status classify(const char* text, size_t size, Workspace& workspace, Prediction* top, size_t k, size_t* count,
                  TextStats* stats = nullptr) const;
  Status classify(const char* text, size_t size, Workspace& workspace, Prediction* top, size_t k, size_t* count,
                  const ClassifyOptions& options, TextStats* stats = nullptr) const;

  // The full distribution over labels into probs[0 .. label_count()), with
  // the same prior and allow-list rules (labels outside the list get 0).
  // All zero with no evidence.
  Status scores(const Input& input, void* scratch, size_t scratch_size, float* probs, size_t probs_count,
                const ClassifyOptions* options = nullptr, TextStats* stats = nullptr) const;
  Status scores(const char* text, size_t size, void* scratch, size_t scratch_size, float* probs, size_t probs_count,
                TextStats* stats = nullptr) const;

  // The values scores() is the softmax of: the last layer's outputs plus the
  // log prior (unless options->prior is kUniform), plus prefer_weight for
  // the labels of options->prefer, plus, for the members of
  // the best allowed label's group, the neighbour words' scores (models
  // with neighbours.*), plus, on a text of 1 .. lexicon.max_words words,
  // lexicon.weight per word for that word's labels (models with lexicon.*);
  // labels outside an allow-list get -infinity. All zero with no evidence. out[0 .. label_count()).
  Status logits(const Input& input, void* scratch, size_t scratch_size, float* out, size_t out_count,
                const ClassifyOptions* options = nullptr, TextStats* stats = nullptr) const;
  Status logits(const char* text, size_t size, void* scratch, size_t scratch_size, float* out, size_t out_count,
                TextStats* stats = nullptr) const;

 private:
  friend class ModelLoader;
  friend struct internal::ModelAccess;
  friend struct internal::TaggerAccess;
  // Features, pooling, layers: the last layer's outputs (no softmax).
  Status forward(const Input& input, void* scratch, size_t scratch_size, float** logits, TextStats* stats) const;
  // forward(), then the prior, the hints, the word heads and the allow-list
  // (heads/classifier.cpp).
  Status prepare_head(const Input& input, void* scratch, size_t scratch_size, const ClassifyOptions* options,
                      internal::HeadResult* result) const;

  // File
  bool loaded_ = false;
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  uint32_t version_ = 0;
  uint32_t checksum_ = 0;
  TensorView tensors_[kMaxTensors];
  uint32_t tensor_count_ = 0;
  const uint8_t* metadata_ = nullptr;
  uint64_t metadata_size_ = 0;
  uint32_t metadata_count_ = 0;
  const char* task_ = "";
  const char* name_ = "";
  // Features
  ChannelInfo channels_[kMaxChannels];
  uint32_t channel_count_ = 0;
  uint32_t features_version_ = 0;
  internal::FeaturePlan plan_;
  internal::TaggerPlan tagger_;
  const char* tokenizer_ = "";
  uint32_t tokenizer_version_ = 0;
  internal::RowTable tables_[kMaxChannels];
  uint32_t input_width_ = 0;
  uint64_t total_buckets_ = 0;  // rows of all channels (long-text counters)
  // Network
  LayerInfo layers_[kMaxLayers];
  uint32_t layer_count_ = 0;
  uint32_t max_width_ = 0;
  // Classifier: labels and names are validated string arrays in the metadata
  const uint8_t* labels_offsets_ = nullptr;
  const char* labels_blob_ = nullptr;
  const uint8_t* names_offsets_ = nullptr;
  const char* names_blob_ = nullptr;
  uint32_t label_count_ = 0;
  const uint8_t* log_prior_ = nullptr;  // label_count_ f32 (a rank-1 tensor in the model bytes), or null
  float reliable_probability_ = 0.7f;
  uint32_t reliable_letters_ = 0;
  uint32_t reliable_short_letters_ = 0;
  float reliable_short_probability_ = 1.0f;
  const char* unknown_label_ = "";
  internal::NeighbourPlan neighbours_;
  internal::LexiconPlan lexicon_;
};

// ---- 8. Workspace, MappedFile, load_file -----------------------------------------
// Scratch memory for one thread's calls, allocated once (without throwing).
class Workspace {
 public:
  explicit Workspace(const Model& model);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  bool ok() const { return data_ != nullptr; }  // false if allocation failed
  void* data() { return data_; }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

// A model file's bytes in memory, kept alive for the Model loaded from them:
// read into an owned, 64-byte aligned buffer (the default), or mapped
// read-only when `map` is true (see LoadOptions::map_file for what a mapping
// requires). Only regular files are accepted: a FIFO, device, socket or
// directory is refused with kIoError at once (the file is opened
// non-blocking, so a FIFO without a writer cannot hang the caller). An empty
// file is kTruncated; a file that shrinks while it is read is kIoError.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  Status open(const char* path, Error* error, bool map = false);
  const void* data() const { return data_; }
  size_t size() const { return size_; }
  bool mapped() const { return mapped_; }

 private:
  void close();
  const void* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
};

// Convenience: read (or, with options.map_file, map) `path` into `file` and
// load it. `file` must outlive `model`.
Status load_file(const char* path, MappedFile* file, Model* model, Error* error,
                 const LoadOptions& options = LoadOptions());

}  // namespace ffnlp

#endif  // FFNLP_FFNLP_H_
