// End-to-end tests of the data commands on the built binary: bad files in a folder, --strict, prepare, bench data.
#include <filesystem>
#include <fstream>
#include <regex>

#include "cli_util.h"
#include "dcgan/data/cache.h"
#include "image_bombs.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;
using test::dcgan_cli;

// A folder of 8 real CelebA images plus the bad files a user's folder may hold.
void make_messy_folder(const std::string& dir) {
  fs::create_directories(dir + "/sub");
  for (const auto& e : fs::directory_iterator(test::source_path("tests/data/celeba")))
    fs::copy_file(e.path(), dir + "/sub/" + e.path().filename().string());
  std::ofstream(dir + "/empty.jpg");                    // zero bytes
  std::ofstream(dir + "/notes.png") << "just text\n";  // a text file named .png
  std::ifstream in(test::source_path("tests/data/celeba/000001.jpg"), std::ios::binary);
  std::string jpeg((std::istreambuf_iterator<char>(in)), {});
  for (std::size_t i = 0; i < 64; ++i) jpeg[i] = static_cast<char>(0x5a);  // a JPEG whose header is destroyed
  std::ofstream(dir + "/corrupt.jpg", std::ios::binary) << jpeg;
  // 40 KB-class PNG declaring 60000x60000 pixels (10.8 GB decoded): over data.max_image_pixels.
  std::ofstream(dir + "/poster.png", std::ios::binary) << test::png_declaring(60000, 60000);
}

const std::string kFolderRun =
    "train --config configs/tiny.yaml --set data.format=folder --set data.channels=3 --set train.batch_size=4 "
    "--set train.steps=6";

TEST(CliData, UnreadableFilesAreSkippedWithOneWarningEachAndCounted) {
  test::ScratchDir dir;
  make_messy_folder(dir / "imgs");
  const auto r = dcgan_cli(kFolderRun + " --set data.path=" + (dir / "imgs") + " --set output.dir=" + (dir / "run"));
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  for (const char* f : {"empty.jpg", "notes.png", "corrupt.jpg", "poster.png"}) {
    const std::string warning = std::string("skipping unreadable image");
    std::size_t hits = 0;
    for (std::size_t p = r.out.find(f); p != std::string::npos; p = r.out.find(f, p + 1)) ++hits;
    EXPECT_EQ(hits, 1u) << f << " should be named by exactly one warning:\n" << r.out;
  }
  EXPECT_NE(r.out.find("skipped 4 unreadable image(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("poster.png: declares 60000x60000 pixels, over data.max_image_pixels"), std::string::npos)
      << r.out;
  std::ifstream log(dir / "run/train.log");
  const std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("skipped 4 unreadable image(s)"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "run/g.pt"));
}

TEST(CliData, StrictMakesTheFirstUnreadableFileFatal) {
  test::ScratchDir dir;
  make_messy_folder(dir / "imgs");
  const auto r =
      dcgan_cli(kFolderRun + " --strict --set data.path=" + (dir / "imgs") + " --set output.dir=" + (dir / "run"));
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
  EXPECT_TRUE(r.err.find("cannot decode image") != std::string::npos ||
              r.err.find("poster.png: declares 60000x60000 pixels") != std::string::npos)
      << r.err;
}

TEST(CliData, UnusableDataSetsStopBeforeWritingAnything) {
  test::ScratchDir dir;
  fs::create_directories(dir / "empty");
  std::ofstream(dir / "bad.bin", std::ios::binary) << std::string(3073 + 1, 'x');
  std::ofstream(dir / "bad-idx3-ubyte", std::ios::binary) << std::string{0, 0, 8, 3, 0, 0, 0, 9, 0, 0, 0, 28, 0, 0, 0, 28};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"data.path=" + (dir / "empty"), "no images found"},
      {"data.path=" + (dir / "missing"), "no such file or directory"},
      {"data.path=" + (dir / "bad.bin"), "is not a whole number of 3073-byte CIFAR-10 records"},
      {"data.path=" + (dir / "bad-idx3-ubyte"), "truncated idx file"},
  };
  for (const auto& [set, message] : cases) {
    const auto r = dcgan_cli("train --config configs/tiny.yaml --set data.format=auto --set " + set +
                             " --set output.dir=" + (dir / "run"));
    EXPECT_NE(r.status, 0) << set;
    EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "run")) << set;
  }
}

