// Image decoding: libjpeg and libpng with their warnings seen, OpenCV for the other formats.
#include "dcgan/data/image_decode.h"

#if DCGAN_WITH_OPENCV
#include "dcgan/data/dataset.h"
#include "dcgan/data/image_folder.h"
#include "dcgan/data/image_header.h"

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

// libjpeg's header needs FILE and size_t declared first.
#include <jpeglib.h>
#if DCGAN_WITH_PNG
#include <png.h>
#endif

namespace dcgan {
namespace {

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

/// Refuses an image that declares more than `max_pixels` (0: no limit), before anything is allocated for it.
/// Headers may declare up to 2^32 a side: the product is compared by division, never overflowing (fuzz_image).
void check_declared(const std::string& path, std::int64_t width, std::int64_t height, std::int64_t max_pixels) {
  if (max_pixels > 0 && width > 0 && height > 0 && width > max_pixels / height)
    throw UnreadableImage(fmt::format("{}: declares {}x{} pixels, over data.max_image_pixels ({}): a decompression "
                                      "bomb or a scan too large to train from (raise the limit to use it)",
                                      path, width, height, max_pixels));
}

/// The first bytes of `path` (a TIFF's first directory may lie further: then up to it), for declared_image_size.
std::string header_bytes(const std::string& path) {
  constexpr std::size_t kHead = 1 << 16;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return {};
  std::string b(kHead, '\0');
  b.resize(std::fread(b.data(), 1, kHead, f));
  const bool tiff = b.size() >= 8 && (b.compare(0, 2, "II") == 0 || b.compare(0, 2, "MM") == 0);
  if (tiff) {
    const auto byte = [&](std::size_t i) { return std::uint32_t(static_cast<unsigned char>(b[i])); };
    const std::uint32_t ifd = b[0] == 'I' ? byte(4) | byte(5) << 8 | byte(6) << 16 | byte(7) << 24
                                          : byte(7) | byte(6) << 8 | byte(5) << 16 | byte(4) << 24;
    if (ifd + kHead > b.size() && std::fseek(f, 0, SEEK_END) == 0) {
      const long end = std::ftell(f);
      const std::size_t want = std::min<std::size_t>(std::size_t(ifd) + kHead, end > 0 ? std::size_t(end) : 0);
      if (want > b.size() && std::fseek(f, long(b.size()), SEEK_SET) == 0) {
        const std::size_t had = b.size();
        b.resize(want);
        b.resize(had + std::fread(b.data() + had, 1, want - had, f));
      }
    }
  }
  std::fclose(f);
  return b;
}

File open_file(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) throw UnreadableImage(fmt::format("{}: cannot open image", path));
  return f;
}

// libjpeg's error manager: errors jump back, warnings are counted and the first one kept.
struct JpegErrors {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  int warnings = 0;
  char first[JMSG_LENGTH_MAX] = {};
};

void jpeg_error_exit(j_common_ptr cinfo) { std::longjmp(reinterpret_cast<JpegErrors*>(cinfo->err)->jump, 1); }

void jpeg_emit_message(j_common_ptr cinfo, int level) {
  auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
  if (level >= 0) return;  // trace messages
  if (e->warnings++ == 0) e->mgr.format_message(cinfo, e->first);
}

// The libjpeg calls that may jump back on an error run in these frames, which hold no C++ object with a destructor
// (a longjmp skips destructors); each returns false after an error.
bool jpeg_read_header_guarded(jpeg_decompress_struct& cinfo, JpegErrors& errors, std::FILE* f) {
  if (setjmp(errors.jump)) return false;
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, f);
  jpeg_read_header(&cinfo, TRUE);
  return true;
}

// Picks the DCT scale and the output colours, and computes the output size.
bool jpeg_choose_output_guarded(jpeg_decompress_struct& cinfo, JpegErrors& errors, bool gray, int min_side) {
  if (setjmp(errors.jump)) return false;
  const unsigned shorter = std::min(cinfo.image_width, cinfo.image_height);
  for (unsigned factor : {8u, 4u, 2u})
    if (min_side > 0 && shorter >= factor * static_cast<unsigned>(min_side)) {
      cinfo.scale_num = 1;
      cinfo.scale_denom = factor;
      break;
    }
  // Gray straight from the luma only when scaled, as OpenCV's IMREAD_REDUCED_GRAYSCALE_* did before.
  const bool one = cinfo.num_components == 1 || (gray && cinfo.scale_denom > 1);
  cinfo.out_color_space = one ? JCS_GRAYSCALE : JCS_EXT_BGR;
  jpeg_calc_output_dimensions(&cinfo);
  return true;
}

bool jpeg_read_pixels_guarded(jpeg_decompress_struct& cinfo, JpegErrors& errors, unsigned char* pixels,
                              std::size_t stride) {
  if (setjmp(errors.jump)) return false;
  jpeg_start_decompress(&cinfo);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = pixels + cinfo.output_scanline * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);  // reads to the end marker: a cut file warns here
  return true;
}

