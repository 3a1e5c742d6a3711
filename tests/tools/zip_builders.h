// Hand-built ZIP archives for tests and fuzz seeds: ZIP64 records and extra
// fields the stored-only writer (tools/common/zip.h) never produces.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ffnlp/toolkit.h"

namespace ffnlp {
namespace testing {

namespace zip_detail {
using Bytes = std::vector<uint8_t>;
inline void app16(Bytes& b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
inline void app32(Bytes& b, uint32_t v) {
  app16(b, v & 0xFFFF);
  app16(b, v >> 16);
}
inline void app64(Bytes& b, uint64_t v) {
  app32(b, static_cast<uint32_t>(v));
  app32(b, static_cast<uint32_t>(v >> 32));
}
inline void app(Bytes& b, const std::string& s) { b.insert(b.end(), s.begin(), s.end()); }
}  // namespace zip_detail

// Hand-built ZIP64 archive of stored members: sizes and offsets in the
// central directory are 0xFFFFFFFF with the real values in ZIP64 extra
// fields, and the EOCD points to a ZIP64 EOCD record via the locator.
inline std::vector<uint8_t> build_zip64(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& members) {
  using namespace zip_detail;
  Bytes out, cd;
  for (const auto& m : members) {
    uint32_t crc = crc32(m.second.data(), m.second.size());
    uint64_t off = out.size();
    app32(out, 0x04034b50);
    app16(out, 45);
    app16(out, 0);
    app16(out, 0);
    app16(out, 0);
    app16(out, 0x21);
    app32(out, crc);
    app32(out, 0xFFFFFFFF);
    app32(out, 0xFFFFFFFF);
    app16(out, static_cast<uint32_t>(m.first.size()));
    app16(out, 20);
    app(out, m.first);
    app16(out, 1);
    app16(out, 16);
    app64(out, m.second.size());
    app64(out, m.second.size());
    out.insert(out.end(), m.second.begin(), m.second.end());

    app32(cd, 0x02014b50);
    app16(cd, 45);
    app16(cd, 45);
    app16(cd, 0);
    app16(cd, 0);
    app16(cd, 0);
    app16(cd, 0x21);
    app32(cd, crc);
    app32(cd, 0xFFFFFFFF);
    app32(cd, 0xFFFFFFFF);
    app16(cd, static_cast<uint32_t>(m.first.size()));
    app16(cd, 4 + 24);
    app16(cd, 0);
    app16(cd, 0);
    app16(cd, 0);
    app32(cd, 0);
    app32(cd, 0xFFFFFFFF);
    app(cd, m.first);
    app16(cd, 1);
    app16(cd, 24);
    app64(cd, m.second.size());
    app64(cd, m.second.size());
    app64(cd, off);
  }
  uint64_t cd_off = out.size();
  out.insert(out.end(), cd.begin(), cd.end());
  uint64_t rec_off = out.size();
  app32(out, 0x06064b50);
  app64(out, 44);
  app16(out, 45);
  app16(out, 45);
  app32(out, 0);
  app32(out, 0);
  app64(out, members.size());
  app64(out, members.size());
  app64(out, cd.size());
  app64(out, cd_off);
  app32(out, 0x07064b50);
  app32(out, 0);
  app64(out, rec_off);
  app32(out, 1);
  app32(out, 0x06054b50);
  app16(out, 0xFFFF);
  app16(out, 0xFFFF);
  app16(out, 0xFFFF);
  app16(out, 0xFFFF);
  app32(out, 0xFFFFFFFF);
  app32(out, 0xFFFFFFFF);
  app16(out, 0);
  return out;
}

inline void put_le(std::vector<uint8_t>& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// A one-member zip whose member is `deflated` and declares `size` bytes
// uncompressed (ZIP64 sizes, so 4 GiB can be declared).
inline std::vector<uint8_t> zip_deflated(const std::string& name, const std::vector<uint8_t>& deflated, uint64_t size,
                                         uint32_t crc) {
  std::vector<uint8_t> z;
  auto extra = [&](std::vector<uint8_t>& b) {
    put_le(b, 1, 2);
    put_le(b, 16, 2);
    put_le(b, size, 8);
    put_le(b, deflated.size(), 8);
  };
  put_le(z, 0x04034b50, 4);
  put_le(z, 45, 2);
  put_le(z, 0, 2);
  put_le(z, 8, 2);
  put_le(z, 0, 2);
  put_le(z, 0x21, 2);
  put_le(z, crc, 4);
  put_le(z, 0xFFFFFFFF, 4);
  put_le(z, 0xFFFFFFFF, 4);
  put_le(z, name.size(), 2);
  put_le(z, 20, 2);
  z.insert(z.end(), name.begin(), name.end());
  extra(z);
  z.insert(z.end(), deflated.begin(), deflated.end());
  const size_t cd = z.size();
  put_le(z, 0x02014b50, 4);
  put_le(z, 45, 2);
  put_le(z, 45, 2);
  put_le(z, 0, 2);
  put_le(z, 8, 2);
  put_le(z, 0, 2);
  put_le(z, 0x21, 2);
  put_le(z, crc, 4);
  put_le(z, 0xFFFFFFFF, 4);
  put_le(z, 0xFFFFFFFF, 4);
  put_le(z, name.size(), 2);
  put_le(z, 20, 2);
  put_le(z, 0, 2);
  put_le(z, 0, 2);
  put_le(z, 0, 2);
  put_le(z, 0, 4);
  put_le(z, 0, 4);
  z.insert(z.end(), name.begin(), name.end());
  extra(z);
  const size_t cd_size = z.size() - cd;
  put_le(z, 0x06054b50, 4);
  put_le(z, 0, 2);
  put_le(z, 0, 2);
  put_le(z, 1, 2);
  put_le(z, 1, 2);
  put_le(z, cd_size, 4);
  put_le(z, cd, 4);
  put_le(z, 0, 2);
  return z;
}

}  // namespace testing
}  // namespace ffnlp
