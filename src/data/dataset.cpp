// open_dataset: picks the source a DataConfig names.
#include "dcgan/data/dataset.h"

#include "dcgan/config/config.h"
#include "dcgan/data/cache.h"
#include "dcgan/data/cifar10.h"
#include "dcgan/data/idx.h"
#include "dcgan/data/image_folder.h"
#include "dcgan/data/synthetic.h"

#include <fmt/format.h>

#include <filesystem>

namespace fs = std::filesystem;

namespace dcgan {

std::string detect_format(const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) throw DataError(fmt::format("{}: no such file or directory", path));
  if (fs::is_directory(status)) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      const std::string name = entry.path().filename().string();
      if ((name.rfind("data_batch_", 0) == 0 && entry.path().extension() == ".bin") || name == "test_batch.bin")
        return "cifar10";
    }
    return "folder";
  }
  if (is_cache_file(path)) return "cache";
  if (fs::path(path).extension() == ".bin") return "cifar10";
  return "idx";
}

std::unique_ptr<Dataset> open_dataset(const DataConfig& cfg, std::uint64_t seed) {
  const ImageShape shape{cfg.channels, cfg.image_size, cfg.image_size};
  if (!cfg.cache.empty()) {
    std::error_code ec;
    if (!fs::exists(cfg.cache, ec))
      throw DataError(fmt::format("{}: no such cache; make it with: dcgan prepare --data {} --image-size {} "
                                  "--channels {} --out {}",
                                  cfg.cache, cfg.path, cfg.image_size, cfg.channels, cfg.cache));
    return open_cache(cfg.cache, shape, cfg.path);
  }
  if (cfg.format == "synthetic") return open_synthetic(cfg.synthetic_count, cfg.image_size, cfg.channels, seed);
  if (cfg.path.empty()) throw DataError("data.path: no data path given (or set data.format=synthetic)");
  const std::string format = cfg.format == "auto" ? detect_format(cfg.path) : cfg.format;
  std::error_code ec;
  if (!fs::exists(cfg.path, ec)) throw DataError(fmt::format("{}: no such file or directory", cfg.path));
  const bool is_dir = fs::is_directory(cfg.path, ec);
  if (format == "folder") return open_image_folder(cfg.path, cfg.image_size, cfg.channels);
  if (format == "cifar10") return open_cifar10(cfg.path, cfg.image_size, cfg.channels);
  if (is_dir)
    throw DataError(fmt::format("{}: is a directory, but data.format is {} (point data.path at the file)", cfg.path,
                                format));
  if (format == "idx") return open_idx_dataset(cfg.path, cfg.image_size, cfg.channels);
  if (format == "cache") return open_cache(cfg.path, shape, "");
  throw DataError(fmt::format("data.format: unknown format '{}'", cfg.format));
}

}  // namespace dcgan
