// Tests for data/image_header.h: the sizes OpenCV's encoders write are read back from the headers alone.
#include "dcgan/data/image_header.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <string>
#include <vector>

#include "image_bombs.h"

namespace dcgan {
namespace {

std::string encoded(const std::string& ext, const cv::Mat& m) {
  std::vector<uchar> buf;
  if (!cv::imencode(ext, m, buf)) throw std::runtime_error("OpenCV cannot encode " + ext);
  return std::string(buf.begin(), buf.end());
}

TEST(ImageHeader, TheSizesOpenCvWritesAreReadFromTheHeaders) {
  for (const cv::Size size : {cv::Size(1, 1), cv::Size(37, 5), cv::Size(300, 411)}) {
    for (int channels : {1, 3}) {
      cv::Mat m(size, CV_8UC(channels), cv::Scalar::all(90));
      for (const char* ext : {".png", ".bmp", ".pgm", ".ppm", ".pbm", ".webp", ".tiff"}) {
        if ((std::string(ext) == ".pgm" || std::string(ext) == ".pbm") && channels == 3) continue;
        if (std::string(ext) == ".ppm" && channels == 1) continue;
        const auto got = declared_image_size(encoded(ext, m));
        ASSERT_TRUE(got.has_value()) << ext << " " << size;
        EXPECT_EQ(got->width, size.width) << ext;
        EXPECT_EQ(got->height, size.height) << ext;
      }
    }
  }
}

TEST(ImageHeader, HugeDeclaredSizesAndOddHeaders) {
  const auto bomb = declared_image_size(test::png_declaring(60000, 60000));
  ASSERT_TRUE(bomb);
  EXPECT_EQ(bomb->width * bomb->height, 3600000000LL);
  EXPECT_EQ(declared_image_size("P5\n# a comment\n  60000 # and another\n60000\n255\n")->height, 60000);
  EXPECT_FALSE(declared_image_size("P5\n# cut short"));
  EXPECT_FALSE(declared_image_size(std::string("II*\0\xff\xff\xff\x7f", 8))) << "a directory beyond the bytes";
  EXPECT_FALSE(declared_image_size("BM"));
  EXPECT_FALSE(declared_image_size(""));
  EXPECT_FALSE(declared_image_size("GIF89a")) << "not a format the folder reader takes";
}

}  // namespace
}  // namespace dcgan
