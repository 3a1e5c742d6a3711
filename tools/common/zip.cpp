// ZIP reading/writing written from the PKWARE APPNOTE description of the
// format (local file header, central directory, end of central directory,
// ZIP64 records).
#include "tools/common/zip.h"

#include <cstdio>
#include <limits>
#include <set>
#include <stdexcept>

#include "ffnlp/toolkit.h"
#include "tools/common/inflate.h"
#include "tools/common/size_limit.h"

namespace ffnlp {
namespace tools {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kZip64EocdSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kEocdSize = 22;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kZip64EocdSize = 56;
constexpr size_t kCentralSize = 46;
constexpr size_t kLocalSize = 30;

[[noreturn]] void fail(const std::string& what, const std::string& msg) {
  throw std::runtime_error(what + ": " + msg);
}

uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t rd32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t rd64(const uint8_t* p) {
  return static_cast<uint64_t>(rd32(p)) | (static_cast<uint64_t>(rd32(p + 4)) << 32);
}

void wr16(std::vector<uint8_t>& v, uint32_t x) {
  v.push_back(static_cast<uint8_t>(x));
  v.push_back(static_cast<uint8_t>(x >> 8));
}
void wr32(std::vector<uint8_t>& v, uint32_t x) {
  wr16(v, x & 0xFFFF);
  wr16(v, x >> 16);
}

// True if [off, off + len) lies within [0, size).
bool in_bounds(uint64_t off, uint64_t len, uint64_t size) {
  return off <= size && len <= size - off;
}

std::string method_name(uint16_t m) {
  switch (m) {
    case 1: return " (Shrink)";
    case 6: return " (Implode)";
    case 9: return " (Deflate64)";
    case 12: return " (BZIP2)";
    case 14: return " (LZMA)";
    case 93: return " (Zstandard)";
    case 95: return " (XZ)";
    case 98: return " (PPMd)";
    case 99: return " (AES encryption)";
  }
  return "";
}

struct CentralEntry {
  std::string name;
  uint16_t flags;
  uint16_t method;
  uint32_t crc;
  uint64_t comp_size;
  uint64_t uncomp_size;
  uint64_t local_offset;
};

}  // namespace

std::vector<ZipMember> read_zip(const std::vector<uint8_t>& bytes, const std::string& what, uint64_t max_total) {
  return read_zip(bytes.data(), bytes.size(), what, max_total);
}

std::vector<ZipMember> read_zip(const uint8_t* data, size_t size, const std::string& what, uint64_t max_total) {
  // --- End of central directory: search backwards; the comment that may
  // follow it is at most 65535 bytes long.
  if (size < kEocdSize) fail(what, "not a zip file (no end-of-central-directory record)");
  size_t eocd = SIZE_MAX;
  size_t lowest = size - kEocdSize > 0xFFFF ? size - kEocdSize - 0xFFFF : 0;
  for (size_t pos = size - kEocdSize + 1; pos-- > lowest;) {
    if (rd32(data + pos) == kEocdSig) {
      uint16_t comment_len = rd16(data + pos + 20);
      if (pos + kEocdSize + comment_len <= size) {
        eocd = pos;
        break;
      }
    }
  }
  if (eocd == SIZE_MAX) fail(what, "not a zip file (no end-of-central-directory record)");
  const uint8_t* e = data + eocd;
  uint32_t disk = rd16(e + 4), cd_disk = rd16(e + 6);
  uint64_t entries_disk = rd16(e + 8), entries = rd16(e + 10);
  uint64_t cd_size = rd32(e + 12), cd_offset = rd32(e + 16);
  size_t cd_limit = eocd;  // the central directory must end before this

  bool need64 = disk == 0xFFFF || cd_disk == 0xFFFF || entries_disk == 0xFFFF ||
                entries == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF;
  bool have_locator = eocd >= kZip64LocatorSize &&
                      rd32(data + eocd - kZip64LocatorSize) == kZip64LocatorSig;
  if (have_locator) {
    const uint8_t* loc = data + eocd - kZip64LocatorSize;
    uint64_t rec_off = rd64(loc + 8);
    uint32_t total_disks = rd32(loc + 16);
    if (total_disks > 1) fail(what, "multi-disk (split) zip archives are not supported");
    if (!in_bounds(rec_off, kZip64EocdSize, eocd - kZip64LocatorSize))
      fail(what, "zip file is truncated or corrupt (ZIP64 end-of-central-directory "
                 "record offset " + std::to_string(rec_off) + " is out of range)");
    const uint8_t* r = data + rec_off;
    if (rd32(r) != kZip64EocdSig)
      fail(what, "zip file is corrupt (bad ZIP64 end-of-central-directory signature)");
    disk = rd32(r + 16);
    cd_disk = rd32(r + 20);
    entries_disk = rd64(r + 24);
    entries = rd64(r + 32);
    cd_size = rd64(r + 40);
    cd_offset = rd64(r + 48);
    cd_limit = static_cast<size_t>(rec_off);
  } else if (need64) {
    fail(what, "zip file is truncated or corrupt (ZIP64 end-of-central-directory "
               "locator is missing)");
  }
  if (disk != 0 || cd_disk != 0 || entries_disk != entries)
    fail(what, "multi-disk (split) zip archives are not supported");
  if (!in_bounds(cd_offset, cd_size, cd_limit))
    fail(what, "zip file is truncated or corrupt (central directory at offset " +
                   std::to_string(cd_offset) + " with size " + std::to_string(cd_size) +
                   " lies outside the file)");
  // Each entry needs at least kCentralSize bytes.
  if (entries > cd_size / kCentralSize)
    fail(what, "zip file is truncated or corrupt (central directory claims " +
                   std::to_string(entries) + " entries in " + std::to_string(cd_size) +
                   " bytes)");

  // --- Central directory entries.
  std::vector<CentralEntry> list;
  const uint8_t* cd = data + cd_offset;
  size_t p = 0;
  for (uint64_t i = 0; i < entries; ++i) {
    if (!in_bounds(p, kCentralSize, cd_size))
      fail(what, "central directory is truncated (entry " + std::to_string(i) + ")");
    const uint8_t* c = cd + p;
    if (rd32(c) != kCentralSig)
      fail(what, "central directory is corrupt (bad signature in entry " +
                     std::to_string(i) + ")");
    CentralEntry ent;
    ent.flags = rd16(c + 8);
    ent.method = rd16(c + 10);
    ent.crc = rd32(c + 16);
    ent.comp_size = rd32(c + 20);
    ent.uncomp_size = rd32(c + 24);
    size_t name_len = rd16(c + 28), extra_len = rd16(c + 30), comment_len = rd16(c + 32);
    uint32_t start_disk = rd16(c + 34);
    ent.local_offset = rd32(c + 42);
    size_t var_len = name_len + extra_len + comment_len;
    if (!in_bounds(p + kCentralSize, var_len, cd_size))
      fail(what, "central directory is truncated (entry " + std::to_string(i) + ")");
    ent.name.assign(reinterpret_cast<const char*>(c + kCentralSize), name_len);
    // ZIP64 extended information extra field (id 0x0001).
    const uint8_t* x = c + kCentralSize + name_len;
    size_t xp = 0;
    while (xp + 4 <= extra_len) {
      uint16_t id = rd16(x + xp), len = rd16(x + xp + 2);
      if (xp + 4 + len > extra_len)
        fail(what, "member '" + ent.name + "' has a malformed extra field");
      if (id == 0x0001) {
        const uint8_t* z = x + xp + 4;
        size_t zp = 0;
        auto take64 = [&](uint64_t* v) {
          if (zp + 8 > len)
            fail(what, "member '" + ent.name + "' has a truncated ZIP64 extra field");
          *v = rd64(z + zp);
          zp += 8;
        };
        if (ent.uncomp_size == 0xFFFFFFFF) take64(&ent.uncomp_size);
        if (ent.comp_size == 0xFFFFFFFF) take64(&ent.comp_size);
        if (ent.local_offset == 0xFFFFFFFF) take64(&ent.local_offset);
        if (start_disk == 0xFFFF) {
          if (zp + 4 > len)
            fail(what, "member '" + ent.name + "' has a truncated ZIP64 extra field");
          start_disk = rd32(z + zp);
        }
      }
      xp += 4 + static_cast<size_t>(len);
    }
    if (start_disk != 0) fail(what, "multi-disk (split) zip archives are not supported");
    p += kCentralSize + var_len;
    list.push_back(std::move(ent));
  }

  // --- The total the members declare, against the limit, before anything
  // is decompressed: a bomb that is honest about its size stops here at once
  // (one that understates it stops in inflate_raw at the declared size).
  uint64_t total = 0;
  const CentralEntry* largest = nullptr;
  for (const CentralEntry& ent : list) {
    if (!ent.name.empty() && ent.name.back() == '/') continue;
    total = ent.uncomp_size > UINT64_MAX - total ? UINT64_MAX : total + ent.uncomp_size;
    if (largest == nullptr || ent.uncomp_size > largest->uncomp_size) largest = &ent;
  }
  if (total > max_total) {
    throw SizeLimitError(what + ": members declare " + std::to_string(total) +
                         " bytes uncompressed in total (the largest, '" + largest->name + "', " +
                         std::to_string(largest->uncomp_size) + "), more than the limit of " + std::to_string(max_total) +
                         " bytes");
  }

  // --- Members.
  std::vector<ZipMember> out;
  std::set<std::string> seen;
  for (const CentralEntry& ent : list) {
    const std::string m = "member '" + ent.name + "'";
    if (!ent.name.empty() && ent.name.back() == '/') continue;  // directory
    if (!seen.insert(ent.name).second) fail(what, "duplicate " + m);
    if ((ent.flags & 0x0001) || (ent.flags & 0x0040) || ent.method == 99)
      fail(what, "encrypted " + m + " is not supported");
    if (ent.method != 0 && ent.method != 8)
      fail(what, "unsupported compression method " + std::to_string(ent.method) +
                     method_name(ent.method) + " for " + m +
                     "; re-save with np.savez or np.savez_compressed");
    if (!in_bounds(ent.local_offset, kLocalSize, size))
      fail(what, m + " has a local header offset " + std::to_string(ent.local_offset) +
                     " past the end of the file (truncated or corrupt zip)");
    const uint8_t* l = data + ent.local_offset;
    if (rd32(l) != kLocalSig)
      fail(what, m + " has a corrupt local header (bad signature)");
    size_t lname = rd16(l + 26), lextra = rd16(l + 28);
    uint64_t data_off = ent.local_offset + kLocalSize + lname + lextra;
    if (!in_bounds(ent.local_offset + kLocalSize, lname, size) ||
        !in_bounds(data_off, ent.comp_size, size))
      fail(what, m + " data lies past the end of the file (truncated zip: needs " +
                     std::to_string(ent.comp_size) + " bytes at offset " +
                     std::to_string(data_off) + ", file has " + std::to_string(size) + ")");
    if (std::string(reinterpret_cast<const char*>(l + kLocalSize), lname) != ent.name)
      fail(what, m + " local header name does not match the central directory");
    if (ent.uncomp_size > std::numeric_limits<size_t>::max())
      fail(what, m + " is too large for this platform");
    const uint8_t* src = data + data_off;
    ZipMember zm;
    zm.name = ent.name;
    if (ent.method == 0) {
      if (ent.comp_size != ent.uncomp_size)
        fail(what, m + " is stored but its compressed size " +
                       std::to_string(ent.comp_size) + " differs from its size " +
                       std::to_string(ent.uncomp_size));
      zm.data.assign(src, src + ent.comp_size);
    } else {
      zm.data = inflate_raw(src, static_cast<size_t>(ent.comp_size),
                            static_cast<size_t>(ent.uncomp_size), what + ": " + m);
    }
    uint32_t crc = ffnlp::crc32(zm.data.data(), zm.data.size());
    if (crc != ent.crc) {
      char buf[64];
      snprintf(buf, sizeof buf, " (stored %08x, computed %08x)", ent.crc, crc);
      fail(what, "CRC mismatch for " + m + buf + "; the file is corrupt");
    }
    out.push_back(std::move(zm));
  }
  return out;
}

std::vector<uint8_t> write_zip_stored(
    const std::vector<std::pair<std::string, std::vector<uint8_t>>>& members) {
  constexpr uint64_t kLimit = 0xFFFFFFFFull;
  if (members.size() >= 0xFFFF)
    throw std::invalid_argument("write_zip_stored: too many members (ZIP64 not supported)");
  std::set<std::string> seen;
  uint64_t total = kEocdSize;
  for (const auto& m : members) {
    if (m.first.empty()) throw std::invalid_argument("write_zip_stored: empty member name");
    if (m.first.size() > 0xFFFF)
      throw std::invalid_argument("write_zip_stored: member name too long");
    if (!seen.insert(m.first).second)
      throw std::invalid_argument("write_zip_stored: duplicate member '" + m.first + "'");
    total += kLocalSize + kCentralSize + 2 * m.first.size() + m.second.size();
    if (m.second.size() >= kLimit || total >= kLimit)
      throw std::invalid_argument(
          "write_zip_stored: archive would exceed 4 GiB (ZIP64 not supported)");
  }
  const uint16_t kVersion = 20;          // 2.0
  const uint16_t kMadeBy = (3 << 8) | 20;  // UNIX, 2.0
  const uint16_t kTime = 0;              // 00:00:00
  const uint16_t kDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(total));
  std::vector<uint8_t> central;
  for (const auto& m : members) {
    const std::string& name = m.first;
    const std::vector<uint8_t>& body = m.second;
    bool utf8 = false;
    for (unsigned char ch : name) utf8 |= ch >= 0x80;
    uint16_t flags = utf8 ? (1 << 11) : 0;
    uint32_t crc = ffnlp::crc32(body.data(), body.size());
    uint32_t offset = static_cast<uint32_t>(out.size());
    uint32_t sz = static_cast<uint32_t>(body.size());

    wr32(out, kLocalSig);
    wr16(out, kVersion);
    wr16(out, flags);
    wr16(out, 0);  // stored
    wr16(out, kTime);
    wr16(out, kDate);
    wr32(out, crc);
    wr32(out, sz);
    wr32(out, sz);
    wr16(out, static_cast<uint32_t>(name.size()));
    wr16(out, 0);  // extra length
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), body.begin(), body.end());

    wr32(central, kCentralSig);
    wr16(central, kMadeBy);
    wr16(central, kVersion);
    wr16(central, flags);
    wr16(central, 0);
    wr16(central, kTime);
    wr16(central, kDate);
    wr32(central, crc);
    wr32(central, sz);
    wr32(central, sz);
    wr16(central, static_cast<uint32_t>(name.size()));
    wr16(central, 0);  // extra
    wr16(central, 0);  // comment
    wr16(central, 0);  // disk
    wr16(central, 0);  // internal attributes
    wr32(central, 0100644u << 16);  // external attributes: regular file 0644
    wr32(central, offset);
    central.insert(central.end(), name.begin(), name.end());
  }
  uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out.insert(out.end(), central.begin(), central.end());
  wr32(out, kEocdSig);
  wr16(out, 0);
  wr16(out, 0);
  wr16(out, static_cast<uint32_t>(members.size()));
  wr16(out, static_cast<uint32_t>(members.size()));
  wr32(out, static_cast<uint32_t>(central.size()));
  wr32(out, cd_offset);
  wr16(out, 0);  // comment length
  return out;
}

}  // namespace tools
}  // namespace ffnlp
