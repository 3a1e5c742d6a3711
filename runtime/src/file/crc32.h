// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib and zip use.
#ifndef FFNLP_CRC32_H_
#define FFNLP_CRC32_H_

#include <cstddef>
#include <cstdint>

namespace ffnlp {

// Continues `crc` (0 to start) over `size` bytes.
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace ffnlp

#endif  // FFNLP_CRC32_H_
