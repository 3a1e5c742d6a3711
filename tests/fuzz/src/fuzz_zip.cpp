// libFuzzer target: the ZIP reader (stored, deflate, ZIP64) and the NPZ
// reader over it, with a total-size cap as convert_model uses one.
// Invariants: members have unique names, none a directory; their total size
// stays within the cap (a declared size over it is refused before anything is
// decompressed); read_npz maps each member to one array or fails with
// std::runtime_error.
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "tools/common/npz.h"
#include "tools/common/zip.h"

namespace {
constexpr uint64_t kCap = uint64_t{8} << 20;  // 8 MiB: big enough for every seed
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ffnlp::tools;
  std::vector<ZipMember> members;
  try {
    members = read_zip(data, size, "fuzz.zip", kCap);
  } catch (const std::runtime_error&) {
    return 0;
  }
  std::set<std::string> names;
  uint64_t total = 0;
  for (const ZipMember& m : members) {
    check(names.insert(m.name).second);
    check(m.name.empty() || m.name.back() != '/');
    total += m.data.size();
  }
  check(total <= kCap);
  try {
    const auto arrays = read_npz(data, size, "fuzz.npz", kCap);
    check(arrays.size() == members.size());
  } catch (const std::runtime_error&) {
  }
  return 0;
}
