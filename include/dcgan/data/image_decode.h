// One image file to 8-bit pixels, with a damaged file told apart from a readable one (OpenCV builds only).
#pragma once

#if DCGAN_WITH_OPENCV
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>

namespace dcgan {

/// Decodes the image at `path` into 8-bit pixels: one channel when `gray`, else BGR, BGRA or gray as stored.
/// `min_side` > 0 lets a JPEG decode at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling, far cheaper than a full
/// decode) while its shorter side stays at least `min_side`.
///
/// JPEGs are decoded with libjpeg and PNGs with libpng directly, so that their warnings reach dcgan rather than
/// stderr:
/// - A JPEG whose decoding warns about its data ("Premature end of JPEG file" from a truncated download, "Corrupt
///   JPEG data: ..." from flipped bits) is damaged: UnreadableImage naming the file and libjpeg's message. (Decoders
///   that print the warning and fill the rest with grey would otherwise train on the grey; PIL, and so
///   torchvision's ImageFolder, refuses truncated files by default.)
/// - libpng's warnings are about ancillary data (an "incorrect sRGB profile" in iCCP, a bad text chunk): the image
///   is used, and the first warning of the file is logged at debug level. libpng's errors are UnreadableImage.
/// Other formats go through OpenCV's imread. Anything undecodable throws UnreadableImage naming the file.
///
/// `max_pixels` > 0 bounds the memory any file can take: an image that declares more pixels (width x height in
/// its header, read before anything is allocated: libjpeg's and libpng's headers, and image_header.h's for BMP, PNM,
/// WebP and TIFF) is UnreadableImage naming its size and data.max_image_pixels. OpenCV's own limit (2^30 pixels)
/// stays behind it for anything else.
cv::Mat decode_image_file(const std::string& path, bool gray, int min_side, std::int64_t max_pixels = 0);

}  // namespace dcgan
#endif
