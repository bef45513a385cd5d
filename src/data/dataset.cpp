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

// The labels of a source that does not carry its own (idx: the labels file), or DataError saying why it has none.
ClassLabels labels_beside(const Dataset& data, const DataConfig& cfg, const std::string& format) {
  if (format == "idx") return read_idx_class_labels(cfg.path, cfg.labels, data.size());
  if (format == "cache")
    throw DataError(fmt::format("{}: holds no class labels (its source had none, or an older dcgan prepare made it); "
                                "rerun dcgan prepare on the labelled source",
                                data.describe()));
  throw DataError(fmt::format("{}: a {} source has no class labels (a class-conditional run needs idx with a labels "
                              "file, CIFAR-10, a folder of class subfolders or a cache made from one)",
                              data.describe(), format));
}

// `data` with its labels as `mode` asks (CIFAR-10, folders and caches bring their own); data.class_names renames
// the classes.
std::unique_ptr<Dataset> attach_labels(std::unique_ptr<Dataset> data, const DataConfig& cfg, const std::string& format,
                                       LabelMode mode) {
  if (!data->labels()) {
    std::optional<ClassLabels> found = labels_as_asked(mode, [&] { return labels_beside(*data, cfg, format); });
    data = with_labels(std::move(data), std::move(found));
  }
  const std::vector<std::string> names = parse_class_names(cfg.class_names);
  if (names.empty() || !data->labels()) return data;
  ClassLabels renamed = *data->labels();
  if (names.size() < renamed.names.size())
    throw DataError(fmt::format("data.class_names: names {} classes, and {} has {}", names.size(), data->describe(),
                                renamed.names.size()));
  renamed.names = names;
  return with_labels(std::move(data), std::move(renamed));
}

// The source in `format` (data.format with auto resolved), with the labels it carries itself (CIFAR-10, folders,
// caches) as `labels` asks.
std::unique_ptr<Dataset> open_source(const DataConfig& cfg, const std::string& format, std::uint64_t seed,
                                     LabelMode labels) {
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
  std::error_code ec;
  if (!fs::exists(cfg.path, ec)) throw DataError(fmt::format("{}: no such file or directory", cfg.path));
  const bool is_dir = fs::is_directory(cfg.path, ec);
  if (format == "folder")
    return open_image_folder(cfg.path, cfg.image_size, cfg.channels, labels, cfg.max_image_pixels);
  if (format == "cifar10") return open_cifar10(cfg.path, cfg.image_size, cfg.channels, labels);
  if (is_dir)
    throw DataError(fmt::format("{}: is a directory, but data.format is {} (point data.path at the file)", cfg.path,
                                format));
  if (format == "idx") return open_idx_dataset(cfg.path, cfg.image_size, cfg.channels);
  if (format == "cache") return open_cache(cfg.path, shape, "", labels != LabelMode::None);
  throw DataError(fmt::format("data.format: unknown format '{}'", cfg.format));
}

// The format open_dataset reads: cache when data.cache is set, else data.format with `auto` resolved.
std::string source_format(const DataConfig& cfg) {
  if (!cfg.cache.empty()) return "cache";
  return cfg.format == "auto" && !cfg.path.empty() ? detect_format(cfg.path) : cfg.format;
}

}  // namespace

std::string cache_path(const DataConfig& cfg) {
  if (source_format(cfg) != "cache") return {};
  return cfg.cache.empty() ? cfg.path : cfg.cache;
}

std::unique_ptr<Dataset> open_dataset(const DataConfig& cfg, std::uint64_t seed, LabelMode labels) {
  const std::string format = source_format(cfg);
  return attach_labels(open_source(cfg, format, seed, labels), cfg, format, labels);
}

}  // namespace dcgan
