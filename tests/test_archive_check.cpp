// Tests of the torch-archive integrity check: sound files pass; flipped bytes, renamed entries, truncation and
// mismatched directory counts are refused before LibTorch sees them.
#include "dcgan/plain/archive_check.h"

#include "dcgan/io/checkpoint.h"
#include "dcgan/train/trainer.h"

#include <fstream>
#include <iterator>

#include "test_util.h"

namespace dcgan {
namespace {

class ArchiveCheckTest : public test::Seeded {
 protected:
  void SetUp() override {
    test::Seeded::SetUp();
    const Config config = test::small_config(32, 3, 4, 2);
    Trainer t(config, torch::kCPU);
    save_generator(dir / "g.pt", t.generator(), config, {0, 0});
    std::ifstream in(dir / "g.pt", std::ios::binary);
    bytes = std::string((std::istreambuf_iterator<char>(in)), {});
  }
  std::string problem_of(const std::string& content) {
    std::ofstream(dir / "x.pt", std::ios::binary) << content;
    return torch_archive_problem(dir / "x.pt");
  }
  test::ScratchDir dir;
  std::string bytes;
};

TEST_F(ArchiveCheckTest, SoundArchivePasses) { EXPECT_EQ(torch_archive_problem(dir / "g.pt"), ""); }

TEST_F(ArchiveCheckTest, FlippedPayloadByteIsACrcMismatch) {
  std::string damaged = bytes;
  const auto at = damaged.find("__parameters__");  // inside a code entry (stored or deflated)
  ASSERT_NE(at, std::string::npos);
  damaged[at + 1] = 'i';
  EXPECT_NE(problem_of(damaged).find("CRC mismatch"), std::string::npos);
}

TEST_F(ArchiveCheckTest, RenamedEntryAndTruncationAreRefused) {
  std::string renamed = bytes;
  const auto at = renamed.find("archive/constants.pkl");  // the local header's copy of the name comes first
  ASSERT_NE(at, std::string::npos);
  renamed[at + 9] = 'k';
  EXPECT_NE(problem_of(renamed).find("names disagree"), std::string::npos);
  EXPECT_NE(problem_of(bytes.substr(0, bytes.size() - 10)), "");
  EXPECT_NE(problem_of(bytes.substr(0, bytes.size() / 2)), "");
  EXPECT_NE(problem_of("PK"), "");
}

TEST_F(ArchiveCheckTest, DirectoryCountsMustAgree) {
  std::string damaged = bytes;
  const auto eocd = damaged.rfind(std::string("PK\x05\x06", 4));
  ASSERT_NE(eocd, std::string::npos);
  damaged[eocd + 10] = 0;  // total entries -> 0 while LibTorch would trust the zip64 record
  damaged[eocd + 11] = 0;
  EXPECT_NE(problem_of(damaged).find("counts disagree"), std::string::npos);
}

}  // namespace
}  // namespace dcgan
