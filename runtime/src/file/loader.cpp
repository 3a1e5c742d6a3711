// Model::load: validates a whole .ffm file once (docs/FORMAT.md) and builds
// read-only views into the caller's bytes. After this, inference trusts them.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "api/error.h"
#include "features/registry.h"
#include "features/text_features.h"
#include "heads/lexicon.h"
#include "heads/key_search.h"
#include "heads/neighbour_words.h"
#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "file/byte_order.h"
#include "features/utf8.h"
#include "file/metadata.h"

namespace ffnlp {

namespace {

using ull = unsigned long long;

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_mul_overflow(a, b, out); }

struct Region {
  uint64_t begin, end;
  const char* tensor;
  const char* what;
};

Status check_file_header(const uint8_t* p, size_t size, const LoadOptions& options, Error* error) {
  if (size < format::kHeaderSize) {
    if (size >= 4 && std::memcmp(p, format::kMagic, 4) != 0) {
      return fail(error, Status::kBadMagic, "not an .ffm model file (magic bytes %02x %02x %02x %02x)", p[0], p[1], p[2], p[3]);
    }
    return fail(error, Status::kTruncated, "file is %llu bytes, shorter than the 64-byte header", static_cast<ull>(size));
  }
  if (std::memcmp(p, format::kMagic, 4) != 0) {
    return fail(error, Status::kBadMagic, "not an .ffm model file (magic bytes %02x %02x %02x %02x)", p[0], p[1], p[2], p[3]);
  }
  const uint32_t bom = read_u32(p + format::kOffByteOrder);
  if (bom == byte_swap32(format::kByteOrderMark)) {
    return fail(error, Status::kByteSwapped, "model file was written big-endian; the format is little-endian (re-convert it)");
  }
  if (bom != format::kByteOrderMark) {
    return fail(error, Status::kBadHeader, "byte-order mark is 0x%08x, expected 0x%08x", bom, format::kByteOrderMark);
  }
  const uint32_t version = read_u32(p + format::kOffVersion);
  if (version == 0) return fail(error, Status::kUnsupportedVersion, "format version 0 is not a released version");
  if (version < format::kMinVersion) {
    return fail(error, Status::kUnsupportedVersion, "format version %u is older than this runtime reads (%u..%u)", version,
                format::kMinVersion, format::kVersion);
  }
  if (version > format::kVersion) {
    return fail(error, Status::kUnsupportedVersion,
                "format version %u is newer than this runtime reads (%u); upgrade the runtime", version, format::kVersion);
  }
  const uint32_t header_size = read_u32(p + format::kOffHeaderSize);
  if (header_size != format::kHeaderSize) {
    return fail(error, Status::kBadHeader, "header size is %u, expected %u", header_size, format::kHeaderSize);
  }
  const uint64_t file_size = read_u64(p + format::kOffFileSize);
  if (file_size > size) {
    return fail(error, Status::kTruncated, "file is truncated: header says %llu bytes, %llu available",
                static_cast<ull>(file_size), static_cast<ull>(size));
  }
  if (file_size < size) {
    return fail(error, Status::kBadHeader, "%llu unexpected bytes after the %llu-byte file",
                static_cast<ull>(size - file_size), static_cast<ull>(file_size));
  }
  if (read_u32(p + format::kOffFlags) != 0) {
    return fail(error, Status::kBadHeader, "header flags 0x%08x are not supported", read_u32(p + format::kOffFlags));
  }
  if (options.verify_checksum) {
    static const uint8_t kZeros[4] = {0, 0, 0, 0};
    uint32_t crc = crc32(p, format::kOffChecksum);
    crc = crc32(kZeros, 4, crc);
    crc = crc32(p + format::kHeaderSize, size - format::kHeaderSize, crc);
    const uint32_t stored = read_u32(p + format::kOffChecksum);
    if (crc != stored) {
      return fail(error, Status::kBadChecksum, "checksum mismatch (stored 0x%08x, computed 0x%08x): the file is corrupted",
                  stored, crc);
    }
  }
  return Status::kOk;
}

bool all_finite_f32(const uint8_t* p, uint64_t count, uint64_t* bad_index) {
  for (uint64_t i = 0; i < count; ++i) {
    const float f = read_f32(p + 4 * i);
    if (!std::isfinite(f)) {
      *bad_index = i;
      return false;
    }
  }
  return true;
}

// Packed rows (q4_row with odd cols, q3_row_bf16 whose cols * 3 is not a
// multiple of 8): the bits `pad` of each row's last byte are padding and
// must be 0: one byte spelling per table.
bool pad_bits_zero(const uint8_t* data, uint64_t rows, uint64_t row_bytes, uint8_t pad, uint64_t* bad_row) {
  for (uint64_t r = 0; r < rows; ++r) {
    if ((data[r * row_bytes + row_bytes - 1] & pad) != 0) {
      *bad_row = r;
      return false;
    }
  }
  return true;
}

// The dtypes' names, by id (0: none), for messages.
const char* const kDTypeNames[] = {"", "f32", "q8_row", "q8_row_fzp", "q8_col", "q4_row", "q4_row_bf16", "q3_row_bf16"};

}  // namespace

class ModelLoader {
 public:
  ModelLoader(const uint8_t* p, size_t size, Model* model, Error* error)
      : p_(p), size_(size), m_(model), error_(error) {}

  Status run(const LoadOptions& options) {
    Status s = check_file_header(p_, size_, options, error_);
    if (s != Status::kOk) return s;
    m_->base_ = p_;
    m_->size_ = size_;
    m_->version_ = read_u32(p_ + format::kOffVersion);
    m_->checksum_ = read_u32(p_ + format::kOffChecksum);
    if ((s = read_layout()) != Status::kOk) return s;
    if ((s = read_tensors()) != Status::kOk) return s;
    if ((s = validate_metadata(m_->metadata_, m_->metadata_size_, m_->metadata_count_, error_)) != Status::kOk) return s;
    if ((s = read_network()) != Status::kOk) return s;
    m_->loaded_ = true;
    return Status::kOk;
  }

