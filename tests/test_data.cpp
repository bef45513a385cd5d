// Tests of the data sources: idx (real MNIST sample), image folder (real CelebA sample), synthetic, open_dataset.
#include "dcgan/config/config.h"
#include "dcgan/data/dataset.h"
#include "dcgan/data/idx.h"
#include "dcgan/data/image_folder.h"
#include "dcgan/data/subset.h"
#include "dcgan/data/synthetic.h"
#include "dcgan/data/transform.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <numeric>

#include "test_util.h"

namespace dcgan {
namespace {

const std::string kMnist = test::source_path("tests/data/mnist/t10k-images-256-idx3-ubyte.gz");
const std::string kCeleba = test::source_path("tests/data/celeba");

TEST(Idx, ReadsTheMnistSampleExactly) {
  const IdxImages images = read_idx_images(kMnist);
  EXPECT_EQ(images.count, 256);
  EXPECT_EQ(images.rows, 28);
  EXPECT_EQ(images.cols, 28);
  ASSERT_EQ(images.pixels.size(), 256u * 784u);
  // The first t10k image (a 7) sums to 18454.
  EXPECT_EQ(std::accumulate(images.pixels.begin(), images.pixels.begin() + 784, 0LL), 18454);
}

TEST(Idx, ReadsTheMnistLabels) {
  const auto labels = read_idx_labels(test::source_path("tests/data/mnist/t10k-labels-256-idx1-ubyte.gz"));
  ASSERT_EQ(labels.size(), 256u);
  EXPECT_EQ(std::vector<int>(labels.begin(), labels.begin() + 10), (std::vector<int>{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}));
  EXPECT_THROW(read_idx_labels(kMnist), DataError);  // an image file is not a label file
}

TEST(Idx, ReadsRawFilesToo) {
  test::ScratchDir dir;
  const IdxImages gz = read_idx_images(kMnist);
  std::string raw = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28};
  raw.append(reinterpret_cast<const char*>(gz.pixels.data()), 2 * 784);
  std::ofstream(dir / "raw-idx3-ubyte", std::ios::binary) << raw;
  const IdxImages back = read_idx_images(dir / "raw-idx3-ubyte");
  EXPECT_EQ(back.count, 2);
  EXPECT_TRUE(std::equal(back.pixels.begin(), back.pixels.end(), gz.pixels.begin()));
}

TEST(Idx, TruncatedAndForeignFilesAreErrorsNamingTheFile) {
  test::ScratchDir dir;
  std::string header = {0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28};
  std::ofstream(dir / "short.idx", std::ios::binary) << header << std::string(100, '\0');
  EXPECT_NE(test::message_of<DataError>([&] { read_idx_images(dir / "short.idx"); }).find("short.idx: truncated idx file"),
            std::string::npos);
  std::ofstream(dir / "labels.idx", std::ios::binary) << std::string{0, 0, 8, 1, 0, 0, 0, 1} << 'x';
  EXPECT_NE(test::message_of<DataError>([&] { read_idx_images(dir / "labels.idx"); }).find("labels.idx: truncated idx file"),
            std::string::npos);
  std::ofstream(dir / "labels2.idx", std::ios::binary) << std::string{0, 0, 8, 1, 0, 0, 0, 9} << std::string(9, 'x');
  EXPECT_NE(test::message_of<DataError>([&] { read_idx_images(dir / "labels2.idx"); }).find("magic 0x00000801"), std::string::npos);
  EXPECT_NE(test::message_of<DataError>([&] { read_idx_images(dir / "none.gz"); }).find("none.gz: cannot open"), std::string::npos);
}

TEST(Idx, DatasetResizesToTheTrainingSize) {
  const auto data = open_idx_dataset(kMnist, 32, 1);
  EXPECT_EQ(data->size(), 256);
  EXPECT_EQ(data->shape().bytes(), 32 * 32);
  std::vector<uint8_t> item(32 * 32);
  data->read(0, item.data());
  // A 28 -> 32 upscale keeps the mean brightness within a few percent.
  const double mean = std::accumulate(item.begin(), item.end(), 0.0) / item.size();
  EXPECT_NEAR(mean, 18454.0 / 784.0, 1.5);
  const auto rgb = open_idx_dataset(kMnist, 32, 3);
  std::vector<uint8_t> three(3 * 32 * 32);
  rgb->read(0, three.data());
  EXPECT_TRUE(std::equal(item.begin(), item.end(), three.begin() + 1024)) << "gray goes to R = G = B";
}

TEST(ImageFolder, ListsAndDecodesTheCelebaSample) {
  const auto files = list_image_files(kCeleba);
  ASSERT_EQ(files.size(), 8u);
  EXPECT_TRUE(std::is_sorted(files.begin(), files.end()));
  const auto data = open_image_folder(kCeleba, 64, 3);
  std::vector<uint8_t> item(3 * 64 * 64);
  data->read(0, item.data());
  const double mean = std::accumulate(item.begin(), item.end(), 0.0) / item.size();
  EXPECT_GT(mean, 40);
  EXPECT_LT(mean, 220);
  const auto gray = open_image_folder(kCeleba, 32, 1);
  EXPECT_EQ(gray->shape().bytes(), 32 * 32);
}

TEST(ImageFolder, EmptyMissingAndCorruptAreErrorsNamingThePath) {
  test::ScratchDir dir;
  std::filesystem::create_directories(dir / "empty/sub");
  std::ofstream(dir / "empty/sub/notes.txt") << "hello";
  EXPECT_NE(test::message_of<DataError>([&] { list_image_files(dir / "empty"); }).find("empty: no images found"), std::string::npos);
  EXPECT_NE(test::message_of<DataError>([&] { list_image_files(dir / "nope"); }).find("nope: not a directory"), std::string::npos);
  std::filesystem::create_directories(dir / "bad");
  std::ofstream(dir / "bad/fake.png") << "not a png";
  const auto data = open_image_folder(dir / "bad", 32, 3);
  std::vector<uint8_t> item(3 * 32 * 32);
  EXPECT_NE(test::message_of<DataError>([&] { data->read(0, item.data()); }).find("fake.png: cannot decode image"), std::string::npos);
  EXPECT_THROW(data->read(0, item.data()), UnreadableImage);

  // An image under 8 pixels a side is not skipped: it stops the run.
  std::filesystem::create_directories(dir / "tiny");
  cv::imwrite(dir / "tiny/small.png", cv::Mat(6, 20, CV_8UC3, cv::Scalar(1, 2, 3)));
  const auto tiny = open_image_folder(dir / "tiny", 32, 3);
  try {
    tiny->read(0, item.data());
    ADD_FAILURE() << "expected a DataError";
  } catch (const UnreadableImage&) {
    ADD_FAILURE() << "a too-small image must not be skippable";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("small.png: image is 20x6, smaller than 8 pixels"), std::string::npos);
  }
}

