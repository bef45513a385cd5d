// Image grids: tiling and PNG encoding (libpng), shared by the LibTorch path and the LibTorch-free `dcgan sample`.
#include "dcgan/report/grid.h"

#if DCGAN_WITH_PNG
#include <png.h>
#endif

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dcgan {

GridImage tile_grid(const float* images, int64_t n, int64_t c, int64_t h, int64_t w, const GridOptions& options) {
  if (c != 1 && c != 3) throw std::invalid_argument("tile_grid: expected 1 or 3 channels, got " + std::to_string(c));
  if (options.nrow < 1 || options.padding < 0)
    throw std::invalid_argument("tile_grid: nrow must be >= 1 and padding >= 0");
  const int64_t cols = std::min<int64_t>(options.nrow, std::max<int64_t>(n, 1));
  const int64_t rows = (n + cols - 1) / cols;
  const int64_t pad = options.padding;
  GridImage grid;
  grid.height = static_cast<int>(rows * (h + pad) + pad);
  grid.width = static_cast<int>(cols * (w + pad) + pad);
  grid.channels = static_cast<int>(c);
  grid.pixels.assign(static_cast<std::size_t>(grid.height) * grid.width * c, 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t top = pad + (i / cols) * (h + pad), left = pad + (i % cols) * (w + pad);
    for (int64_t ch = 0; ch < c; ++ch) {
      const float* plane = images + (i * c + ch) * h * w;
      for (int64_t y = 0; y < h; ++y) {
        std::uint8_t* out = grid.pixels.data() + ((top + y) * grid.width + left) * c + ch;
        for (int64_t x = 0; x < w; ++x) {
          const float v = std::nearbyint((plane[y * w + x] + 1.0f) * 127.5f);
          out[x * c] = v > 0.0f ? static_cast<std::uint8_t>(std::min(v, 255.0f)) : 0;  // NaN -> 0
        }
      }
    }
  }
  return grid;
}

std::string encode_png(const GridImage& grid) {
#if !DCGAN_WITH_PNG
  (void)grid;
  throw std::runtime_error("cannot encode PNG: this dcgan was built without libpng");
#else
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    throw std::runtime_error("PNG encoding failed: out of memory");
  }
  // libpng reports errors by longjmp; nothing with a destructor is created between here and the writes.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error("PNG encoding failed");
  }
  png_set_write_fn(
      png, &out,
      [](png_structp p, png_bytep data, png_size_t size) {
        static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<const char*>(data), size);
      },
      nullptr);
  png_set_IHDR(png, info, static_cast<png_uint_32>(grid.width), static_cast<png_uint_32>(grid.height), 8,
               grid.channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 1);
  png_write_info(png, info);
  const std::size_t stride = static_cast<std::size_t>(grid.width) * grid.channels;
  for (int y = 0; y < grid.height; ++y)
    png_write_row(png, const_cast<png_bytep>(grid.pixels.data() + y * stride));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
#endif
}

}  // namespace dcgan
