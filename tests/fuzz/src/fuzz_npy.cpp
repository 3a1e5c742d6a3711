// libFuzzer target: the .npy reader alone (tools/common/npy.h).
// Invariants on every array it accepts: a supported dtype, data size =
// element count x item size, C order, an identical array after writing and
// re-reading; to_float32 gives one float per element or a runtime_error;
// to_uint8 gives the raw bytes of a |u1 array or a runtime_error. Anything
// else escaping (another exception type, a crash, a leak, UB) is a finding.
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "fuzz_check.h"
#include "tools/common/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ffnlp::tools;
  NpyArray a;
  try {
    a = parse_npy(data, size, "fuzz.npy");
  } catch (const std::runtime_error&) {
    return 0;
  }
  const size_t item = npy_dtype_size(a.dtype);
  check(item != 0);
  check(a.raw.size() == a.num_elements() * item);
  check(!a.fortran_order);
  const std::vector<uint8_t> again = write_npy(a);
  const NpyArray b = parse_npy(again, "again.npy");
  check(b.shape == a.shape && b.dtype == a.dtype && b.raw == a.raw);
  try {
    const std::vector<float> f = to_float32(a, "fuzz.npy");
    check(f.size() == a.num_elements());
  } catch (const std::runtime_error&) {
  }
  try {
    const std::vector<uint8_t> u = to_uint8(a, "fuzz.npy");
    check(a.dtype == "|u1" && u == a.raw);
  } catch (const std::runtime_error&) {
    check(a.dtype != "|u1");
  }
  return 0;
}
