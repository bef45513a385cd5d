// End-to-end tests of what a small data set needs: held-back images, r_t, the collapse warning, augmentation.
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <regex>

#include "cli_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;
using test::CliRun;
using test::dcgan_cli;
using test::lines_of;

// r_t at every log step; with data.holdout, D on held-back and training images beside it, in metrics.csv, the log
// line and overfitting.png; the held-back images are left out of the epoch.
TEST(CliSmallData, HeldBackImagesAndRtAreLoggedAndPlotted) {
  test::ScratchDir dir;
  const CliRun r = dcgan_cli("train --config configs/tiny.yaml --set data.holdout=32 --set data.mirror=auto "
                             "--set train.augment=color,translation,cutout --set output.eval_every=12 "
                             "--set output.eval_images=64 --set output.dir=" + (dir / "run"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("training on 224 of them; 7 batches of 32 per epoch"), std::string::npos) << r.out;
  // Digits have a handedness: mirror=auto measures it on the 224 training images, says so, and writes its decision
  // where a resume reads it.
  const std::regex decided(R"(mirror: off, flipped images differ from the set \(SWD ratio ([0-9.]+), over )"
                           R"(data.mirror_max_ratio 1.5: x1e3 [0-9.]+ between the two halves of 224 images at 32x32)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, decided)) << r.out;
  EXPECT_GT(std::stod(m[1]), 1.5);
  EXPECT_NE(test::slurp(dir / "run/config.yaml").find("mirror: \"false\""), std::string::npos);
  EXPECT_NE(test::slurp(dir / "run/train.log").find("mirror: off, flipped images differ"), std::string::npos);
  // The evaluation, and so g-best.pt, is against the held-back images, never trained on.
  EXPECT_NE(r.out.find("eval at step 12: SWD x1e3 of G "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" against 32 real held-back images in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("D(x) train / held-back: "), std::string::npos) << r.out;
  const auto rows = lines_of(dir / "run/metrics.csv");
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0], "step,epoch,loss_d,loss_g,d_x,d_g_z1,d_g_z2,swd,swd_ema,r_t,d_train,d_holdout,augment_p,images_per_s");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto c = test::csv_cells(rows[i]);
    ASSERT_EQ(c.size(), 14u) << rows[i];
    const double rt = std::stod(c[9]), train = std::stod(c[10]), held = std::stod(c[11]);
    EXPECT_GE(rt, -1.0);
    EXPECT_LE(rt, 1.0);
    for (double p : {train, held}) {
      EXPECT_GT(p, 0.0) << rows[i];
      EXPECT_LT(p, 1.0) << rows[i];
    }
    EXPECT_EQ(c[12], "1.000000") << "train.augment_p 1: every image, every policy";
  }
  EXPECT_FALSE(cv::imread(dir / "run/overfitting.png", cv::IMREAD_UNCHANGED).empty());
  // Without held-back images, r_t alone.
  const auto plain = lines_of(test::shared_tiny_run() + "/metrics.csv");
  ASSERT_GE(plain.size(), 2u);
  const auto c = test::csv_cells(plain[1]);
  ASSERT_EQ(c.size(), 14u) << plain[1];
  EXPECT_FALSE(c[9].empty());
  EXPECT_TRUE(c[10].empty() && c[11].empty() && c[12].empty()) << plain[1];
  // Too many held back is one line naming the data and the key.
  const CliRun refused = dcgan_cli("train --config configs/tiny.yaml --set data.holdout=250 --set output.dir=" +
                                   (dir / "refused"));
  EXPECT_NE(refused.status, 0);
  EXPECT_EQ(test::count_lines(refused.err), 1) << refused.err;
  EXPECT_NE(refused.err.find("data.holdout 250 leaves 6 image(s) to train on"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir / "refused"));
}

// A run built to collapse (G nearly frozen, D fast) is warned about once, naming the step and what to try; D,
// winning at every step after the first epoch, is also warned about as memorising. Neither fires in a healthy run.
TEST(CliSmallData, CollapseAndMemorisingAreWarnedNamingTheStep) {
  test::ScratchDir dir;
  const CliRun r = dcgan_cli("train --config configs/tiny.yaml --set train.lr=1e-7 --set train.lr_d=0.01 "
                             "--set train.steps=25 --set output.log_every=5 --set output.dir=" + (dir / "run"));
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string log = r.out + r.err;
  const auto at = log.find("D(G(z)) after D's update averaged ");
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_NE(log.find("(collapse); try train.augment=color,translation,cutout"), std::string::npos) << log;
  EXPECT_EQ(log.find("D(G(z)) after D's update averaged ", at + 1), std::string::npos) << "warned again while it lasted\n" << log;
  EXPECT_NE(log.find("step 25: r_t = E[sign(D(x))] has been above output.warn_rt 0.9 for 3 log intervals"),
            std::string::npos)
      << log;
  // The memorising rule's two limits, each on a run whose r_t is as high as above: intervals that begin in the first
  // epoch (8 batches) do not count, and fewer than output.warn_rt_intervals high intervals are no warning.
  const std::string high = "train --config configs/tiny.yaml --set train.lr=1e-7 --set train.lr_d=0.01 "
                           "--set output.log_every=2 --set output.dir=";
  const CliRun first_epoch = dcgan_cli(high + (dir / "first") + " --set train.steps=8");
  ASSERT_EQ(first_epoch.status, 0) << first_epoch.err;
  double top = 0;  // r_t is high here too: the rule, not the data, keeps the warning back
  const std::regex rt(R"(r_t: (-?[0-9.]+))");
  for (std::sregex_iterator it(first_epoch.out.begin(), first_epoch.out.end(), rt), end; it != end; ++it)
    top = std::max(top, std::stod((*it)[1]));
  EXPECT_GT(top, 0.9) << first_epoch.out;
  EXPECT_EQ((first_epoch.out + first_epoch.err).find("(memorising"), std::string::npos) << first_epoch.out;
  const CliRun short_of = dcgan_cli(high + (dir / "short") + " --set train.steps=14 --set output.warn_rt_intervals=4");
  ASSERT_EQ(short_of.status, 0) << short_of.err;
  EXPECT_EQ((short_of.out + short_of.err).find("(memorising"), std::string::npos) << short_of.out;
  const CliRun enough = dcgan_cli(high + (dir / "enough") + " --set train.steps=14 --set output.warn_rt_intervals=3");
  EXPECT_NE((enough.out + enough.err).find("step 14: r_t = E[sign(D(x))] has been above output.warn_rt 0.9 for 3"),
            std::string::npos) << enough.out;
}

}  // namespace
}  // namespace dcgan
