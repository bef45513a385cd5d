// idx source: MNIST-style idx3-ubyte files, raw or gzip-compressed (zlib reads both).
#include "dcgan/data/idx.h"

#include "dcgan/data/transform.h"

#include <fmt/format.h>
#include <zlib.h>

#include <initializer_list>
#include <memory>
#include <string>

namespace dcgan {
namespace {

constexpr std::uint32_t kIdxUbyte3Magic = 0x00000803;  // ubyte data, 3 dimensions (LeCun's MNIST page)
constexpr std::uint32_t kIdxUbyte1Magic = 0x00000801;  // ubyte data, 1 dimension (labels)

std::vector<std::uint8_t> read_all(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw DataError(fmt::format("{}: cannot open idx file", path));
  std::unique_ptr<gzFile_s, int (*)(gzFile)> guard(f, gzclose);
  std::vector<std::uint8_t> data;
  std::uint8_t buf[1 << 16];
  for (;;) {
    const int n = gzread(f, buf, sizeof(buf));
    if (n < 0) {
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      throw DataError(fmt::format("{}: cannot read idx file ({})", path, msg ? msg : "read error"));
    }
    if (n == 0) break;
    data.insert(data.end(), buf, buf + n);
  }
  return data;
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

// "JPEG", "PNG", ... when the bytes start as an image file of that kind does, else "".
std::string image_kind(const std::vector<std::uint8_t>& d) {
  auto starts = [&d](std::initializer_list<int> magic) {
    if (d.size() < magic.size()) return false;
    std::size_t i = 0;
    for (int b : magic)
      if (d[i++] != b) return false;
    return true;
  };
  if (starts({0xff, 0xd8, 0xff})) return "JPEG";
  if (starts({0x89, 'P', 'N', 'G'})) return "PNG";
  if (starts({'G', 'I', 'F', '8'})) return "GIF";
  if (starts({'B', 'M'})) return "BMP";
  if (starts({'R', 'I', 'F', 'F'}) && d.size() >= 12 && std::string(d.begin() + 8, d.begin() + 12) == "WEBP") return "WebP";
  if (starts({'I', 'I', 0x2a, 0}) || starts({'M', 'M', 0, 0x2a})) return "TIFF";
  return "";
}

// The whole file, after checking that it holds at least its `header_bytes`-byte header and starts with `magic`;
// `kind` names what was expected ("idx3-ubyte image file") in the error.
std::vector<std::uint8_t> read_with_header(const std::string& path, std::size_t header_bytes, std::uint32_t magic,
                                           const char* kind) {
  std::vector<std::uint8_t> data = read_all(path);
  if (data.size() < header_bytes)
    throw DataError(fmt::format("{}: truncated idx file ({} bytes, the header alone needs {})", path, data.size(),
                                header_bytes));
  const std::uint32_t found = be32(data.data());
  if (const std::string image = found != magic ? image_kind(data) : ""; !image.empty())
    throw DataError(fmt::format("{}: is a {} image, not an {}: data.path takes a folder of images, an idx file "
                                "(MNIST's format, raw or .gz), CIFAR-10 batches or a cache made by dcgan prepare",
                                path, image, kind));
  if (found != magic)
    throw DataError(fmt::format("{}: not an {} (magic 0x{:08x}, expected 0x{:08x})", path, kind, found, magic));
  return data;
}

class IdxDataset final : public Dataset {
 public:
  IdxDataset(std::string path, IdxImages images, int size, int channels)
      : path_(std::move(path)), images_(std::move(images)), size_(size), channels_(channels) {}

  std::int64_t size() const override { return images_.count; }
  ImageShape shape() const override { return {channels_, size_, size_}; }
  void read(std::int64_t index, std::uint8_t* out) const override {
    const std::int64_t per = std::int64_t(images_.rows) * images_.cols;
    const PixelView src{images_.pixels.data() + index * per, images_.rows, images_.cols, 1,
                        static_cast<std::size_t>(images_.cols)};
    resize_crop_to_chw(src, size_, channels_, out);
  }
  std::string describe() const override {
    return fmt::format("idx {} ({} images of {}x{})", path_, images_.count, images_.cols, images_.rows);
  }

 private:
  std::string path_;
  IdxImages images_;
  int size_;
  int channels_;
};

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  const std::vector<std::uint8_t> data = read_with_header(path, 16, kIdxUbyte3Magic, "idx3-ubyte image file");
  IdxImages out;
  out.count = be32(data.data() + 4);
  const std::uint32_t rows = be32(data.data() + 8), cols = be32(data.data() + 12);
  if (out.count == 0 || rows == 0 || cols == 0 || rows > 65535 || cols > 65535)
    throw DataError(fmt::format("{}: idx header has unusable dimensions {} x {} x {}", path, out.count, rows, cols));
  out.rows = static_cast<int>(rows);
  out.cols = static_cast<int>(cols);
  const std::uint64_t need = std::uint64_t(out.count) * rows * cols;
  if (data.size() - 16 < need)
    throw DataError(fmt::format("{}: truncated idx file: header promises {} images of {}x{} ({} bytes), found {}", path,
                                out.count, rows, cols, need, data.size() - 16));
  out.pixels.assign(data.begin() + 16, data.begin() + 16 + static_cast<std::ptrdiff_t>(need));
  return out;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  const std::vector<std::uint8_t> data = read_with_header(path, 8, kIdxUbyte1Magic, "idx1-ubyte label file");
  const std::uint32_t count = be32(data.data() + 4);
  if (data.size() - 8 < count)
    throw DataError(fmt::format("{}: truncated idx file: header promises {} labels, found {}", path, count,
                                data.size() - 8));
  return {data.begin() + 8, data.begin() + 8 + count};
}

std::unique_ptr<Dataset> open_idx_dataset(const std::string& path, int image_size, int channels) {
  return std::make_unique<IdxDataset>(path, read_idx_images(path), image_size, channels);
}

}  // namespace dcgan
