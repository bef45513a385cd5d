// Replays the saved fuzz corpus (tests/fuzz/<target>/): every input that ever found a crash stays a regression test.
#include "fuzz/fuzz_targets.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "test_util.h"

namespace dcgan {
namespace {

TEST(FuzzCorpus, EveryTargetSurvivesItsSavedInputs) {
  spdlog::set_level(spdlog::level::off);
  std::size_t total = 0;
  for (const auto& target : fuzz::targets()) {
    const std::filesystem::path dir = test::source_path("tests/fuzz/" + target.name);
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    std::size_t count = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), {});
      SCOPED_TRACE(e.path().string());
      EXPECT_NO_THROW(target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
      ++count;
    }
    EXPECT_GT(count, 0u) << "no saved inputs for " << target.name;
    total += count;
  }
  spdlog::set_level(spdlog::level::info);
  RecordProperty("inputs", static_cast<int>(total));
}

}  // namespace
}  // namespace dcgan
