// open_dataset: picks the source a DataConfig names.
#include "dcgan/data/dataset.h"

#include "dcgan/config/config.h"
#include "dcgan/data/cache.h"
#include "dcgan/data/cifar10.h"
#include "dcgan/data/idx.h"
#include "dcgan/data/image_folder.h"
#include "dcgan/data/labels.h"
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

namespace {

// The source without labels, or with those it carries itself (CIFAR-10, a cache) as `labels` asks.
std::unique_ptr<Dataset> open_source(const DataConfig& cfg, std::uint64_t seed, LabelMode labels);

// Attaches the labels of an idx file or an image folder as `mode` asks; data.class_names renames the classes.
std::unique_ptr<Dataset> attach_labels(std::unique_ptr<Dataset> data, const DataConfig& cfg, const std::string& format,
                                       LabelMode mode) {
  if (mode == LabelMode::None) return data;
  if (!data->labels()) {
    try {
      if (format == "idx") {
        data = with_labels(std::move(data), read_idx_class_labels(cfg.path, cfg.labels, data->size()));
      } else if (format == "folder") {
        data = with_labels(std::move(data), folder_class_labels(cfg.path, list_image_files(cfg.path)));
      } else if (format == "cache") {
        throw DataError(fmt::format("{}: holds no class labels (its source had none, or an older dcgan prepare made "
                                    "it); rerun dcgan prepare on the labelled source",
                                    data->describe()));
      } else {
        throw DataError(fmt::format("{}: a {} source has no class labels (a class-conditional run needs idx with a "
                                    "labels file, CIFAR-10, a folder of class subfolders or a cache made from one)",
                                    data->describe(), format));
      }
    } catch (const DataError&) {
      if (mode == LabelMode::Required) throw;
      return data;
    }
  }
  const std::vector<std::string> names = parse_class_names(cfg.class_names);
  if (names.empty()) return data;
  ClassLabels renamed = *data->labels();
  if (names.size() < renamed.names.size())
    throw DataError(fmt::format("data.class_names: names {} classes, and {} has {}", names.size(), data->describe(),
                                renamed.names.size()));
  renamed.names = names;
  return with_labels(std::move(data), std::move(renamed));
}

std::unique_ptr<Dataset> open_source(const DataConfig& cfg, std::uint64_t seed, LabelMode labels) {
  const ImageShape shape{cfg.channels, cfg.image_size, cfg.image_size};
  if (!cfg.cache.empty()) {
    std::error_code ec;
    if (!fs::exists(cfg.cache, ec))
      throw DataError(fmt::format("{}: no such cache; make it with: dcgan prepare --data {} --image-size {} "
                                  "--channels {} --out {}",
                                  cfg.cache, cfg.path, cfg.image_size, cfg.channels, cfg.cache));
    return open_cache(cfg.cache, shape, cfg.path, labels != LabelMode::None);
  }
  if (cfg.format == "synthetic") return open_synthetic(cfg.synthetic_count, cfg.image_size, cfg.channels, seed);
  if (cfg.path.empty()) throw DataError("data.path: no data path given (or set data.format=synthetic)");
  const std::string format = cfg.format == "auto" ? detect_format(cfg.path) : cfg.format;
  std::error_code ec;
  if (!fs::exists(cfg.path, ec)) throw DataError(fmt::format("{}: no such file or directory", cfg.path));
  const bool is_dir = fs::is_directory(cfg.path, ec);
  if (format == "folder") return open_image_folder(cfg.path, cfg.image_size, cfg.channels);
  if (format == "cifar10") return open_cifar10(cfg.path, cfg.image_size, cfg.channels, labels);
  if (is_dir)
    throw DataError(fmt::format("{}: is a directory, but data.format is {} (point data.path at the file)", cfg.path,
                                format));
  if (format == "idx") return open_idx_dataset(cfg.path, cfg.image_size, cfg.channels);
  if (format == "cache") return open_cache(cfg.path, shape, "", labels != LabelMode::None);
  throw DataError(fmt::format("data.format: unknown format '{}'", cfg.format));
}

}  // namespace

std::unique_ptr<Dataset> open_dataset(const DataConfig& cfg, std::uint64_t seed, LabelMode labels) {
  std::string format = cfg.cache.empty() ? cfg.format : "cache";
  if (format == "auto" && !cfg.path.empty()) format = detect_format(cfg.path);
  return attach_labels(open_source(cfg, seed, labels), cfg, format, labels);
}

}  // namespace dcgan
