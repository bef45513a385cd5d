// Image grids and PNG output.
#include "dcgan/image_io.h"

#include "dcgan/files.h"

#if DCGAN_WITH_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#endif

namespace dcgan {

GridImage make_grid(const torch::Tensor& images, const GridOptions& options) {
  TORCH_CHECK(images.dim() == 4 && (images.size(1) == 1 || images.size(1) == 3),
              "make_grid: expected [N, 1 or 3, H, W], got ", images.sizes());
  TORCH_CHECK(options.nrow >= 1 && options.padding >= 0, "make_grid: nrow must be >= 1 and padding >= 0");
  const torch::Tensor u8 = images.detach()
                               .to(torch::kCPU, torch::kFloat)
                               .add(1.0)
                               .mul(127.5)
                               .round()
                               .clamp(0, 255)
                               .to(torch::kUInt8)
                               .permute({0, 2, 3, 1})  // NHWC
                               .contiguous();
  const int64_t n = u8.size(0), h = u8.size(1), w = u8.size(2), c = u8.size(3);
  const int64_t cols = std::min<int64_t>(options.nrow, std::max<int64_t>(n, 1));
  const int64_t rows = (n + cols - 1) / cols;
  const int64_t pad = options.padding;
  GridImage grid;
  grid.height = static_cast<int>(rows * (h + pad) + pad);
  grid.width = static_cast<int>(cols * (w + pad) + pad);
  grid.channels = static_cast<int>(c);
  grid.pixels.assign(static_cast<std::size_t>(grid.height) * grid.width * c, 0);
  const uint8_t* src = u8.data_ptr<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t top = pad + (i / cols) * (h + pad), left = pad + (i % cols) * (w + pad);
    for (int64_t y = 0; y < h; ++y) {
      std::copy_n(src + ((i * h + y) * w) * c, w * c,
                  grid.pixels.data() + ((top + y) * grid.width + left) * c);
    }
  }
  return grid;
}

bool png_supported() { return DCGAN_WITH_OPENCV != 0; }

void write_png(const std::string& path, const GridImage& grid) {
#if !DCGAN_WITH_OPENCV
  (void)grid;
  throw FileError(path + ": cannot write PNG: this dcgan was built without OpenCV (DCGAN_WITH_OPENCV=OFF)");
#else
  const cv::Mat view(grid.height, grid.width, grid.channels == 1 ? CV_8UC1 : CV_8UC3,
                     const_cast<std::uint8_t*>(grid.pixels.data()));
  cv::Mat bgr;
  if (grid.channels == 3) cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
  else bgr = view;
  std::vector<uchar> png;
  if (!cv::imencode(".png", bgr, png)) throw FileError(path + ": PNG encoding failed");
  write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
#endif
}

}  // namespace dcgan
