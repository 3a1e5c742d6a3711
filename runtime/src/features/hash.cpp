// Hash of code point sequences for the n-gram channels (part of the model
// format; algorithm documented at hash_code_points_inline).
#include "features/text_features.h"

namespace ffnlp {

uint32_t hash_code_points(const uint32_t* code_points, uint32_t count, uint32_t seed) {
  return detail::hash_code_points_inline(code_points, count, seed);
}

}  // namespace ffnlp
