// Prepared cache: writing (multi-threaded decode into a mapped temporary file) and memory-mapped reading.
#include "dcgan/data/cache.h"

#include "dcgan/data/image_folder.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <sys/mman.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace dcgan {
namespace {

constexpr char kMagic[8] = {'D', 'C', 'G', 'A', 'N', 'D', 'S', '\0'};
constexpr std::size_t kMaxSourceBytes = 2048;
constexpr std::size_t kLabelsAt = 3072;  // header offset of the label fields (past the longest source path)
constexpr std::size_t kMirrorAt = 3584;  // header offset of CacheMirrorCheck

template <class T>
void put(std::uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));  // the project targets little-endian machines (x86-64, aarch64)
}
template <class T>
T get(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

constexpr std::uint64_t kP1 = 0x9e3779b185ebca87ULL, kP2 = 0xc2b2ae3d27d4eb4fULL;
std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
  h ^= w * kP2;
  h = (h << 31) | (h >> 33);
  return h * kP1;
}

std::uint64_t fnv(std::uint64_t h, const void* data, std::size_t n) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

std::uint64_t stat_hash(std::uint64_t h, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw DataError(fmt::format("{}: cannot stat ({})", path, std::strerror(errno)));
  const std::int64_t size = st.st_size, sec = st.st_mtim.tv_sec, nsec = st.st_mtim.tv_nsec;
  h = fnv(h, &size, sizeof size);
  h = fnv(h, &sec, sizeof sec);
  return fnv(h, &nsec, sizeof nsec);
}