TEST(ImageFolder, DecodesGrayAlphaAndSixteenBitInputs) {
  test::ScratchDir dir;
  cv::imwrite(dir / "gray.pgm", cv::Mat(40, 30, CV_8UC1, cv::Scalar(100)));
  cv::imwrite(dir / "rgba.png", cv::Mat(40, 30, CV_8UC4, cv::Scalar(10, 20, 30, 255)));
  cv::imwrite(dir / "deep.png", cv::Mat(40, 30, CV_16UC1, cv::Scalar(257 * 50)));
  const auto data = open_image_folder(dir.str(), 16, 3);  // sorted: deep.png, gray.pgm, rgba.png
  std::vector<uint8_t> px(3 * 16 * 16);
  data->read(0, px.data());
  EXPECT_EQ(px[0], 50);
  data->read(1, px.data());
  EXPECT_EQ(px[0], 100);
  EXPECT_EQ(px[256], 100);
  data->read(2, px.data());
  EXPECT_EQ(px[0], 30);   // R
  EXPECT_EQ(px[512], 10);  // B
}

TEST(Synthetic, DeterministicPerSeedAndIndex) {
  const auto a = open_synthetic(10, 32, 3, 5), b = open_synthetic(10, 32, 3, 5), c = open_synthetic(10, 32, 3, 6);
  std::vector<uint8_t> x(3 * 1024), y(3 * 1024), z(3 * 1024), w(3 * 1024);
  a->read(3, x.data());
  b->read(3, y.data());
  c->read(3, z.data());
  a->read(4, w.data());
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  EXPECT_NE(x, w);
}

// data.holdout: a seeded, disjoint split that covers the data set; too few left to train on is a DataError.
TEST(Holdout, SplitsDisjointlyAndRepeatably) {
  auto split = [](uint64_t seed) { return split_holdout(open_synthetic(50, 8, 1, 3), 10, seed, 16); };
  const HoldoutSplit a = split(7), b = split(7), c = split(8);
  ASSERT_EQ(a.training->size(), 40);
  ASSERT_EQ(a.held_back->size(), 10);
  const auto base = open_synthetic(50, 8, 1, 3);
  auto items = [](const Dataset& d) {
    std::vector<std::vector<uint8_t>> out;
    for (int64_t i = 0; i < d.size(); ++i) {
      std::vector<uint8_t> px(static_cast<std::size_t>(d.shape().bytes()));
      d.read(i, px.data());
      out.push_back(px);
    }
    return out;
  };
  auto all = items(*a.training);
  const auto held = items(*a.held_back);
  for (const auto& h : held) EXPECT_EQ(std::count(all.begin(), all.end(), h), 0) << "a held-back image is trained on";
  all.insert(all.end(), held.begin(), held.end());
  auto everything = items(*base);
  std::sort(all.begin(), all.end());
  std::sort(everything.begin(), everything.end());
  EXPECT_EQ(all, everything);
  EXPECT_EQ(items(*b.held_back), held);
  EXPECT_NE(items(*c.held_back), held);
  EXPECT_NE(a.training->describe().find("training on 40 of them"), std::string::npos) << a.training->describe();
  const std::string error =
      test::message_of<DataError>([] { split_holdout(open_synthetic(50, 8, 1, 3), 40, 1, 16); });
  EXPECT_NE(error.find("data.holdout 40 leaves 10 image(s) to train on, fewer than one batch of 16"), std::string::npos)
      << error;
}

TEST(OpenDataset, ChoosesTheSourceAndRejectsBadPaths) {
  DataConfig cfg;
  cfg.image_size = 32;
  cfg.channels = 1;
  cfg.path = kMnist;
  EXPECT_EQ(open_dataset(cfg, 0)->size(), 256);
  cfg.path = kCeleba;
  EXPECT_EQ(open_dataset(cfg, 0)->size(), 8);
  cfg.format = "idx";
  EXPECT_NE(test::message_of<DataError>([&] { open_dataset(cfg, 0); }).find("is a directory"), std::string::npos);
  cfg.format = "auto";
  cfg.path = "/no/such/data";
  EXPECT_EQ(test::message_of<DataError>([&] { open_dataset(cfg, 0); }), "/no/such/data: no such file or directory");
  cfg.format = "synthetic";
  cfg.synthetic_count = 17;
  EXPECT_EQ(open_dataset(cfg, 0)->size(), 17);
}

}  // namespace
}  // namespace dcgan
