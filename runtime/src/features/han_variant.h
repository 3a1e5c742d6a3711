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

// Binary search in the sorted tables; O(log n), no state.
HanVariant han_variant_of(uint32_t code_point);

namespace detail {
extern const uint32_t kSimplifiedBmpCount, kSimplifiedSupplementaryCount;
extern const uint32_t kTraditionalBmpCount, kTraditionalSupplementaryCount;
extern const uint16_t kSimplifiedBmp[], kTraditionalBmp[];
extern const uint32_t kSimplifiedSupplementary[], kTraditionalSupplementary[];
}  // namespace detail

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_HAN_VARIANT_H_
