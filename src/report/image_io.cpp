// Image grids of tensors and PNG output.
#include "dcgan/report/image_io.h"

#include "dcgan/io/files.h"

#if DCGAN_WITH_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#endif

namespace dcgan {

GridImage make_grid(const torch::Tensor& images, const GridOptions& options) {
  // tile_grid checks the channel count, nrow and padding.
  TORCH_CHECK(images.dim() == 4, "make_grid: expected [N, 1 or 3, H, W], got ", images.sizes());
  const torch::Tensor f = images.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return tile_grid(f.data_ptr<float>(), f.size(0), f.size(1), f.size(2), f.size(3), options);
}

bool png_supported() { return DCGAN_WITH_PNG != 0 || DCGAN_WITH_OPENCV != 0; }

void write_png(const std::string& path, const GridImage& grid) {
#if DCGAN_WITH_PNG
  std::string png;
  try {
    png = encode_png(grid);
  } catch (const std::exception& e) {
    throw FileError(path + ": " + e.what());
  }
  write_file_atomic(path, png);
#elif !DCGAN_WITH_OPENCV
  (void)grid;
  throw FileError(path + ": cannot write PNG: this dcgan was built without libpng or OpenCV");
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
