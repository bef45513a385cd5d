// Image decoding: damaged JPEGs refused with libjpeg's words, intact files decoded as OpenCV decodes them, libpng's
// warnings kept off stderr.
#include "dcgan/data/image_decode.h"

#include "dcgan/data/dataset.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "test_util.h"

namespace dcgan {
namespace {

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

const std::string kJpeg = "tests/data/celeba/000001.jpg";  // 178x218, baseline

TEST(ImageDecode, AnIntactJpegDecodesAsOpenCvDecodesIt) {
  const std::string path = test::source_path(kJpeg);
  EXPECT_TRUE(same_pixels(decode_image_file(path, false, 0), cv::imread(path, cv::IMREAD_UNCHANGED)));
  // Shorter side 178 >= 4 x 32: decoded at a quarter, as IMREAD_REDUCED_*_4 decodes it.
  EXPECT_TRUE(same_pixels(decode_image_file(path, false, 32), cv::imread(path, cv::IMREAD_REDUCED_COLOR_4)));
  EXPECT_TRUE(same_pixels(decode_image_file(path, true, 32), cv::imread(path, cv::IMREAD_REDUCED_GRAYSCALE_4)));
  EXPECT_EQ(decode_image_file(path, false, 64).cols, 89);  // 178 >= 2 x 64: a half
}

TEST(ImageDecode, ACutJpegIsDamagedAndNamedWithLibjpegsWords) {
  test::ScratchDir dir;
  const std::string whole = bytes_of(test::source_path(kJpeg));
  write_bytes(dir / "cut.jpg", whole.substr(0, whole.size() / 4));  // an interrupted download
  const std::string why = test::message_of<UnreadableImage>([&] { decode_image_file(dir / "cut.jpg", false, 0); });
  EXPECT_NE(why.find("cut.jpg: damaged JPEG data (libjpeg: Premature end of JPEG file"), std::string::npos) << why;
}

TEST(ImageDecode, FlippedBitsInAJpegsDataAreDamage) {
  test::ScratchDir dir;
  std::string bytes = bytes_of(test::source_path(kJpeg));
  const std::size_t scan = bytes.find("\xff\xda") + 32;  // into the entropy-coded data after the scan header
  std::mt19937 rng(1);
  for (int i = 0; i < 20; ++i) {
    const std::size_t at = scan + rng() % (bytes.size() - scan - 2);
    bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
  }
  write_bytes(dir / "flipped.jpg", bytes);
  const std::string why = test::message_of<UnreadableImage>([&] { decode_image_file(dir / "flipped.jpg", false, 0); });
  EXPECT_NE(why.find("flipped.jpg: damaged JPEG data (libjpeg: "), std::string::npos) << why;
  // A mangled header is no JPEG at all.
  write_bytes(dir / "header.jpg", std::string("\xff\xd8\xff\xe0garbage", 11));
  EXPECT_NE(test::message_of<UnreadableImage>([&] { decode_image_file(dir / "header.jpg", false, 0); })
                .find("header.jpg: cannot decode image (libjpeg: "),
            std::string::npos);
}

// A PNG with a tEXt chunk whose CRC is wrong: libpng warns and drops the chunk; the image is used, and nothing
// reaches stderr.
TEST(ImageDecode, APngsAncillaryWarningStaysOffStderrAndTheImageIsUsed) {
  test::ScratchDir dir;
  cv::Mat image(24, 40, CV_8UC3);
  cv::randu(image, 0, 256);
  std::vector<uchar> png;
  cv::imencode(".png", image, png);
  const std::string clean(png.begin(), png.end());
  // After the signature (8 bytes) and IHDR (4 + 4 + 13 + 4): length 5, "tEXt", "a\0bcd", a wrong CRC.
  const std::string chunk = std::string("\0\0\0\x05tEXta\0bcd", 13) + std::string("\xde\xad\xbe\xef", 4);
  write_bytes(dir / "warn.png", clean.substr(0, 33) + chunk + clean.substr(33));
  testing::internal::CaptureStderr();
  const cv::Mat decoded = decode_image_file(dir / "warn.png", false, 0);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(same_pixels(decoded, image));
  EXPECT_EQ(err, "");
  testing::internal::CaptureStderr();  // the same file through OpenCV: libpng's warning on stderr
  EXPECT_TRUE(same_pixels(cv::imread(dir / "warn.png", cv::IMREAD_UNCHANGED), image));
  EXPECT_NE(testing::internal::GetCapturedStderr().find("libpng warning"), std::string::npos);
  // A cut PNG is an error.
  write_bytes(dir / "cut.png", clean.substr(0, clean.size() / 2));
  EXPECT_NE(test::message_of<UnreadableImage>([&] { decode_image_file(dir / "cut.png", false, 0); })
                .find("cut.png: cannot decode image (libpng: "),
            std::string::npos);
}

TEST(ImageDecode, PngsOfEveryLayoutDecodeAsOpenCvDecodesThem) {
  test::ScratchDir dir;
  cv::Mat gray16(9, 13, CV_16UC1), bgra(9, 13, CV_8UC4), gray(9, 13, CV_8UC1);
  cv::randu(gray16, 0, 65536);
  cv::randu(bgra, 0, 256);
  cv::randu(gray, 0, 256);
  for (const auto& [name, m] : {std::pair<std::string, cv::Mat>{"g16.png", gray16}, {"bgra.png", bgra}, {"g.png", gray}}) {
    cv::imwrite(dir / name, m);
    cv::Mat expected = cv::imread(dir / name, cv::IMREAD_UNCHANGED);
    if (expected.depth() == CV_16U) expected.convertTo(expected, CV_8U, 1.0 / 257.0);
    EXPECT_TRUE(same_pixels(decode_image_file(dir / name, false, 0), expected)) << name;
  }
}

}  // namespace
}  // namespace dcgan
