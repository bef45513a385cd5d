// Image transform: channel conversion, shorter-side resize, centre crop, HWC -> CHW.
#include "dcgan/data/transform.h"

#if DCGAN_WITH_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#else
#include <torch/torch.h>
#endif

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dcgan {
namespace {

struct Resized {
  int nh, nw, top, left;
};

// Shorter side -> size, keeping the aspect ratio (torchvision Resize(int) rounds the long side down); centre-crop
// offsets rounded as torchvision's CenterCrop does.
Resized plan(int h, int w, int size) {
  Resized r{size, size, 0, 0};
  if (h < w) r.nw = static_cast<int>(static_cast<std::int64_t>(w) * size / h);
  else r.nh = static_cast<int>(static_cast<std::int64_t>(h) * size / w);
  r.top = static_cast<int>(std::lround((r.nh - size) / 2.0));
  r.left = static_cast<int>(std::lround((r.nw - size) / 2.0));
  return r;
}

void check(const PixelView& image, int channels) {
  if (!image.data || image.rows <= 0 || image.cols <= 0)
    throw std::invalid_argument("resize_crop_to_chw: empty image");
  if (image.channels != 1 && image.channels != 3 && image.channels != 4)
    throw std::invalid_argument("resize_crop_to_chw: unsupported channel count");
  if (channels != 1 && channels != 3) throw std::invalid_argument("resize_crop_to_chw: channels must be 1 or 3");
}

}  // namespace

#if DCGAN_WITH_OPENCV

void resize_crop_to_chw(const PixelView& image, int size, int channels, std::uint8_t* out) {
  check(image, channels);
  const cv::Mat src(image.rows, image.cols, CV_8UC(image.channels), const_cast<std::uint8_t*>(image.data),
                    image.step);
  cv::Mat converted;
  const int cn = image.channels;
  if (channels == 1) {
    if (cn == 1) converted = src;
    else if (cn == 3) cv::cvtColor(src, converted, cv::COLOR_BGR2GRAY);
    else cv::cvtColor(src, converted, cv::COLOR_BGRA2GRAY);
  } else {
    if (cn == 1) cv::cvtColor(src, converted, cv::COLOR_GRAY2RGB);
    else if (cn == 3) cv::cvtColor(src, converted, cv::COLOR_BGR2RGB);
    else cv::cvtColor(src, converted, cv::COLOR_BGRA2RGB);
  }
  const int h = converted.rows, w = converted.cols;
  const Resized r = plan(h, w, size);
  cv::Mat resized;
  if (r.nh == h && r.nw == w) {
    resized = converted;
  } else {
    const int interp = (r.nh < h || r.nw < w) ? cv::INTER_AREA : cv::INTER_LINEAR;
    cv::resize(converted, resized, cv::Size(r.nw, r.nh), 0, 0, interp);
  }
  const cv::Mat crop = resized(cv::Rect(r.left, r.top, size, size));

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

#else  // LibTorch fallback for builds without OpenCV (idx and CIFAR-10 only: folders need a decoder).

void resize_crop_to_chw(const PixelView& image, int size, int channels, std::uint8_t* out) {
  check(image, channels);
  torch::NoGradGuard no_grad;
  const auto cn = static_cast<int64_t>(image.channels);
  const torch::Tensor hwc =
      torch::from_blob(const_cast<std::uint8_t*>(image.data), {image.rows, image.cols, cn},
                       {static_cast<int64_t>(image.step), cn, 1}, torch::kUInt8);
  torch::Tensor x = hwc.permute({2, 0, 1}).to(torch::kFloat);  // [cn, h, w], BGR(A) order
  if (cn >= 3) x = x.slice(0, 0, 3).flip({0});                 // RGB, alpha dropped
  if (channels == 1 && x.size(0) == 3) {
    // ITU-R BT.601 luma, the weights OpenCV's BGR2GRAY uses.
    x = (x[0] * 0.299 + x[1] * 0.587 + x[2] * 0.114).unsqueeze(0);
  } else if (channels == 3 && x.size(0) == 1) {
    x = x.expand({3, -1, -1});
  }
  const int h = image.rows, w = image.cols;
  const Resized r = plan(h, w, size);
  x = x.unsqueeze(0);
  if (r.nh != h || r.nw != w) {
    namespace F = torch::nn::functional;
    const std::vector<int64_t> target{r.nh, r.nw};
    x = (r.nh < h || r.nw < w) ? F::interpolate(x, F::InterpolateFuncOptions().size(target).mode(torch::kArea))
                               : F::interpolate(x, F::InterpolateFuncOptions().size(target).mode(torch::kBilinear)
                                                       .align_corners(false));
  }
  const torch::Tensor crop = x.squeeze(0)
                                 .slice(1, r.top, r.top + size)
                                 .slice(2, r.left, r.left + size)
                                 .round()
                                 .clamp(0, 255)
                                 .to(torch::kUInt8)
                                 .contiguous();
  std::copy_n(crop.data_ptr<std::uint8_t>(), static_cast<std::size_t>(channels) * size * size, out);
}

#endif

}  // namespace dcgan