// A read-only mapping of a whole file.
class Mapping {
 public:
  explicit Mapping(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw DataError(fmt::format("{}: cannot open cache ({})", path, std::strerror(errno)));
    struct stat st {};
    ::fstat(fd_, &st);
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_, 0);
      if (p == MAP_FAILED) {
        ::close(fd_);
        throw DataError(fmt::format("{}: cannot map cache ({})", path, std::strerror(errno)));
      }
      data_ = static_cast<const std::uint8_t*>(p);
    }
  }
  ~Mapping() {
    if (data_) ::munmap(const_cast<std::uint8_t*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  int fd_ = -1;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

CacheInfo parse_header(const std::string& path, const std::uint8_t* h, std::size_t file_size) {
  if (file_size < 8 || std::memcmp(h, kMagic, 8) != 0)
    throw DataError(fmt::format("{}: not a dcgan cache (no DCGANDS magic; make one with dcgan prepare)", path));
  if (file_size < static_cast<std::size_t>(kCacheHeaderBytes))
    throw DataError(fmt::format("{}: truncated cache ({} bytes, the header alone needs {})", path, file_size,
                                kCacheHeaderBytes));
  const auto version = get<std::uint32_t>(h + 8);
  if (version != 1 && version != kCacheVersion)
    throw DataError(fmt::format("{}: cache format version {}, this build reads versions 1 and {} (rerun dcgan "
                                "prepare)",
                                path, version, kCacheVersion));
  if (get<std::uint64_t>(h + kCacheHeaderBytes - 8) != checksum64(h, kCacheHeaderBytes - 8))
    throw DataError(fmt::format("{}: cache header checksum mismatch (damaged file; rerun dcgan prepare)", path));
  CacheInfo info;
  info.count = static_cast<std::int64_t>(get<std::uint64_t>(h + 16));
  info.shape = {static_cast<int>(get<std::uint32_t>(h + 24)), static_cast<int>(get<std::uint32_t>(h + 28)),
                static_cast<int>(get<std::uint32_t>(h + 32))};
  info.source_fingerprint = get<std::uint64_t>(h + 40);
  info.payload_checksum = get<std::uint64_t>(h + 48);
  info.skipped = static_cast<std::int64_t>(get<std::uint64_t>(h + 56));
  const auto len = std::min<std::size_t>(get<std::uint32_t>(h + 64), kMaxSourceBytes);
  info.source.assign(reinterpret_cast<const char*>(h + 68), len);
  info.classes = static_cast<int>(get<std::uint32_t>(h + kLabelsAt));
  info.label_bytes = static_cast<std::int64_t>(get<std::uint64_t>(h + kLabelsAt + 4));
  info.label_checksum = get<std::uint64_t>(h + kLabelsAt + 12);
  info.mirror.images = static_cast<std::int64_t>(get<std::uint64_t>(h + kMirrorAt));
  info.mirror.side = static_cast<int>(get<std::uint32_t>(h + kMirrorAt + 8));
  info.mirror.halves = get<double>(h + kMirrorAt + 16);
  info.mirror.flipped = get<double>(h + kMirrorAt + 24);
  const auto expected = static_cast<std::uint64_t>(kCacheHeaderBytes) +
                        static_cast<std::uint64_t>(info.count) * static_cast<std::uint64_t>(info.shape.bytes()) +
                        static_cast<std::uint64_t>(info.label_bytes);
  if (file_size != expected)
    throw DataError(fmt::format("{}: truncated or padded cache: {} bytes, the header promises {}", path, file_size,
                                expected));
  return info;
}

// The label section of a mapped cache; throws DataError naming `path` when it does not parse.
ClassLabels parse_labels(const std::string& path, const std::uint8_t* p, const CacheInfo& info) {
  const std::uint8_t* end = p + info.label_bytes;
  auto damaged = [&path] { return DataError(fmt::format("{}: damaged label section (rerun dcgan prepare)", path)); };
  if (checksum64(p, static_cast<std::size_t>(info.label_bytes)) != info.label_checksum) throw damaged();
  ClassLabels out;
  if (info.label_bytes < info.count * 4) throw damaged();
  out.of_item.resize(static_cast<std::size_t>(info.count));
  std::memcpy(out.of_item.data(), p, static_cast<std::size_t>(info.count) * 4);
  p += info.count * 4;
  for (int c = 0; c < info.classes; ++c) {
    if (end - p < 4) throw damaged();
    const auto len = get<std::uint32_t>(p);
    p += 4;
    if (static_cast<std::uint64_t>(end - p) < len) throw damaged();
    out.names.emplace_back(reinterpret_cast<const char*>(p), len);
    p += len;
  }
  for (std::int32_t label : out.of_item)
    if (label < 0 || label >= info.classes) throw damaged();
  return out;
}

class CacheDataset final : public Dataset {
 public:
  CacheDataset(std::string path, std::unique_ptr<Mapping> map, CacheInfo info, ClassLabels labels)
      : path_(std::move(path)), map_(std::move(map)), info_(std::move(info)), labels_(std::move(labels)) {}
  const ClassLabels* labels() const override { return labels_.names.empty() ? nullptr : &labels_; }
  std::int64_t size() const override { return info_.count; }
  ImageShape shape() const override { return info_.shape; }
  void read(std::int64_t index, std::uint8_t* out) const override {
    const std::int64_t bytes = info_.shape.bytes();
    std::memcpy(out, map_->data() + kCacheHeaderBytes + index * bytes, static_cast<std::size_t>(bytes));
  }
  std::string describe() const override {
    return fmt::format("cache {} ({} images of {}x{}x{}, from {}){}", path_, info_.count, info_.shape.width,
                       info_.shape.height, info_.shape.channels, info_.source,
                       labels_.names.empty() ? "" : fmt::format(", {} classes", labels_.count()));
  }

 private:
  std::string path_;
  std::unique_ptr<Mapping> map_;
  CacheInfo info_;
  ClassLabels labels_;
};

// The label section for the items kept (`ok`), as the layout in cache.h says: empty when `labels` is null.
std::vector<std::uint8_t> label_section(const ClassLabels* labels, const std::vector<char>& ok) {
  std::vector<std::uint8_t> out;
  if (!labels) return out;
  auto append = [&out](const void* p, std::size_t n) {
    out.insert(out.end(), static_cast<const std::uint8_t*>(p), static_cast<const std::uint8_t*>(p) + n);
  };
  for (std::size_t i = 0; i < ok.size(); ++i)
    if (ok[i]) append(&labels->of_item[i], 4);
  for (const std::string& name : labels->names) {
    const auto len = static_cast<std::uint32_t>(name.size());
    append(&len, 4);
    append(name.data(), name.size());
  }
  return out;
}

// The most bytes label_section can take for `n` items.
std::size_t label_section_bound(const ClassLabels* labels, std::int64_t n) {
  if (!labels) return 0;
  std::size_t bytes = static_cast<std::size_t>(n) * 4;
  for (const std::string& name : labels->names) bytes += 4 + name.size();
  return bytes;
}

}  // namespace

std::uint64_t checksum64(const std::uint8_t* bytes, std::size_t size) {
  std::uint64_t lane[4] = {kP1, kP2, kP1 ^ kP2, kP1 + kP2};
  std::size_t i = 0;
  for (; i + 32 <= size; i += 32)
    for (int k = 0; k < 4; ++k) lane[k] = mix(lane[k], get<std::uint64_t>(bytes + i + 8 * k));
  std::uint64_t h = mix(mix(mix(mix(size, lane[0]), lane[1]), lane[2]), lane[3]);
  for (; i < size; ++i) h = mix(h, bytes[i]);
  return h;
}

std::uint64_t source_fingerprint(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw DataError(fmt::format("{}: no such file or directory", path));
  std::uint64_t h = 0xcbf29ce484222325ULL;
  if (!fs::is_directory(path, ec)) return stat_hash(h, path);
  for (const std::string& file : list_image_files(path)) {
    const std::string rel = fs::path(file).lexically_relative(path).string();
    h = fnv(h, rel.data(), rel.size() + 1);
    h = stat_hash(h, file);
  }
  return h;
}

bool is_cache_file(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char magic[8] = {};
  const bool ok = ::read(fd, magic, 8) == 8 && std::memcmp(magic, kMagic, 8) == 0;
  ::close(fd);
  return ok;
}

CacheInfo read_cache_info(const std::string& path) {
  const Mapping map(path);
  return parse_header(path, map.data(), map.size());
}

void record_cache_mirror_check(const std::string& path, const CacheMirrorCheck& m) {
  read_cache_info(path);  // a valid cache, or DataError
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) throw DataError(fmt::format("{}: cannot open cache for writing ({})", path, std::strerror(errno)));
  std::vector<std::uint8_t> h(static_cast<std::size_t>(kCacheHeaderBytes));
  bool ok = ::pread(fd, h.data(), h.size(), 0) == static_cast<ssize_t>(h.size());
  if (ok) {
    put<std::uint64_t>(h.data() + kMirrorAt, static_cast<std::uint64_t>(m.images));
    put<std::uint32_t>(h.data() + kMirrorAt + 8, static_cast<std::uint32_t>(m.side));
    put<std::uint32_t>(h.data() + kMirrorAt + 12, 0);
    put<double>(h.data() + kMirrorAt + 16, m.halves);
    put<double>(h.data() + kMirrorAt + 24, m.flipped);
    put<std::uint64_t>(h.data() + h.size() - 8, checksum64(h.data(), h.size() - 8));
    ok = ::pwrite(fd, h.data(), h.size(), 0) == static_cast<ssize_t>(h.size()) && ::fsync(fd) == 0;
  }
  const int err = errno;
  ::close(fd);
  if (!ok) throw DataError(fmt::format("{}: cannot write the header ({})", path, std::strerror(err)));
}

