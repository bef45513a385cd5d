// Integrity check of the zip container of torch archives (g.pt, checkpoints) before LibTorch parses them.
#include "dcgan/archive_check.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace dcgan {
namespace {

std::uint32_t le16(const unsigned char* p) { return p[0] | (p[1] << 8); }
std::uint32_t le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

}  // namespace

std::string torch_archive_problem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  if (n < 22) return "too short for a torch archive";
  std::size_t eocd = std::string::npos;
  for (std::size_t i = n - 22 + 1; i-- > 0 && n - i <= 22 + 65535;)
    if (le32(b + i) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) return "no zip directory (truncated, or not a torch archive)";
  const std::uint32_t disk_entries = le16(b + eocd + 8), entries = le16(b + eocd + 10);
  const std::uint32_t dir_size = le32(b + eocd + 12), dir_offset = le32(b + eocd + 16);
  if (entries == 0xFFFF || dir_offset == 0xFFFFFFFFu) return "";  // a real zip64 archive: left to LibTorch
  if (static_cast<std::uint64_t>(dir_offset) + dir_size > eocd) return "zip directory out of bounds";
  // LibTorch also writes a zip64 end record and its reader trusts that record's count; all counts must agree with
  // the directory actually present.
  std::uint64_t zip64_entries = entries;
  if (eocd >= 20 && le32(b + eocd - 20) == 0x07064b50) {  // zip64 end-of-directory locator
    const std::uint64_t rec = le32(b + eocd - 12) | (static_cast<std::uint64_t>(le32(b + eocd - 8)) << 32);
    if (rec + 56 > eocd || le32(b + rec) != 0x06064b50) return "damaged zip64 directory record";
    zip64_entries = le32(b + rec + 32) | (static_cast<std::uint64_t>(le32(b + rec + 36)) << 32);
  }
  std::size_t p = dir_offset;
  std::uint32_t walked = 0;
  for (; p + 4 <= eocd && le32(b + p) == 0x02014b50; ++walked) {
    if (p + 46 > eocd) return "damaged zip directory";
    const std::uint32_t method = le16(b + p + 10), crc = le32(b + p + 16), size = le32(b + p + 20);
    const std::uint32_t unpacked_size = le32(b + p + 24);
    const std::uint32_t name_len = le16(b + p + 28), extra_len = le16(b + p + 30), comment_len = le16(b + p + 32);
    const std::uint32_t local = le32(b + p + 42);
    if (static_cast<std::uint64_t>(local) + 30 > n || le32(b + local) != 0x04034b50) return "damaged zip entry header";
    const std::uint32_t local_name_len = le16(b + local + 26);
    if (p + 46 + name_len > eocd || local_name_len != name_len || local + 30 + name_len > n ||
        std::memcmp(b + p + 46, b + local + 30, name_len) != 0)
      return "zip entry names disagree (damaged file)";
    const std::uint64_t data = static_cast<std::uint64_t>(local) + 30 + local_name_len + le16(b + local + 28);
    if (data + size > n) return "zip entry out of bounds (truncated file)";
    if (method == 0) {
      if (crc32(0L, b + data, size) != crc) return "CRC mismatch (damaged file)";
    } else if (method == 8) {  // deflate: LibTorch compresses its code entries
      if (unpacked_size > (64u << 20)) return "implausible zip entry size";
      std::vector<unsigned char> out(unpacked_size);
      z_stream zs{};
      if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return "cannot inflate";
      zs.next_in = const_cast<unsigned char*>(b + data);
      zs.avail_in = size;
      zs.next_out = out.data();
      zs.avail_out = unpacked_size;
      const int rc = inflate(&zs, Z_FINISH);
      const bool ok = rc == Z_STREAM_END && zs.total_out == unpacked_size;
      inflateEnd(&zs);
      if (!ok || crc32(0L, out.data(), unpacked_size) != crc) return "CRC mismatch (damaged file)";
    } else {
      return "unsupported zip compression method " + std::to_string(method);
    }
    p += 46 + name_len + extra_len + comment_len;
  }
  if (walked == 0 || walked != entries || walked != disk_entries || walked != zip64_entries)
    return "zip directory counts disagree (damaged file)";
  return "";
}

}  // namespace dcgan
