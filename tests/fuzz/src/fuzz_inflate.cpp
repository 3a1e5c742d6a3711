// libFuzzer target: the raw DEFLATE decoder (tools/common/inflate.h).
// Input: 3 bytes of expected output size (little-endian, at most 16 MiB),
// then the stream. Invariants: a success gives exactly that many bytes; the
// same stream then fails for one byte less and for one byte more (the size
// must be exact both ways); every failure is std::runtime_error.
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "fuzz_check.h"
#include "tools/common/inflate.h"

namespace {

bool decodes(const uint8_t* data, size_t size, size_t expected, std::vector<uint8_t>* out) {
  try {
    *out = ffnlp::tools::inflate_raw(data, size, expected, "fuzz");
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const size_t expected = static_cast<size_t>(data[0]) | (static_cast<size_t>(data[1]) << 8) |
                          (static_cast<size_t>(data[2] & 0xFF) << 16);
  data += 3;
  size -= 3;
  std::vector<uint8_t> out, other;
  if (!decodes(data, size, expected, &out)) return 0;
  check(out.size() == expected);
  if (expected > 0) check(!decodes(data, size, expected - 1, &other));
  check(!decodes(data, size, expected + 1, &other));
  return 0;
}
