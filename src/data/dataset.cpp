// open_dataset: picks the source a DataConfig names.
#include "dcgan/data/dataset.h"

#include "dcgan/config.h"
#include "dcgan/data/idx.h"
#include "dcgan/data/image_folder.h"
#include "dcgan/data/synthetic.h"

#include <fmt/format.h>

#include <filesystem>

namespace dcgan {

std::unique_ptr<Dataset> open_dataset(const DataConfig& cfg, std::uint64_t seed) {
  if (cfg.format == "synthetic") return open_synthetic(cfg.synthetic_count, cfg.image_size, cfg.channels, seed);
  if (cfg.path.empty()) throw DataError("data.path: no data path given (or set data.format=synthetic)");
  std::error_code ec;
  const auto status = std::filesystem::status(cfg.path, ec);
  if (!std::filesystem::exists(status)) throw DataError(fmt::format("{}: no such file or directory", cfg.path));
  std::string format = cfg.format;
  if (format == "auto") format = std::filesystem::is_directory(status) ? "folder" : "idx";
  if (format == "folder") return open_image_folder(cfg.path, cfg.image_size, cfg.channels);
  if (format == "idx") {
    if (std::filesystem::is_directory(status))
      throw DataError(fmt::format("{}: is a directory, but data.format is idx (point data.path at the idx file)",
                                  cfg.path));
    return open_idx_dataset(cfg.path, cfg.image_size, cfg.channels);
  }
  throw DataError(fmt::format("data.format: unknown format '{}'", cfg.format));
}

}  // namespace dcgan
