// Image transform shared by the sources: channel conversion, resize of the shorter side, centre crop, to CHW.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dcgan {

// 8-bit interleaved pixels as decoders hand them over: rows x cols x channels, channels 1 (gray), 3 (BGR) or
// 4 (BGRA), `step` bytes from one row to the next.
struct PixelView {
  const std::uint8_t* data = nullptr;
  int rows = 0;
  int cols = 0;
  int channels = 0;
  std::size_t step = 0;
};

// Converts `image` into `channels` (1 gray or 3 RGB), resizes it so that its shorter side is `size` and
// centre-crops it to size x size, as the tutorial's transforms.Resize(size) + CenterCrop(size) do. Area
// interpolation when shrinking (antialiased, like PIL's), bilinear when growing. Writes channels*size*size bytes,
// planar CHW, to `out`. With OpenCV this is OpenCV's cvtColor/resize; a build without OpenCV uses LibTorch's
// area/bilinear interpolation (the same filters; pixels may differ by rounding).
void resize_crop_to_chw(const PixelView& image, int size, int channels, std::uint8_t* out);

}  // namespace dcgan
