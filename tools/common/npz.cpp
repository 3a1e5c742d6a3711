#include "tools/common/npz.h"

#include <stdexcept>
#include <utility>

#include "tools/common/zip.h"

namespace ffnlp {
namespace tools {

std::map<std::string, NpyArray> read_npz(const std::vector<uint8_t>& bytes,
                                         const std::string& what, uint64_t max_total) {
  return read_npz(bytes.data(), bytes.size(), what, max_total);
}

std::map<std::string, NpyArray> read_npz(const uint8_t* data, size_t size,
                                         const std::string& what, uint64_t max_total) {
  std::vector<ZipMember> members = read_zip(data, size, what, max_total);
  std::map<std::string, NpyArray> out;
  for (ZipMember& m : members) {
    std::string key = m.name;
    const std::string ext = ".npy";
    if (key.size() > ext.size() && key.compare(key.size() - ext.size(), ext.size(), ext) == 0)
      key.resize(key.size() - ext.size());
    if (out.count(key))
      throw std::runtime_error(what + ": duplicate array name '" + key + "'");
    NpyArray arr = parse_npy(m.data.data(), m.data.size(), what + ": " + m.name);
    std::vector<uint8_t>().swap(m.data);  // free memory early
    out.emplace(std::move(key), std::move(arr));
  }
  return out;
}

std::vector<uint8_t> write_npz(const std::map<std::string, NpyArray>& arrays) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> members;
  members.reserve(arrays.size());
  for (const auto& kv : arrays) {
    if (kv.first.empty()) throw std::invalid_argument("write_npz: empty array name");
    members.emplace_back(kv.first + ".npy", write_npy(kv.second));
  }
  return write_zip_stored(members);
}

}  // namespace tools
}  // namespace ffnlp
