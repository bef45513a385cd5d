// Image decoding: damaged JPEGs refused with libjpeg's words, intact files decoded as OpenCV decodes them, libpng's
// warnings kept off stderr.
#include "dcgan/data/image_decode.h"

#include "dcgan/data/dataset.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "image_bombs.h"
#if DCGAN_WITH_PNG
#include <png.h>
#endif
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

#if DCGAN_WITH_PNG
// A PNG written by libpng itself in a layout OpenCV's writer never produces: a palette, gray under 8 bits,
// transparency by tRNS, Adam7 interlacing. Rows are packed as the layout says, filled from a seeded generator.
struct PngLayout {
  const char* name;
  int color_type, bit_depth;
  bool interlaced, trns;
};

void write_png_layout(const std::string& path, const PngLayout& l, int width, int height) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, f);
  png_set_IHDR(png, info, width, height, l.bit_depth, l.color_type,
               l.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  const int colours = 1 << std::min(l.bit_depth, 8);
  std::vector<png_color> palette;
  for (int i = 0; i < colours; ++i)
    palette.push_back({png_byte(i * 37), png_byte(255 - i * 11), png_byte(i * 101)});
  if (l.color_type == PNG_COLOR_TYPE_PALETTE) png_set_PLTE(png, info, palette.data(), colours);
  std::vector<png_byte> alpha(colours);
  for (int i = 0; i < colours; ++i) alpha[i] = png_byte(i * 255 / std::max(1, colours - 1));
  png_color_16 gray_key{};
  gray_key.gray = 1;
  gray_key.red = 1;
  if (l.trns) {
    if (l.color_type == PNG_COLOR_TYPE_PALETTE) png_set_tRNS(png, info, alpha.data(), colours, nullptr);
    else png_set_tRNS(png, info, nullptr, 0, &gray_key);  // gray's key, or RGB's (1, 0, 0)
  }
  png_write_info(png, info);
  const int channels = l.color_type == PNG_COLOR_TYPE_RGB         ? 3
                       : l.color_type == PNG_COLOR_TYPE_RGB_ALPHA  ? 4
                       : l.color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                                                                   : 1;
  const size_t row_bytes = (size_t(width) * channels * l.bit_depth + 7) / 8;
  std::mt19937 rng(7);
  std::vector<std::vector<png_byte>> rows(height, std::vector<png_byte>(row_bytes));
  for (auto& r : rows)
    for (auto& b : r) b = png_byte(rng());
  std::vector<png_bytep> pointers;
  for (auto& r : rows) pointers.push_back(r.data());
  png_write_image(png, pointers.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(f);
}

// Each branch of the PNG reader (palette expansion, gray widening, tRNS to alpha, interlace handling, 16 bits)
// against OpenCV's reader on the same file.
TEST(ImageDecode, PngsOfEveryLibpngLayoutDecodeAsOpenCvDecodesThem) {
  test::ScratchDir dir;
  const PngLayout layouts[] = {
      {"palette8", PNG_COLOR_TYPE_PALETTE, 8, false, false},   {"palette4_trns", PNG_COLOR_TYPE_PALETTE, 4, false, true},
      {"palette2_adam7", PNG_COLOR_TYPE_PALETTE, 2, true, false}, {"gray1", PNG_COLOR_TYPE_GRAY, 1, false, false},
      {"gray2_adam7", PNG_COLOR_TYPE_GRAY, 2, true, false},   {"gray4_trns", PNG_COLOR_TYPE_GRAY, 4, false, true},
      {"gray16_adam7", PNG_COLOR_TYPE_GRAY, 16, true, false}, {"rgb16", PNG_COLOR_TYPE_RGB, 16, false, false},
      {"rgba8_adam7", PNG_COLOR_TYPE_RGB_ALPHA, 8, true, false}, {"gray_alpha8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, false, false},
      {"gray_alpha16", PNG_COLOR_TYPE_GRAY_ALPHA, 16, false, false}, {"rgb8_trns", PNG_COLOR_TYPE_RGB, 8, false, true},
      {"gray8_trns", PNG_COLOR_TYPE_GRAY, 8, false, true}};
  for (const PngLayout& l : layouts) {
    const std::string path = dir / (std::string(l.name) + ".png");
    write_png_layout(path, l, 13, 11);
    cv::Mat expected = cv::imread(path, cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(expected.empty()) << l.name;
    if (expected.depth() == CV_16U) expected.convertTo(expected, CV_8U, 1.0 / 257.0);
    const cv::Mat got = decode_image_file(path, false, 0);
    EXPECT_TRUE(same_pixels(got, expected)) << l.name << ": " << got.channels() << " channels against OpenCV's "
                                            << expected.channels();
  }
}
#endif

// data.max_image_pixels: a file declaring more pixels is refused before anything is allocated for it, in every
// format the folder reader takes; one at the limit decodes.
TEST(ImageDecode, AnImageDeclaringMorePixelsThanTheLimitIsRefusedBeforeDecoding) {
  test::ScratchDir dir;
  write_bytes(dir / "bomb.png", test::png_declaring(60000, 60000));
  try {
    decode_image_file(dir / "bomb.png", false, 0, 89478485);
    FAIL() << "a PNG declaring 60000x60000 pixels was decoded";
  } catch (const UnreadableImage& e) {
    EXPECT_NE(std::string(e.what()).find("declares 60000x60000 pixels, over data.max_image_pixels (89478485)"),
              std::string::npos) << e.what();
  }
  cv::Mat bgr(30, 40, CV_8UC3);
  cv::randu(bgr, 0, 256);
  for (const char* ext : {".png", ".jpg", ".bmp", ".ppm", ".webp", ".tiff"}) {
    const std::string path = dir / (std::string("img") + ext);
    ASSERT_TRUE(cv::imwrite(path, bgr)) << ext;
    EXPECT_EQ(decode_image_file(path, false, 0, 1200).cols, 40) << ext << ": at the limit it decodes";
    EXPECT_THROW(decode_image_file(path, false, 0, 1199), UnreadableImage) << ext << ": one pixel over";
    // Named as another format, the file is still measured by its own header.
    const std::string renamed = dir / (std::string("renamed") + ext + ".bmp");
    std::filesystem::copy_file(path, renamed);
    if (std::string(ext) != ".jpg") {
      EXPECT_THROW(decode_image_file(renamed, false, 0, 1199), UnreadableImage) << ext;
    }
  }
}

}  // namespace
}  // namespace dcgan
