// ffnlp/toolkit.h: for programs that WRITE or inspect model files (the
// converter, trainers, test generators). Running a model needs only ffnlp.h.
//
//   1. format::  the on-disk constants of the .ffm file (docs/FORMAT.md):
//                header field offsets, tensor entry layout, limits. The
//                runtime's reader and every writer use these, so they cannot
//                drift apart.
//   2. crc32()   the file checksum (IEEE 802.3, as zlib and zip).
//   3. quantize_row() / dequantize(): THE row-wise 8-bit quantization formula
//                (docs/QUANTIZATION.md). The converter quantizes embedding
//                tables and, where asked, dense layers with it; the runtime's
//                lookup and dense kernels apply its inverse.
//
// Everything here is little-endian on disk, whatever the host.
#ifndef FFNLP_TOOLKIT_H_
#define FFNLP_TOOLKIT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ffnlp/ffnlp.h"

namespace ffnlp {

// ---- 1. On-disk constants ---------------------------------------------------
namespace format {

constexpr uint8_t kMagic[4] = {'F', 'F', 'N', 'M'};
constexpr uint32_t kByteOrderMark = 0x0A0B0C0Du;
constexpr uint32_t kVersion = 2;     // what writers write; the newest the runtime reads
constexpr uint32_t kMinVersion = 1;  // the oldest the runtime reads
constexpr uint32_t kHeaderSize = 64;
constexpr uint32_t kTensorEntrySize = 128;
constexpr uint32_t kTensorNameBytes = 64;
constexpr uint32_t kDataAlignment = 64;
constexpr uint32_t kMaxTensorCount = 256;
constexpr uint32_t kMaxMetadataCount = 1024;
constexpr uint32_t kMaxKeyLength = 128;

// The lexicon (lexicon.* keys; docs/FORMAT.md): its limits, and the mask of
// the label an entry holds in its low bits, 2^b - 1 for the smallest b >= 1
// with 2^b >= the label count (463 labels: 511). The loader, the converter
// and inspect_model read entries with it.
constexpr uint32_t kMaxLexiconEntries = 1u << 20;
constexpr uint32_t kMaxLexiconWords = 64;     // lexicon.max_words: 1 .. 64
constexpr float kMaxLexiconWeight = 64.0f;    // lexicon.weight: above 0, at most 64
constexpr uint32_t lexicon_label_mask(uint32_t label_count) {
  uint32_t mask = 1;
  while (mask != 0xFFFFFFFFu && static_cast<uint64_t>(mask) + 1 < label_count) mask = mask << 1 | 1;
  return mask;
}

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

// Metadata value types (ids never reused); the same enum as ffnlp::MetaType.
using MetaType = ffnlp::MetaType;

}  // namespace format

// ---- 2. Checksum ------------------------------------------------------------
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib and zip use.
// Continues `crc` (0 to start) over `size` bytes.
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

// ---- 3. Quantization --------------------------------------------------------
constexpr uint32_t kDefaultZeroPoint = 128;

enum class Rounding {
  kHalfUp,    // floor(0.5 + x): the paper's formula, our default
  kHalfEven,  // torch.quantize_per_channel's bytes: b + nearbyint(row[j] * (1.0f / scale))
              // in float32, ties to even (docs/QUANTIZATION.md)
};

// Quantizes one row of `count` finite floats with zero point b (0..255).
// Quantized values run from 1 to 255 (0 only as the zero point itself), so
// there are 255 - b steps above b for positive values and b - 1 below it for
// negative ones, and the scale is the smallest that fits both sides:
//   scale = max(max(row+) / (255 - b), max(row-) / (b - 1))
//   (0 for an all-zero row; a side without values does not count)
//   q[j]  = round(row[j] / scale + b)   (kHalfUp: in double with the
//           unrounded scale; kHalfEven: torch's float32 arithmetic, above)
// With b = 128 this is the paper's max|row| / 127, bit for bit. Every value
// then reads back within scale / 2, nothing clips. A row whose values have a
// sign the zero point has no room for (positive values with b = 255,
// negative ones with b <= 1) cannot be represented: zero_point_fits() says
// so; quantize_row() then clamps that side to b. Returns the scale. The
// caller checks finiteness (with a message naming the tensor, row and
// column); non-finite input gives an unspecified row here.
// Used for embedding rows and for the output rows of q8_row dense layers.
float quantize_row(const float* row, size_t count, uint32_t zero_point, Rounding rounding, uint8_t* q);

// False when the row holds positive values and b = 255, or negative values
// and b <= 1 (or b > 255).
bool zero_point_fits(const float* row, size_t count, uint32_t zero_point);

// The 4-bit form of quantize_row (dtype q4_row): zero point b in 0..15
// (the converter writes 8, so max|row| / 7 with b = 8), values 1..15, the
// same scale rule and roundings with 15 in place of 255. Writes one value
// per byte of q (unpacked; pack_q4 packs them). Returns the scale.
float quantize_row_q4(const float* row, size_t count, uint32_t zero_point, Rounding rounding, uint8_t* q);

constexpr uint32_t kDefaultZeroPointQ4 = 8;

// bfloat16: the upper 16 bits of an IEEE float32 (sign, 8-bit exponent,
// 7 mantissa bits), the scale type of q4_row_bf16 tables (dtype 6). Reading
// one back is exact: the 16 bits shifted up.
inline float float_from_bf16(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// The smallest bfloat16 >= x, for finite x >= 0 (a scale): a row quantized
// with it never needs more than its steps, so nothing clips. Exact when x
// already is a bfloat16.
inline uint16_t bf16_at_least(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  const uint32_t high = bits >> 16;
  return static_cast<uint16_t>((bits & 0xFFFFu) != 0 ? high + 1 : high);
}

// quantize_row_q4 with the scale stored as a bfloat16 (dtype q4_row_bf16):
// the scale quantize_row_q4 would choose, rounded up to a bfloat16 (at most
// 0.8 % larger), then the values quantized with that scale by the same
// rounding. Writes the scale's 16 bits to *scale_bf16 and returns it as a
// float. Infinite only if the float scale was already near FLT_MAX.
float quantize_row_q4_bf16(const float* row, size_t count, uint32_t zero_point, Rounding rounding, uint8_t* q,
                           uint16_t* scale_bf16);

// The 3-bit form (dtype q3_row_bf16), quantize_row_q4_bf16 with 7 in place
// of 15: zero point b in 0..7 (the converter writes 4, so max|row| / 3),
// values 1..7, the scale of quantize_row's rule rounded up to a bfloat16,
// then the values quantized with that scale by the same rounding. Writes one
// value per byte of q (unpacked; pack_q3 packs them) and the scale's 16 bits
// to *scale_bf16; returns the scale as a float.
float quantize_row_q3_bf16(const float* row, size_t count, uint32_t zero_point, Rounding rounding, uint8_t* q,
                           uint16_t* scale_bf16);

constexpr uint32_t kDefaultZeroPointQ3 = 4;

// Bytes one q4_row row of `cols` values takes: rows start on whole bytes.
inline size_t q4_row_bytes(size_t cols) { return (cols + 1) / 2; }

// Packs `count` 4-bit values (each 0..15) two per byte, the even index in
// the low nibble; an odd count leaves the last high nibble 0.
inline void pack_q4(const uint8_t* values, size_t count, uint8_t* packed) {
  for (size_t j = 0; j < count; j += 2) {
    const uint8_t high = j + 1 < count ? static_cast<uint8_t>(values[j + 1] << 4) : 0;
    packed[j / 2] = static_cast<uint8_t>((values[j] & 0x0F) | high);
  }
}

// Value j (0..15) of a packed q4_row row.
inline uint8_t q4_at(const uint8_t* packed, size_t j) {
  return static_cast<uint8_t>((j % 2 == 0 ? packed[j / 2] : packed[j / 2] >> 4) & 0x0F);
}

// Bytes one q3_row_bf16 row of `cols` values takes: 3 bits a value, rows
// start on whole bytes (16 values: 6 bytes).
inline size_t q3_row_bytes(size_t cols) { return (cols * 3 + 7) / 8; }

// Packs `count` 3-bit values (each 0..7) as a little-endian bit stream:
// value j in bits 3j .. 3j+2, bit k the bit k % 8 of byte k / 8. The bits
// after the last value, up to the end of its byte, are 0.
inline void pack_q3(const uint8_t* values, size_t count, uint8_t* packed) {
  for (size_t i = 0; i < q3_row_bytes(count); ++i) packed[i] = 0;
  for (size_t j = 0; j < count; ++j) {
    const size_t bit = 3 * j;
    const uint32_t v = static_cast<uint32_t>(values[j] & 7u) << (bit % 8);
    packed[bit / 8] = static_cast<uint8_t>(packed[bit / 8] | v);
    if (bit % 8 > 5) packed[bit / 8 + 1] = static_cast<uint8_t>(packed[bit / 8 + 1] | (v >> 8));
  }
}

// Value j (0..7) of a packed q3_row_bf16 row. Reads byte j*3/8 + 1 only when
// the value reaches into it.
inline uint8_t q3_at(const uint8_t* packed, size_t j) {
  const size_t bit = 3 * j;
  uint32_t v = packed[bit / 8] >> (bit % 8);
  if (bit % 8 > 5) v |= static_cast<uint32_t>(packed[bit / 8 + 1]) << (8 - bit % 8);
  return static_cast<uint8_t>(v & 7u);
}

// Bytes one row of `cols` values takes in a tensor of dtype d: 4 a value
// (f32), 1 (the 8-bit kinds; q8_col's rows are its inputs), or packed
// (q4_row, q4_row_bf16, q3_row_bf16).
inline size_t tensor_row_bytes(DType d, size_t cols) {
  switch (d) {
    case DType::kQ4Row:
    case DType::kQ4RowBf16: return q4_row_bytes(cols);
    case DType::kQ3RowBf16: return q3_row_bytes(cols);
    case DType::kF32: return 4 * cols;
    case DType::kQ8Row:
    case DType::kQ8RowFzp:
    case DType::kQ8Col: break;
  }
  return cols;
}

// Value c of one row of a quantized tensor of dtype d, as stored (before
// the zero point): a byte, or a packed 4- or 3-bit value.
inline uint8_t stored_value(DType d, const uint8_t* row, size_t c) {
  switch (d) {
    case DType::kQ4Row:
    case DType::kQ4RowBf16: return q4_at(row, c);
    case DType::kQ3RowBf16: return q3_at(row, c);
    case DType::kF32:
    case DType::kQ8Row:
    case DType::kQ8RowFzp:
    case DType::kQ8Col: break;
  }
  return row[c];
}

// (q - zero_point) * scale: the q8_row inverse, as the kernels compute it.
inline float dequantize(uint8_t q, float scale, uint32_t zero_point) {
  return static_cast<float>(static_cast<int32_t>(q) - static_cast<int32_t>(zero_point)) * scale;
}

// (float(q) - zero_point) * scale in float32: the q8_row_fzp inverse (dtype
// 3, PyTorch's per_channel_affine_float_qparams), as torch's dequantize()
// computes it.
inline float dequantize_fzp(uint8_t q, float scale, float zero_point) {
  return (static_cast<float>(q) - zero_point) * scale;
}

}  // namespace ffnlp

#endif  // FFNLP_TOOLKIT_H_
