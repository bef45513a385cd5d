// Prepared cache: a data set decoded, resized and cropped once into one packed, memory-mapped uint8 file.
#pragma once

#include "dcgan/data/dataset.h"

#include <cstdint>
#include <memory>
#include <string>

namespace dcgan {

// File layout (little-endian), version 2:
//   bytes 0..4095 header: magic "DCGANDS\0", u32 version, u32 payload offset (4096), u64 count, u32 C, H, W, u32 0,
//                         u64 source fingerprint, u64 payload checksum, u64 skipped files, u32 source length,
//                         source path bytes, ...; at byte 3072 u32 classes, u64 label bytes, u64 label checksum;
//                         at byte 3584 data.mirror=auto's figures: u64 images (0: not measured), u32 side, u32 0,
//                         f64 SWD between halves, f64 SWD with one half flipped (CacheMirrorCheck);
//                         u64 header checksum in the last 8 bytes (over bytes 0..4087);
//   bytes 4096..          count images of C x H x W uint8, planar, in the source's order (unreadable files left out);
//   then, when classes > 0, the label section (label bytes long): count i32 class indices, then per class a u32
//                         name length and the name's bytes.
// Version 1 is version 2 without labels (its bytes at 3072 are zero) and is still read.
inline constexpr std::uint32_t kCacheVersion = 2;
inline constexpr std::int64_t kCacheHeaderBytes = 4096;

// data.mirror=auto's measurement (eval/mirror_check.h) of a cache's images, made by `dcgan prepare` and kept in
// its header, so that a run on the cache decides without measuring. images 0: not measured (an older cache).
struct CacheMirrorCheck {
  std::int64_t images = 0;
  int side = 0;
  double halves = 0;   // SWD x 1e3 between two halves
  double flipped = 0;  // SWD x 1e3 between one half and the other flipped
};

struct CacheInfo {
  std::int64_t count = 0;
  ImageShape shape;
  std::uint64_t source_fingerprint = 0;
  std::uint64_t payload_checksum = 0;
  std::int64_t skipped = 0;  // unreadable source files left out by prepare
  std::string source;        // data.path the cache was made from
  int classes = 0;           // classes of the labels kept from the source (0: none)
  std::int64_t label_bytes = 0;
  std::uint64_t label_checksum = 0;
  CacheMirrorCheck mirror;
};

// A 64-bit checksum of `bytes` (four independent multiply-rotate lanes; several GB/s). Not cryptographic.
std::uint64_t checksum64(const std::uint8_t* bytes, std::size_t size);

// Identifies the contents of a source: for a folder, every image file's relative path, size and modification time;
// for a file, its size and modification time. Throws DataError when `path` does not exist.
std::uint64_t source_fingerprint(const std::string& path);

// True when `path` is a regular file that starts with the cache magic.
bool is_cache_file(const std::string& path);

// Reads and checks the header. Throws DataError naming `path` when it is not a cache, of another version, or
// truncated.
CacheInfo read_cache_info(const std::string& path);

struct PrepareResult {
  std::int64_t written = 0;
  std::int64_t skipped = 0;
  double seconds = 0;
};

// Decodes every item of `source` on `threads` threads (0 = all cores) into a new cache at `out`, written to a
// temporary file and renamed into place, so `out` is never partial. Unreadable items are skipped with one warning
// each (or rethrown when `strict`). `source_path` is recorded with its fingerprint for staleness checks, and
// source.labels() (when there are labels) with the images kept.
PrepareResult prepare_cache(const Dataset& source, const std::string& source_path, const std::string& out, int threads,
                            bool strict);

// Writes `m` into the header of the cache at `path` (and the header's checksum), in place: one 4 KiB write of the
// header alone; the images and labels are not touched. Throws DataError naming `path` when it is not a valid cache
// or cannot be written.
void record_cache_mirror_check(const std::string& path, const CacheMirrorCheck& m);

// Memory-maps a cache for training. Throws DataError naming the file when it is not a valid cache, its checksum
// fails, its image shape differs from `expected`, or its source (`source_path`, or the recorded one when empty)
// exists and has changed since it was prepared. With `labels`, the labels it keeps (if any) come with it.
std::unique_ptr<Dataset> open_cache(const std::string& path, const ImageShape& expected,
                                    const std::string& source_path, bool labels = false);

}  // namespace dcgan
