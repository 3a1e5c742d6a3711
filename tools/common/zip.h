// Minimal ZIP archive reading (stored and deflate members, ZIP64) and
// writing (stored members only), enough for NumPy .npz files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ffnlp {
namespace tools {

struct ZipMember {
  std::string name;           // name as stored in the archive
  std::vector<uint8_t> data;  // uncompressed, CRC-verified contents
};

// Reads every file member of a ZIP archive held in memory, in central
// directory order (directory entries, i.e. names ending in '/', are
// skipped). Every offset and size is checked against `size`; the CRC-32 of
// each member is verified. Supports compression methods 0 (stored) and 8
// (deflate), ZIP64 end-of-central-directory records and ZIP64 extra fields.
// Rejects encrypted members, multi-disk archives and duplicate names.
// `max_total` caps the sum of the members' uncompressed sizes: it is checked
// against the sizes the central directory declares before any member is
// decompressed, and no member is ever decompressed past its declared size,
// so memory stays within max_total (plus the archive) whatever the input;
// going over throws SizeLimitError (tools/common/size_limit.h).
// Throws std::runtime_error with a message starting with `what`.
std::vector<ZipMember> read_zip(const uint8_t* data, size_t size,
                                const std::string& what, uint64_t max_total = UINT64_MAX);
std::vector<ZipMember> read_zip(const std::vector<uint8_t>& bytes,
                                const std::string& what, uint64_t max_total = UINT64_MAX);

// Writes a ZIP archive whose members are stored uncompressed (method 0),
// with correct CRC-32s and a fixed timestamp (1980-01-01 00:00) so output
// is deterministic. ZIP64 is not written: throws std::invalid_argument if
// the archive would exceed 4 GiB / 65535 members, or on duplicate or empty
// member names.
std::vector<uint8_t> write_zip_stored(
    const std::vector<std::pair<std::string, std::vector<uint8_t>>>& members);

}  // namespace tools
}  // namespace ffnlp
