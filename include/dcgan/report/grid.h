// Image grids: a batch of generated images tiled into one 8-bit picture, as torchvision's make_grid. No torch here.
#pragma once

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

// Tiles `n` images of `c` (1 or 3) x `h` x `w` floats in [-1, 1], NCHW and contiguous, into a grid. A value maps to
// round((v + 1) * 127.5) (ties to even, in float, as torch.round), clamped to [0, 255]. Throws std::invalid_argument
// for other channel counts, nrow < 1 or padding < 0.
GridImage tile_grid(const float* images, int64_t n, int64_t c, int64_t h, int64_t w, const GridOptions& options);

// PNG encoding of `grid` (libpng, zlib level 1: OpenCV's default, 5x faster than 6 on generated images). Throws std::runtime_error when libpng fails or the build has no
// libpng (DCGAN_WITH_PNG off).
std::string encode_png(const GridImage& grid);

}  // namespace dcgan
