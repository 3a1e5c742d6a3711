// Read-only views: tensor elements, metadata entries and lookups. Nothing
// here re-validates: the loader checked every byte these read.
#include <cstring>

#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"
#include "file/byte_order.h"
#include "file/metadata.h"

namespace ffnlp {

float TensorView::at(uint64_t r, uint64_t c) const {
  const uint64_t i = r * cols + c;
  switch (dtype) {
    case DType::kQ8Row:
      return static_cast<float>(static_cast<int32_t>(data[i]) - static_cast<int32_t>(zero_point)) * row_scale(r);
    case DType::kQ8RowFzp:
      return (static_cast<float>(data[i]) - row_zero_point(r)) * row_scale(r);
    case DType::kQ8Col:
      return static_cast<float>(static_cast<int32_t>(data[i]) - static_cast<int32_t>(zero_point)) * col_scale(c);
    case DType::kQ4Row:
    case DType::kQ4RowBf16:
    case DType::kQ3RowBf16:
      return static_cast<float>(static_cast<int32_t>(stored_value(dtype, data + r * tensor_row_bytes(dtype, cols), c)) -
                                static_cast<int32_t>(zero_point)) *
             row_scale(r);
    case DType::kF32:
      break;
  }
  return read_f32(data + 4 * i);
}

float TensorView::row_scale(uint64_t r) const {
  if (scales == nullptr || dtype == DType::kQ8Col) return 1.0f;
  return read_row_scale(scales, dtype == DType::kQ4RowBf16 || dtype == DType::kQ3RowBf16 ? 2 : 4, r);
}

float TensorView::col_scale(uint64_t c) const {
  return scales != nullptr && dtype == DType::kQ8Col ? read_f32(scales + 4 * c) : 1.0f;
}

float TensorView::row_zero_point(uint64_t r) const {
  if (zero_points != nullptr) return read_f32(zero_points + 4 * r);
  return dtype == DType::kQ8Row || dtype == DType::kQ8Col || dtype == DType::kQ4Row || dtype == DType::kQ4RowBf16 ||
                 dtype == DType::kQ3RowBf16
             ? static_cast<float>(zero_point)
             : 0.0f;
}

uint32_t MetadataItem::u32(uint32_t i) const {
  if (value == nullptr) return 0;
  if (type == MetaType::kU32) return i == 0 ? read_u32(value) : 0;
  return type == MetaType::kU32Array && i < count ? read_u32(value + 4 + 4 * static_cast<size_t>(i)) : 0;
}

float MetadataItem::f32() const { return value != nullptr && type == MetaType::kF32 ? read_f32(value) : 0.0f; }

const char* MetadataItem::string(uint32_t i) const {
  if (value == nullptr) return "";
  if (type == MetaType::kString) return i == 0 ? reinterpret_cast<const char*>(value + 4) : "";
  if (type != MetaType::kStringArray || i >= count) return "";
  const uint8_t* offsets = value + 8;
  const char* blob = reinterpret_cast<const char*>(offsets + (static_cast<size_t>(count) + 1) * 4);
  return blob + read_u32(offsets + 4 * static_cast<size_t>(i));
}

const TensorView* Model::find_tensor(const char* name) const {
  if (name == nullptr) return nullptr;
  for (uint32_t i = 0; i < tensor_count_; ++i) {
    if (tensors_[i].name != nullptr && std::strcmp(tensors_[i].name, name) == 0) return &tensors_[i];
  }
  return nullptr;
}

bool Model::metadata_u32(const char* key, uint32_t* value) const {
  MetaEntry e;
  if (key == nullptr || !find_metadata(metadata_, metadata_size_, metadata_count_, key, &e) || e.type != MetaType::kU32) return false;
  *value = meta_u32(e);
  return true;
}

bool Model::metadata_f32(const char* key, float* value) const {
  MetaEntry e;
  if (key == nullptr || !find_metadata(metadata_, metadata_size_, metadata_count_, key, &e) || e.type != MetaType::kF32) return false;
  *value = meta_f32(e);
  return true;
}

bool Model::metadata_string(const char* key, const char** value) const {
  MetaEntry e;
  if (key == nullptr || !find_metadata(metadata_, metadata_size_, metadata_count_, key, &e) || e.type != MetaType::kString) return false;
  *value = meta_string(e);
  return true;
}

bool Model::metadata_item(uint32_t i, MetadataItem* item) const {
  MetaEntry e;
  if (item == nullptr || i >= metadata_count_ || !metadata_entry_at(metadata_, metadata_size_, metadata_count_, i, &e)) return false;
  *item = MetadataItem();
  item->key = e.key;
  item->key_length = e.key_length;
  item->type = e.type;
  item->value = e.value;
  item->count = (e.type == MetaType::kStringArray || e.type == MetaType::kU32Array) ? read_u32(e.value) : 1;
  return true;
}

}  // namespace ffnlp