PrepareResult prepare_cache(const Dataset& source, const std::string& source_path, const std::string& out, int threads,
                            bool strict) {
  const auto start = std::chrono::steady_clock::now();
  const ImageShape shape = source.shape();
  const std::int64_t n = source.size(), item = shape.bytes();
  const std::uint64_t fingerprint = source_fingerprint(source_path);
  if (source_path.size() > kMaxSourceBytes)
    throw DataError(fmt::format("{}: source path longer than {} bytes", source_path, kMaxSourceBytes));

  const fs::path target(out);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw DataError(fmt::format("{}: cannot create a temporary file beside it ({})", out, std::strerror(errno)));
  auto cleanup = [&] {
    ::close(fd);
    ::unlink(tmp.c_str());
  };
  const std::size_t full =
      static_cast<std::size_t>(kCacheHeaderBytes + n * item) + label_section_bound(source.labels(), n);
  if (::ftruncate(fd, static_cast<off_t>(full)) != 0) {
    const int err = errno;
    cleanup();
    throw DataError(fmt::format("{}: cannot size the cache to {} bytes ({})", out, full, std::strerror(err)));
  }
  void* mem = ::mmap(nullptr, full, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mem == MAP_FAILED) {
    const int err = errno;
    cleanup();
    throw DataError(fmt::format("{}: cannot map the cache for writing ({})", out, std::strerror(err)));
  }
  auto* base = static_cast<std::uint8_t*>(mem);
  std::uint8_t* payload = base + kCacheHeaderBytes;

  // Decode on all threads into each item's slot; remember which failed.
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<char> ok(static_cast<std::size_t>(n), 0);
  std::atomic<std::int64_t> next{0};
  std::mutex error_mu;
  std::exception_ptr fatal;
  auto worker = [&] {
    for (std::int64_t i; (i = next.fetch_add(1)) < n;) {
      try {
        source.read(i, payload + i * item);
        ok[static_cast<std::size_t>(i)] = 1;
      } catch (const UnreadableImage& e) {
        if (strict) {
          std::lock_guard<std::mutex> lock(error_mu);
          if (!fatal) fatal = std::current_exception();
          next = n;
        } else {
          spdlog::warn("skipping unreadable image: {}", e.what());
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!fatal) fatal = std::current_exception();
        next = n;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (fatal) {
    ::munmap(mem, full);
    cleanup();
    std::rethrow_exception(fatal);
  }

  // Close the gaps of skipped items, keeping the source order.
  std::int64_t written = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!ok[static_cast<std::size_t>(i)]) continue;
    if (written != i) std::memmove(payload + written * item, payload + i * item, static_cast<std::size_t>(item));
    ++written;
  }
  if (written == 0) {
    ::munmap(mem, full);
    cleanup();
    throw DataError(fmt::format("{}: none of its {} images could be read", source_path, n));
  }
  const std::vector<std::uint8_t> labels = label_section(source.labels(), ok);
  if (!labels.empty()) std::memcpy(payload + written * item, labels.data(), labels.size());
  std::memset(base, 0, static_cast<std::size_t>(kCacheHeaderBytes));
  std::memcpy(base, kMagic, 8);
  put<std::uint32_t>(base + 8, kCacheVersion);
  put<std::uint32_t>(base + 12, static_cast<std::uint32_t>(kCacheHeaderBytes));
  put<std::uint64_t>(base + 16, static_cast<std::uint64_t>(written));
  put<std::uint32_t>(base + 24, static_cast<std::uint32_t>(shape.channels));
  put<std::uint32_t>(base + 28, static_cast<std::uint32_t>(shape.height));
  put<std::uint32_t>(base + 32, static_cast<std::uint32_t>(shape.width));
  put<std::uint64_t>(base + 40, fingerprint);
  put<std::uint64_t>(base + 48, checksum64(payload, static_cast<std::size_t>(written * item)));
  put<std::uint64_t>(base + 56, static_cast<std::uint64_t>(n - written));
  put<std::uint32_t>(base + 64, static_cast<std::uint32_t>(source_path.size()));
  std::memcpy(base + 68, source_path.data(), source_path.size());
  put<std::uint32_t>(base + kLabelsAt, static_cast<std::uint32_t>(source.labels() ? source.labels()->count() : 0));
  put<std::uint64_t>(base + kLabelsAt + 4, labels.size());
  put<std::uint64_t>(base + kLabelsAt + 12, checksum64(labels.data(), labels.size()));
  put<std::uint64_t>(base + kCacheHeaderBytes - 8, checksum64(base, kCacheHeaderBytes - 8));

  const std::size_t final_size = static_cast<std::size_t>(kCacheHeaderBytes + written * item) + labels.size();
  const bool synced = ::msync(mem, full, MS_SYNC) == 0;
  ::munmap(mem, full);
  if (!synced || ::ftruncate(fd, static_cast<off_t>(final_size)) != 0 || ::fsync(fd) != 0 ||
      ::fchmod(fd, 0644) != 0 || ::rename(tmp.c_str(), out.c_str()) != 0) {
    const int err = errno;
    cleanup();
    throw DataError(fmt::format("{}: cannot write the cache ({})", out, std::strerror(err)));
  }
  ::close(fd);
  PrepareResult result;
  result.written = written;
  result.skipped = n - written;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::unique_ptr<Dataset> open_cache(const std::string& path, const ImageShape& expected,
                                    const std::string& source_path, bool labels) {
  auto map = std::make_unique<Mapping>(path);
  CacheInfo info = parse_header(path, map->data(), map->size());
  const ImageShape s = info.shape;
  if (s.channels != expected.channels || s.height != expected.height || s.width != expected.width)
    throw DataError(fmt::format("{}: cache holds {}x{} images with {} channel(s), the config wants {}x{} with {} "
                                "(rerun dcgan prepare with this config)",
                                path, s.width, s.height, s.channels, expected.width, expected.height,
                                expected.channels));
  const std::size_t payload = static_cast<std::size_t>(info.count * s.bytes());
  if (checksum64(map->data() + kCacheHeaderBytes, payload) != info.payload_checksum)
    throw DataError(fmt::format("{}: cache payload checksum mismatch (damaged file; rerun dcgan prepare)", path));
  const std::string& src = source_path.empty() ? info.source : source_path;
  std::error_code ec;
  if (!src.empty() && fs::exists(src, ec)) {
    if (source_fingerprint(src) != info.source_fingerprint)
      throw DataError(fmt::format("{}: stale cache: {} changed since it was prepared (rerun dcgan prepare)", path, src));
  } else if (!src.empty()) {
    spdlog::warn("{}: source {} is gone; using the cache as it is", path, src);
  }
  ::madvise(const_cast<std::uint8_t*>(map->data()), map->size(), MADV_WILLNEED);
  ClassLabels classes;
  if (labels && info.classes > 0) classes = parse_labels(path, map->data() + kCacheHeaderBytes + payload, info);
  return std::make_unique<CacheDataset>(path, std::move(map), std::move(info), std::move(classes));
}

}  // namespace dcgan
