// ffnlp: a freestanding runtime for small feed-forward NLP models
// (Botha et al. 2017, "Natural Language Processing with Small Feed-Forward
// Networks"), such as a language identifier.
//
// The model file (docs/FORMAT.md), in one paragraph: a 64-byte header (magic
// "FFNM", byte-order mark, format version, file size, table offsets, CRC-32),
// a table of named tensors (f32, or q8_row: uint8 with one f32 scale per row),
// typed key/value metadata (labels, feature channels, layers), then the
// tensor data, each region aligned to 64 bytes. Everything is little-endian.
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
//   outlive it and stay unchanged. Loading copies no tensor data.
// - load_file() reads the file into memory it owns, so the model file may be
//   replaced, rewritten or truncated on disk while the Model is in use. Only
//   with LoadOptions::map_file is the file mapped instead; then replace it
//   only with rename(), never in place (docs/SECURITY.md).
// - Any number of threads may use one loaded Model at the same time, each
//   with its own Workspace (or scratch buffer).
// - classify() and scores() allocate nothing.
#ifndef FFNLP_FFNLP_H_
#define FFNLP_FFNLP_H_

#include <cstddef>
#include <cstdint>

namespace ffnlp {

constexpr uint32_t kFormatVersion = 1;

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
  kNotClassifier = 15,      // the model holds tensors only
  kBufferTooSmall = 16,     // scratch smaller than scratch_bytes()
  kIoError = 17,            // file could not be opened, read or mapped
  kOutOfMemory = 18,
};

// A stable, human-readable name for a status, e.g. "bad checksum".
const char* status_name(Status status);

// Filled on failure with the status and a message naming what was wrong.
struct Error {
  Status status = Status::kOk;
  char message[256] = {0};
};

enum class DType : uint32_t { kF32 = 1, kQ8Row = 2 };

// A read-only view of one tensor in the model bytes. Matrices are row-major.
// `data` and `scales` point into the caller's buffer (not owned); values are
// little-endian, so read them through the accessors when in doubt.
struct TensorView {
  const char* name = nullptr;       // NUL-terminated, inside the buffer
  DType dtype = DType::kF32;
  uint32_t rank = 0;                // 1 or 2
  uint64_t rows = 0;                // rank 1: the length
  uint64_t cols = 0;                // rank 1: 1
  const uint8_t* data = nullptr;    // rows * cols elements
  const uint8_t* scales = nullptr;  // kQ8Row: rows f32 scales; else null
  uint32_t zero_point = 0;          // kQ8Row only

  // Dequantized (or plain) element value; r < rows, c < cols.
  float at(uint64_t r, uint64_t c) const;
  float row_scale(uint64_t r) const;  // kQ8Row only; 1 for kF32
};

enum class ChannelKindId : uint32_t { kCharNgram = 1, kScript = 2 };

struct ChannelInfo {
  ChannelKindId kind = ChannelKindId::kCharNgram;
  uint32_t order = 0;        // n-gram order; 0 for the script channel
  uint32_t seed = 0;
  uint32_t buckets = 0;      // embedding rows
  uint32_t dims = 0;         // embedding columns
  const TensorView* embedding = nullptr;
};

enum class Activation : uint32_t { kNone = 0, kRelu = 1, kSoftmax = 2 };

struct LayerInfo {
  const TensorView* weights = nullptr;  // (out, in), f32
  const TensorView* bias = nullptr;     // (out), f32
  uint32_t in = 0, out = 0;
  Activation activation = Activation::kNone;
};

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

// label_index of the "no language evidence" answer (Model::unknown_label()).
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
  uint32_t letters = 0;   // letters seen (after max_bytes); 0: no evidence
  uint64_t bytes_used = 0;
};

class Workspace;

class Model {
 public:
  static constexpr uint32_t kMaxTensors = 256;
  static constexpr uint32_t kMaxChannels = 16;
  static constexpr uint32_t kMaxLayers = 8;

  Model() = default;

  // Validates `size` bytes at `data` and makes `*out` a view of them. On
  // failure returns the status, fills `*error` (may be null) and leaves
  // `*out` empty. `data` must stay valid and unchanged while `*out` is used.
  static Status load(const void* data, size_t size, Model* out, Error* error,
                     const LoadOptions& options = LoadOptions());

  bool is_loaded() const { return tensor_count_ != 0; }
  bool is_classifier() const { return layer_count_ != 0; }

