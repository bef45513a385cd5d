// Image transform: channel conversion, shorter-side resize, centre crop, HWC -> CHW.
#include "dcgan/data/transform.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace dcgan {

void resize_crop_to_chw(const cv::Mat& image, int size, int channels, std::uint8_t* out) {
  if (image.empty() || image.depth() != CV_8U) throw std::invalid_argument("resize_crop_to_chw: expected an 8-bit image");
  cv::Mat converted;
  const int cn = image.channels();
  if (channels == 1) {
    if (cn == 1) converted = image;
    else if (cn == 3) cv::cvtColor(image, converted, cv::COLOR_BGR2GRAY);
    else if (cn == 4) cv::cvtColor(image, converted, cv::COLOR_BGRA2GRAY);
  } else {
    if (cn == 1) cv::cvtColor(image, converted, cv::COLOR_GRAY2RGB);
    else if (cn == 3) cv::cvtColor(image, converted, cv::COLOR_BGR2RGB);
    else if (cn == 4) cv::cvtColor(image, converted, cv::COLOR_BGRA2RGB);
  }
  if (converted.empty()) throw std::invalid_argument("resize_crop_to_chw: unsupported channel count");

  // Shorter side -> size, keeping the aspect ratio (torchvision Resize(int) rounds the long side down).
  const int h = converted.rows, w = converted.cols;
  int nh = size, nw = size;
  if (h < w) nw = static_cast<int>(static_cast<std::int64_t>(w) * size / h);
  else nh = static_cast<int>(static_cast<std::int64_t>(h) * size / w);
  cv::Mat resized;
  if (nh == h && nw == w) {
    resized = converted;
  } else {
    const int interp = (nh < h || nw < w) ? cv::INTER_AREA : cv::INTER_LINEAR;
    cv::resize(converted, resized, cv::Size(nw, nh), 0, 0, interp);
  }
  // Centre crop, offsets rounded as torchvision's CenterCrop does.
  const int top = static_cast<int>(std::lround((nh - size) / 2.0));
  const int left = static_cast<int>(std::lround((nw - size) / 2.0));
  const cv::Mat crop = resized(cv::Rect(left, top, size, size));

  if (channels == 1) {
    for (int y = 0; y < size; ++y) std::copy_n(crop.ptr<std::uint8_t>(y), size, out + y * size);
    return;
  }
  const std::int64_t plane = static_cast<std::int64_t>(size) * size;
  for (int y = 0; y < size; ++y) {
    const std::uint8_t* row = crop.ptr<std::uint8_t>(y);
    for (int x = 0; x < size; ++x)
      for (int c = 0; c < 3; ++c) out[c * plane + y * size + x] = row[x * 3 + c];
  }
}

}  // namespace dcgan
