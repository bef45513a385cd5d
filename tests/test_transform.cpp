// Tests of resize_crop_to_chw: shorter-side resize, centre crop, channel order (OpenCV or the LibTorch fallback).
#include "dcgan/data/transform.h"

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
  // A flat 28x28 gray image stays flat at 64x64, in three channels.
  std::vector<uint8_t> img(28 * 28, 77);
  std::vector<uint8_t> out(3 * 64 * 64);
  resize_crop_to_chw(PixelView{img.data(), 28, 28, 1, 28}, 64, 3, out.data());
  for (uint8_t v : out) ASSERT_EQ(v, 77);
}

TEST(Transform, RejectsWhatItCannotConvert) {
  std::vector<uint8_t> img(16, 0);
  std::vector<uint8_t> out(64);
  EXPECT_THROW(resize_crop_to_chw(PixelView{img.data(), 4, 2, 2, 4}, 8, 1, out.data()), std::invalid_argument);
  EXPECT_THROW(resize_crop_to_chw(PixelView{nullptr, 4, 4, 1, 4}, 8, 1, out.data()), std::invalid_argument);
}

}  // namespace
}  // namespace dcgan
