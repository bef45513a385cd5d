// Image grids of tensors and PNG output (libpng, else OpenCV).
#pragma once

#include "dcgan/report/grid.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dcgan {

// Tiles `images` ([N, C, H, W], C = 1 or 3, values in [-1, 1], any device) into a grid, mapping [-1, 1] to
// [0, 255] with rounding and clamping (tile_grid).
GridImage make_grid(const torch::Tensor& images, const GridOptions& options = {});

// Whether this build can write PNG files (it needs libpng or OpenCV).
bool png_supported();

// Encodes `grid` as PNG and writes it atomically to `path`. Throws FileError naming the path on failure.
void write_png(const std::string& path, const GridImage& grid);

}  // namespace dcgan
