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

// --real scores real images in place of G's: the tiny set against another draw of itself (other patches) lands far
// below the tiny run's G, and a --real that is no data set is one line naming it.
TEST(CliEval, ScoresRealImagesInPlaceOfTheGenerator) {
  const std::string g = test::shared_tiny_run() + "/g.pt";
  const std::string data = "tests/data/mnist/t10k-images-256-idx3-ubyte.gz";
  const CliRun gen = test::dcgan_cli("eval --ckpt " + g + " --data " + data + " -n 64 --seed 1");
  const CliRun real = test::dcgan_cli("eval --ckpt " + g + " --data " + data + " -n 64 --seed 1 --real " + data);
  ASSERT_EQ(gen.status, 0) << gen.err;
  ASSERT_EQ(real.status, 0) << real.err;
  EXPECT_NE(real.out.find("scored=64 real images of " + data), std::string::npos) << real.out;
  const double g_swd = test::figure(gen.out, "swd_mean"), r_swd = test::figure(real.out, "swd_mean");
  EXPECT_GT(r_swd, 0.0);
  EXPECT_LT(r_swd, 0.5 * g_swd) << gen.out << real.out;

  const CliRun bad = test::dcgan_cli("eval --ckpt " + g + " --data " + data + " --real no-such-images");
  EXPECT_NE(bad.status, 0);
  EXPECT_EQ(test::count_lines(bad.err), 1) << bad.err;
  EXPECT_NE(bad.err.find("no-such-images"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace dcgan
