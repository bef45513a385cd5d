// Image-folder source: every image OpenCV decodes under a directory, recursively (e.g. CelebA's img_align_celeba).
#pragma once

#include "dcgan/data/dataset.h"

#include <memory>
#include <string>
#include <vector>

namespace dcgan {

// File extensions taken as images (lower case, with the dot).
const std::vector<std::string>& image_extensions();

// The extension of `path`'s file name in lower case, with the dot (".JPG" -> ".jpg"), as image_extensions() lists
// them; "" when it has none.
std::string image_extension(const std::string& path);

// Paths of the image files under `root`, recursively, sorted so that index i names the same file on every machine.
// Throws DataError when `root` is not a directory or holds no image file.
std::vector<std::string> list_image_files(const std::string& root);

// A Dataset decoding each file on read: converted to `channels`, shorter side resized and centre-cropped to
// `image_size`. A JPEG at least twice the target size is decoded at 1/2, 1/4 or 1/8 scale by libjpeg first (data/image_decode.h). read()
// throws DataError naming the file when it cannot be decoded. One class per top-level subfolder, as `labels` asks
// (folder_class_labels in data/labels.h).
// `max_pixels` > 0: a file declaring more pixels is unreadable (skipped and counted, or fatal under data.strict)
// before it is decoded (decode_image_file).
std::unique_ptr<Dataset> open_image_folder(const std::string& root, int image_size, int channels,
                                           LabelMode labels = LabelMode::None, std::int64_t max_pixels = 0);

}  // namespace dcgan