 private:
  Status read_layout() {
    table_offset_ = read_u64(p_ + format::kOffTensorTable);
    tensor_count_ = read_u32(p_ + format::kOffTensorCount);
    const uint32_t meta_count = read_u32(p_ + format::kOffMetadataCount);
    const uint64_t meta_offset = read_u64(p_ + format::kOffMetadataOffset);
    const uint64_t meta_size = read_u64(p_ + format::kOffMetadataSize);
    // Version 2 files may hold no tensors at all (features-only files).
    const uint32_t min_tensors = m_->version_ >= 2 ? 0 : 1;
    if (tensor_count_ < min_tensors || tensor_count_ > format::kMaxTensorCount) {
      return fail(error_, Status::kBadHeader, "tensor count %u outside %u..%u (format version %u)", tensor_count_,
                  min_tensors, format::kMaxTensorCount, m_->version_);
    }
    if (meta_count > format::kMaxMetadataCount) {
      return fail(error_, Status::kBadHeader, "metadata count %u exceeds %u", meta_count, format::kMaxMetadataCount);
    }
    if (table_offset_ < format::kHeaderSize || table_offset_ % 8 != 0) {
      return fail(error_, Status::kBadOffset, "tensor table offset %llu must be >= 64 and a multiple of 8",
                  static_cast<ull>(table_offset_));
    }
    const uint64_t table_bytes = static_cast<uint64_t>(tensor_count_) * format::kTensorEntrySize;
    if (table_offset_ > size_ || size_ - table_offset_ < table_bytes) {
      return fail(error_, Status::kBadOffset, "tensor table (%u entries at %llu) runs past the end of the %llu-byte file",
                  tensor_count_, static_cast<ull>(table_offset_), static_cast<ull>(size_));
    }
    const uint64_t table_end = table_offset_ + table_bytes;
    if (meta_offset < table_end || meta_offset % 8 != 0) {
      return fail(error_, Status::kBadOffset, "metadata offset %llu must be a multiple of 8 after the tensor table (ends at %llu)",
                  static_cast<ull>(meta_offset), static_cast<ull>(table_end));
    }
    if (meta_offset > size_ || size_ - meta_offset < meta_size) {
      return fail(error_, Status::kBadOffset, "metadata (%llu bytes at %llu) runs past the end of the %llu-byte file",
                  static_cast<ull>(meta_size), static_cast<ull>(meta_offset), static_cast<ull>(size_));
    }
    data_start_ = meta_offset + meta_size;
    m_->metadata_ = p_ + meta_offset;
    m_->metadata_size_ = meta_size;
    m_->metadata_count_ = meta_count;
    return Status::kOk;
  }

  Status check_region(uint64_t offset, uint64_t bytes, const char* name, const char* what) {
    if (offset % format::kDataAlignment != 0) {
      return fail(error_, Status::kBadOffset, "tensor '%s': %s offset %llu is not a multiple of %u", name, what,
                  static_cast<ull>(offset), format::kDataAlignment);
    }
    if (offset < data_start_ || offset > size_ || size_ - offset < bytes) {
      return fail(error_, Status::kBadOffset, "tensor '%s': %s (%llu bytes at %llu) lies outside the data section [%llu, %llu)",
                  name, what, static_cast<ull>(bytes), static_cast<ull>(offset), static_cast<ull>(data_start_),
                  static_cast<ull>(size_));
    }
    regions_[region_count_++] = Region{offset, offset + bytes, name, what};
    return Status::kOk;
  }

