// idx source: MNIST-style idx3-ubyte image files (MNIST, Fashion-MNIST), raw or gzip-compressed.
#pragma once

#include "dcgan/data/dataset.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dcgan {

// The decoded contents of an idx3-ubyte file: count images of rows x cols, row-major uint8.
struct IdxImages {
  std::int64_t count = 0;
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols
};

// Reads an idx3-ubyte file (raw or .gz). Throws DataError naming `path` for a missing or unreadable file,
// a wrong magic (expects 0x00000803), zero dimensions, or fewer pixel bytes than the header promises.
IdxImages read_idx_images(const std::string& path);

// Reads an idx1-ubyte label file (raw or .gz; magic 0x00000801), with the same errors as read_idx_images.
std::vector<std::uint8_t> read_idx_labels(const std::string& path);

// A Dataset over an idx file, resized (shorter side) and centre-cropped to `image_size`, converted to `channels`.
std::unique_ptr<Dataset> open_idx_dataset(const std::string& path, int image_size, int channels);

}  // namespace dcgan
