// Little-endian reads from unaligned bytes, on any host. The file format is
// little-endian; on little-endian hosts these compile to plain loads.
#ifndef FFNLP_BYTE_ORDER_H_
#define FFNLP_BYTE_ORDER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ffnlp {

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
constexpr bool kHostIsLittleEndian = false;
#else
constexpr bool kHostIsLittleEndian = true;
#endif

inline uint32_t byte_swap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

inline uint32_t read_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return kHostIsLittleEndian ? v : byte_swap32(v);
}

inline uint64_t read_u64(const uint8_t* p) {
  return static_cast<uint64_t>(read_u32(p)) | (static_cast<uint64_t>(read_u32(p + 4)) << 32);
}

inline float read_f32(const uint8_t* p) {
  const uint32_t bits = read_u32(p);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

inline uint16_t read_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

// A bfloat16 (the upper half of a float32's bits) as the float it is: exact.
inline float read_bf16(const uint8_t* p) {
  const uint32_t bits = static_cast<uint32_t>(read_u16(p)) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Row r's scale in a scale array of f32 (scale_bytes 4) or bfloat16 (2).
inline float read_row_scale(const uint8_t* scales, uint32_t scale_bytes, size_t r) {
  return scale_bytes == 2 ? read_bf16(scales + 2 * r) : read_f32(scales + 4 * r);
}

}  // namespace ffnlp

#endif  // FFNLP_BYTE_ORDER_H_