  Status read_tensor(uint32_t index) {
    const uint8_t* e = p_ + table_offset_ + static_cast<uint64_t>(index) * format::kTensorEntrySize;
    const uint8_t* name_bytes = e + format::kEntName;
    const void* nul = std::memchr(name_bytes, 0, format::kTensorNameBytes);
    const size_t name_length = nul ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - name_bytes) : format::kTensorNameBytes;
    if (name_length == 0 || name_length >= format::kTensorNameBytes) {
      return fail(error_, Status::kBadTensor, "tensor %u: name must be 1..63 bytes and NUL-terminated", index);
    }
    for (size_t i = name_length; i < format::kTensorNameBytes; ++i) {
      if (name_bytes[i] != 0) return fail(error_, Status::kBadTensor, "tensor %u: bytes after the name's NUL are not zero", index);
    }
    if (!is_valid_utf8(name_bytes, name_length)) {
      return fail(error_, Status::kBadTensor, "tensor %u: name is not valid UTF-8", index);
    }
    const char* name = reinterpret_cast<const char*>(name_bytes);
    for (uint32_t j = 0; j < index; ++j) {
      if (std::strcmp(m_->tensors_[j].name, name) == 0) return fail(error_, Status::kBadTensor, "tensor name '%s' appears twice", name);
    }
    const uint32_t dtype = read_u32(e + format::kEntDType);
    const uint32_t rank = read_u32(e + format::kEntRank);
    const uint32_t zero_point = read_u32(e + format::kEntZeroPoint);
    const uint64_t rows = read_u64(e + format::kEntDim0), cols = read_u64(e + format::kEntDim1);
    const uint64_t data_offset = read_u64(e + format::kEntDataOffset), data_size = read_u64(e + format::kEntDataSize);
    const uint64_t scales_offset = read_u64(e + format::kEntScalesOffset), scales_size = read_u64(e + format::kEntScalesSize);
    if (dtype < static_cast<uint32_t>(DType::kF32) || dtype > static_cast<uint32_t>(DType::kQ3RowBf16)) {
      return fail(error_, Status::kBadTensor, "tensor '%s': unknown dtype %u", name, dtype);
    }
    // Every dtype after q8_row came with version 2 or later within it.
    if (dtype > static_cast<uint32_t>(DType::kQ8Row) && m_->version_ < 2) {
      return fail(error_, Status::kBadTensor, "tensor '%s': dtype %u (%s) needs format version 2", name, dtype,
                  kDTypeNames[dtype]);
    }
    const bool fzp = dtype == static_cast<uint32_t>(DType::kQ8RowFzp);
    const bool by_col = dtype == static_cast<uint32_t>(DType::kQ8Col);
    const bool q3 = dtype == static_cast<uint32_t>(DType::kQ3RowBf16);
    const bool bf16_scales = dtype == static_cast<uint32_t>(DType::kQ4RowBf16) || q3;
    const bool q4 = dtype == static_cast<uint32_t>(DType::kQ4Row) || dtype == static_cast<uint32_t>(DType::kQ4RowBf16);
    const bool quantized = dtype == static_cast<uint32_t>(DType::kQ8Row) || fzp || by_col || q4 || q3;
    if (rank != 1 && rank != 2) return fail(error_, Status::kBadTensor, "tensor '%s': rank %u is not 1 or 2", name, rank);
    if (read_u32(e + format::kEntReserved) != 0) return fail(error_, Status::kBadTensor, "tensor '%s': reserved field is not zero", name);
    if (rows == 0 || cols == 0 || (rank == 1 && cols != 1)) {
      return fail(error_, Status::kBadTensor, "tensor '%s': bad shape (%llu, %llu) for rank %u", name, static_cast<ull>(rows),
                  static_cast<ull>(cols), rank);
    }
    const uint32_t max_zero_point = q4 ? 15 : q3 ? 7 : dtype == static_cast<uint32_t>(DType::kQ8Row) || by_col ? 255 : 0;
    if (zero_point > max_zero_point) {
      return fail(error_, Status::kBadTensor, "tensor '%s': zero point %u is out of range (0..%u)", name, zero_point,
                  max_zero_point);
    }
    // q4_row: each row ceil(cols / 2) bytes; q3_row_bf16: ceil(cols * 3 / 8)
    // (neither form below can overflow).
    const uint64_t row_bytes = q4 ? cols / 2 + cols % 2 : q3 ? cols / 8 * 3 + (cols % 8 * 3 + 7) / 8 : 0;
    uint64_t elements = 0, expected = 0;
    if (mul_overflows(rows, cols, &elements) ||
        (row_bytes != 0 ? mul_overflows(rows, row_bytes, &expected)
                        : mul_overflows(elements, quantized ? 1 : 4, &expected))) {
      return fail(error_, Status::kOverflow, "tensor '%s': shape (%llu, %llu) overflows 64-bit sizes", name,
                  static_cast<ull>(rows), static_cast<ull>(cols));
    }
    if (data_size != expected) {
      return fail(error_, Status::kBadTensor, "tensor '%s': data size %llu does not match shape (%llu, %llu) (%llu bytes)", name,
                  static_cast<ull>(data_size), static_cast<ull>(rows), static_cast<ull>(cols), static_cast<ull>(expected));
    }
    Status s = check_region(data_offset, data_size, name, "data");
    if (s != Status::kOk) return s;
    TensorView& t = m_->tensors_[index];
    t.name = name;
    t.dtype = static_cast<DType>(dtype);
    t.rank = rank;
    t.rows = rows;
    t.cols = cols;
    t.data = p_ + data_offset;
    t.zero_point = zero_point;
    uint64_t bad = 0;
    if (q4 && cols % 2 != 0 && !pad_bits_zero(t.data, rows, row_bytes, 0xF0, &bad)) {
      return fail(error_, Status::kBadTensor, "tensor '%s': row %llu's pad nibble (the last byte's high 4 bits, odd cols) is not zero",
                  name, static_cast<ull>(bad));
    }
    const uint32_t q3_used_bits = static_cast<uint32_t>(cols % 8 * 3 % 8);  // of the last byte; 0: all 8
    if (q3 && q3_used_bits != 0 && !pad_bits_zero(t.data, rows, row_bytes, static_cast<uint8_t>(0xFFu << q3_used_bits), &bad)) {
      return fail(error_, Status::kBadTensor, "tensor '%s': row %llu's pad bits (the last byte's high %u bits) are not zero",
                  name, static_cast<ull>(bad), 8 - q3_used_bits);
    }
    if (quantized) {
      // q8_row, q4_row: rows f32 scales; q4_row_bf16, q3_row_bf16: rows bf16 scales;
      // q8_row_fzp: rows f32 scales, then rows f32 zero points; q8_col: cols
      // f32 scales.
      const uint64_t per_row = fzp ? 8 : bf16_scales ? 2 : 4;
      const uint64_t scaled = by_col ? cols : rows;
      const char* const unit = by_col ? "column" : "row";
      uint64_t expected_scales = 0;
      if (mul_overflows(scaled, per_row, &expected_scales) || scales_size != expected_scales) {
        return fail(error_, Status::kBadTensor, "tensor '%s': scales size %llu, expected %llu %ss x %llu bytes", name,
                    static_cast<ull>(scales_size), static_cast<ull>(scaled), unit, static_cast<ull>(per_row));
      }
      if ((s = check_region(scales_offset, scales_size, name, "scales")) != Status::kOk) return s;
      t.scales = p_ + scales_offset;
      for (uint64_t r = 0; r < scaled; ++r) {
        const float scale = read_row_scale(t.scales, bf16_scales ? 2 : 4, r);
        if (!std::isfinite(scale) || scale < 0.0f) {
          return fail(error_, std::isfinite(scale) ? Status::kBadTensor : Status::kNonFinite,
                      "tensor '%s': %s %llu has scale %g (must be finite and >= 0)", name, unit, static_cast<ull>(r),
                      static_cast<double>(scale));
        }
      }
      if (fzp) {
        t.zero_points = t.scales + 4 * rows;
        if (!all_finite_f32(t.zero_points, rows, &bad)) {
          return fail(error_, Status::kNonFinite, "tensor '%s': row %llu has a zero point that is NaN or infinite", name,
                      static_cast<ull>(bad));
        }
      }
    } else {
      if (scales_offset != 0 || scales_size != 0) {
        return fail(error_, Status::kBadTensor, "tensor '%s': an f32 tensor must have no scales", name);
      }
      t.scales = nullptr;
      if (!all_finite_f32(t.data, elements, &bad)) {
        return fail(error_, Status::kNonFinite, "tensor '%s': element %llu (row %llu, column %llu) is NaN or infinite", name,
                    static_cast<ull>(bad), static_cast<ull>(bad / cols), static_cast<ull>(bad % cols));
      }
    }
    return Status::kOk;
  }

  Status read_tensors() {
    for (uint32_t i = 0; i < tensor_count_; ++i) {
      const Status s = read_tensor(i);
      if (s != Status::kOk) return s;
    }
    // Regions must not overlap: sort by start (small n), compare neighbours.
    for (uint32_t i = 1; i < region_count_; ++i) {
      Region r = regions_[i];
      uint32_t j = i;
      while (j > 0 && regions_[j - 1].begin > r.begin) {
        regions_[j] = regions_[j - 1];
        --j;
      }
      regions_[j] = r;
    }
    for (uint32_t i = 1; i < region_count_; ++i) {
      if (regions_[i].begin < regions_[i - 1].end) {
        return fail(error_, Status::kBadOffset, "tensor '%s' %s overlaps tensor '%s' %s", regions_[i].tensor, regions_[i].what,
                    regions_[i - 1].tensor, regions_[i - 1].what);
      }
    }
    m_->tensor_count_ = tensor_count_;
    return Status::kOk;
  }

  // Typed metadata lookups used while assembling the network.
  using MetaType = format::MetaType;
  bool find(const char* key, MetaEntry* entry) const {
    return find_metadata(m_->metadata_, m_->metadata_size_, m_->metadata_count_, key, entry);
  }
  Status want(const char* key, format::MetaType type, bool required, MetaEntry* entry, bool* present) {
    *present = find(key, entry);
    if (!*present) {
      return required ? fail(error_, Status::kBadMetadata, "metadata key '%s' is missing", key) : Status::kOk;
    }
    if (entry->type != type) return fail(error_, Status::kBadMetadata, "metadata key '%s' has the wrong type", key);
    return Status::kOk;
  }
  Status get_u32(const char* key, bool required, uint32_t* value) {
    MetaEntry e;
    bool present = false;
    const Status s = want(key, format::MetaType::kU32, required, &e, &present);
    if (s == Status::kOk && present) *value = meta_u32(e);
    return s;
  }
  Status get_string(const char* key, bool required, const char** value) {
    MetaEntry e;
    bool present = false;
    const Status s = want(key, format::MetaType::kString, required, &e, &present);
    if (s == Status::kOk && present) *value = meta_string(e);
    return s;
  }
  Status get_tensor(const char* key, const TensorView** tensor) {
    const char* name = nullptr;
    Status s = get_string(key, true, &name);
    if (s != Status::kOk) return s;
    *tensor = m_->find_tensor(name);
    if (*tensor == nullptr) return fail(error_, Status::kNotFound, "'%s' names tensor '%s', which is not in the file", key, name);
    return Status::kOk;
  }

  // channel.<i>.<field> into key[].
  const char* channel_key(uint32_t i, const char* field) {
    std::snprintf(key_, sizeof key_, "channel.%u.%s", i, field);
    return key_;
  }

  // One channel's metadata: kind (through the registry), its parameters
  // and its table. Fills the public ChannelInfo and the spec the plan is
  // built from. In a features-only file the table may be absent; buckets and
  // dims are then required (when both are given they must agree).
  Status read_channel(uint32_t i, const TextOptions& text, bool features_only, ChannelSpec* spec) {
    ChannelInfo& c = m_->channels_[i];
    const char* kind = nullptr;
    Status s = get_string(channel_key(i, "kind"), true, &kind);
    if (s != Status::kOk) return s;
    const FeatureKindInfo* info = find_feature_kind(kind);
    if (info == nullptr) return fail(error_, Status::kBadMetadata, "channel %u: unknown kind '%s'", i, kind);
    c.kind = info->kind;
    c.kind_name = info->name;
    *spec = ChannelSpec(info->kind, 0, 0, 0);
    // Parameters: those of the kind (required ones must be there), and no others.
    static constexpr struct {
      uint32_t bit;
      const char* field;
    } kParamKeys[] = {{kParamOrder, "order"}, {kParamSeed, "seed"}, {kParamLength, "length"},
                      {kParamVocab, "vocab"}, {kParamOovBuckets, "oov_buckets"}};
    MetaEntry e;
    for (const auto& p : kParamKeys) {
      if ((info->params & p.bit) == 0 && find(channel_key(i, p.field), &e)) {
        return fail(error_, Status::kBadMetadata, "channel %u (%s): key '%s' does not apply to this kind", i, info->name,
                    key_);
      }
    }
    if (info->params & kParamOrder) {
      if ((s = get_u32(channel_key(i, "order"), (info->required & kParamOrder) != 0, &c.order)) != Status::kOk) return s;
    }
    if (info->params & kParamSeed) {
      if ((s = get_u32(channel_key(i, "seed"), (info->required & kParamSeed) != 0, &c.seed)) != Status::kOk) return s;
    }
    if (info->params & kParamLength) {
      if ((s = get_u32(channel_key(i, "length"), (info->required & kParamLength) != 0, &c.length)) != Status::kOk) return s;
    }
    if (info->params & kParamVocab) {
      bool present = false;
      if ((s = want(channel_key(i, "vocab"), MetaType::kStringArray, false, &e, &present)) != Status::kOk) return s;
      if (present) {
        const StringArrayView v = meta_string_array(e);
        if (v.count == 0) return fail(error_, Status::kBadMetadata, "channel %u (%s): empty vocabulary", i, info->name);
        spec->vocab.count = v.count;
        spec->vocab.offsets = v.offsets;
        spec->vocab.blob = v.blob;
        c.vocab_size = v.count;
      }
    }
    if (info->params & kParamOovBuckets) {
      if ((s = get_u32(channel_key(i, "oov_buckets"), false, &c.oov_buckets)) != Status::kOk) return s;
    }
    const char* pooling = nullptr;
    if ((s = get_string(channel_key(i, "pooling"), false, &pooling)) != Status::kOk) return s;
    if (pooling != nullptr && !parse_pooling(pooling, &c.pooling)) {
      return fail(error_, Status::kBadMetadata, "channel %u (%s): unknown pooling '%s' (mean, sum or concat)", i,
                  info->name, pooling);
    }
    // Token models: the window offsets ("-2,-1,0,1,2"; absent: "0").
    const char* window = nullptr;
    if ((s = get_string(channel_key(i, "window"), false, &window)) != Status::kOk) return s;
    if (window != nullptr) {
      if (!text.tokens) {
        return fail(error_, Status::kBadMetadata, "channel %u (%s): '%s' is for token models", i, info->name, key_);
      }
      if (!parse_window(window, spec)) {
        return fail(error_, Status::kBadMetadata,
                    "channel %u (%s): window '%s' is not a list of 1..%u strictly increasing offsets in -%d..%d "
                    "(e.g. -2,-1,0,1,2)",
                    i, info->name, window, kMaxWindow, static_cast<int>(kMaxWindowOffset),
                    static_cast<int>(kMaxWindowOffset));
      }
    }
    c.window_count = spec->window_count;
    for (uint32_t k = 0; k < kMaxWindow; ++k) c.window[k] = k < spec->window_count ? spec->window[k] : 0;
    c.slots = c.pooling == Pooling::kConcat ? spec->window_count : 1;
    uint32_t buckets = 0, dims = 0;
    bool has_buckets = false, has_dims = false;
    if ((s = want(channel_key(i, "buckets"), MetaType::kU32, false, &e, &has_buckets)) != Status::kOk) return s;
    if (has_buckets) buckets = meta_u32(e);
    if ((s = want(channel_key(i, "dims"), MetaType::kU32, false, &e, &has_dims)) != Status::kOk) return s;
    if (has_dims) dims = meta_u32(e);
    const char* table_name = nullptr;
    if ((s = get_string(channel_key(i, "embedding"), !features_only, &table_name)) != Status::kOk) return s;
    if (table_name != nullptr) {
      const TensorView* table = m_->find_tensor(table_name);
      if (table == nullptr) {
        return fail(error_, Status::kNotFound, "'%s' names tensor '%s', which is not in the file", key_, table_name);
      }
      const TensorView& t = *table;
      if (t.rank != 2 || t.rows > 0xFFFFFFFFu || t.cols > 65536) {
        return fail(error_, Status::kBadShape, "channel %u: embedding '%s' must be a matrix with < 2^32 rows and <= 65536 columns", i, t.name);
      }
      if (t.dtype == DType::kQ8Col) {
        return fail(error_, Status::kBadShape, "channel %u: embedding '%s' is q8_col (scales per column): only dense layer weights may be", i,
                    t.name);
      }
      if (has_buckets && buckets != t.rows) {
        return fail(error_, Status::kBadShape, "channel %u: channel.%u.buckets is %u but embedding '%s' has %llu rows", i, i,
                    buckets, t.name, static_cast<ull>(t.rows));
      }
      if (has_dims && dims != t.cols) {
        return fail(error_, Status::kBadShape, "channel %u: channel.%u.dims is %u but embedding '%s' has %llu columns", i, i,
                    dims, t.name, static_cast<ull>(t.cols));
      }
      buckets = static_cast<uint32_t>(t.rows);
      dims = static_cast<uint32_t>(t.cols);
      c.embedding = t;
    } else {
      if (!has_buckets || !has_dims) {
        return fail(error_, Status::kBadMetadata, "channel %u: without an embedding, channel.%u.buckets and channel.%u.dims are required",
                    i, i, i);
      }
      if (buckets == 0 || dims == 0 || dims > 65536) {
        return fail(error_, Status::kBadShape, "channel %u: %u buckets x %u dims (buckets >= 1, dims 1..65536)", i, buckets, dims);
      }
    }
    c.buckets = buckets;
    c.dims = dims;
    spec->order = c.order;
    spec->seed = c.seed;
    spec->length = c.length;
    spec->buckets = c.buckets;
    spec->pooling = c.pooling;
    spec->oov_buckets = c.oov_buckets;
    return check_channel(*spec, i, text, error_);
  }

  // "-2,-1,0,1,2": 1..kMaxWindow comma-separated decimal offsets (a '-'
  // sign, no '+', no spaces, no leading zeros), strictly increasing, each
  // within kMaxWindowOffset.
  static bool parse_window(const char* s, ChannelSpec* spec) {
    uint32_t count = 0;
    int32_t previous = 0;
    const char* p = s;
    for (;;) {
      bool negative = false;
      if (*p == '-') {
        negative = true;
        ++p;
      }
      if (*p < '0' || *p > '9') return false;
      int32_t value = 0;
      const char* digits = p;
      while (*p >= '0' && *p <= '9') {
        value = value * 10 + (*p - '0');
        if (value > kMaxWindowOffset) return false;
        ++p;
      }
      if ((p - digits > 1 && *digits == '0') || (negative && value == 0)) return false;
      if (negative) value = -value;
      if (count == kMaxWindow || (count > 0 && value <= previous)) return false;
      spec->window[count++] = value;
      previous = value;
      if (*p == '\0') break;
      if (*p != ',') return false;
      ++p;
    }
    spec->window_count = count;
    return true;
  }

  Status read_channels(const TextOptions& text, bool features_only) {
    uint32_t count = 0;
    Status s = get_u32("channel.count", true, &count);
    if (s != Status::kOk) return s;
    if (count == 0 || count > Model::kMaxChannels) {
      return fail(error_, Status::kBadMetadata, "channel.count %u outside 1..%u", count, Model::kMaxChannels);
    }
    ChannelSpec specs[Model::kMaxChannels];
    uint64_t width = 0;
    for (uint32_t i = 0; i < count; ++i) {
      if ((s = read_channel(i, text, features_only, &specs[i])) != Status::kOk) return s;
      ChannelInfo& c = m_->channels_[i];
      c.input_offset = static_cast<uint32_t>(width);
      internal::RowTable& r = m_->tables_[i];
      r.data = c.embedding.data;
      r.scales = c.embedding.scales;
      r.zero_points = c.embedding.zero_points;
      r.zero_point = static_cast<int32_t>(c.embedding.zero_point);
      r.dims = c.dims;
      r.offset = c.input_offset;
      r.dtype = c.embedding.dtype;
      width += static_cast<uint64_t>(c.dims) * c.slots;
      m_->total_buckets_ += c.buckets;
      if (width > 0xFFFFFFu) return fail(error_, Status::kBadShape, "input width %llu is too large", static_cast<ull>(width));
    }
    if ((s = build_feature_plan(specs, count, text, &m_->plan_, error_)) != Status::kOk) return s;
    m_->channel_count_ = count;
    m_->input_width_ = static_cast<uint32_t>(width);
    if (text.tokens) plan_tagger();
    return Status::kOk;
  }

  // Token models: where each channel's rows go in a token unit, and how
  // many units the window ring keeps (heads/tagger.cpp).
  void plan_tagger() {
    internal::TaggerPlan& t = m_->tagger_;
    const internal::FeaturePlan& plan = m_->plan_;
    t = internal::TaggerPlan();
    for (uint32_t c = 0; c < m_->channel_count_; ++c) {
      t.prev[c] = m_->channels_[c].kind == FeatureKind::kPrevLabel;
      if (t.prev[c]) continue;
      t.unit_offset[c] = t.unit_width;
      t.unit_width += m_->channels_[c].dims;
    }
    t.ring = static_cast<uint32_t>(plan.reach_after - plan.reach_before + 1);
  }

  // tokenizer, tokenizer.version: the rule set token models read text with.
  Status read_tokenizer() {
    const char* name = nullptr;
    Status s = get_string("tokenizer", true, &name);
    if (s != Status::kOk) return s;
    uint32_t version = 0;
    if ((s = get_u32("tokenizer.version", true, &version)) != Status::kOk) return s;
    if (std::strcmp(name, kTokenizerName) != 0 || version != kTokenizerVersion) {
      return fail(error_, Status::kUnsupportedFeatures,
                  "tokenizer '%s' version %u: this runtime implements tokenizer '%s' version %u only", name, version,
                  kTokenizerName, kTokenizerVersion);
    }
    m_->tokenizer_ = name;
    m_->tokenizer_version_ = version;
    return Status::kOk;
  }

  Status read_layers() {
    char key[64];
    uint32_t count = 0;
    Status s = get_u32("layer.count", true, &count);
    if (s != Status::kOk) return s;
    if (count == 0 || count > Model::kMaxLayers) {
      return fail(error_, Status::kBadMetadata, "layer.count %u outside 1..%u", count, Model::kMaxLayers);
    }
    uint32_t in = m_->input_width_;
    uint32_t max_width = in;
    for (uint32_t i = 0; i < count; ++i) {
      LayerInfo& l = m_->layers_[i];
      const TensorView* weights = nullptr;
      const TensorView* bias = nullptr;
      std::snprintf(key, sizeof key, "layer.%u.weights", i);
      if ((s = get_tensor(key, &weights)) != Status::kOk) return s;
      std::snprintf(key, sizeof key, "layer.%u.bias", i);
      if ((s = get_tensor(key, &bias)) != Status::kOk) return s;
      const char* activation = nullptr;
      std::snprintf(key, sizeof key, "layer.%u.activation", i);
      if ((s = get_string(key, true, &activation)) != Status::kOk) return s;
      const bool last = i + 1 == count;
      if (std::strcmp(activation, "relu") == 0 && !last) l.activation = Activation::kRelu;
      else if (std::strcmp(activation, "none") == 0 && !last) l.activation = Activation::kNone;
      else if (std::strcmp(activation, "softmax") == 0 && last) l.activation = Activation::kSoftmax;
      else {
        return fail(error_, Status::kBadMetadata, "layer %u: activation '%s' not allowed (hidden: relu or none; last: softmax)", i,
                    activation);
      }
      const TensorView& w = *weights;
      const TensorView& b = *bias;
      if (b.dtype != DType::kF32) return fail(error_, Status::kBadShape, "layer %u: bias '%s' must be f32", i, b.name);
      if (w.dtype == DType::kQ4Row || w.dtype == DType::kQ4RowBf16) {
        return fail(error_, Status::kBadShape, "layer %u: weights '%s' are q4_row (4-bit): only embedding tables may be", i,
                    w.name);
      }
      if (w.dtype == DType::kQ3RowBf16) {
        return fail(error_, Status::kBadShape, "layer %u: weights '%s' are q3_row_bf16 (3-bit): only embedding tables may be",
                    i, w.name);
      }
      if (w.dtype != DType::kF32 && m_->version_ < 2) {
        return fail(error_, Status::kBadShape, "layer %u: 8-bit weights '%s' need format version 2", i, w.name);
      }
      // q8_col weights are stored transposed: (in, out).
      const bool transposed = w.dtype == DType::kQ8Col;
      const uint64_t w_in = transposed ? w.rows : w.cols, w_out = transposed ? w.cols : w.rows;
      if (w.rank != 2 || w_in != in || w_out > 0xFFFFFFu) {
        return fail(error_, Status::kBadShape,
                    transposed ? "layer %u: weights '%s' have shape (%llu, %llu), expected (%u, out) (q8_col: transposed)"
                               : "layer %u: weights '%s' have shape (%llu, %llu), expected (out, %u)",
                    i, w.name, static_cast<ull>(w.rows), static_cast<ull>(w.cols), in);
      }
      if (b.rank != 1 || b.rows != w_out) {
        return fail(error_, Status::kBadShape, "layer %u: bias '%s' has %llu values, expected %llu", i, b.name,
                    static_cast<ull>(b.rows), static_cast<ull>(w_out));
      }
      l.weights = w;
      l.bias = b;
      l.in = in;
      l.out = static_cast<uint32_t>(w_out);
      in = l.out;
      if (in > max_width) max_width = in;
    }
    m_->layer_count_ = count;
    m_->max_width_ = max_width;
    return Status::kOk;
  }

  Status read_labels() {
    MetaEntry e;
    bool present = false;
    Status s = want("labels", format::MetaType::kStringArray, true, &e, &present);
    if (s != Status::kOk) return s;
    const StringArrayView labels = meta_string_array(e);
    const uint32_t outputs = m_->layers_[m_->layer_count_ - 1].out;
    if (labels.count != outputs) {
      return fail(error_, Status::kBadShape, "model has %u labels but its output layer has %u outputs", labels.count, outputs);
    }
    for (uint32_t i = 0; i < labels.count; ++i) {
      if (labels.at(i)[0] == '\0') return fail(error_, Status::kBadMetadata, "label %u is empty", i);
      for (uint32_t j = 0; j < i; ++j) {
        if (std::strcmp(labels.at(i), labels.at(j)) == 0) return fail(error_, Status::kBadMetadata, "label '%s' appears twice", labels.at(i));
      }
    }
    m_->labels_offsets_ = labels.offsets;
    m_->labels_blob_ = labels.blob;
    m_->label_count_ = labels.count;
    if ((s = want("label_names", format::MetaType::kStringArray, false, &e, &present)) != Status::kOk) return s;
    if (present) {
      const StringArrayView names = meta_string_array(e);
      if (names.count != labels.count) {
        return fail(error_, Status::kBadShape, "label_names has %u entries for %u labels", names.count, labels.count);
      }
      m_->names_offsets_ = names.offsets;
      m_->names_blob_ = names.blob;
    }
    return Status::kOk;
  }

  // text.*: how text becomes features (stored in the file, not in code).
  // Token models read every character of every token: text.drop_digits,
  // text.cleanup and text.max_bytes must be absent or 0 there.
  Status read_text_options(TextOptions* text) {
    if (text->tokens) {
      static const char* const kTextOnly[] = {"text.drop_digits", "text.cleanup", "text.max_bytes"};
      for (const char* key : kTextOnly) {
        uint32_t value = 0;
        const Status s = get_u32(key, false, &value);
        if (s != Status::kOk) return s;
        if (value != 0) {
          return fail(error_, Status::kBadMetadata, "%s is %u; token models read every character of every token (0)",
                      key, value);
        }
      }
      text->drop_digits = false;
      uint32_t lowercase = 1;
      const Status s = get_u32("text.lowercase", false, &lowercase);
      text->lowercase = lowercase != 0;
      return s;
    }
    uint32_t flag = 1;
    Status s = get_u32("text.lowercase", false, &flag);
    if (s != Status::kOk) return s;
    text->lowercase = flag != 0;
    flag = 1;
    if ((s = get_u32("text.drop_digits", false, &flag)) != Status::kOk) return s;
    text->drop_digits = flag != 0;
    flag = 0;  // absent (every version 1 file): no clean-up
    if ((s = get_u32("text.cleanup", false, &flag)) != Status::kOk) return s;
    if (flag > 2) {
      return fail(error_, Status::kBadMetadata, "text.cleanup is %u; 0 (off), 1 (on) or 2 (on, laughter too)", flag);
    }
    text->cleanup = static_cast<uint8_t>(flag);
    return get_u32("text.max_bytes", false, &text->max_bytes);
  }

  Status read_network() {
    Status s = get_string("general.task", false, &m_->task_);
    if (s != Status::kOk) return s;
    if ((s = get_string("general.name", false, &m_->name_)) != Status::kOk) return s;
    MetaEntry e;
    const bool classifier = std::strcmp(m_->task_, "classifier") == 0;
    const bool tagger = std::strcmp(m_->task_, "tagger") == 0;
    const bool features_only = std::strcmp(m_->task_, "features") == 0;
    if (features_only && find("layer.count", &e)) {
      return fail(error_, Status::kBadMetadata, "task 'features' describes features only; it has no layers (layer.count)");
    }
    if (!classifier && !tagger && !features_only && !find("layer.count", &e)) return Status::kOk;  // tensors only
    // Token models: taggers, and features-only files with a tokenizer.
    const bool tokens = tagger || (features_only && find("tokenizer", &e));
    if (!tokens && (find("tokenizer", &e) || find("tokenizer.version", &e))) {
      return fail(error_, Status::kBadMetadata,
                  "'tokenizer' belongs to token models (task 'tagger', or 'features' for one); this is task '%s'",
                  m_->task_);
    }
    uint32_t features_version = 1;  // absent: the feature code of format version 1
    if ((s = get_u32("features.version", false, &features_version)) != Status::kOk) return s;
    if (features_version != kFeaturesVersion && features_version != kTokenFeaturesVersion) {
      return fail(error_, Status::kUnsupportedFeatures,
                  "features.version %u: this runtime implements feature code versions %u and %u only (re-convert the "
                  "model, or use the runtime it was made for)",
                  features_version, kFeaturesVersion, kTokenFeaturesVersion);
    }
    if (tokens && features_version < kTokenFeaturesVersion) {
      return fail(error_, Status::kBadMetadata, "a token model records features.version %u (it has %u)",
                  kTokenFeaturesVersion, features_version);
    }
    m_->features_version_ = features_version;
    if (tokens && (s = read_tokenizer()) != Status::kOk) return s;
    TextOptions text;
    text.tokens = tokens;
    if ((s = read_text_options(&text)) != Status::kOk) return s;
    if ((s = read_channels(text, features_only)) != Status::kOk) return s;
    if (features_only) return Status::kOk;
    if ((s = read_layers()) != Status::kOk) return s;
    if ((s = read_labels()) != Status::kOk) return s;
    if (tagger) return check_tagger();
    bool present = false;
    if ((s = want("classifier.reliable_probability", format::MetaType::kF32, false, &e, &present)) != Status::kOk) return s;
    if (present) m_->reliable_probability_ = meta_f32(e);
    if ((s = get_u32("classifier.reliable_letters", false, &m_->reliable_letters_)) != Status::kOk) return s;
    if ((s = read_short_text_reliability()) != Status::kOk) return s;
    if ((s = get_string("classifier.unknown_label", false, &m_->unknown_label_)) != Status::kOk) return s;
    if ((s = read_prior()) != Status::kOk) return s;
    if ((s = read_neighbours()) != Status::kOk) return s;
    return read_lexicon();
  }

  // classifier.reliable_short_letters and _probability: both or neither; the
  // short texts' bar is a probability no lower than the general one (a lower
  // one would make short texts easier to trust, never what is meant).
  Status read_short_text_reliability() {
    MetaEntry e;
    bool has_letters = false, has_probability = false;
    Status s = want("classifier.reliable_short_letters", format::MetaType::kU32, false, &e, &has_letters);
    if (s != Status::kOk) return s;
    if (has_letters) m_->reliable_short_letters_ = meta_u32(e);
    s = want("classifier.reliable_short_probability", format::MetaType::kF32, false, &e, &has_probability);
    if (s != Status::kOk) return s;
    if (has_letters != has_probability) {
      return fail(error_, Status::kBadMetadata,
                  "classifier.reliable_short_letters and classifier.reliable_short_probability come together");
    }
    if (!has_probability) return Status::kOk;
    const float p = meta_f32(e);
    if (!(p >= m_->reliable_probability_ && p <= 1.0f)) {
      return fail(error_, Status::kBadMetadata,
                  "classifier.reliable_short_probability must be between classifier.reliable_probability and 1");
    }
    m_->reliable_short_probability_ = p;
    return Status::kOk;
  }

  // A tagger: prev_label channels have a row per label (+ 2 padding rows);
  // classifier settings do not apply (refused rather than ignored).
  Status check_tagger() {
    for (uint32_t c = 0; c < m_->channel_count_; ++c) {
      const ChannelInfo& info = m_->channels_[c];
      if (info.kind == FeatureKind::kPrevLabel && info.buckets != m_->label_count_ + 2) {
        return fail(error_, Status::kBadShape, "channel %u (prev_label): %u rows; the tagger has %u labels (+ 2 padding rows)",
                    c, info.buckets, m_->label_count_);
      }
    }
    static const char* const kClassifierKeys[] = {"classifier.reliable_probability", "classifier.reliable_letters",
                                                  "classifier.reliable_short_letters",
                                                  "classifier.reliable_short_probability",
                                                  "classifier.unknown_label", "classifier.log_prior",
                                                  "neighbours.groups", "lexicon.entries"};
    MetaEntry e;
    for (const char* key : kClassifierKeys) {
      if (find(key, &e)) return fail(error_, Status::kBadMetadata, "'%s' is for classifiers; this is a tagger", key);
    }
    return Status::kOk;
  }

  // classifier.log_prior: a rank-1 f32 tensor of one log weight per label.
  Status read_prior() {
    const char* name = nullptr;
    Status s = get_string("classifier.log_prior", false, &name);
    if (s != Status::kOk || name == nullptr) return s;
    const TensorView* t = m_->find_tensor(name);
    if (t == nullptr) return fail(error_, Status::kNotFound, "'classifier.log_prior' names tensor '%s', which is not in the file", name);
    if (t->dtype != DType::kF32 || t->rank != 1 || t->rows != m_->label_count_) {
      return fail(error_, Status::kBadShape, "classifier.log_prior '%s' must be an f32 vector of %u values (one per label)",
                  name, m_->label_count_);
    }
    m_->log_prior_ = t->data;  // finite: checked with the tensor
    return Status::kOk;
  }

  // neighbours.*: the word lists of close neighbour labels
  // (heads/neighbour_words.h); all keys or none, and neighbours.key_bits
  // (optional) only with them.
  Status read_neighbours() {
    using internal::kMaxNeighbourGroups;
    using internal::kMaxNeighbourGroupSize;
    static const char* const kKeys[] = {"neighbours.seed", "neighbours.weight", "neighbours.groups", "neighbours.labels",
                                        "neighbours.word_counts", "neighbours.words", "neighbours.scores"};
    MetaEntry e;
    uint32_t present_count = 0;
    for (const char* key : kKeys) present_count += find(key, &e) ? 1 : 0;
    const bool has_key_bits = find("neighbours.key_bits", &e);
    if (present_count == 0 && has_key_bits) {
      return fail(error_, Status::kBadMetadata, "neighbours.key_bits is set without the other neighbours.* keys");
    }
    if (present_count == 0) return Status::kOk;
    internal::NeighbourPlan& n = m_->neighbours_;
    uint32_t seed = 0;
    Status s = get_u32("neighbours.seed", true, &seed);
    if (s != Status::kOk) return s;
    bool present = false;
    if ((s = want("neighbours.weight", format::MetaType::kF32, true, &e, &present)) != Status::kOk) return s;
    n.weight = meta_f32(e);
    if (!(n.weight >= 0.0f)) return fail(error_, Status::kBadMetadata, "neighbours.weight must be >= 0");
    const uint8_t* sizes = nullptr;
    uint32_t groups = 0;
    if ((s = get_u32_array("neighbours.groups", &sizes, &groups)) != Status::kOk) return s;
    if (groups == 0 || groups > kMaxNeighbourGroups) {
      return fail(error_, Status::kBadMetadata, "neighbours.groups: %u groups, expected 1..%u", groups, kMaxNeighbourGroups);
    }
    uint32_t members = 0;
    for (uint32_t g = 0; g < groups; ++g) {
      const uint32_t size = read_u32(sizes + 4 * g);
      if (size < 2 || size > kMaxNeighbourGroupSize) {
        return fail(error_, Status::kBadMetadata, "neighbours.groups: group %u has %u labels, expected 2..%u", g, size,
                    kMaxNeighbourGroupSize);
      }
      members += size;
    }
    const uint8_t* labels = nullptr;
    uint32_t label_entries = 0;
    if ((s = get_u32_array("neighbours.labels", &labels, &label_entries)) != Status::kOk) return s;
    if (label_entries != members) {
      return fail(error_, Status::kBadShape, "neighbours.labels has %u entries; the groups have %u labels", label_entries, members);
    }
    for (uint32_t i = 0; i < members; ++i) {
      const uint32_t label = read_u32(labels + 4 * i);
      if (label >= m_->label_count_) {
        return fail(error_, Status::kBadMetadata, "neighbours.labels[%u] = %u; the model has %u labels", i, label, m_->label_count_);
      }
      for (uint32_t j = 0; j < i; ++j) {
        if (read_u32(labels + 4 * j) == label) {
          return fail(error_, Status::kBadMetadata, "neighbours.labels: label %u is listed twice", label);
        }
      }
    }
    const uint8_t* counts = nullptr;
    uint32_t count_entries = 0;
    if ((s = get_u32_array("neighbours.word_counts", &counts, &count_entries)) != Status::kOk) return s;
    if (count_entries != groups) {
      return fail(error_, Status::kBadShape, "neighbours.word_counts has %u entries for %u groups", count_entries, groups);
    }
    uint64_t total_words = 0, total_scores = 0;
    for (uint32_t g = 0; g < groups; ++g) {
      const uint32_t count = read_u32(counts + 4 * g);
      if (count == 0) return fail(error_, Status::kBadMetadata, "neighbours.word_counts: group %u has no words", g);
      total_words += count;
      total_scores += static_cast<uint64_t>(count) * read_u32(sizes + 4 * g);
    }
    uint32_t key_bits = 32;
    if ((s = get_u32("neighbours.key_bits", false, &key_bits)) != Status::kOk) return s;
    if ((s = read_neighbour_words(key_bits, counts, groups, total_words, &n.words)) != Status::kOk) return s;
    n.key_bytes = key_bits / 8;
    const TensorView* scores = nullptr;
    if ((s = get_tensor("neighbours.scores", &scores)) != Status::kOk) return s;
    const bool q4 = scores->dtype == DType::kQ4Row;
    if ((scores->dtype != DType::kQ8Row && !q4) || scores->rank != 2 || scores->rows != 1 || scores->cols != total_scores) {
      return fail(error_, Status::kBadShape, "neighbours.scores '%s' must be q8_row or q4_row of shape (1, %llu)",
                  scores->name, static_cast<ull>(total_scores));
    }
    n.group_count = groups;
    n.sizes = sizes;
    n.labels = labels;
    n.word_counts = counts;
    n.scores = scores->data;
    n.scale = scores->row_scale(0);
    n.zero_point = static_cast<int32_t>(scores->zero_point);
    n.bits = q4 ? 4 : 8;
    n.seed = seed;
    return Status::kOk;
  }

  // neighbours.words: total_words keys of key_bits (32, or 24: three bytes
  // each, packed and zero-padded to whole u32s), strictly ascending within
  // each of the groups (the head's binary search relies on it).
  Status read_neighbour_words(uint32_t key_bits, const uint8_t* counts, uint32_t groups, uint64_t total_words,
                              const uint8_t** words) {
    using internal::kMaxNeighbourWords;
    if (key_bits != 24 && key_bits != 32) {
      return fail(error_, Status::kBadMetadata, "neighbours.key_bits is %u, expected 24 or 32", key_bits);
    }
    uint32_t entries = 0;
    Status s = get_u32_array("neighbours.words", words, &entries);
    if (s != Status::kOk) return s;
    if (total_words > kMaxNeighbourWords) {
      return fail(error_, Status::kBadShape, "neighbours.word_counts add up to %llu words (at most %u)",
                  static_cast<ull>(total_words), kMaxNeighbourWords);
    }
    const uint32_t key_bytes = key_bits / 8;
    const uint64_t key_size = key_bytes * total_words;  // bytes
    if (key_bits == 32 && entries != total_words) {
      return fail(error_, Status::kBadShape, "neighbours.words has %u keys; the word counts add up to %llu", entries,
                  static_cast<ull>(total_words));
    }
    if (key_bits == 24) {
      // Fewer than 4 keys would fill as many u32s as 32-bit keys: a runtime
      // from before key_bits would misread the file instead of refusing it.
      if (total_words < 4) {
        return fail(error_, Status::kBadMetadata, "neighbours.key_bits is 24 with %llu words (24-bit keys need at least 4)",
                    static_cast<ull>(total_words));
      }
      if (entries != (key_size + 3) / 4) {
        return fail(error_, Status::kBadShape,
                    "neighbours.words has %u u32s; %llu 24-bit keys (neighbours.key_bits) pack into %llu", entries,
                    static_cast<ull>(total_words), static_cast<ull>((key_size + 3) / 4));
      }
      for (uint64_t b = key_size; b < 4ull * entries; ++b) {
        if ((*words)[b] != 0) {
          return fail(error_, Status::kBadMetadata, "neighbours.words: the padding after the 24-bit keys is not zero");
        }
      }
    }
    uint64_t first = 0;
    for (uint32_t g = 0; g < groups; ++g) {
      const uint32_t count = read_u32(counts + 4 * g);
      for (uint32_t j = 1; j < count; ++j) {
        const uint64_t at = first + j;
        const uint32_t a = key_bytes == 3 ? internal::key_at<3>(*words, at - 1) : internal::key_at<4>(*words, at - 1);
        const uint32_t b = key_bytes == 3 ? internal::key_at<3>(*words, at) : internal::key_at<4>(*words, at);
        if (a >= b) {
          return fail(error_, Status::kBadMetadata, "neighbours.words: group %u's keys are not strictly ascending at %u", g, j);
        }
      }
      first += count;
    }
    return Status::kOk;
  }

  // lexicon.*: whole words that name one label, for short texts
  // (heads/lexicon.h); all four keys or none.
  Status read_lexicon() {
    using format::kMaxLexiconEntries;
    using format::kMaxLexiconWords;
    static const char* const kKeys[] = {"lexicon.entries", "lexicon.seed", "lexicon.weight", "lexicon.max_words"};
    MetaEntry e;
    uint32_t present_count = 0;
    for (const char* key : kKeys) present_count += find(key, &e) ? 1 : 0;
    if (present_count == 0) return Status::kOk;
    for (const char* key : kKeys) {
      if (!find(key, &e)) {
        return fail(error_, Status::kBadMetadata, "'%s' is missing: the four lexicon.* keys come together", key);
      }
    }
    internal::LexiconPlan& x = m_->lexicon_;
    Status s = get_u32("lexicon.seed", true, &x.seed);
    if (s != Status::kOk) return s;
    bool present = false;
    if ((s = want("lexicon.weight", format::MetaType::kF32, true, &e, &present)) != Status::kOk) return s;
    const float weight = meta_f32(e);  // finite: checked with the metadata
    if (!(weight > 0.0f && weight <= format::kMaxLexiconWeight)) {
      return fail(error_, Status::kBadMetadata, "lexicon.weight is %g; it must be above 0 and at most %g",
                  static_cast<double>(weight), static_cast<double>(format::kMaxLexiconWeight));
    }
    uint32_t max_words = 0;
    if ((s = get_u32("lexicon.max_words", true, &max_words)) != Status::kOk) return s;
    if (max_words == 0 || max_words > kMaxLexiconWords) {
      return fail(error_, Status::kBadMetadata, "lexicon.max_words is %u, expected 1..%u", max_words, kMaxLexiconWords);
    }
    const uint8_t* entries = nullptr;
    uint32_t count = 0;
    if ((s = get_u32_array("lexicon.entries", &entries, &count)) != Status::kOk) return s;
    if (count == 0 || count > kMaxLexiconEntries) {
      return fail(error_, Status::kBadMetadata, "lexicon.entries has %u entries, expected 1..%u", count, kMaxLexiconEntries);
    }
    // Strictly ascending (the head's binary search relies on it), each
    // entry's low bits a label of the model.
    const uint32_t mask = format::lexicon_label_mask(m_->label_count_);
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t entry = read_u32(entries + 4 * static_cast<size_t>(i));
      if (i > 0 && read_u32(entries + 4 * static_cast<size_t>(i - 1)) >= entry) {
        return fail(error_, Status::kBadMetadata, "lexicon.entries are not strictly ascending at %u", i);
      }
      if ((entry & mask) >= m_->label_count_) {
        return fail(error_, Status::kBadMetadata, "lexicon.entries[%u] names label %u; the model has %u labels", i,
                    entry & mask, m_->label_count_);
      }
    }
    x.count = count;
    x.entries = entries;
    x.label_mask = mask;
    x.weight = weight;
    x.max_words = max_words;
    x.count_channel = internal::word_count_channel(m_->plan_);
    return Status::kOk;
  }

  Status get_u32_array(const char* key, const uint8_t** values, uint32_t* count) {
    MetaEntry e;
    bool present = false;
    const Status s = want(key, format::MetaType::kU32Array, true, &e, &present);
    if (s != Status::kOk) return s;
    *count = read_u32(e.value);
    *values = e.value + 4;
    return Status::kOk;
  }

  const uint8_t* p_;
  size_t size_;
  Model* m_;
  Error* error_;
  uint64_t table_offset_ = 0;
  uint32_t tensor_count_ = 0;
  uint64_t data_start_ = 0;
  Region regions_[2 * format::kMaxTensorCount];
  uint32_t region_count_ = 0;
  char key_[64];
};

Status Model::load(const void* data, size_t size, Model* out, Error* error, const LoadOptions& options) {
  if (error != nullptr) *error = Error();
  if (out == nullptr) return fail(error, Status::kInvalidArgument, "output model is null");
  *out = Model();
  if (data == nullptr) return fail(error, Status::kInvalidArgument, "model data is null");
  ModelLoader loader(static_cast<const uint8_t*>(data), size, out, error);
  const Status status = loader.run(options);
  if (status != Status::kOk) *out = Model();
  return status;
}

}  // namespace ffnlp
