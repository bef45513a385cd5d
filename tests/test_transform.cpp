// Tests of resize_crop_to_chw: shorter-side resize, centre crop, channel order (OpenCV or the LibTorch fallback).
#include "dcgan/data/transform.h"

#include <algorithm>
#include <vector>

#include "test_util.h"

namespace dcgan {
namespace {

TEST(Transform, ResizesTheShorterSideThenCropsTheCentre) {
  // A 40x20 (w x h) image whose left half is 0 and right half 200; after resize to h = 10 (w = 20) and a 10x10
  // centre crop the left five columns are dark and the right five bright.
  std::vector<uint8_t> img(20 * 40, 0);
  for (int y = 0; y < 20; ++y)
    for (int x = 20; x < 40; ++x) img[y * 40 + x] = 200;
  std::vector<uint8_t> out(100);
  resize_crop_to_chw(PixelView{img.data(), 20, 40, 1, 40}, 10, 1, out.data());
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[4], 0);
  EXPECT_EQ(out[5], 200);
  EXPECT_EQ(out[9], 200);
}

TEST(Transform, ColourIsPlanarRgbAndGrayIsBt601Luma) {
  std::vector<uint8_t> bgr(8 * 8 * 3);
  for (int i = 0; i < 64; ++i) {  // B=10, G=20, R=30
    bgr[i * 3] = 10;
    bgr[i * 3 + 1] = 20;
    bgr[i * 3 + 2] = 30;
  }
  std::vector<uint8_t> out(3 * 64);
  resize_crop_to_chw(PixelView{bgr.data(), 8, 8, 3, 24}, 8, 3, out.data());
  EXPECT_EQ(out[0], 30);
  EXPECT_EQ(out[64], 20);
  EXPECT_EQ(out[128], 10);
  std::vector<uint8_t> gray(64);
  resize_crop_to_chw(PixelView{bgr.data(), 8, 8, 3, 24}, 8, 1, gray.data());
  EXPECT_EQ(gray[0], 22);  // 0.299 * 30 + 0.587 * 20 + 0.114 * 10 = 21.85
}

TEST(Transform, UpscalesSmallImagesBilinearly) {
  // A horizontal ramp, 28x28 gray, to 64x64 in three channels. Bilinear interpolation is exact on a linear ramp:
  // output column X samples the source at x = (X + 0.5) * 28 / 64 - 0.5 (pixel centres, clamped at the borders).
  // Nearest-neighbour or area sampling would be off by up to half a source step (2 levels here).
  std::vector<uint8_t> img(28 * 28);
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x) img[y * 28 + x] = static_cast<uint8_t>(20 + 4 * x);
  std::vector<uint8_t> out(3 * 64 * 64);
  resize_crop_to_chw(PixelView{img.data(), 28, 28, 1, 28}, 64, 3, out.data());
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 64; ++y)
      for (int x = 0; x < 64; ++x) {
        const double src = std::clamp((x + 0.5) * 28.0 / 64.0 - 0.5, 0.0, 27.0);
        ASSERT_NEAR(out[(c * 64 + y) * 64 + x], 20 + 4 * src, 1.0) << "channel " << c << " at " << x << "," << y;
      }
}

TEST(Transform, RejectsWhatItCannotConvert) {
  std::vector<uint8_t> img(16, 0);
  std::vector<uint8_t> out(64);
  EXPECT_THROW(resize_crop_to_chw(PixelView{img.data(), 4, 2, 2, 4}, 8, 1, out.data()), std::invalid_argument);
  EXPECT_THROW(resize_crop_to_chw(PixelView{nullptr, 4, 4, 1, 4}, 8, 1, out.data()), std::invalid_argument);
}

}  // namespace
}  // namespace dcgan
