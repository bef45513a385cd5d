// Test helper: small image files that declare huge sizes (a PNG of compressed zeros, its header alone), as a
// decompression bomb or a scanned poster presents itself to a decoder.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>

namespace dcgan::test {

inline void put_be32(std::string& s, std::uint32_t v) {
  for (int shift : {24, 16, 8, 0}) s += static_cast<char>((v >> shift) & 0xff);
}

inline void png_chunk(std::string& png, const std::string& type, const std::string& data) {
  put_be32(png, static_cast<std::uint32_t>(data.size()));
  const std::string body = type + data;
  png += body;
  put_be32(png, static_cast<std::uint32_t>(
                    ::crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

/// A gray 8-bit PNG declaring `width` x `height` whose IDAT holds the first rows' zeros (compressed, a few bytes):
/// well-formed as far as a decoder reads before it allocates.
inline std::string png_declaring(std::uint32_t width, std::uint32_t height) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit, gray, deflate, filter 0, no interlace
  png_chunk(png, "IHDR", ihdr);
  const std::string zeros(4096, '\0');
  uLongf size = compressBound(zeros.size());
  std::string idat(size, '\0');
  ::compress(reinterpret_cast<Bytef*>(idat.data()), &size, reinterpret_cast<const Bytef*>(zeros.data()), zeros.size());
  idat.resize(size);
  png_chunk(png, "IDAT", idat);
  png_chunk(png, "IEND", "");
  return png;
}

}  // namespace dcgan::test
