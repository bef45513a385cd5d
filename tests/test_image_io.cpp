// Tests of image grids and PNG output.
#include "dcgan/report/image_io.h"

#include "dcgan/io/files.h"

#include <opencv2/imgcodecs.hpp>

#include "test_util.h"

namespace dcgan {
namespace {

TEST(MakeGrid, LayoutAndValueMapping) {
  // 5 images of 4x3 (h x w) in rows of 2: 3 rows; size = rows*(h+2)+2 by cols*(w+2)+2.
  auto images = torch::full({5, 3, 4, 3}, -1.0);
  images[1].fill_(1.0);
  images[2][0].fill_(0.0);
  const GridImage g = make_grid(images, {2, 2});
  EXPECT_EQ(g.height, 3 * 6 + 2);
  EXPECT_EQ(g.width, 2 * 5 + 2);
  EXPECT_EQ(g.channels, 3);
  auto px = [&](int y, int x, int c) { return g.pixels[(y * g.width + x) * 3 + c]; };
  EXPECT_EQ(px(0, 0, 0), 0);        // padding
  EXPECT_EQ(px(2, 2, 0), 0);        // image 0: -1 -> 0
  EXPECT_EQ(px(2, 7, 1), 255);      // image 1 (row 0, col 1): +1 -> 255
  EXPECT_EQ(px(8, 2, 0), 128);      // image 2 (row 1, col 0), red plane 0 -> 127.5 rounds to 128
  EXPECT_EQ(px(8, 2, 1), 0);
}

TEST(MakeGrid, ClampsOutOfRangeValues) {
  const GridImage g = make_grid(torch::tensor({-3.0, 5.0}).view({1, 1, 1, 2}), {1, 0});
  ASSERT_EQ(g.pixels.size(), 2u);
  EXPECT_EQ(g.pixels[0], 0);
  EXPECT_EQ(g.pixels[1], 255);
}

TEST(WritePng, DecodesToTheSamePixels) {
  test::ScratchDir dir;
  torch::manual_seed(3);
  const GridImage g = make_grid(torch::rand({6, 3, 8, 8}) * 2 - 1, {3, 2});
  write_png(dir / "grid.png", g);
  const cv::Mat back = cv::imread(dir / "grid.png", cv::IMREAD_UNCHANGED);
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(back.rows, g.height);
  EXPECT_EQ(back.cols, g.width);
  // OpenCV returns BGR: compare the first pixel of image 0 channel by channel.
  const auto bgr = back.at<cv::Vec3b>(2, 2);
  const std::size_t o = (2 * g.width + 2) * 3;
  EXPECT_EQ(bgr[2], g.pixels[o]);
  EXPECT_EQ(bgr[1], g.pixels[o + 1]);
  EXPECT_EQ(bgr[0], g.pixels[o + 2]);
}

TEST(WritePng, UnwritableDirectoryIsAFileErrorNamingThePath) {
  const GridImage g = make_grid(torch::zeros({1, 1, 4, 4}));
  EXPECT_THROW(write_png("/nonexistent-dir/grid.png", g), FileError);
}

}  // namespace
}  // namespace dcgan
