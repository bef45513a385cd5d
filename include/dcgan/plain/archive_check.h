// Torch archives' zip container (g.pt, checkpoints, .pth): integrity check and record access. No torch here.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dcgan {

// Checks, before LibTorch parses `path`: the zip directory is in bounds and its entry counts (including the zip64
// record LibTorch writes and trusts) agree with the entries present; every entry's local name equals the directory's;
// every entry's bytes, inflated where deflated, match its CRC-32. Returns "" when sound, else the problem.
// Why: LibTorch 1.13's reader checks no CRC, and its TorchScript importer crashes (SIGSEGV) on some damaged entries;
// scripts/fuzz.sh found two such files (tests/fuzz/checkpoint/crash-*), which this check now refuses.
std::string torch_archive_problem(const std::string& path);

// Thrown by ArchiveReader; what() names the file and the problem.
struct ArchiveError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads records of a torch archive without LibTorch (what the LibTorch-free `dcgan sample` reads). The file is
// mapped read-only. Opening checks the directory as torch_archive_problem does; record() checks the CRC-32 of the
// record it returns, so only the bytes actually used are read. Names drop the archive's top folder, as LibTorch's
// reader does ("archive/data.pkl" -> "data.pkl"). Only stored (uncompressed) records can be read: torch stores
// data.pkl and the tensor data uncompressed.
class ArchiveReader {
 public:
  explicit ArchiveReader(const std::string& path);
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  bool has(std::string_view name) const;
  // The record's bytes (valid while this reader lives); throws ArchiveError when absent, compressed or damaged.
  std::string_view record(std::string_view name) const;
  const std::string& path() const { return path_; }

  // One zip directory entry: where its stored bytes lie and how to check them.
  struct Entry {
    std::string name;  // in the reader, without the top folder
    std::uint32_t method = 0, crc = 0, unpacked_size = 0;
    std::uint64_t data = 0, size = 0;  // offset and length of the stored bytes
  };

 private:
  std::string path_;
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace dcgan
