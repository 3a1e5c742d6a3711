// On-disk constants of the .ffm format (docs/FORMAT.md). Shared by the
// runtime's reader and the tools' writer so the two cannot drift apart.
#ifndef FFNLP_FORMAT_H_
#define FFNLP_FORMAT_H_

#include <cstdint>

namespace ffnlp {
namespace format {

constexpr uint8_t kMagic[4] = {'F', 'F', 'N', 'M'};
constexpr uint32_t kByteOrderMark = 0x0A0B0C0Du;
constexpr uint32_t kVersion = 1;
constexpr uint32_t kHeaderSize = 64;
constexpr uint32_t kTensorEntrySize = 128;
constexpr uint32_t kTensorNameBytes = 64;
constexpr uint32_t kDataAlignment = 64;
constexpr uint32_t kMaxTensorCount = 256;
constexpr uint32_t kMaxMetadataCount = 1024;
constexpr uint32_t kMaxKeyLength = 128;

// Header field offsets.
constexpr uint32_t kOffMagic = 0;
constexpr uint32_t kOffByteOrder = 4;
constexpr uint32_t kOffVersion = 8;
constexpr uint32_t kOffHeaderSize = 12;
constexpr uint32_t kOffFileSize = 16;
constexpr uint32_t kOffTensorTable = 24;
constexpr uint32_t kOffTensorCount = 32;
constexpr uint32_t kOffMetadataCount = 36;
constexpr uint32_t kOffMetadataOffset = 40;
constexpr uint32_t kOffMetadataSize = 48;
constexpr uint32_t kOffFlags = 56;
constexpr uint32_t kOffChecksum = 60;

// Tensor entry field offsets.
constexpr uint32_t kEntName = 0;
constexpr uint32_t kEntDType = 64;
constexpr uint32_t kEntRank = 68;
constexpr uint32_t kEntZeroPoint = 72;
constexpr uint32_t kEntReserved = 76;
constexpr uint32_t kEntDim0 = 80;
constexpr uint32_t kEntDim1 = 88;
constexpr uint32_t kEntDataOffset = 96;
constexpr uint32_t kEntDataSize = 104;
constexpr uint32_t kEntScalesOffset = 112;
constexpr uint32_t kEntScalesSize = 120;

// Metadata value types. Ids are never reused.
enum class MetaType : uint32_t { kU32 = 1, kF32 = 2, kString = 3, kStringArray = 4, kU32Array = 5 };

}  // namespace format
}  // namespace ffnlp

#endif  // FFNLP_FORMAT_H_
