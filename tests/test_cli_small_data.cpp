// End-to-end tests of what a small data set needs: held-back images, r_t, the collapse warning, augmentation.
#include <opencv2/imgcodecs.hpp>

#include <filesystem>

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
  const CliRun r = dcgan_cli("train --config configs/tiny.yaml --set data.holdout=32 --set data.mirror=true "
                             "--set train.augment=color,translation,cutout --set output.dir=" + (dir / "run"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("training on 224 of them; 7 batches of 32 per epoch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("D(x) train / held-back: "), std::string::npos) << r.out;
  const auto rows = lines_of(dir / "run/metrics.csv");
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0], "step,epoch,loss_d,loss_g,d_x,d_g_z1,d_g_z2,swd,swd_ema,r_t,d_train,d_holdout,images_per_s");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto c = test::csv_cells(rows[i]);
    ASSERT_EQ(c.size(), 13u) << rows[i];
    const double rt = std::stod(c[9]), train = std::stod(c[10]), held = std::stod(c[11]);
    EXPECT_GE(rt, -1.0);
    EXPECT_LE(rt, 1.0);
    for (double p : {train, held}) {
      EXPECT_GT(p, 0.0) << rows[i];
      EXPECT_LT(p, 1.0) << rows[i];
    }
  }
  EXPECT_FALSE(cv::imread(dir / "run/overfitting.png", cv::IMREAD_UNCHANGED).empty());
  // Without held-back images, r_t alone.
  const auto plain = lines_of(test::shared_tiny_run() + "/metrics.csv");
  ASSERT_GE(plain.size(), 2u);
  const auto c = test::csv_cells(plain[1]);
  ASSERT_EQ(c.size(), 13u) << plain[1];
  EXPECT_FALSE(c[9].empty());
  EXPECT_TRUE(c[10].empty() && c[11].empty()) << plain[1];
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
  // The same data at the tutorial's rates is not warned about.
  const std::string healthy = test::slurp(test::shared_tiny_run() + "/train.log");
  EXPECT_EQ(healthy.find("(collapse)"), std::string::npos) << healthy;
  EXPECT_EQ(healthy.find("(memorising"), std::string::npos) << healthy;
}

}  // namespace
}  // namespace dcgan
