// Dataset: the small interface every image source implements (count, shape, item i as uint8). No torch here.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace dcgan {

struct DataConfig;

// Thrown when a data set cannot be used; what() names the path and the problem.
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One file of a folder that cannot be decoded (corrupt, empty, not an image, unreadable). The loader and prepare
// skip such files with a warning unless data.strict is set; every other DataError stops the run.
struct UnreadableImage : DataError {
  using DataError::DataError;
};

// The smallest image side accepted, in pixels: anything smaller cannot hold a meaningful training image and is
// taken as a sign of a wrong data set.
inline constexpr int kMinImageSide = 8;

struct ImageShape {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::int64_t bytes() const { return static_cast<std::int64_t>(channels) * height * width; }
};

// The classes of a data set's images, for class-conditional training (model.num_classes): item i is of class
// of_item[i], in 0..count()-1, named names[of_item[i]].
struct ClassLabels {
  std::vector<std::int32_t> of_item;
  std::vector<std::string> names;  // one per class, in class order
  int count() const { return static_cast<int>(names.size()); }
};

// What open_dataset does about labels. None: reads none (an unconditional run). IfPresent: attaches them when the
// source has them and they are sound, else none (dcgan prepare, whose cache keeps them). Required: the source must
// have sound labels, or DataError says why (a conditional run).
enum class LabelMode { None, IfPresent, Required };

// A fixed, indexable set of images, already at the training size.
// Contract: size() >= 1; read() is thread-safe and deterministic for a given index.
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::int64_t size() const = 0;
  virtual ImageShape shape() const = 0;
  // Writes image `index` (0 <= index < size()) to `out` as shape().bytes() uint8 values, planar CHW, RGB order.
  // Throws UnreadableImage naming the file when the item cannot be decoded, DataError when it is unusable.
  virtual void read(std::int64_t index, std::uint8_t* out) const = 0;
  // One line for logs: the source and what it holds.
  virtual std::string describe() const = 0;
  // The images' classes, or nullptr when the source was opened without labels.
  virtual const ClassLabels* labels() const { return nullptr; }
};

// Opens the source `cfg` names (format auto|folder|idx|cifar10|cache|synthetic, or cfg.cache when set) at
// cfg.image_size and cfg.channels, with its class labels as `labels` asks (data/labels.h says where they come
// from). `seed` drives the synthetic source. Throws DataError for a missing path, an empty folder, a bad file, a
// stale or foreign cache, or (LabelMode::Required) missing or unsound labels.
std::unique_ptr<Dataset> open_dataset(const DataConfig& cfg, std::uint64_t seed, LabelMode labels = LabelMode::None);

// The format `auto` resolves to for `path` (folder, idx, cifar10 or cache). Throws DataError when it is missing.
std::string detect_format(const std::string& path);

// The prepared cache open_dataset reads for `cfg`: data.cache when set, else data.path when its format is (or
// `auto` resolves to) cache; "" when it reads no cache.
std::string cache_path(const DataConfig& cfg);

}  // namespace dcgan