  // Tensors, metadata.
  uint32_t tensor_count() const { return tensor_count_; }
  const TensorView& tensor(uint32_t i) const { return tensors_[i]; }  // i < tensor_count()
  const TensorView* find_tensor(const char* name) const;               // null if absent
  const char* task() const { return task_; }
  const char* model_name() const { return name_; }
  uint32_t format_version() const { return kFormatVersion; }
  size_t file_size() const { return size_; }

  // Metadata lookup by key; false when absent or of another type.
  bool metadata_u32(const char* key, uint32_t* value) const;
  bool metadata_f32(const char* key, float* value) const;
  bool metadata_string(const char* key, const char** value) const;

  // Network.
  uint32_t label_count() const { return label_count_; }
  const char* label(uint32_t i) const;       // i < label_count()
  const char* label_name(uint32_t i) const;  // "" when the model has no names
  int32_t find_label(const char* label) const;  // -1 when absent
  uint32_t channel_count() const { return channel_count_; }
  const ChannelInfo& channel(uint32_t i) const { return channels_[i]; }
  uint32_t layer_count() const { return layer_count_; }
  const LayerInfo& layer(uint32_t i) const { return layers_[i]; }
  uint32_t input_width() const { return input_width_; }
  float reliable_probability() const { return reliable_probability_; }
  uint32_t reliable_letters() const { return reliable_letters_; }
  const char* unknown_label() const { return unknown_label_; }  // may be ""
  uint32_t max_bytes() const { return max_bytes_; }
  // Overrides the model's text.max_bytes for this Model object: scores() and
  // classify() then read at most the first `max_bytes` bytes of each text
  // (cut at a character boundary; 0: the whole text). Bounds the time spent
  // on very long documents. Call before sharing the Model between threads.
  void set_max_bytes(uint32_t max_bytes) { max_bytes_ = max_bytes; }

  // Bytes of scratch memory one concurrent classify() call needs.
  size_t scratch_bytes() const;
  // Scratch with room for one counter per embedding row as well (4 bytes per
  // bucket of every channel; about 64 KB for the shipped model). Given at
  // least this much, scores() and classify() count n-gram occurrences per
  // bucket for texts of 4096 bytes or more and add each distinct row once,
  // scaled by its count, instead of once per occurrence: the same result to
  // float rounding, much faster on long documents. Workspace allocates this.
  size_t scratch_bytes_long_texts() const;

  // Full probability distribution over labels into probs[0 .. label_count()).
  // `scratch` must be at least scratch_bytes() bytes, suitably aligned for
  // float (any malloc'd or Workspace memory is). Text is UTF-8; invalid bytes
  // are treated as separators. A text with no letters gives all-zero probs
  // and stats->letters == 0.
  Status scores(const char* text, size_t size, void* scratch, size_t scratch_size,
                float* probs, size_t probs_count, TextStats* stats = nullptr) const;

  // The k most probable labels, best first, into top[0 .. *count). With no
  // letters in the text, the answer is unknown_label() with probability 0
  // when the model has one, else *count = 0.
  Status classify(const char* text, size_t size, void* scratch, size_t scratch_size,
                  Prediction* top, size_t k, size_t* count, TextStats* stats = nullptr) const;
  Status classify(const char* text, size_t size, Workspace& workspace, Prediction* top, size_t k,
                  size_t* count, TextStats* stats = nullptr) const;

 private:
  friend class ModelLoader;
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  TensorView tensors_[kMaxTensors];
  uint32_t tensor_count_ = 0;
  const uint8_t* metadata_ = nullptr;
  uint64_t metadata_size_ = 0;
  uint32_t metadata_count_ = 0;
  const char* task_ = "";
  const char* name_ = "";
  ChannelInfo channels_[kMaxChannels];
  uint32_t channel_count_ = 0;
  LayerInfo layers_[kMaxLayers];
  uint32_t layer_count_ = 0;
  uint32_t input_width_ = 0;
  uint32_t max_width_ = 0;
  // labels: a validated string array inside the metadata
  const uint8_t* labels_offsets_ = nullptr;
  const char* labels_blob_ = nullptr;
  Status forward(const char* text, size_t size, void* scratch, size_t scratch_size, float** probs,
                 TextStats* stats, bool logits) const;
  const uint8_t* names_offsets_ = nullptr;
  const char* names_blob_ = nullptr;
  uint32_t label_count_ = 0;
  bool lowercase_ = true;
  bool drop_digits_ = true;
  uint32_t max_bytes_ = 0;
  float reliable_probability_ = 0.7f;
  uint32_t reliable_letters_ = 0;
  const char* unknown_label_ = "";
};

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
