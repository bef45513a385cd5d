// Image transform shared by the sources: channel conversion, resize of the shorter side, centre crop, to CHW.
#pragma once

#include <cstdint>

namespace cv {
class Mat;
}

namespace dcgan {

// Converts `image` (8-bit, 1, 3 (BGR) or 4 (BGRA) channels, any size) into `channels` (1 gray or 3 RGB), resizes it
// so that its shorter side is `size` and centre-crops it to size x size, as the tutorial's
// transforms.Resize(size) + CenterCrop(size) do. Area interpolation when shrinking (antialiased, like PIL's),
// bilinear when growing. Writes channels*size*size bytes, planar CHW, to `out`.
void resize_crop_to_chw(const cv::Mat& image, int size, int channels, std::uint8_t* out);

}  // namespace dcgan
