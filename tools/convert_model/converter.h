// The conversion itself, as a library: float arrays + spec -> .ffm bytes.
// convert_model's main() is a thin command line over this; tests call it directly.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ffnlp/toolkit.h"
#include "tools/common/npy.h"

namespace ffnlp {
namespace tools {

struct ConvertOptions {
  std::string spec_text;   // empty: no spec (every array becomes a tensor)
  std::string spec_name = "spec";  // for error messages
  bool float_embeddings = false;
  bool quiet = true;       // print the quantization report to stdout when false
  Rounding rounding = Rounding::kHalfUp;
  uint32_t zero_point = kDefaultZeroPoint;
};

// The default cap of read_array_files(): 1 GiB, generous for the small
// models this converter is for. convert_model --max-bytes changes it.
constexpr uint64_t kDefaultMaxInputBytes = uint64_t{1} << 30;

// Reads .npy/.npz files into named arrays (an .npy is named by its file stem).
// Only regular files are read. No input file may be larger than `max_bytes`,
// nor may the arrays of all inputs together (after decompression: NPZ
// members are checked by the sizes they declare before anything is
// decompressed). Going over stops at once with a message naming the file,
// the size and the limit, so memory stays within about twice `max_bytes`
// whatever the inputs claim.
std::map<std::string, NpyArray> read_array_files(const std::vector<std::string>& paths,
                                                 uint64_t max_bytes = kDefaultMaxInputBytes);

// Builds and validates (by loading it with the runtime) a model file. Throws
// std::runtime_error with a specific message on any problem. Warnings (arrays
// left out, float64 scales rounded, an assumed zero point) go to `warnings`,
// or to stderr as "warning: ..." lines when it is null, whatever `quiet` says.
std::vector<uint8_t> convert(const std::map<std::string, NpyArray>& arrays, const ConvertOptions& options,
                             std::vector<std::string>* warnings = nullptr);

}  // namespace tools
}  // namespace ffnlp
