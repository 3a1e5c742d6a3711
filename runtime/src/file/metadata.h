// Reading the typed key/value metadata section (docs/FORMAT.md §3).
// validate_metadata() checks the whole section once at load; after that,
// find_metadata() walks it without re-checking.
#ifndef FFNLP_METADATA_H_
#define FFNLP_METADATA_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/ffnlp.h"
#include "ffnlp/toolkit.h"

namespace ffnlp {

struct MetaEntry {
  const char* key = nullptr;  // not NUL-terminated
  uint32_t key_length = 0;
  format::MetaType type = format::MetaType::kU32;
  const uint8_t* value = nullptr;  // start of the value encoding
  uint32_t value_size = 0;         // bytes of the value, without padding
};

// A validated string array: `count` NUL-terminated strings inside the file.
struct StringArrayView {
  uint32_t count = 0;
  const uint8_t* offsets = nullptr;  // count + 1 little-endian u32
  const char* blob = nullptr;
  const char* at(uint32_t i) const;
};

// Checks `count` entries filling exactly [section, section + size).
Status validate_metadata(const uint8_t* section, uint64_t size, uint32_t count, Error* error);

// For a validated section: the entry with this key, or false.
bool find_metadata(const uint8_t* section, uint64_t size, uint32_t count, const char* key,
                   MetaEntry* entry);

// For a validated section: entry number `index` (file order), or false.
bool metadata_entry_at(const uint8_t* section, uint64_t size, uint32_t count, uint32_t index, MetaEntry* entry);

// Typed accessors of a validated entry.
uint32_t meta_u32(const MetaEntry& entry);
float meta_f32(const MetaEntry& entry);
const char* meta_string(const MetaEntry& entry);  // NUL-terminated
StringArrayView meta_string_array(const MetaEntry& entry);


}  // namespace ffnlp

#endif  // FFNLP_METADATA_H_
