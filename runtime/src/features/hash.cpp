// Hash of code point sequences (part of the model format; ffnlp/features.h).
#include "features/hash.h"

namespace ffnlp {

uint32_t hash_code_points(const uint32_t* code_points, uint32_t count, uint32_t seed) {
  return detail::hash_code_points_inline(code_points, count, seed);
}

uint32_t hash_code_points_forward(const uint32_t* code_points, uint32_t count, uint32_t seed) {
  return detail::hash_code_points_forward_inline(code_points, count, seed);
}

}  // namespace ffnlp
