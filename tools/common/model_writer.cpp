#include "tools/common/model_writer.h"

#include <cstring>
#include <stdexcept>

#include "ffnlp/toolkit.h"

namespace ffnlp {
namespace tools {
namespace {

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint32_t float_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}
void put_f32(std::vector<uint8_t>& out, float f) { put_u32(out, float_bits(f)); }
// A bfloat16 scale (add_tensor checked that the low half is zero).
void put_bf16(std::vector<uint8_t>& out, float f) {
  const uint32_t high = float_bits(f) >> 16;
  out.push_back(static_cast<uint8_t>(high));
  out.push_back(static_cast<uint8_t>(high >> 8));
}
void set_u32_at(std::vector<uint8_t>& out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void set_u64_at(std::vector<uint8_t>& out, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void pad_to(std::vector<uint8_t>& out, size_t alignment) {
  while (out.size() % alignment != 0) out.push_back(0);
}

void check_key(const std::string& key) {
  if (key.empty() || key.size() > format::kMaxKeyLength) throw std::invalid_argument("metadata key '" + key + "': bad length");
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) {
      throw std::invalid_argument("metadata key '" + key + "': only [a-z0-9_.] allowed");
    }
  }
}

void put_metadata(std::vector<uint8_t>& out, const std::string& key, const MetaValue& v) {
  put_u32(out, static_cast<uint32_t>(key.size()));
  out.insert(out.end(), key.begin(), key.end());
  pad_to(out, 4);
  put_u32(out, static_cast<uint32_t>(v.type));
  switch (v.type) {
    case format::MetaType::kU32: put_u32(out, v.u32); break;
    case format::MetaType::kF32: put_f32(out, v.f32); break;
    case format::MetaType::kString:
      put_u32(out, static_cast<uint32_t>(v.text.size()));
      out.insert(out.end(), v.text.begin(), v.text.end());
      out.push_back(0);
      break;
    case format::MetaType::kStringArray: {
      std::vector<uint32_t> offsets{0};
      for (const std::string& s : v.texts) offsets.push_back(offsets.back() + static_cast<uint32_t>(s.size()) + 1);
      put_u32(out, static_cast<uint32_t>(v.texts.size()));
      put_u32(out, offsets.back());
      for (uint32_t o : offsets) put_u32(out, o);
      for (const std::string& s : v.texts) {
        out.insert(out.end(), s.begin(), s.end());
        out.push_back(0);
      }
      break;
    }
    case format::MetaType::kU32Array:
      put_u32(out, static_cast<uint32_t>(v.u32s.size()));
      for (uint32_t x : v.u32s) put_u32(out, x);
      break;
  }
  pad_to(out, 4);
}

}  // namespace

void ModelWriter::add_tensor(TensorToWrite t) {
  if (t.name.empty() || t.name.size() >= format::kTensorNameBytes || t.name.find('\0') != std::string::npos) {
    throw std::invalid_argument("tensor name '" + t.name + "' must be 1..63 bytes");
  }
  for (const TensorToWrite& other : tensors_) {
    if (other.name == t.name) throw std::invalid_argument("tensor '" + t.name + "' added twice");
  }
  // Values: f32 one a float; q4_row, q4_row_bf16 packed, each row ceil(cols
  // / 2) bytes (pack_q4); q3_row_bf16 ceil(cols * 3 / 8) bytes (pack_q3).
  const uint64_t n = t.dtype == DType::kF32 ? t.rows * t.cols : t.rows * tensor_row_bytes(t.dtype, t.cols);
  const uint64_t scaled = t.dtype == DType::kQ8Col ? t.cols : t.rows;  // q8_col: one scale per column
  if (t.dtype == DType::kF32 ? t.values.size() != n : (t.q.size() != n || t.scales.size() != scaled)) {
    throw std::invalid_argument("tensor '" + t.name + "': data does not match its shape");
  }
  if (has_bf16_scales(t.dtype)) {
    // Only the upper 16 bits are written: refuse a scale that would lose bits.
    for (size_t r = 0; r < t.scales.size(); ++r) {
      if ((float_bits(t.scales[r]) & 0xFFFFu) != 0) {
        throw std::invalid_argument("tensor '" + t.name + "': the scale of row " + std::to_string(r) +
                                    " is not a bfloat16 (" +
                                    (t.dtype == DType::kQ3RowBf16 ? "q3_row_bf16" : "q4_row_bf16") +
                                    " stores the upper 16 bits of a float32)");
      }
    }
  }
  if ((t.dtype == DType::kQ8RowFzp) != (t.zero_points.size() == t.rows && t.rows != 0) ||
      (t.dtype != DType::kQ8RowFzp && !t.zero_points.empty())) {
    throw std::invalid_argument("tensor '" + t.name + "': per-row zero points go with dtype q8_row_fzp, one per row");
  }
  tensors_.push_back(std::move(t));
}

void ModelWriter::set_u32(const std::string& key, uint32_t value) {
  check_key(key);
  MetaValue v;
  v.type = format::MetaType::kU32;
  v.u32 = value;
  metadata_[key] = v;
}
void ModelWriter::set_f32(const std::string& key, float value) {
  check_key(key);
  MetaValue v;
  v.type = format::MetaType::kF32;
  v.f32 = value;
  metadata_[key] = v;
}
void ModelWriter::set_string(const std::string& key, const std::string& value) {
  check_key(key);
  MetaValue v;
  v.type = format::MetaType::kString;
  v.text = value;
  metadata_[key] = v;
}
void ModelWriter::set_strings(const std::string& key, const std::vector<std::string>& values) {
  check_key(key);
  MetaValue v;
  v.type = format::MetaType::kStringArray;
  v.texts = values;
  metadata_[key] = v;
}
void ModelWriter::set_u32s(const std::string& key, const std::vector<uint32_t>& values) {
  check_key(key);
  MetaValue v;
  v.type = format::MetaType::kU32Array;
  v.u32s = values;
  metadata_[key] = v;
}

void ModelWriter::remove(const std::string& key) { metadata_.erase(key); }

std::vector<uint8_t> ModelWriter::build() const {
  // (Zero tensors: a features-only file, task "features", format version 2.)
  if (tensors_.size() > format::kMaxTensorCount) throw std::invalid_argument("too many tensors");
  std::vector<uint8_t> out(format::kHeaderSize, 0);
  const size_t table_offset = out.size();
  out.resize(table_offset + tensors_.size() * format::kTensorEntrySize, 0);
  pad_to(out, 8);
  const size_t metadata_offset = out.size();
  for (const auto& kv : metadata_) put_metadata(out, kv.first, kv.second);
  const size_t metadata_size = out.size() - metadata_offset;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const TensorToWrite& t = tensors_[i];
    const size_t entry = table_offset + i * format::kTensorEntrySize;
    std::memcpy(&out[entry + format::kEntName], t.name.data(), t.name.size());
    set_u32_at(out, entry + format::kEntDType, static_cast<uint32_t>(t.dtype));
    set_u32_at(out, entry + format::kEntRank, t.rank);
    set_u32_at(out, entry + format::kEntZeroPoint,
               t.dtype == DType::kQ8Row || t.dtype == DType::kQ8Col || t.dtype == DType::kQ4Row ||
                       t.dtype == DType::kQ4RowBf16 || t.dtype == DType::kQ3RowBf16
                   ? t.zero_point
                   : 0);
    set_u64_at(out, entry + format::kEntDim0, t.rows);
    set_u64_at(out, entry + format::kEntDim1, t.cols);
    pad_to(out, format::kDataAlignment);
    set_u64_at(out, entry + format::kEntDataOffset, out.size());
    if (t.dtype == DType::kF32) {
      for (float f : t.values) put_f32(out, f);
      set_u64_at(out, entry + format::kEntDataSize, t.values.size() * 4);
    } else {
      out.insert(out.end(), t.q.begin(), t.q.end());
      set_u64_at(out, entry + format::kEntDataSize, t.q.size());
      pad_to(out, format::kDataAlignment);
      set_u64_at(out, entry + format::kEntScalesOffset, out.size());
      // q4_row_bf16, q3_row_bf16: 2 bytes a scale, in the same 64-aligned region.
      const bool bf16 = has_bf16_scales(t.dtype);
      for (float f : t.scales) bf16 ? put_bf16(out, f) : put_f32(out, f);
      for (float f : t.zero_points) put_f32(out, f);
      set_u64_at(out, entry + format::kEntScalesSize, t.scales.size() * (bf16 ? 2 : 4) + t.zero_points.size() * 4);
    }
  }
  std::memcpy(&out[format::kOffMagic], format::kMagic, 4);
  set_u32_at(out, format::kOffByteOrder, format::kByteOrderMark);
  set_u32_at(out, format::kOffVersion, format::kVersion);
  set_u32_at(out, format::kOffHeaderSize, format::kHeaderSize);
  set_u64_at(out, format::kOffFileSize, out.size());
  set_u64_at(out, format::kOffTensorTable, table_offset);
  set_u32_at(out, format::kOffTensorCount, static_cast<uint32_t>(tensors_.size()));
  set_u32_at(out, format::kOffMetadataCount, static_cast<uint32_t>(metadata_.size()));
  set_u64_at(out, format::kOffMetadataOffset, metadata_offset);
  set_u64_at(out, format::kOffMetadataSize, metadata_size);
  set_u32_at(out, format::kOffChecksum, ffnlp::crc32(out.data(), out.size()));  // checksum field is still zero here
  return out;
}

}  // namespace tools
}  // namespace ffnlp
