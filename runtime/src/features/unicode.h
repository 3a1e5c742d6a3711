// Character tables as the feature code reads them: class, script and
// lowercase mapping of every code point (generated: unicode_tables.cpp from
// tools/text_tables/gen_text_tables.py, Unicode 14.0.0). Part of the model
// format: features version 1.
#ifndef FFNLP_FEATURES_UNICODE_H_
#define FFNLP_FEATURES_UNICODE_H_

#include <cstdint>

#include "ffnlp/features.h"

namespace ffnlp {
namespace detail {

// One uint16 per code point below kCharTableLimit, two-level lookup:
//   entry = kCharBlocks[(kCharBlockIndex[cp >> kCharBlockBits] << kCharBlockBits)
//                       | (cp & (2^kCharBlockBits - 1))]
//   bits 0-1: CharClass, bits 2-7: Script, bits 8-15: index into kLowerDelta
//   (lowercase = cp + kLowerDelta[index]).
// Block 0 (ASCII and the rest of U+0000-007F) is stored at offset 0, so
// kCharBlocks[b] is the entry of ASCII byte b.
constexpr uint32_t kCharTableLimit = 0x40000;
constexpr uint32_t kCharBlockBits = 7;
extern const int32_t kLowerDelta[256];
extern const uint16_t kCharBlockIndex[kCharTableLimit >> kCharBlockBits];
extern const uint16_t kCharBlocks[];

constexpr uint32_t kInfoClassMask = 3;
constexpr uint32_t kInfoScriptShift = 2;
constexpr uint32_t kInfoScriptMask = 63;
constexpr uint32_t kInfoLowerShift = 8;
// Entries for code points >= kCharTableLimit (checked by the generator):
// variation selectors supplement E0100-E01EF are combining marks (letter,
// Common); everything else there (unassigned, tags, private use) separates.
constexpr uint32_t kInfoLetterCommon = static_cast<uint32_t>(CharClass::kLetter);
constexpr uint32_t kInfoSeparator = static_cast<uint32_t>(CharClass::kSeparator);

inline uint32_t char_info(uint32_t cp) {
  if (cp < kCharTableLimit) {
    const uint32_t block = kCharBlockIndex[cp >> kCharBlockBits];
    return kCharBlocks[(block << kCharBlockBits) | (cp & ((1u << kCharBlockBits) - 1))];
  }
  return cp - 0xE0100u < 0xF0u ? kInfoLetterCommon : kInfoSeparator;
}

inline uint32_t class_from_info(uint32_t info) { return info & kInfoClassMask; }
inline uint32_t script_from_info(uint32_t info) { return (info >> kInfoScriptShift) & kInfoScriptMask; }
inline uint32_t lower_from_info(uint32_t cp, uint32_t info) {
  return static_cast<uint32_t>(static_cast<int32_t>(cp) + kLowerDelta[info >> kInfoLowerShift]);
}

}  // namespace detail
}  // namespace ffnlp

#endif  // FFNLP_FEATURES_UNICODE_H_
