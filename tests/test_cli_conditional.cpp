// End-to-end tests of class-conditional runs on the built binary: train on labelled MNIST, sample a class, a row per
// class, the classification accuracy score, and the one-line errors of missing or unsound labels.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>

#include "cli_util.h"

namespace dcgan {
namespace {

using test::dcgan_cli;

// Width and height of a PNG file, from its IHDR chunk.
std::pair<int, int> png_size(const std::string& path) {
  const std::string bytes = test::slurp(path);
  auto be32 = [&bytes](std::size_t at) {
    int v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes.at(at + i));
    return v;
  };
  return {be32(16), be32(20)};
}

bool one_line(const std::string& err) { return !err.empty() && err.find('\n') == err.size() - 1; }

// 256 labelled MNIST digits at 32x32, 400 steps: G's images of each class are told apart by a classifier trained on
// the real digits well above chance (1 in 10). At 5 times the tutorial's learning rate, so that so short a run
// learns the classes (measured: 0.44 of the average's images right; 0.12 at the tutorial's rate, 0.54 after 800
// steps at it).
TEST(CliConditional, TrainSampleAClassAndAClassifierReadsTheClasses) {
  test::ScratchDir dir;
  const auto train = dcgan_cli(
      "train --config configs/tiny.yaml --set model.num_classes=auto --set model.ngf=16 --set model.ndf=16 "
      "--set train.batch_size=64 --set train.steps=400 --set train.lr=0.001 --set train.threads=1 "
      "--set output.log_every=100 --set output.checkpoint_every=400 "
      "--set output.sample_every=400 --set output.dir=" + (dir / "run"));
  ASSERT_EQ(train.status, 0) << train.err;
  EXPECT_NE(train.out.find("10 classes"), std::string::npos) << train.out;
  EXPECT_NE(test::slurp(dir / "run/config.yaml").find("num_classes: \"10\""), std::string::npos);
  // The training grid: a row of 8 per class.
  EXPECT_EQ(png_size(dir / "run/samples/step-000400.png"), std::make_pair(8 * 34 + 2, 10 * 34 + 2));

  const auto seven = dcgan_cli("sample --ckpt " + (dir / "run/g.pt") + " --class 7 -n 8 --nrow 8 -o " + (dir / "7.png"));
  ASSERT_EQ(seven.status, 0) << seven.err;
  EXPECT_EQ(seven.err.find("plain C++"), std::string::npos) << "a conditional G runs on LibTorch";
  const auto all = dcgan_cli("sample --ckpt " + (dir / "run/g.pt") + " --classes all --nrow 4 -o " + (dir / "all.png"));
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(png_size(dir / "all.png"), std::make_pair(4 * 34 + 2, 10 * 34 + 2));
  // --class 7 draws class 7: with the same seed, --classes all --nrow 8 draws the same 8 noise vectors down each
  // row, so its row 7 is --class 7's grid pixel for pixel, and its row 6 is not (a sampler that ignored --class,
  // drawing classes 0..7 in turn, matches neither).
  ASSERT_EQ(dcgan_cli("sample --ckpt " + (dir / "run/g.pt") + " --classes all --nrow 8 -o " + (dir / "all8.png")).status, 0);
  const cv::Mat grid7 = cv::imread(dir / "7.png", cv::IMREAD_GRAYSCALE), rows = cv::imread(dir / "all8.png", cv::IMREAD_GRAYSCALE);
  ASSERT_EQ(grid7.rows, 36);
  const auto row = [&](int r) { return rows(cv::Rect(0, r * 34, rows.cols, 36)); };
  EXPECT_EQ(cv::norm(grid7, row(7), cv::NORM_INF), 0) << "--class 7 is not the grid's class-7 row";
  EXPECT_GT(cv::norm(grid7, row(6), cv::NORM_INF), 0) << "classes 6 and 7 drew the same images";
  const auto bad = dcgan_cli("sample --ckpt " + (dir / "run/g.pt") + " --class sneaker -o " + (dir / "x.png"));
  EXPECT_EQ(bad.status, 1);
  EXPECT_TRUE(one_line(bad.err)) << bad.err;
  EXPECT_NE(bad.err.find("--class sneaker: " + (dir / "run/g.pt") + " has no such class (its 10: 0, 1, 2"),
            std::string::npos)
      << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.png"));

  const auto score = dcgan_cli("eval --ckpt " + (dir / "run/g.pt") + " --ema --data configs/tiny.yaml --classifier "
                               "--holdout 56 --classifier-epochs 100 -n 500");
  ASSERT_EQ(score.status, 0) << score.err;
  const double real = test::figure(score.out, "accuracy_real");
  const double generated = test::figure(score.out, "accuracy_generated");
  std::printf("%s", score.out.c_str());
  EXPECT_GT(real, 0.5) << score.out;
  EXPECT_GT(generated, 0.25) << "chance is 0.1\n" << score.out;
}

TEST(CliConditional, MissingOrUnsoundLabelsAreOneLineErrors) {
  test::ScratchDir dir;
  const std::string tiny = "train --config configs/tiny.yaml --set train.steps=2 --set output.dir=" + (dir / "r");
  const auto missing = dcgan_cli(tiny + " --set model.num_classes=auto --set data.labels=" + (dir / "none.idx1"));
  EXPECT_EQ(missing.status, 1);
  EXPECT_TRUE(one_line(missing.err)) << missing.err;
  EXPECT_NE(missing.err.find(dir / "none.idx1"), std::string::npos) << missing.err;
  const auto few = dcgan_cli(tiny + " --set model.num_classes=5");
  EXPECT_EQ(few.status, 1);
  EXPECT_NE(few.err.find("model.num_classes is 5, but"), std::string::npos) << few.err;
  EXPECT_NE(few.err.find("has 10 classes (labels up to 9); set model.num_classes=10 or auto"), std::string::npos);
  const auto synthetic = dcgan_cli(tiny + " --set data.format=synthetic --set model.num_classes=auto");
  EXPECT_EQ(synthetic.status, 1);
  EXPECT_TRUE(one_line(synthetic.err)) << synthetic.err;
  EXPECT_NE(synthetic.err.find("has no class labels"), std::string::npos) << synthetic.err;
  const auto word = dcgan_cli(tiny + " --set model.num_classes=many");
  EXPECT_EQ(word.status, 1);
  EXPECT_NE(word.err.find("model.num_classes: must be 0 (unconditional), auto or a number"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "r")) << "nothing written";

  // An unconditional g.pt draws no particular class.
  const std::string run = test::shared_tiny_run();
  const auto plain = dcgan_cli("sample --ckpt " + run + "/g.pt --class 3 -o " + (dir / "p.png"));
  EXPECT_EQ(plain.status, 1);
  EXPECT_TRUE(one_line(plain.err)) << plain.err;
  EXPECT_NE(plain.err.find("an unconditional generator"), std::string::npos) << plain.err;
  const auto score = dcgan_cli("eval --ckpt " + run + "/g.pt --data configs/tiny.yaml --classifier");
  EXPECT_EQ(score.status, 1);
  EXPECT_NE(score.err.find("an unconditional generator"), std::string::npos) << score.err;
}

}  // namespace
}  // namespace dcgan