TEST(CliData, PrepareThenTrainFromTheCacheAndBenchIt) {
  test::ScratchDir dir;
  const auto prep = dcgan_cli("prepare --config configs/tiny.yaml --out " + (dir / "tiny.cache"));
  ASSERT_EQ(prep.status, 0) << prep.err;
  EXPECT_NE(prep.out.find("wrote 256 images"), std::string::npos) << prep.out;
  const auto train = dcgan_cli("train --config configs/tiny.yaml --set data.cache=" + (dir / "tiny.cache") +
                               " --set output.dir=" + (dir / "run"));
  ASSERT_EQ(train.status, 0) << train.err;
  EXPECT_NE(train.out.find("data: cache"), std::string::npos) << train.out;
  // prepare measured data.mirror=auto's figures once and kept them in the cache; a run on it decides from them,
  // as a run on the idx file decides from its own measurement.
  const std::regex kept(R"(data.mirror=auto: flips off, flipped images differ from the set \(SWD ratio ([0-9.]+): )"
                        R"(x1e3 ([0-9.]+) between the two halves of 256 images at 32x32)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(prep.out, m, kept)) << prep.out;
  EXPECT_GT(std::stod(m[1]), 1.5);
  EXPECT_EQ(read_cache_info(dir / "tiny.cache").mirror.images, 256);
  const auto automatic = dcgan_cli("train --config configs/tiny.yaml --set data.mirror=auto --set data.cache=" +
                                   (dir / "tiny.cache") + " --set train.steps=2 --set output.dir=" + (dir / "auto"));
  ASSERT_EQ(automatic.status, 0) << automatic.err;
  EXPECT_NE(automatic.out.find("mirror: off, flipped images differ from the set (SWD ratio " + std::string(m[1]) +
                               ", over data.mirror_max_ratio 1.5: x1e3 " + std::string(m[2]) +
                               " between the two halves of 256 images at 32x32"),
            std::string::npos)
      << automatic.out;
  EXPECT_NE(automatic.out.find("measured by dcgan prepare, kept in " + (dir / "tiny.cache")), std::string::npos)
      << automatic.out;
  // Reading from the cache gives the same training as decoding the idx file.
  const auto plain = dcgan_cli("train --config configs/tiny.yaml --set output.dir=" + (dir / "plain"));
  ASSERT_EQ(plain.status, 0);
  EXPECT_EQ(test::metrics_without_timing(dir / "run/metrics.csv"), test::metrics_without_timing(dir / "plain/metrics.csv"));

  const auto wrong = dcgan_cli("train --config configs/tiny.yaml --set data.image_size=64 --set data.cache=" +
                               (dir / "tiny.cache") + " --set output.dir=" + (dir / "run2"));
  EXPECT_NE(wrong.status, 0);
  EXPECT_NE(wrong.err.find("the config wants 64x64"), std::string::npos) << wrong.err;

  const auto bench = dcgan_cli("bench data --data " + (dir / "tiny.cache") +
                               " --image-size 32 --channels 1 --batch 32 --batches 20");
  ASSERT_EQ(bench.status, 0) << bench.err;
  const auto last = bench.out.substr(bench.out.rfind("images_per_s="));
  EXPECT_GT(std::stod(last.substr(13)), 0.0) << bench.out;
}

TEST(CliData, BenchStepPrintsImagesPerSecond) {
  const auto r = dcgan_cli("bench --batch 4 --image-size 32 --channels 1 --steps 2 --warmup 1 --threads 1 --device cpu");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto pos = r.out.rfind("images_per_s=");
  ASSERT_NE(pos, std::string::npos) << r.out;
  EXPECT_GT(std::stod(r.out.substr(pos + 13)), 0.0);
}

TEST(CliData, BenchProfileTablesTheOperatorsOfTheStep) {
  const auto r = dcgan_cli("bench --batch 4 --image-size 32 --channels 1 --steps 1 --warmup 1 --threads 1 "
                           "--device cpu --profile 2 --profile-top 5");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("CPU operator (self time)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("aten::convolution_backward"), std::string::npos) << "the step's heaviest operator\n" << r.out;
  EXPECT_NE(r.out.find(" not shown)\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.rfind("images_per_s="), r.out.rfind('\n', r.out.size() - 2) + 1) << "still the last line\n" << r.out;
}

}  // namespace
}  // namespace dcgan
