// Simplified-only, Traditional-only or shared: the Chinese variant a Han
// code point shows (generated table: han_variant_table.cpp, from Unihan by
// tools/text_tables/gen_han_variant_table.py, whose docstring gives the
// policy). Part of the model format: the rows of the `han_variant` kind.
#ifndef FFNLP_FEATURES_HAN_VARIANT_H_
#define FFNLP_FEATURES_HAN_VARIANT_H_

#include <cstdint>

#include "ffnlp/features.h"

namespace ffnlp {

// Values are the han_variant kind's rows.
enum class HanVariant : uint32_t {
  kShared = 0,       // the same in both, or no variant data (also every non-Han code point)
  kSimplified = 1,   // a Simplified form not in Traditional use (国, 们, 这)
  kTraditional = 2,  // a Traditional form not in Simplified use (國, 們, 這)
};
static_assert(static_cast<uint32_t>(HanVariant::kTraditional) + 1 == kHanVariantRows, "one row per variant");

// One lookup in the generated two-bit table; no state.
HanVariant han_variant_of(uint32_t code_point);

namespace detail {
extern const uint32_t kSimplifiedCount, kTraditionalCount;  // code points of each kind
// Two bits per code point from First to Last (the row: 0, 1 or 2).
extern const uint32_t kHanVariantBmpFirst, kHanVariantBmpLast;
extern const uint32_t kHanVariantSupplementaryFirst, kHanVariantSupplementaryLast;
extern const uint8_t kHanVariantBmpBits[], kHanVariantSupplementaryBits[];
}  // namespace detail

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_HAN_VARIANT_H_
