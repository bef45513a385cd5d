// Tests for report/gif.h: frames, delays, the loop and the palette survive a decode by giflib.
#include "dcgan/report/gif.h"
#include "gif_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

namespace dcgan {
namespace {

GridImage frame(int w, int h, int channels, int seed) {
  GridImage g;
  g.width = w, g.height = h, g.channels = channels;
  for (int i = 0; i < w * h * channels; ++i) g.pixels.push_back(static_cast<std::uint8_t>((i * 7 + seed * 31) % 256));
  return g;
}

TEST(Gif, GrayFramesComeBackExactlyWithTheirDelaysAndTheLoop) {
  const std::vector<GridImage> frames = {frame(13, 7, 1, 0), frame(13, 7, 1, 1), frame(13, 7, 1, 2)};
  const test::DecodedGif gif = test::decode_gif(encode_gif(frames, GifOptions{10, 150, true}));
  ASSERT_EQ(gif.frames.size(), 3u);
  EXPECT_EQ(gif.width, 13);
  EXPECT_EQ(gif.height, 7);
  EXPECT_TRUE(gif.loops);
  EXPECT_EQ(gif.delays_cs, (std::vector<int>{10, 10, 150}));
  for (size_t f = 0; f < 3; ++f)
    for (size_t i = 0; i < frames[f].pixels.size(); ++i)
      ASSERT_EQ(gif.frames[f][3 * i], frames[f].pixels[i]) << "frame " << f << " pixel " << i;
}

TEST(Gif, RgbFramesShareOnePaletteAndStayCloseToTheirColours) {
  // A smooth colour field over four frames: far more than 256 colours, so the median cut must choose.
  std::vector<GridImage> frames;
  for (int f = 0; f < 4; ++f) {
    GridImage g;
    g.width = 64, g.height = 48, g.channels = 3;
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 64; ++x)
        g.pixels.insert(g.pixels.end(), {std::uint8_t(x * 4), std::uint8_t(y * 5), std::uint8_t(40 * f + x + y)});
    frames.push_back(std::move(g));
  }
  const test::DecodedGif gif = test::decode_gif(encode_gif(frames, GifOptions{25, 25, false}));
  ASSERT_EQ(gif.frames.size(), 4u);
  EXPECT_FALSE(gif.loops);
  double error = 0;
  for (size_t f = 0; f < 4; ++f)
    for (size_t i = 0; i < frames[f].pixels.size(); ++i) error += std::abs(gif.frames[f][i] - frames[f].pixels[i]);
  error /= 4.0 * frames[0].pixels.size();
  // The field fills a 252x235x230 box of colours evenly: 256 boxes of it are ~37 levels a side, a mean error of ~9
  // per channel at best (a fixed 6x7x6 palette: 9.5). giflib's 5-bit corners alone gave 10.6.
  EXPECT_LT(error, 10.5) << "mean absolute error per channel";
  // Few colours come back exactly.
  GridImage two;
  two.width = 4, two.height = 1, two.channels = 3;
  two.pixels = {255, 0, 0, 0, 128, 255, 255, 0, 0, 10, 20, 30};
  const test::DecodedGif exact = test::decode_gif(encode_gif({two}));
  EXPECT_EQ(exact.frames[0], two.pixels);
}

TEST(Gif, BadFramesAreRefusedNamingTheProblem) {
  EXPECT_THROW(encode_gif({}), std::invalid_argument);
  EXPECT_THROW(encode_gif({frame(4, 4, 1, 0), frame(4, 5, 1, 0)}), std::invalid_argument);
  EXPECT_THROW(encode_gif({frame(4, 4, 2, 0)}), std::invalid_argument);
  try {
    encode_gif({frame(70000, 1, 1, 0)});
    FAIL() << "a frame wider than GIF allows was encoded";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("70000x1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dcgan
