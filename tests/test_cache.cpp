// Tests of the prepared cache: exact round trips, skipped files, and refusing foreign, damaged or stale caches.
#include "dcgan/data/cache.h"

#include "dcgan/config/config.h"
#include "dcgan/data/cifar10.h"
#include "dcgan/data/idx.h"
#include "dcgan/data/image_folder.h"

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> item(const Dataset& d, int64_t i) {
  std::vector<uint8_t> out(static_cast<std::size_t>(d.shape().bytes()));
  d.read(i, out.data());
  return out;
}

TEST(Cache, RoundTripIsExactForEverySource) {
  test::ScratchDir dir;
  const std::vector<std::pair<std::string, std::unique_ptr<Dataset>>> sources = [] {
    std::vector<std::pair<std::string, std::unique_ptr<Dataset>>> v;
    const auto mnist = test::source_path("tests/data/mnist/t10k-images-256-idx3-ubyte.gz");
    const auto cifar = test::source_path("tests/data/cifar10/data_batch_1_first100.bin");
    const auto celeba = test::source_path("tests/data/celeba");
    v.emplace_back(mnist, open_idx_dataset(mnist, 32, 1));
    v.emplace_back(cifar, open_cifar10(cifar, 32, 3));
    v.emplace_back(celeba, open_image_folder(celeba, 64, 3));
    return v;
  }();
  for (const auto& [path, source] : sources) {
    const std::string out = dir / "c.cache";
    const PrepareResult r = prepare_cache(*source, path, out, 2, false);
    EXPECT_EQ(r.written, source->size());
    EXPECT_EQ(r.skipped, 0);
    const auto cache = open_cache(out, source->shape(), "");
    ASSERT_EQ(cache->size(), source->size()) << path;
    for (int64_t i = 0; i < source->size(); ++i) ASSERT_EQ(item(*cache, i), item(*source, i)) << path << " " << i;
    const CacheInfo info = read_cache_info(out);
    EXPECT_EQ(info.source, path);
    EXPECT_TRUE(is_cache_file(out));
  }
}

TEST(Cache, SkipsUnreadableFilesAndKeepsOrder) {
  test::ScratchDir dir;
  fs::create_directories(dir / "imgs");
  const auto celeba = test::source_path("tests/data/celeba");
  fs::copy_file(celeba + "/000001.jpg", dir / "imgs/a.jpg");
  fs::copy_file(celeba + "/000002.jpg", dir / "imgs/c.jpg");
  std::ofstream(dir / "imgs/b.png") << "text, not a png";
  std::ofstream(dir / "imgs/d.jpg");  // zero bytes
  const auto source = open_image_folder(dir / "imgs", 32, 3);
  const PrepareResult r = prepare_cache(*source, dir / "imgs", dir / "x.cache", 2, false);
  EXPECT_EQ(r.written, 2);
  EXPECT_EQ(r.skipped, 2);
  const auto cache = open_cache(dir / "x.cache", source->shape(), "");
  ASSERT_EQ(cache->size(), 2);
  EXPECT_EQ(item(*cache, 0), item(*source, 0));
  EXPECT_EQ(item(*cache, 1), item(*source, 2));
  EXPECT_EQ(read_cache_info(dir / "x.cache").skipped, 2);
  EXPECT_THROW(prepare_cache(*source, dir / "imgs", dir / "y.cache", 2, /*strict=*/true), UnreadableImage);
  EXPECT_FALSE(fs::exists(dir / "y.cache"));
}

TEST(Cache, RefusesForeignDamagedMismatchedAndStaleCaches) {
  test::ScratchDir dir;
  fs::create_directories(dir / "imgs");
  const auto celeba = test::source_path("tests/data/celeba");
  for (const char* f : {"000001.jpg", "000002.jpg", "000003.jpg"}) fs::copy_file(celeba + "/" + f, dir / ("imgs/" + std::string(f)));
  const auto source = open_image_folder(dir / "imgs", 32, 3);
  const std::string cache = dir / "ok.cache";
  prepare_cache(*source, dir / "imgs", cache, 1, false);
  const ImageShape shape{3, 32, 32};

  std::ofstream(dir / "foreign.cache") << "GIF89a not a cache at all";
  EXPECT_NE(test::message_of<DataError>([&] { open_cache(dir / "foreign.cache", shape, ""); }).find("not a dcgan cache"),
            std::string::npos);

  EXPECT_NE(test::message_of<DataError>([&] { open_cache(cache, {1, 32, 32}, ""); }).find("the config wants 32x32 with 1"),
            std::string::npos);
  EXPECT_NE(test::message_of<DataError>([&] { open_cache(cache, {3, 64, 64}, ""); }).find("holds 32x32 images"), std::string::npos);

  // Truncated.
  fs::copy_file(cache, dir / "short.cache");
  fs::resize_file(dir / "short.cache", fs::file_size(cache) - 100);
  EXPECT_NE(test::message_of<DataError>([&] { open_cache(dir / "short.cache", shape, ""); }).find("truncated"), std::string::npos);

  // One payload byte flipped.
  fs::copy_file(cache, dir / "flip.cache");
  {
    std::fstream f(dir / "flip.cache", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kCacheHeaderBytes + 10);
    f.put('\x7f');
  }
  EXPECT_NE(test::message_of<DataError>([&] { open_cache(dir / "flip.cache", shape, ""); }).find("payload checksum mismatch"),
            std::string::npos);

  // A new file in the source folder makes the cache stale.
  EXPECT_NO_THROW(open_cache(cache, shape, ""));
  fs::copy_file(celeba + "/000004.jpg", dir / "imgs/000004.jpg");
  EXPECT_NE(test::message_of<DataError>([&] { open_cache(cache, shape, ""); }).find("stale cache"), std::string::npos);
  EXPECT_NE(test::message_of<DataError>([&] { open_cache(cache, shape, dir / "imgs"); }).find("changed since it was prepared"),
            std::string::npos);
}

TEST(Cache, OpenDatasetUsesDataCacheAndFormatAuto) {
  test::ScratchDir dir;
  DataConfig cfg;
  cfg.path = test::source_path("tests/data/mnist/t10k-images-256-idx3-ubyte.gz");
  cfg.image_size = 32;
  cfg.channels = 1;
  const auto source = open_dataset(cfg, 0);
  prepare_cache(*source, cfg.path, dir / "m.cache", 2, false);
  cfg.cache = dir / "m.cache";
  const auto via_cache = open_dataset(cfg, 0);
  EXPECT_NE(via_cache->describe().find("cache"), std::string::npos);
  EXPECT_EQ(item(*via_cache, 17), item(*source, 17));
  DataConfig direct;
  direct.path = dir / "m.cache";
  direct.image_size = 32;
  direct.channels = 1;
  EXPECT_EQ(detect_format(direct.path), "cache");
  EXPECT_EQ(item(*open_dataset(direct, 0), 255), item(*source, 255));
  cfg.cache = dir / "missing.cache";
  EXPECT_NE(test::message_of<DataError>([&] { open_dataset(cfg, 0); }).find("no such cache; make it with: dcgan prepare"),
            std::string::npos);
}

}  // namespace
}  // namespace dcgan
