// NumPy .npz (zip of .npy members) reading and writing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/common/npy.h"

namespace ffnlp {
namespace tools {

// Parses an .npz archive held in memory. Keys are the member names with a
// trailing ".npy" removed, as numpy.load does ("emb.npy" -> "emb"); members
// not ending in ".npy" keep their full name. Every member must be a valid
// .npy file (errors name the member, e.g. "model.npz: emb.npy: ...").
// Two members mapping to the same key is an error.
// `max_total` caps the members' total uncompressed size (see read_zip).
std::map<std::string, NpyArray> read_npz(const uint8_t* data, size_t size,
                                         const std::string& what, uint64_t max_total = UINT64_MAX);
std::map<std::string, NpyArray> read_npz(const std::vector<uint8_t>& bytes,
                                         const std::string& what, uint64_t max_total = UINT64_MAX);

// Serializes arrays as an uncompressed .npz (like np.savez): member
// "<key>.npy" for each key, in key order. Throws std::invalid_argument on an
// empty key or an invalid array (see write_npy).
std::vector<uint8_t> write_npz(const std::map<std::string, NpyArray>& arrays);

}  // namespace tools
}  // namespace ffnlp
