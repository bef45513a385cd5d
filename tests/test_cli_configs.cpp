// End-to-end: `dcgan train --config NAME` from any folder, --list-configs, and what a user sees when the data a
// config names is missing or is not a data set.
#include <filesystem>
#include <fstream>

#include "cli_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;

using test::CliRun;
using test::count_lines;

// The binary run from `cwd` (a folder that is not the source tree).
CliRun dcgan_in(const std::string& cwd, const std::string& args) {
  return test::dcgan_cli(args, test::dcgan_binary(), cwd);
}

TEST(CliConfigs, ListConfigsNamesEachShippedConfigWithItsFirstLine) {
  test::ScratchDir dir;
  const CliRun r = dcgan_in(dir.str(), "train --list-configs");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* name : {"celeba", "fashion-mnist", "small-folder", "tiny"}) {
    std::ifstream in(test::source_path(std::string("configs/") + name + ".yaml"));
    std::string first;
    std::getline(in, first);
    EXPECT_NE(r.out.find(std::string("  ") + name + " "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(first.substr(2)), std::string::npos) << name << ": " << r.out;
  }
  EXPECT_NE(r.out.find(test::source_path("configs")), std::string::npos) << r.out;
}

// A shipped config by name from another folder: found, logged, and its relative data path starts beside it.
TEST(CliConfigs, AShippedConfigByNameTrainsFromAnyFolderAndTheLogNamesIt) {
  test::ScratchDir dir;
  const CliRun r = dcgan_in(dir.str(), "train --config tiny --set train.steps=2 --set output.dir=run");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("config: " + test::source_path("configs/tiny.yaml")), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir / "run/g.pt"));
  // A file of that name in the working folder wins.
  std::ofstream(dir / "tiny.yaml") << "# mine\ndata:\n  format: synthetic\n  synthetic_count: 64\n  image_size: 32\n"
                                      "  channels: 1\nmodel:\n  nz: 8\n  ngf: 8\n  ndf: 8\ntrain:\n  batch_size: 16\n"
                                      "  steps: 1\n  device: cpu\n  threads: 1\noutput:\n  dir: mine\n";
  const CliRun mine = dcgan_in(dir.str(), "train --config tiny.yaml");
  ASSERT_EQ(mine.status, 0) << mine.err;
  EXPECT_NE(mine.out.find("config: " + (dir / "tiny.yaml")), std::string::npos) << mine.out;
  EXPECT_TRUE(fs::exists(dir / "mine/g.pt"));
}

TEST(CliConfigs, AnUnknownNameListsTheShippedOnes) {
  test::ScratchDir dir;
  const CliRun r = dcgan_in(dir.str(), "train --config celebA");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("no shipped config of that name (shipped: celeba, fashion-mnist, fashion-mnist-conditional, small-folder, tiny"),
            std::string::npos)
      << r.err;
}

// The tutorial's config without CelebA: what it expects and how to point it elsewhere, in one line; nothing written.
TEST(CliConfigs, MissingCelebaSaysWhatTheConfigExpects) {
  test::ScratchDir dir;
  const CliRun r = dcgan_in(dir.str(), "train --config celeba");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  for (const char* part : {"data.path data/celeba/img_align_celeba: no such file or directory",
                           "img_align_celeba folder of 202,599 JPEGs", "--set data.path=PATH"})
    EXPECT_NE(r.err.find(part), std::string::npos) << part << " in " << r.err;
  EXPECT_FALSE(fs::exists(dir / "runs"));
}

TEST(CliConfigs, AJpegGivenAsDataPathIsNamedAsAnImage) {
  test::ScratchDir dir;
  const CliRun r = dcgan_in(dir.str(), "train --config tiny --set data.path=" +
                                           test::source_path("tests/data/celeba/000001.jpg") + " --set output.dir=run");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("000001.jpg: is a JPEG image, not an idx3-ubyte image file: data.path takes a folder of "
                       "images"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir / "run"));
}

}  // namespace
}  // namespace dcgan
