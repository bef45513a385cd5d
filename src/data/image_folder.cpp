// Image-folder source: recursive listing and OpenCV decoding.
#include "dcgan/data/image_folder.h"

#include "dcgan/data/transform.h"

#include <fmt/format.h>
#if DCGAN_WITH_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#endif

#include <algorithm>
#include <cstdio>
#include <memory>
#include <filesystem>

namespace fs = std::filesystem;

namespace dcgan {
namespace {

#if DCGAN_WITH_OPENCV
// Width and height from a JPEG's SOF marker, without decoding; {0, 0} when `path` is not a readable baseline or
// progressive JPEG.
std::pair<int, int> jpeg_size(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return {0, 0};
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(f, std::fclose);
  unsigned char b[8];
  if (std::fread(b, 1, 2, f) != 2 || b[0] != 0xFF || b[1] != 0xD8) return {0, 0};
  for (int markers = 0; markers < 64; ++markers) {
    int c = std::fgetc(f);
    while (c == 0xFF) c = std::fgetc(f);  // fill bytes
    if (c == EOF) return {0, 0};
    const int marker = c;
    if (std::fread(b, 1, 2, f) != 2) return {0, 0};
    const int length = (b[0] << 8) | b[1];
    if (length < 2) return {0, 0};
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (std::fread(b, 1, 5, f) != 5) return {0, 0};
      return {(b[3] << 8) | b[4], (b[1] << 8) | b[2]};
    }
    if (std::fseek(f, length - 2, SEEK_CUR) != 0) return {0, 0};
  }
  return {0, 0};
}

// imread flags that let libjpeg decode at 1/2, 1/4 or 1/8 scale (DCT scaling, far cheaper than a full decode)
// while the shorter side stays at least `size`, so the final resize is still a reduction.
int decode_flags(const std::string& path, const std::string& ext, int size, int channels) {
  if (ext != ".jpg" && ext != ".jpeg") return cv::IMREAD_UNCHANGED;
  const auto [w, h] = jpeg_size(path);
  const int shorter = std::min(w, h);
  for (int factor : {8, 4, 2}) {
    if (shorter >= factor * size) {
      const bool gray = channels == 1;
      switch (factor) {
        case 8: return gray ? cv::IMREAD_REDUCED_GRAYSCALE_8 : cv::IMREAD_REDUCED_COLOR_8;
        case 4: return gray ? cv::IMREAD_REDUCED_GRAYSCALE_4 : cv::IMREAD_REDUCED_COLOR_4;
        default: return gray ? cv::IMREAD_REDUCED_GRAYSCALE_2 : cv::IMREAD_REDUCED_COLOR_2;
      }
    }
  }
  return cv::IMREAD_UNCHANGED;
}
#endif

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

class ImageFolderDataset final : public Dataset {
 public:
  ImageFolderDataset(std::string root, std::vector<std::string> files, int size, int channels)
      : root_(std::move(root)), files_(std::move(files)), size_(size), channels_(channels) {}

  std::int64_t size() const override { return static_cast<std::int64_t>(files_.size()); }
  ImageShape shape() const override { return {channels_, size_, size_}; }
  void read(std::int64_t index, std::uint8_t* out) const override {
    const std::string& path = files_.at(static_cast<std::size_t>(index));
#if DCGAN_WITH_OPENCV
    cv::Mat image;
    try {
      image = cv::imread(path, decode_flags(path, lower(fs::path(path).extension().string()), size_, channels_));
    } catch (const cv::Exception& e) {
      throw UnreadableImage(fmt::format("{}: cannot decode image ({})", path, e.err));
    }
    if (image.empty()) throw UnreadableImage(fmt::format("{}: cannot decode image (unreadable, empty or corrupt)", path));
    if (image.depth() == CV_16U) image.convertTo(image, CV_8U, 1.0 / 257.0);
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
};

}  // namespace

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
    const std::string ext = lower(it->path().extension().string());
    if (std::find(exts.begin(), exts.end(), ext) != exts.end()) files.push_back(it->path().string());
  }
  if (files.empty())
    throw DataError(fmt::format("{}: no images found (looked for .jpg .jpeg .png .bmp .pgm .ppm .webp .tif, recursively)",
                                root));
  std::sort(files.begin(), files.end());
  return files;
}

std::unique_ptr<Dataset> open_image_folder(const std::string& root, int image_size, int channels) {
#if !DCGAN_WITH_OPENCV
  throw DataError(fmt::format("{}: this dcgan was built without OpenCV (DCGAN_WITH_OPENCV=OFF), so image folders "
                              "cannot be read; use an idx, CIFAR-10 or prepared cache source",
                              root));
#endif
  return std::make_unique<ImageFolderDataset>(root, list_image_files(root), image_size, channels);
}

}  // namespace dcgan
