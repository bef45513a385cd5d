// End-to-end runs of `dcgan eval`: the figures it prints, and a data set that does not fit the generator.
#include "cli_util.h"

namespace dcgan {
namespace {

using test::CliRun;

TEST(CliEval, PrintsSwdPerLevelAndTheRealFloor) {
  const std::string g = test::shared_tiny_run() + "/g.pt";
  const CliRun r = test::dcgan_cli("eval --ckpt " + g + " --data configs/tiny.yaml -n 64 --seed 1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("swd_32x32="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("swd_16x16="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("swd_mean_real_vs_real="), std::string::npos) << r.out;
  EXPECT_EQ(r.out.rfind("swd_mean="), r.out.rfind('\n', r.out.size() - 2) + 1) << r.out;  // the last line
  EXPECT_EQ(test::dcgan_cli("eval --ckpt " + g + " --data configs/tiny.yaml -n 64 --seed 1").out, r.out);

  const CliRun bad = test::dcgan_cli("eval --ckpt " + g + " --data configs/celeba.yaml");
  EXPECT_NE(bad.status, 0);
  EXPECT_EQ(test::count_lines(bad.err), 1) << bad.err;
  EXPECT_NE(bad.err.find("configs/celeba.yaml: data is 64x64 with 3 channel(s), the generator makes 32x32 with 1"),
            std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace dcgan
