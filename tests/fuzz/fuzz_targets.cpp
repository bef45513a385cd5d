// Fuzz targets: arbitrary bytes into each loader, through an in-memory file (memfd) so that paths work unchanged.
#include "fuzz_targets.h"

#include "dcgan/plain/archive_check.h"
#include "dcgan/io/checkpoint.h"
#include "dcgan/config/config.h"
#include "dcgan/data/cache.h"
#include "dcgan/data/cifar10.h"
#include "dcgan/data/idx.h"
#include "dcgan/data/image_decode.h"
#include "dcgan/data/image_header.h"
#include "dcgan/data/labels.h"
#include "dcgan/io/tfevents.h"
#include "dcgan/plain/pickle.h"
#if DCGAN_PLAIN_SAMPLE
#include "dcgan/plain/plain_generator.h"
#endif

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace dcgan::fuzz {
namespace {

// The bytes as a file at /proc/self/fd/N (a memfd), closed when the object goes away.
class MemFile {
 public:
  MemFile(const std::uint8_t* data, std::size_t size) {
    fd_ = ::memfd_create("dcgan-fuzz", MFD_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error("memfd_create failed");
    for (std::size_t done = 0; done < size;) {
      const ssize_t n = ::write(fd_, data + done, size - done);
      if (n <= 0) throw std::runtime_error("memfd write failed");
      done += static_cast<std::size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace

void config_loader(const std::uint8_t* data, std::size_t size) {
  try {
    Config c;
    load_config_yaml(c, std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    validate(c);
    Config back;
    load_config_yaml(back, to_yaml(c), "round trip");
    if (to_yaml(back) != to_yaml(c)) throw std::logic_error("config YAML round trip differs");
  } catch (const ConfigError&) {
  }
}

void idx_reader(const std::uint8_t* data, std::size_t size) {
  const MemFile f(data, size);
  try {
    read_idx_images(f.path());
  } catch (const DataError&) {
  }
  try {
    read_idx_labels(f.path());
  } catch (const DataError&) {
  }
}

void cifar10_reader(const std::uint8_t* data, std::size_t size) {
  const MemFile f(data, size);
  try {
    const Cifar10Records r = read_cifar10(f.path());
    if (r.labels.size() != static_cast<std::size_t>(r.count)) throw std::logic_error("label count mismatch");
  } catch (const DataError&) {
  }
}

void cache_reader(const std::uint8_t* data, std::size_t size) {
  const MemFile f(data, size);
  try {
    const CacheInfo info = read_cache_info(f.path());
    const auto ds = open_cache(f.path(), info.shape, "/nonexistent-source");
    std::vector<std::uint8_t> item(static_cast<std::size_t>(ds->shape().bytes()));
    if (ds->size() > 0) {
      ds->read(0, item.data());
      ds->read(ds->size() - 1, item.data());
    }
  } catch (const DataError&) {
  }
}

void checkpoint_loader(const std::uint8_t* data, std::size_t size) {
  const MemFile f(data, size);
  try {
    load_generator(f.path());
  } catch (const CheckpointError&) {
  }
#if DCGAN_PLAIN_SAMPLE  // the reader of the LibTorch-free `dcgan sample`
  try {
    const PlainGenerator g = PlainGenerator::load(f.path(), false);
    const std::vector<float> z(static_cast<std::size_t>(g.nz()), 0.5f);
    g.forward(z.data(), 1);
  } catch (const PlainUnsupported&) {
  } catch (const ArchiveError&) {
  } catch (const pickle::PickleError&) {
  }
#endif
}

void tfevents_reader(const std::uint8_t* data, std::size_t size) {
  const MemFile f(data, size);
  const EventRecords r = read_event_file(f.path());  // documented not to throw: damage ends the records
  for (const std::string& record : r.records) event_step(record);
  if (!r.complete && r.error.empty()) throw std::logic_error("an incomplete event file without a reason");
}

void labels_reader(const std::uint8_t* data, std::size_t size) {
  const MemFile f(data, size);
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {  // an idx1 file of labels for as many images as its first byte says
    read_idx_class_labels("/nonexistent-images-idx3-ubyte", f.path(), size > 0 ? data[0] : 0);
  } catch (const DataError&) {
  }
  try {
    cifar10_class_labels(f.path(), std::vector<std::uint8_t>(data, data + size));
  } catch (const DataError&) {
  }
  read_cifar10_class_names(f.path());
  parse_class_names(text);
  // Each line a file under the root /r: the class subfolders of an image folder.
  std::vector<std::string> files;
  for (size_t at = 0; at <= text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    files.push_back("/r/" + text.substr(at, end - at));
    at = end + 1;
  }
  try {
    const ClassLabels labels = folder_class_labels("/r", files);
    if (labels.of_item.size() != files.size()) throw std::logic_error("a label per file");
  } catch (const DataError&) {
  }
}

void image_decoder(const std::uint8_t* data, std::size_t size) {
#if DCGAN_WITH_OPENCV
  // Decoders choose by the file name: the same bytes under every name the folder reader takes.
  static const std::string dir = [] {
    const std::string d = "/dev/shm/dcgan-fuzz-" + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  declared_image_size(bytes);
  for (const char* ext : {".jpg", ".png", ".bmp", ".pgm", ".webp", ".tif"}) {
    const std::string path = dir + "/image" + ext;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    for (const bool gray : {false, true}) {
      try {
        decode_image_file(path, gray, gray ? 16 : 0, 1 << 22);  // a 4-megapixel limit: a fuzzer's bomb is refused
      } catch (const UnreadableImage&) {
      }
    }
  }
#else
  (void)data, (void)size;
#endif
}

const std::vector<NamedTarget>& targets() {
  static const std::vector<NamedTarget> all = {{"config", config_loader},
                                               {"idx", idx_reader},
                                               {"cifar10", cifar10_reader},
                                               {"cache", cache_reader},
                                               {"checkpoint", checkpoint_loader},
                                               {"tfevents", tfevents_reader},
                                               {"labels", labels_reader},
                                               {"image", image_decoder}};
  return all;
}

}  // namespace dcgan::fuzz
