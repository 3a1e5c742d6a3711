// han_variant_of: one lookup in the generated two-bit table.
#include "features/han_variant.h"

namespace ffnlp {
namespace {

uint32_t two_bits(const uint8_t* bits, uint32_t first, uint32_t last, uint32_t code_point) {
  if (code_point < first || code_point > last) return 0;
  const uint32_t i = (code_point - first) * 2;
  return (bits[i >> 3] >> (i & 7)) & 3u;
}

}  // namespace

HanVariant han_variant_of(uint32_t code_point) {
  using namespace detail;
  const uint32_t row = code_point <= 0xFFFF
                           ? two_bits(kHanVariantBmpBits, kHanVariantBmpFirst, kHanVariantBmpLast, code_point)
                           : two_bits(kHanVariantSupplementaryBits, kHanVariantSupplementaryFirst,
                                      kHanVariantSupplementaryLast, code_point);
  // The generator never writes 3 (a code point is not both); read it as shared all the same.
  return row == 1 ? HanVariant::kSimplified : row == 2 ? HanVariant::kTraditional : HanVariant::kShared;
}

}  // namespace ffnlp
