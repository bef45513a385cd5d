// Dataset: the small interface every image source implements (count, shape, item i as uint8). No torch here.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace dcgan {

struct DataConfig;

// Thrown when a data set cannot be used; what() names the path and the problem.
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ImageShape {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::int64_t bytes() const { return static_cast<std::int64_t>(channels) * height * width; }
};

// A fixed, indexable set of images, already at the training size.
// Contract: size() >= 1; read() is thread-safe and deterministic for a given index.
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::int64_t size() const = 0;
  virtual ImageShape shape() const = 0;
  // Writes image `index` (0 <= index < size()) to `out` as shape().bytes() uint8 values, planar CHW, RGB order.
  // Throws DataError naming the file when the item cannot be decoded.
  virtual void read(std::int64_t index, std::uint8_t* out) const = 0;
  // One line for logs: the source and what it holds.
  virtual std::string describe() const = 0;
};

// Opens the source `cfg` names (format auto|folder|idx|synthetic) at cfg.image_size and cfg.channels.
// `seed` drives the synthetic source. Throws DataError for a missing path, an empty folder or a bad file.
std::unique_ptr<Dataset> open_dataset(const DataConfig& cfg, std::uint64_t seed);

}  // namespace dcgan
