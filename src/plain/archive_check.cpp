// Torch archives' zip container: the integrity check run before LibTorch parses one, and LibTorch-free record access.
#include "dcgan/plain/archive_check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace dcgan {
namespace {

std::uint32_t le16(const unsigned char* p) { return p[0] | (p[1] << 8); }
std::uint32_t le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

using ZipEntry = ArchiveReader::Entry;

// Walks the zip directory of `b[0, n)`. Returns "" and fills `out`, or the problem. A real zip64 archive (counts or
// offsets that do not fit 32 bits) is reported as "zip64" with `out` empty: LibTorch handles those itself.
std::string read_directory(const unsigned char* b, std::size_t n, std::vector<ZipEntry>& out) {
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
  if (entries == 0xFFFF || dir_offset == 0xFFFFFFFFu) return "zip64";
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
    ZipEntry e;
    e.method = le16(b + p + 10);
    e.crc = le32(b + p + 16);
    e.size = le32(b + p + 20);
    e.unpacked_size = le32(b + p + 24);
    const std::uint32_t name_len = le16(b + p + 28), extra_len = le16(b + p + 30), comment_len = le16(b + p + 32);
    const std::uint32_t local = le32(b + p + 42);
    if (static_cast<std::uint64_t>(local) + 30 > n || le32(b + local) != 0x04034b50) return "damaged zip entry header";
    const std::uint32_t local_name_len = le16(b + local + 26);
    if (p + 46 + name_len > eocd || local_name_len != name_len || local + 30 + name_len > n ||
        std::memcmp(b + p + 46, b + local + 30, name_len) != 0)
      return "zip entry names disagree (damaged file)";
    e.data = static_cast<std::uint64_t>(local) + 30 + local_name_len + le16(b + local + 28);
    if (e.data + e.size > n) return "zip entry out of bounds (truncated file)";
    if (e.method != 0 && e.method != 8) return "unsupported zip compression method " + std::to_string(e.method);
    if (e.method == 0 && e.size != e.unpacked_size) return "damaged zip entry sizes";
    e.name.assign(reinterpret_cast<const char*>(b + p + 46), name_len);
    out.push_back(std::move(e));
    p += 46 + name_len + extra_len + comment_len;
  }
  if (walked == 0 || walked != entries || walked != disk_entries || walked != zip64_entries)
    return "zip directory counts disagree (damaged file)";
  return "";
}

// "" when the entry's bytes (inflated where deflated) match its CRC-32, else the problem.
std::string entry_problem(const unsigned char* b, const ZipEntry& e) {
  if (e.method == 0) return crc32(0L, b + e.data, static_cast<uInt>(e.size)) == e.crc ? "" : "CRC mismatch (damaged file)";
  // deflate: LibTorch compresses its code entries
  if (e.unpacked_size > (64u << 20)) return "implausible zip entry size";
  std::vector<unsigned char> out(e.unpacked_size);
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return "cannot inflate";
  zs.next_in = const_cast<unsigned char*>(b + e.data);
  zs.avail_in = static_cast<uInt>(e.size);
  zs.next_out = out.data();
  zs.avail_out = e.unpacked_size;
  const int rc = inflate(&zs, Z_FINISH);
  const bool ok = rc == Z_STREAM_END && zs.total_out == e.unpacked_size;
  inflateEnd(&zs);
  if (!ok || crc32(0L, out.data(), e.unpacked_size) != e.crc) return "CRC mismatch (damaged file)";
  return "";
}

// Maps `path` read-only into `data`/`size` (nothing for an empty file). Returns "" or the problem.
std::string map_file(const std::string& path, const unsigned char*& data, std::size_t& size) {
  data = nullptr;
  size = 0;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return "not a regular file";
  }
  size = static_cast<std::size_t>(st.st_size);
  if (size > 0) {
    void* m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      const std::string why = std::string("cannot map: ") + std::strerror(errno);
      ::close(fd);
      size = 0;
      return why;
    }
    data = static_cast<const unsigned char*>(m);
  }
  ::close(fd);
  return "";
}

void unmap_file(const unsigned char* data, std::size_t size) {
  if (data) ::munmap(const_cast<unsigned char*>(data), size);
}

}  // namespace

std::string torch_archive_problem(const std::string& path) {
  const unsigned char* b = nullptr;
  std::size_t n = 0;
  if (const std::string problem = map_file(path, b, n); !problem.empty()) return problem;
  std::vector<ZipEntry> entries;
  std::string problem = read_directory(b, n, entries);
  if (problem == "zip64") problem = "";  // a real zip64 archive: left to LibTorch
  else if (problem.empty())
    for (const ZipEntry& e : entries)
      if (problem = entry_problem(b, e); !problem.empty()) break;
  unmap_file(b, n);
  return problem;
}

ArchiveReader::ArchiveReader(const std::string& path) : path_(path) {
  if (const std::string problem = map_file(path, data_, size_); !problem.empty())
    throw ArchiveError(path + ": " + problem);
  std::string problem = read_directory(data_, size_, entries_);
  if (problem == "zip64") problem = "a zip64 archive (over 4 GiB)";
  if (!problem.empty()) {
    unmap_file(data_, size_);
    throw ArchiveError(path + ": not a readable torch archive (" + problem + ")");
  }
  for (Entry& e : entries_)
    if (const auto slash = e.name.find('/'); slash != std::string::npos) e.name.erase(0, slash + 1);
}

ArchiveReader::~ArchiveReader() { unmap_file(data_, size_); }

bool ArchiveReader::has(std::string_view name) const {
  for (const Entry& e : entries_)
    if (e.name == name) return true;
  return false;
}

std::string_view ArchiveReader::record(std::string_view name) const {
  for (const Entry& e : entries_) {
    if (e.name != name) continue;
    if (e.method != 0) throw ArchiveError(path_ + ": record " + e.name + " is compressed");
    if (std::string problem = entry_problem(data_, e); !problem.empty())
      throw ArchiveError(path_ + ": record " + e.name + ": " + problem);
    return {reinterpret_cast<const char*>(data_ + e.data), static_cast<std::size_t>(e.size)};
  }
  throw ArchiveError(path_ + ": no record " + std::string(name));
}

}  // namespace dcgan