cv::Mat decode_jpeg(const std::string& path, bool gray, int min_side, std::int64_t max_pixels) {
  File f = open_file(path);
  jpeg_decompress_struct cinfo{};
  JpegErrors errors;
  cinfo.err = jpeg_std_error(&errors.mgr);
  errors.mgr.error_exit = jpeg_error_exit;
  errors.mgr.emit_message = jpeg_emit_message;
  auto fail = [&] {
    char message[JMSG_LENGTH_MAX] = {};
    errors.mgr.format_message(reinterpret_cast<j_common_ptr>(&cinfo), message);
    jpeg_destroy_decompress(&cinfo);
    return UnreadableImage(fmt::format("{}: cannot decode image (libjpeg: {})", path, message));
  };
  if (!jpeg_read_header_guarded(cinfo, errors, f.get())) throw fail();
  if (max_pixels > 0 && cinfo.image_height > 0 && std::int64_t(cinfo.image_width) > max_pixels / cinfo.image_height) {
    jpeg_destroy_decompress(&cinfo);
    check_declared(path, cinfo.image_width, cinfo.image_height, max_pixels);
  }
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&cinfo);
    return {};  // OpenCV's reader inverts Adobe's CMYK
  }
  if (!jpeg_choose_output_guarded(cinfo, errors, gray, min_side)) throw fail();
  cv::Mat out(static_cast<int>(cinfo.output_height), static_cast<int>(cinfo.output_width),
              CV_MAKETYPE(CV_8U, cinfo.output_components));
  if (!jpeg_read_pixels_guarded(cinfo, errors, out.data, out.step[0])) throw fail();
  jpeg_destroy_decompress(&cinfo);
  if (errors.warnings > 0)
    throw UnreadableImage(fmt::format("{}: damaged JPEG data (libjpeg: {}{})", path, errors.first,
                                      errors.warnings > 1 ? fmt::format(", and {} more", errors.warnings - 1) : ""));
  return out;
}

#if DCGAN_WITH_PNG
struct PngMessages {
  std::string path;
  std::jmp_buf jump;
  std::string error;
  bool warned = false;
};

void png_on_error(png_structp png, png_const_charp message) {
  auto* m = static_cast<PngMessages*>(png_get_error_ptr(png));
  m->error = message;
  std::longjmp(m->jump, 1);
}

void png_on_warning(png_structp png, png_const_charp message) {
  auto* m = static_cast<PngMessages*>(png_get_error_ptr(png));
  if (!m->warned) spdlog::debug("{}: libpng warning (image used): {}", m->path, message);
  m->warned = true;
}

// As OpenCV's imread(IMREAD_UNCHANGED) reads a PNG: palettes expanded, gray under 8 bits widened, a colour image's
// tRNS as alpha, gray with alpha as BGRA, 16-bit kept (host order), BGR(A) order; then 16-bit scaled to 8.
// libpng's calls that may jump back, in frames that hold no C++ object with a destructor (as for libjpeg above).
bool png_read_info_guarded(png_structp png, png_infop info, PngMessages& messages, std::FILE* f) {
  if (setjmp(messages.jump)) return false;
  png_init_io(png, f);
  png_read_info(png, info);
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  // As OpenCV: a gray image's tRNS key is ignored, gray with alpha becomes BGRA (never two channels, which the
  // transform does not take).
  const bool gray = (color & PNG_COLOR_MASK_COLOR) == 0;
  if (png_get_valid(png, info, PNG_INFO_tRNS) && !gray) png_set_tRNS_to_alpha(png);
  if (color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  if (depth == 16) png_set_swap(png);
  png_set_bgr(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  return true;
}

bool png_read_image_guarded(png_structp png, PngMessages& messages, png_bytepp rows) {
  if (setjmp(messages.jump)) return false;
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

cv::Mat decode_png(const std::string& path, std::int64_t max_pixels) {
  File f = open_file(path);
  PngMessages messages{path, {}, {}, false};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &messages, png_on_error, png_on_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  auto fail = [&](const std::string& why) {
    png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    return UnreadableImage(fmt::format("{}: cannot decode image (libpng: {})", path, why));
  };
  if (!info) throw fail("out of memory");
  if (!png_read_info_guarded(png, info, messages, f.get())) throw fail(messages.error);
  const std::int64_t width = png_get_image_width(png, info), height = png_get_image_height(png, info);
  if (max_pixels > 0 && height > 0 && width > max_pixels / height) {
    png_destroy_read_struct(&png, &info, nullptr);
    check_declared(path, width, height, max_pixels);
  }
  const int bits = png_get_bit_depth(png, info);
  cv::Mat out(static_cast<int>(png_get_image_height(png, info)), static_cast<int>(png_get_image_width(png, info)),
              CV_MAKETYPE(bits == 16 ? CV_16U : CV_8U, png_get_channels(png, info)));
  std::vector<png_bytep> rows(static_cast<std::size_t>(out.rows));
  for (int r = 0; r < out.rows; ++r) rows[static_cast<std::size_t>(r)] = out.ptr<png_byte>(r);
  if (!png_read_image_guarded(png, messages, rows.data())) throw fail(messages.error);
  png_destroy_read_struct(&png, &info, nullptr);
  if (out.depth() == CV_16U) out.convertTo(out, CV_8U, 1.0 / 257.0);
  return out;
}
#endif

}  // namespace

cv::Mat decode_image_file(const std::string& path, bool gray, int min_side, std::int64_t max_pixels) {
  const std::string ext = image_extension(path);
  if (ext == ".jpg" || ext == ".jpeg")
    if (cv::Mat jpeg = decode_jpeg(path, gray, min_side, max_pixels); !jpeg.empty()) return jpeg;
#if DCGAN_WITH_PNG
  if (ext == ".png") return decode_png(path, max_pixels);
#endif
  if (max_pixels > 0)  // BMP, PNM, WebP, TIFF by their headers (a JPEG or PNG by another name too, below)
    if (const auto size = declared_image_size(header_bytes(path))) check_declared(path, size->width, size->height, max_pixels);
  cv::Mat image;
  try {
    image = cv::imread(path, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw UnreadableImage(fmt::format("{}: cannot decode image ({})", path, e.err));
  }
  if (image.empty()) throw UnreadableImage(fmt::format("{}: cannot decode image (unreadable, empty or corrupt)", path));
  if (image.depth() == CV_16U) image.convertTo(image, CV_8U, 1.0 / 257.0);
  return image;
}

}  // namespace dcgan
#endif
