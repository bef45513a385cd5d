// Image-folder source: recursive listing and decoding (data/image_decode.h).
#include "dcgan/data/image_folder.h"

#include "dcgan/data/image_decode.h"
#include "dcgan/data/labels.h"
#include "dcgan/data/transform.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <filesystem>

namespace fs = std::filesystem;

namespace dcgan {
namespace {


class ImageFolderDataset final : public Dataset {
 public:
  ImageFolderDataset(std::string root, std::vector<std::string> files, int size, int channels,
                     std::int64_t max_pixels)
      : root_(std::move(root)), files_(std::move(files)), size_(size), channels_(channels), max_pixels_(max_pixels) {}

  std::int64_t size() const override { return static_cast<std::int64_t>(files_.size()); }
  ImageShape shape() const override { return {channels_, size_, size_}; }
  void read(std::int64_t index, std::uint8_t* out) const override {
    const std::string& path = files_.at(static_cast<std::size_t>(index));
#if DCGAN_WITH_OPENCV
    const cv::Mat image = decode_image_file(path, channels_ == 1, size_, max_pixels_);
    if (image.depth() != CV_8U)
      throw UnreadableImage(fmt::format("{}: unsupported pixel depth (8- or 16-bit images only)", path));
    if (image.rows < kMinImageSide || image.cols < kMinImageSide)
      throw DataError(fmt::format("{}: image is {}x{}, smaller than {} pixels on a side", path, image.cols, image.rows,
                                  kMinImageSide));
    resize_crop_to_chw(PixelView{image.data, image.rows, image.cols, image.channels(), image.step[0]}, size_,
                       channels_, out);
#else
    (void)out;
    throw DataError(fmt::format("{}: this dcgan was built without OpenCV (DCGAN_WITH_OPENCV=OFF), so image folders "
                                "cannot be decoded; use an idx, CIFAR-10 or prepared cache source",
                                path));
#endif
  }
  std::string describe() const override { return fmt::format("image folder {} ({} files)", root_, files_.size()); }

 private:
  std::string root_;
  std::vector<std::string> files_;
  int size_;
  int channels_;
  std::int64_t max_pixels_;
};

}  // namespace

std::string image_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

const std::vector<std::string>& image_extensions() {
  static const std::vector<std::string> exts = {".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".ppm", ".pbm",
                                                ".pnm", ".webp", ".tif", ".tiff"};
  return exts;
}

std::vector<std::string> list_image_files(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw DataError(fmt::format("{}: not a directory", root));
  std::vector<std::string> files;
  const auto& exts = image_extensions();
  fs::recursive_directory_iterator it(root, fs::directory_options::follow_directory_symlink, ec), end;
  if (ec) throw DataError(fmt::format("{}: cannot list directory ({})", root, ec.message()));
  for (; it != end; it.increment(ec)) {
    if (ec) throw DataError(fmt::format("{}: cannot list directory ({})", root, ec.message()));
    if (!it->is_regular_file(ec)) continue;
    const std::string ext = image_extension(it->path().string());
    if (std::find(exts.begin(), exts.end(), ext) != exts.end()) files.push_back(it->path().string());
  }
  if (files.empty())
    throw DataError(fmt::format("{}: no images found (looked for .jpg .jpeg .png .bmp .pgm .ppm .webp .tif, recursively)",
                                root));
  std::sort(files.begin(), files.end());
  return files;
}

std::unique_ptr<Dataset> open_image_folder(const std::string& root, int image_size, int channels, LabelMode labels,
                                           std::int64_t max_pixels) {
#if !DCGAN_WITH_OPENCV
  throw DataError(fmt::format("{}: this dcgan was built without OpenCV (DCGAN_WITH_OPENCV=OFF), so image folders "
                              "cannot be read; use an idx, CIFAR-10 or prepared cache source",
                              root));
#endif
  std::vector<std::string> files = list_image_files(root);
  std::optional<ClassLabels> classes = labels_as_asked(labels, [&] { return folder_class_labels(root, files); });
  return with_labels(std::make_unique<ImageFolderDataset>(root, std::move(files), image_size, channels, max_pixels),
                     std::move(classes));
}

}  // namespace dcgan
