// Image grids: batches of generated images tiled into one picture and written as PNG (OpenCV).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dcgan {

// Grid layout, as torchvision.utils.make_grid draws it (padding 2, pad value 0).
struct GridOptions {
  int nrow = 8;     // images per row
  int padding = 2;  // pixels between and around images
};

// A grid as 8-bit pixels: height x width x channels (1 gray or 3 RGB), row-major.
struct GridImage {
  int height = 0;
  int width = 0;
  int channels = 0;
  std::vector<std::uint8_t> pixels;
};

// Tiles `images` ([N, C, H, W], C = 1 or 3, values in [-1, 1], any device) into a grid, mapping [-1, 1] to
// [0, 255] with rounding and clamping.
GridImage make_grid(const torch::Tensor& images, const GridOptions& options = {});

// Whether this build can write PNG files (it needs OpenCV).
bool png_supported();

// Encodes `grid` as PNG and writes it atomically to `path`. Throws FileError naming the path on failure.
void write_png(const std::string& path, const GridImage& grid);

}  // namespace dcgan
