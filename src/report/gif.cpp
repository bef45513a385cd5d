// Animated GIF encoding with giflib: one median-cut palette for all frames, a loop extension, a delay per frame.
#include "dcgan/report/gif.h"

#include <stdexcept>

#if !DCGAN_WITH_GIF
namespace dcgan {
std::string encode_gif(const std::vector<GridImage>&, const GifOptions&) {
  throw std::runtime_error("this dcgan was built without giflib (Debian: libgif-dev): it cannot write GIFs");
}
}  // namespace dcgan
#else
#include <gif_lib.h>

#include <cmath>
#include <memory>

namespace dcgan {
namespace {

constexpr int kMaxSide = 65535;  // GIF's logical screen: 16-bit width and height

int write_to_string(GifFileType* gif, const GifByteType* bytes, int count) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(bytes), count);
  return count;
}

void check(int status, GifFileType* gif, const char* what) {
  if (status != GIF_OK) throw std::runtime_error(std::string("GIF encoding failed at ") + what + ": " +
                                                 (GifErrorString(gif->Error) ? GifErrorString(gif->Error) : "?"));
}

void check_frames(const std::vector<GridImage>& frames) {
  if (frames.empty()) throw std::invalid_argument("encode_gif: no frames");
  const GridImage& f = frames.front();
  if (f.channels != 1 && f.channels != 3) throw std::invalid_argument("encode_gif: frames must be gray or RGB");
  if (f.width < 1 || f.height < 1 || f.width > kMaxSide || f.height > kMaxSide)
    throw std::invalid_argument("encode_gif: a frame of " + std::to_string(f.width) + "x" +
                                std::to_string(f.height) + " pixels (GIF allows 1 to 65535 a side)");
  for (const GridImage& g : frames)
    if (g.width != f.width || g.height != f.height || g.channels != f.channels ||
        g.pixels.size() != size_t(f.width) * f.height * f.channels)
      throw std::invalid_argument("encode_gif: frames differ in size or channels");
}

bool all_gray(const std::vector<GridImage>& frames) {
  for (const GridImage& f : frames) {
    if (f.channels == 1) continue;
    for (size_t i = 0; i < f.pixels.size(); i += 3)
      if (f.pixels[i] != f.pixels[i + 1] || f.pixels[i] != f.pixels[i + 2]) return false;
  }
  return true;
}

/// The palette and every frame's indices, frame after frame. Gray (also RGB frames whose pixels are all gray, as
/// the grids of a gray data set read back in colour): the 256 grays, exact. RGB: giflib's median cut over all frames
/// at once; its palette holds the boxes' 5-bit corners, so each entry becomes the mean of the 8-bit pixels it
/// stands for (the truncation would otherwise darken every colour by up to 7 levels).
std::vector<GifByteType> palette_indices(const std::vector<GridImage>& frames, GifColorType* palette) {
  const size_t per_frame = size_t(frames[0].width) * frames[0].height, n = per_frame * frames.size();
  const int c = frames[0].channels;
  std::vector<GifByteType> indices(n);
  if (all_gray(frames)) {
    for (int i = 0; i < 256; ++i) palette[i] = {GifByteType(i), GifByteType(i), GifByteType(i)};
    for (size_t f = 0; f < frames.size(); ++f)
      for (size_t i = 0; i < per_frame; ++i) indices[f * per_frame + i] = frames[f].pixels[i * c];
    return indices;
  }
  std::vector<GifByteType> r(n), g(n), b(n);
  for (size_t f = 0; f < frames.size(); ++f)
    for (size_t i = 0; i < per_frame; ++i) {
      const std::uint8_t* p = &frames[f].pixels[3 * i];
      r[f * per_frame + i] = p[0], g[f * per_frame + i] = p[1], b[f * per_frame + i] = p[2];
    }
  int colours = 256;
  // All frames as one tall picture: giflib's quantiser takes a width and a height.
  const auto height = static_cast<unsigned>(n / frames[0].width);
  if (GifQuantizeBuffer(static_cast<unsigned>(frames[0].width), height, &colours, r.data(), g.data(), b.data(),
                        indices.data(), palette) != GIF_OK)
    throw std::runtime_error("GIF encoding failed: giflib could not reduce the frames to 256 colours");
  std::vector<double> sum(256 * 3, 0.0), count(256, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const int k = indices[i];
    sum[3 * k] += r[i], sum[3 * k + 1] += g[i], sum[3 * k + 2] += b[i], count[k] += 1;
  }
  for (int k = 0; k < 256; ++k) {
    if (count[k] == 0) {
      palette[k] = {0, 0, 0};
      continue;
    }
    auto mean = [&](int ch) { return static_cast<GifByteType>(std::lround(sum[3 * k + ch] / count[k])); };
    palette[k] = {mean(0), mean(1), mean(2)};
  }
  return indices;
}

void put_loop_extension(GifFileType* gif) {
  static const GifByteType kApplication[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
  static const GifByteType kForever[] = {1, 0, 0};  // sub-block 1: loop count 0 = forever
  check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), gif, "the loop extension");
  check(EGifPutExtensionBlock(gif, sizeof kApplication, kApplication), gif, "the loop extension");
  check(EGifPutExtensionBlock(gif, sizeof kForever, kForever), gif, "the loop extension");
  check(EGifPutExtensionTrailer(gif), gif, "the loop extension");
}

}  // namespace

std::string encode_gif(const std::vector<GridImage>& frames, const GifOptions& options) {
  check_frames(frames);
  GifColorType colours[256];
  std::vector<GifByteType> indices = palette_indices(frames, colours);
  const int w = frames[0].width, h = frames[0].height;

  std::string out;
  int error = 0;
  GifFileType* raw = EGifOpen(&out, write_to_string, &error);
  if (!raw) throw std::runtime_error("GIF encoding failed: giflib could not start (error " + std::to_string(error) + ")");
  auto close = [](GifFileType* g) { EGifCloseFile(g, nullptr); };
  std::unique_ptr<GifFileType, decltype(close)> gif(raw, close);
  EGifSetGifVersion(gif.get(), true);  // GIF89a: delays and the loop extension
  std::unique_ptr<ColorMapObject, void (*)(ColorMapObject*)> map(GifMakeMapObject(256, colours), GifFreeMapObject);
  check(EGifPutScreenDesc(gif.get(), w, h, 8, 0, map.get()), gif.get(), "the screen descriptor");
  if (options.loop && frames.size() > 1) put_loop_extension(gif.get());
  for (size_t f = 0; f < frames.size(); ++f) {
    GraphicsControlBlock gcb{};
    gcb.DisposalMode = DISPOSE_DO_NOT;
    gcb.DelayTime = f + 1 == frames.size() ? options.last_delay_cs : options.delay_cs;
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    EGifGCBToExtension(&gcb, ext);
    check(EGifPutExtension(gif.get(), GRAPHICS_EXT_FUNC_CODE, sizeof ext, ext), gif.get(), "a frame's delay");
    check(EGifPutImageDesc(gif.get(), 0, 0, w, h, false, nullptr), gif.get(), "a frame's descriptor");
    for (int y = 0; y < h; ++y)
      check(EGifPutLine(gif.get(), &indices[(f * h + y) * size_t(w)], w), gif.get(), "a frame's pixels");
  }
  int close_error = 0;
  const int closed = EGifCloseFile(gif.release(), &close_error);
  if (closed != GIF_OK) throw std::runtime_error("GIF encoding failed at the end (error " + std::to_string(close_error) + ")");
  return out;
}

}  // namespace dcgan
#endif
