// CIFAR-10 source: binary batches of 3073-byte records.
#include "dcgan/data/cifar10.h"

#include "dcgan/data/labels.h"
#include "dcgan/data/transform.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace dcgan {
namespace {

class Cifar10Dataset final : public Dataset {
 public:
  Cifar10Dataset(std::string path, Cifar10Records records, int size, int channels)
      : path_(std::move(path)), records_(std::move(records)), size_(size), channels_(channels) {}

  std::int64_t size() const override { return records_.count; }
  ImageShape shape() const override { return {channels_, size_, size_}; }
  void read(std::int64_t index, std::uint8_t* out) const override {
    constexpr std::int64_t plane = 32 * 32;
    const std::uint8_t* src = records_.pixels.data() + index * 3 * plane;
    if (size_ == 32 && channels_ == 3) {
      std::copy_n(src, 3 * plane, out);
      return;
    }
    std::uint8_t bgr[32 * 32 * 3];
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x)
        for (int c = 0; c < 3; ++c) bgr[(y * 32 + x) * 3 + (2 - c)] = src[c * plane + y * 32 + x];
    resize_crop_to_chw(PixelView{bgr, 32, 32, 3, 32 * 3}, size_, channels_, out);
  }
  std::string describe() const override { return fmt::format("CIFAR-10 {} ({} images)", path_, records_.count); }

 private:
  std::string path_;
  Cifar10Records records_;
  int size_;
  int channels_;
};

}  // namespace

std::vector<std::string> cifar10_files(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    if (!fs::exists(path, ec)) throw DataError(fmt::format("{}: no such file or directory", path));
    return {path};
  }
  std::vector<std::string> train, test;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("data_batch_", 0) == 0 && entry.path().extension() == ".bin") train.push_back(entry.path().string());
    if (name == "test_batch.bin") test.push_back(entry.path().string());
  }
  if (ec) throw DataError(fmt::format("{}: cannot list directory ({})", path, ec.message()));
  std::sort(train.begin(), train.end());
  train.insert(train.end(), test.begin(), test.end());
  if (train.empty()) throw DataError(fmt::format("{}: no data_batch_*.bin or test_batch.bin in this folder", path));
  return train;
}

Cifar10Records read_cifar10(const std::string& path) {
  Cifar10Records out;
  for (const std::string& file : cifar10_files(path)) {
    std::error_code ec;
    const auto bytes = static_cast<std::int64_t>(fs::file_size(file, ec));
    if (ec) throw DataError(fmt::format("{}: cannot read CIFAR-10 file ({})", file, ec.message()));
    if (bytes == 0 || bytes % kCifarRecordBytes != 0)
      throw DataError(fmt::format("{}: {} bytes is not a whole number of 3073-byte CIFAR-10 records", file, bytes));
    std::ifstream in(file, std::ios::binary);
    std::vector<char> data(static_cast<std::size_t>(bytes));
    if (!in.read(data.data(), bytes)) throw DataError(fmt::format("{}: cannot read CIFAR-10 file", file));
    const std::int64_t n = bytes / kCifarRecordBytes;
    out.labels.reserve(static_cast<std::size_t>(out.count + n));
    out.pixels.reserve(static_cast<std::size_t>((out.count + n) * (kCifarRecordBytes - 1)));
    for (std::int64_t i = 0; i < n; ++i) {
      const char* rec = data.data() + i * kCifarRecordBytes;
      out.labels.push_back(static_cast<std::uint8_t>(rec[0]));
      out.pixels.insert(out.pixels.end(), rec + 1, rec + kCifarRecordBytes);
    }
    out.count += n;
  }
  return out;
}

std::unique_ptr<Dataset> open_cifar10(const std::string& path, int image_size, int channels, LabelMode labels) {
  Cifar10Records records = read_cifar10(path);
  std::optional<ClassLabels> classes = labels_as_asked(labels, [&] { return cifar10_class_labels(path, records.labels); });
  return with_labels(std::make_unique<Cifar10Dataset>(path, std::move(records), image_size, channels),
                     std::move(classes));
}

}  // namespace dcgan
