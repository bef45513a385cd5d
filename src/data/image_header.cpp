// Image headers read for their declared size (BMP, PNM, WebP, TIFF), so that a decoder is never asked for more
// pixels than data.max_image_pixels allows.
#include "dcgan/data/image_header.h"

#include <cctype>

namespace dcgan {
namespace {

std::uint32_t le(const std::string& b, size_t at, int n) {
  std::uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | static_cast<std::uint8_t>(b[at + i]);
  return v;
}

std::uint32_t be(const std::string& b, size_t at, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | static_cast<std::uint8_t>(b[at + i]);
  return v;
}

std::optional<DeclaredSize> bmp(const std::string& b) {
  if (b.size() < 26) return std::nullopt;
  const std::uint32_t header = le(b, 14, 4);
  if (header == 12) return DeclaredSize{le(b, 18, 2), le(b, 20, 2)};  // OS/2 BITMAPCOREHEADER
  if (header < 40) return std::nullopt;
  const auto height = static_cast<std::int32_t>(le(b, 22, 4));  // negative: stored top-down
  return DeclaredSize{static_cast<std::int32_t>(le(b, 18, 4)), height < 0 ? -std::int64_t(height) : height};
}

/// PNM: "P" digit, then width and height as decimal tokens, with '#' comments to the end of a line between them.
std::optional<DeclaredSize> pnm(const std::string& b) {
  size_t at = 2;
  std::int64_t values[2] = {0, 0};
  for (std::int64_t& v : values) {
    while (at < b.size() && (std::isspace(static_cast<unsigned char>(b[at])) || b[at] == '#')) {
      if (b[at] == '#')
        while (at < b.size() && b[at] != '\n') ++at;
      else
        ++at;
    }
    if (at >= b.size() || !std::isdigit(static_cast<unsigned char>(b[at]))) return std::nullopt;
    for (int digits = 0; at < b.size() && std::isdigit(static_cast<unsigned char>(b[at])); ++at) {
      if (++digits > 12) return std::nullopt;
      v = v * 10 + (b[at] - '0');
    }
  }
  return DeclaredSize{values[0], values[1]};
}

std::optional<DeclaredSize> webp(const std::string& b) {
  if (b.size() < 30) return std::nullopt;
  const std::string chunk = b.substr(12, 4);
  if (chunk == "VP8X") return DeclaredSize{le(b, 24, 3) + 1, le(b, 27, 3) + 1};
  if (chunk == "VP8L" && static_cast<std::uint8_t>(b[20]) == 0x2f) {
    const std::uint32_t bits = le(b, 21, 4);
    return DeclaredSize{(bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1};
  }
  if (chunk == "VP8 ") return DeclaredSize{le(b, 26, 2) & 0x3fff, le(b, 28, 2) & 0x3fff};
  return std::nullopt;
}

std::optional<DeclaredSize> tiff(const std::string& b) {
  const bool little = b[0] == 'I';
  auto get = [&](size_t at, int n) { return little ? le(b, at, n) : be(b, at, n); };
  const std::uint32_t ifd = get(4, 4);
  if (ifd < 8 || size_t(ifd) + 2 > b.size()) return std::nullopt;
  const std::uint32_t entries = get(ifd, 2);
  std::optional<std::int64_t> width, height;
  for (std::uint32_t i = 0; i < entries; ++i) {
    const size_t e = size_t(ifd) + 2 + 12 * size_t(i);
    if (e + 12 > b.size()) return std::nullopt;
    const std::uint32_t tag = get(e, 2), type = get(e + 2, 2);
    if (tag != 256 && tag != 257) continue;
    const std::int64_t value = type == 3 ? get(e + 8, 2) : type == 4 ? get(e + 8, 4) : -1;  // SHORT or LONG
    if (value < 0) return std::nullopt;
    (tag == 256 ? width : height) = value;
  }
  if (!width || !height) return std::nullopt;
  return DeclaredSize{*width, *height};
}

}  // namespace

std::optional<DeclaredSize> declared_image_size(const std::string& b) {
  if (b.size() >= 24 && b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0 && b.compare(12, 4, "IHDR") == 0)
    return DeclaredSize{be(b, 16, 4), be(b, 20, 4)};
  if (b.size() >= 2 && b[0] == 'B' && b[1] == 'M') return bmp(b);
  if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') return pnm(b);
  if (b.size() >= 12 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WEBP") == 0) return webp(b);
  if (b.size() >= 8 && (b.compare(0, 4, std::string("II*\0", 4)) == 0 || b.compare(0, 4, std::string("MM\0*", 4)) == 0))
    return tiff(b);
  return std::nullopt;
}

}  // namespace dcgan
