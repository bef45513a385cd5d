// Test helper: decodes a GIF in memory with giflib (DGifSlurp) into RGB frames, delays and the loop flag.
#pragma once

#include <gif_lib.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace dcgan::test {

struct DecodedGif {
  int width = 0, height = 0;
  std::vector<std::vector<std::uint8_t>> frames;  // RGB, row-major
  std::vector<int> delays_cs;
  bool loops = false;  // carries the NETSCAPE2.0 loop extension
};

inline DecodedGif decode_gif(const std::string& bytes) {
  struct Reader {
    const std::string* bytes;
    size_t at = 0;
  } reader{&bytes};
  auto read = [](GifFileType* g, GifByteType* out, int n) {
    auto* r = static_cast<Reader*>(g->UserData);
    const size_t k = std::min<size_t>(n, r->bytes->size() - r->at);
    std::memcpy(out, r->bytes->data() + r->at, k);
    r->at += k;
    return static_cast<int>(k);
  };
  int error = 0;
  GifFileType* gif = DGifOpen(&reader, read, &error);
  if (!gif) throw std::runtime_error("not a GIF");
  if (DGifSlurp(gif) != GIF_OK) {
    DGifCloseFile(gif, &error);
    throw std::runtime_error("a damaged GIF");
  }
  DecodedGif out;
  out.width = gif->SWidth, out.height = gif->SHeight;
  for (int i = 0; i < gif->ImageCount; ++i) {
    const SavedImage& img = gif->SavedImages[i];
    const ColorMapObject* map = img.ImageDesc.ColorMap ? img.ImageDesc.ColorMap : gif->SColorMap;
    std::vector<std::uint8_t> rgb;
    for (int p = 0; p < img.ImageDesc.Width * img.ImageDesc.Height; ++p) {
      const GifColorType c = map->Colors[img.RasterBits[p]];
      rgb.insert(rgb.end(), {c.Red, c.Green, c.Blue});
    }
    out.frames.push_back(std::move(rgb));
    GraphicsControlBlock gcb{};
    out.delays_cs.push_back(DGifSavedExtensionToGCB(gif, i, &gcb) == GIF_OK ? gcb.DelayTime : -1);
    for (int e = 0; e < img.ExtensionBlockCount; ++e) {
      const ExtensionBlock& b = img.ExtensionBlocks[e];
      if (b.Function == APPLICATION_EXT_FUNC_CODE && b.ByteCount == 11 &&
          std::memcmp(b.Bytes, "NETSCAPE2.0", 11) == 0)
        out.loops = true;
    }
  }
  DGifCloseFile(gif, &error);
  return out;
}

}  // namespace dcgan::test
