// A float's bit pattern and back: tests compare results bit for bit and
// pin them as hex constants.
#pragma once

#include <cstdint>
#include <cstring>

namespace ffnlp {
namespace testing {

inline uint32_t float_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

inline float float_from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

}  // namespace testing
}  // namespace ffnlp
