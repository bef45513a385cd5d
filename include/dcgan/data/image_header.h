// The size an image file declares in its header, read without decoding it: BMP, PNM, WebP and TIFF. No torch here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace dcgan {

/// Width and height an image declares.
struct DeclaredSize {
  std::int64_t width = 0;
  std::int64_t height = 0;
};

/// The size declared by the header in `bytes` (the file's first bytes; for TIFF the whole file, or at least up to
/// the first image directory). PNG (IHDR), BMP (BITMAPINFOHEADER and later), PNM (P1-P6), WebP (VP8, VP8L, VP8X), TIFF
/// (little- and big-endian, the first directory's ImageWidth and ImageLength). nullopt when the format is none of
/// these or the header is cut short or inconsistent: the decoder then sees the file as it is.
std::optional<DeclaredSize> declared_image_size(const std::string& bytes);

}  // namespace dcgan
