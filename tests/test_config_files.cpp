// Config files by name: lookup order, the shipped list and each config's one-line summary.
#include "dcgan/config/config_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;

// Runs `body` with the working directory at `dir`, then restores it.
template <class F>
void in_folder(const std::string& dir, F body) {
  const fs::path before = fs::current_path();
  fs::current_path(dir);
  body();
  fs::current_path(before);
}

TEST(ConfigFiles, AFileInTheWorkingFolderWinsThenTheFirstShippedFolder) {
  test::ScratchDir root;
  fs::create_directories(root / "share1");
  fs::create_directories(root / "share2");
  fs::create_directories(root / "work");
  std::ofstream(root / "share1/celeba.yaml") << "# one\n";
  std::ofstream(root / "share2/celeba.yaml") << "# two\n";
  std::ofstream(root / "share2/tiny.yaml") << "# tiny\n";
  const std::vector<std::string> dirs = {root / "share1", root / "share2"};
  in_folder(root / "work", [&] {
    EXPECT_EQ(find_config("celeba.yaml", dirs), root / "share1/celeba.yaml");
    EXPECT_EQ(find_config("celeba", dirs), root / "share1/celeba.yaml");  // ".yaml" may be left off
    EXPECT_EQ(find_config("tiny", dirs), root / "share2/tiny.yaml");
    std::ofstream("celeba.yaml") << "# mine\n";
    EXPECT_EQ(find_config("celeba.yaml", dirs), "celeba.yaml");
    EXPECT_EQ(find_config("missing", dirs), std::nullopt);
    // A path with a folder part is a path: never looked up among the shipped configs.
    EXPECT_EQ(find_config("configs/tiny.yaml", dirs), std::nullopt);
    EXPECT_EQ(find_config("", dirs), std::nullopt);
  });
}

TEST(ConfigFiles, ListingIsSortedOncePerNameWithSummaries) {
  test::ScratchDir root;
  fs::create_directories(root / "a");
  fs::create_directories(root / "b");
  std::ofstream(root / "a/zeta.yaml") << "\n#   Zeta: the last one.\ndata:\n  path: x\n";
  std::ofstream(root / "b/zeta.yaml") << "# shadowed\n";
  std::ofstream(root / "b/alpha.yaml") << "data:\n  path: x  # not a summary\n";
  std::ofstream(root / "b/notes.txt") << "# not a config\n";
  const auto list = list_configs({root / "a", root / "b"});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "alpha");
  EXPECT_EQ(list[0].summary, "");
  EXPECT_EQ(list[1].name, "zeta");
  EXPECT_EQ(list[1].path, root / "a/zeta.yaml");
  EXPECT_EQ(list[1].summary, "Zeta: the last one.");
  const std::string text = describe_shipped_configs({root / "a", root / "b"});
  EXPECT_NE(text.find("  zeta   Zeta: the last one.\n"), std::string::npos) << text;
  EXPECT_NE(text.find(root / "b"), std::string::npos) << text;
  EXPECT_NE(describe_shipped_configs({}).find("no shipped configs found"), std::string::npos);
}

TEST(ConfigFiles, EveryShippedConfigSaysWhatItIsInItsFirstLine) {
  const auto list = list_configs({test::source_path("configs")});
  EXPECT_GE(list.size(), 4u);
  for (const auto& c : list) {
    EXPECT_GE(c.summary.size(), 20u) << c.path;
    EXPECT_LE(c.summary.size(), 118u) << c.path << ": the listing gives it one line";
  }
}

TEST(ConfigFiles, ExecutablePathIsThisTestProgram) {
  const std::string self = executable_path();
  ASSERT_FALSE(self.empty());
  EXPECT_TRUE(fs::is_regular_file(self)) << self;
}

}  // namespace
}  // namespace dcgan
