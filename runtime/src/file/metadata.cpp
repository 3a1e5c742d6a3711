#include "file/metadata.h"

#include <cstring>

#include "file/byte_order.h"
#include "api/error.h"
#include "features/utf8.h"

namespace ffnlp {
namespace {

using format::MetaType;

uint64_t pad4(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

bool is_key_char(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// Parses one entry at `pos`; on success sets *entry and *next (padded end).
// With deep == false (a section validated before) per-string checks are skipped.
Status parse_entry(const uint8_t* s, uint64_t size, uint64_t pos, uint32_t index, MetaEntry* entry,
                   uint64_t* next, Error* error, bool deep = true) {
  const uint64_t left = size - pos;
  if (left < 4) return fail(error, Status::kBadMetadata, "metadata entry %u: truncated key length", index);
  const uint32_t key_length = read_u32(s + pos);
  if (key_length == 0 || key_length > format::kMaxKeyLength) {
    return fail(error, Status::kBadMetadata, "metadata entry %u: key length %u outside 1..%u", index,
                key_length, format::kMaxKeyLength);
  }
  uint64_t p = pos + 4;
  if (size - p < key_length) return fail(error, Status::kBadMetadata, "metadata entry %u: key runs past the section", index);
  for (uint32_t i = 0; i < key_length; ++i) {
    if (!is_key_char(s[p + i])) {
      return fail(error, Status::kBadMetadata, "metadata entry %u: key has a byte 0x%02x outside [a-z0-9_.]",
                  index, s[p + i]);
    }
  }
  entry->key = reinterpret_cast<const char*>(s + p);
  entry->key_length = key_length;
  const uint64_t key_end = p + key_length;
  p = pad4(key_end);
  if (p > size || size - p < 4) {
    return fail(error, Status::kBadMetadata, "metadata '%.*s': truncated type", static_cast<int>(key_length), entry->key);
  }
  for (uint64_t i = key_end; i < p; ++i) {
    if (s[i] != 0) return fail(error, Status::kBadMetadata, "metadata '%.*s': non-zero padding", static_cast<int>(key_length), entry->key);
  }
  const uint32_t type = read_u32(s + p);
  p += 4;
  entry->value = s + p;
  const uint64_t avail = size - p;
  const int kl = static_cast<int>(key_length);
  uint64_t value_size = 0;
  switch (static_cast<MetaType>(type)) {
    case MetaType::kU32:
      value_size = 4;
      if (avail < 4) return fail(error, Status::kBadMetadata, "metadata '%.*s': truncated value", kl, entry->key);
      break;
    case MetaType::kF32: {
      value_size = 4;
      if (avail < 4) return fail(error, Status::kBadMetadata, "metadata '%.*s': truncated value", kl, entry->key);
      const float f = read_f32(s + p);
      if (!(f - f == 0.0f)) return fail(error, Status::kNonFinite, "metadata '%.*s': value is not finite", kl, entry->key);
      break;
    }
    case MetaType::kString: {
      if (avail < 4) return fail(error, Status::kBadMetadata, "metadata '%.*s': truncated string length", kl, entry->key);
      const uint32_t n = read_u32(s + p);
      if (avail - 4 < static_cast<uint64_t>(n) + 1) {
        return fail(error, Status::kBadMetadata, "metadata '%.*s': string of %u bytes runs past the section", kl, entry->key, n);
      }
      if (s[p + 4 + n] != 0) return fail(error, Status::kBadMetadata, "metadata '%.*s': string is not NUL-terminated", kl, entry->key);
      if (deep && !is_valid_utf8(s + p + 4, n)) return fail(error, Status::kBadMetadata, "metadata '%.*s': string is not valid UTF-8 (or holds NUL)", kl, entry->key);
      value_size = 4 + static_cast<uint64_t>(n) + 1;
      break;
    }
    case MetaType::kStringArray: {
      if (avail < 8) return fail(error, Status::kBadMetadata, "metadata '%.*s': truncated string array", kl, entry->key);
      const uint64_t count = read_u32(s + p);
      const uint64_t blob_size = read_u32(s + p + 4);
      const uint64_t offsets_bytes = (count + 1) * 4;  // count < 2^32: no overflow in 64 bits
      if (avail - 8 < offsets_bytes || avail - 8 - offsets_bytes < blob_size) {
        return fail(error, Status::kBadMetadata, "metadata '%.*s': string array of %llu strings (%llu bytes) runs past the section",
                    kl, entry->key, static_cast<unsigned long long>(count), static_cast<unsigned long long>(blob_size));
      }
      const uint8_t* offsets = s + p + 8;
      const uint8_t* blob = offsets + offsets_bytes;
      if (read_u32(offsets) != 0 || read_u32(offsets + count * 4) != blob_size) {
        return fail(error, Status::kBadMetadata, "metadata '%.*s': string array offsets must start at 0 and end at the blob size", kl, entry->key);
      }
      for (uint64_t i = 0; deep && i < count; ++i) {
        const uint32_t a = read_u32(offsets + i * 4), b = read_u32(offsets + i * 4 + 4);
        if (b <= a || b > blob_size) {
          return fail(error, Status::kBadMetadata, "metadata '%.*s': string %llu has bad offsets %u..%u", kl, entry->key,
                      static_cast<unsigned long long>(i), a, b);
        }
        if (blob[b - 1] != 0 || !is_valid_utf8(blob + a, b - 1 - a)) {
          return fail(error, Status::kBadMetadata, "metadata '%.*s': string %llu is not NUL-terminated valid UTF-8", kl,
                      entry->key, static_cast<unsigned long long>(i));
        }
      }
      value_size = 8 + offsets_bytes + blob_size;
      break;
    }
    case MetaType::kU32Array: {
      if (avail < 4) return fail(error, Status::kBadMetadata, "metadata '%.*s': truncated array", kl, entry->key);
      const uint64_t count = read_u32(s + p);
      if ((avail - 4) / 4 < count) return fail(error, Status::kBadMetadata, "metadata '%.*s': array runs past the section", kl, entry->key);
      value_size = 4 + count * 4;
      break;
    }
    default:
      return fail(error, Status::kBadMetadata, "metadata '%.*s': unknown value type %u", kl, entry->key, type);
  }
  entry->type = static_cast<MetaType>(type);
  entry->value_size = static_cast<uint32_t>(value_size);
  const uint64_t end = p + value_size;
  const uint64_t padded = pad4(end);
  if (padded > size) return fail(error, Status::kBadMetadata, "metadata '%.*s': padding runs past the section", kl, entry->key);
  for (uint64_t i = end; i < padded; ++i) {
    if (s[i] != 0) return fail(error, Status::kBadMetadata, "metadata '%.*s': non-zero padding", kl, entry->key);
  }
  *next = padded;
  return Status::kOk;
}

}  // namespace

const char* StringArrayView::at(uint32_t i) const { return blob + read_u32(offsets + 4 * static_cast<size_t>(i)); }

Status validate_metadata(const uint8_t* section, uint64_t size, uint32_t count, Error* error) {
  if (count > format::kMaxMetadataCount) {
    return fail(error, Status::kBadHeader, "metadata count %u exceeds %u", count, format::kMaxMetadataCount);
  }
  // Key positions, so duplicates are found without re-parsing earlier entries.
  const char* keys[format::kMaxMetadataCount];
  uint32_t key_lengths[format::kMaxMetadataCount];
  uint64_t pos = 0;
  for (uint32_t i = 0; i < count; ++i) {
    MetaEntry entry;
    uint64_t next = 0;
    const Status status = parse_entry(section, size, pos, i, &entry, &next, error);
    if (status != Status::kOk) return status;
    for (uint32_t j = 0; j < i; ++j) {
      if (key_lengths[j] == entry.key_length && std::memcmp(keys[j], entry.key, entry.key_length) == 0) {
        return fail(error, Status::kBadMetadata, "metadata key '%.*s' appears twice", static_cast<int>(entry.key_length), entry.key);
      }
    }
    keys[i] = entry.key;
    key_lengths[i] = entry.key_length;
    pos = next;
  }
  if (pos != size) {
    return fail(error, Status::kBadMetadata, "metadata entries end at byte %llu of a %llu-byte section",
                static_cast<unsigned long long>(pos), static_cast<unsigned long long>(size));
  }
  return Status::kOk;
}

bool find_metadata(const uint8_t* section, uint64_t size, uint32_t count, const char* key, MetaEntry* entry) {
  const size_t key_length = std::strlen(key);
  uint64_t pos = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t next = 0;
    if (parse_entry(section, size, pos, i, entry, &next, nullptr, false) != Status::kOk) return false;
    if (entry->key_length == key_length && std::memcmp(entry->key, key, key_length) == 0) return true;
    pos = next;
  }
  return false;
}

bool metadata_entry_at(const uint8_t* section, uint64_t size, uint32_t count, uint32_t index, MetaEntry* entry) {
  uint64_t pos = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t next = 0;
    if (parse_entry(section, size, pos, i, entry, &next, nullptr, false) != Status::kOk) return false;
    if (i == index) return true;
    pos = next;
  }
  return false;
}

uint32_t meta_u32(const MetaEntry& entry) { return read_u32(entry.value); }
float meta_f32(const MetaEntry& entry) { return read_f32(entry.value); }
const char* meta_string(const MetaEntry& entry) { return reinterpret_cast<const char*>(entry.value + 4); }

StringArrayView meta_string_array(const MetaEntry& entry) {
  StringArrayView view;
  view.count = read_u32(entry.value);
  view.offsets = entry.value + 8;
  view.blob = reinterpret_cast<const char*>(view.offsets + (static_cast<size_t>(view.count) + 1) * 4);
  return view;
}

}  // namespace ffnlp
