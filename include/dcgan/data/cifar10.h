// CIFAR-10 source: the official binary batches (data_batch_*.bin, test_batch.bin) of 3073-byte records.
#pragma once

#include "dcgan/data/dataset.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dcgan {

// Bytes per record: 1 label byte, then the R, G and B planes of a 32x32 image, each row-major
// (Krizhevsky 2009, "The CIFAR-10 dataset", binary version).
inline constexpr std::int64_t kCifarRecordBytes = 1 + 3 * 32 * 32;

struct Cifar10Records {
  std::int64_t count = 0;
  std::vector<std::uint8_t> labels;  // count
  std::vector<std::uint8_t> pixels;  // count x 3 x 32 x 32, planar RGB
};

// The .bin files `path` names: the file itself, or a folder's data_batch_*.bin then test_batch.bin, sorted.
// Throws DataError when there is none.
std::vector<std::string> cifar10_files(const std::string& path);

// Reads every record of cifar10_files(path). Throws DataError naming the file when its size is zero or not a
// multiple of 3073 bytes, or it cannot be read.
Cifar10Records read_cifar10(const std::string& path);

// A Dataset over CIFAR-10 records, resized and converted to `image_size` and `channels` when they differ from 32x3;
// their label bytes attached as `labels` asks (cifar10_class_labels in data/labels.h; IfPresent leaves unsound ones
// off).
std::unique_ptr<Dataset> open_cifar10(const std::string& path, int image_size, int channels,
                                      LabelMode labels = LabelMode::None);

}  // namespace dcgan
