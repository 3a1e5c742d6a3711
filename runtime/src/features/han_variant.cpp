// han_variant_of: lookups in the generated sorted tables.
#include "features/han_variant.h"

#include <algorithm>

namespace ffnlp {
namespace {

template <class T>
bool contains(const T* sorted, uint32_t count, uint32_t code_point) {
  const T* end = sorted + count;
  const T* it = std::lower_bound(sorted, end, static_cast<T>(code_point));
  return it != end && *it == code_point;
}

bool in_table(const uint16_t* bmp, uint32_t bmp_count, const uint32_t* rest, uint32_t rest_count,
              uint32_t code_point) {
  return code_point <= 0xFFFF ? contains(bmp, bmp_count, code_point) : contains(rest, rest_count, code_point);
}

}  // namespace

HanVariant han_variant_of(uint32_t code_point) {
  using namespace detail;
  if (in_table(kSimplifiedBmp, kSimplifiedBmpCount, kSimplifiedSupplementary, kSimplifiedSupplementaryCount,
               code_point)) {
    return HanVariant::kSimplified;
  }
  if (in_table(kTraditionalBmp, kTraditionalBmpCount, kTraditionalSupplementary, kTraditionalSupplementaryCount,
               code_point)) {
    return HanVariant::kTraditional;
  }
  return HanVariant::kShared;
}

}  // namespace ffnlp
