// Tests of the run pictures: line plots from metrics.csv, real vs fake, and the progress strip (OpenCV builds).
#include "dcgan/report/plots.h"

#include "dcgan/report/image_io.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace dcgan {
namespace {

TEST(Plots, MetricPlotsComeFromMetricsCsv) {
  test::ScratchDir dir;
  EXPECT_TRUE(write_metric_plots(dir.str()).empty());  // no metrics.csv yet: nothing drawn
  std::ofstream(dir / "metrics.csv") << "step,epoch,loss_d,loss_g,d_x,d_g_z1,d_g_z2,images_per_s\n"
                                        "50,0,1.2,2.5,0.6,0.4,0.3,100\n100,0,0.9,3.1,0.7,0.3,0.2,100\n"
                                        "150,1,nan,2.0,0.5,0.5,0.4,100\n";
  const auto files = write_metric_plots(dir.str());
  ASSERT_EQ(files.size(), 2u);
  for (const auto& f : files) {
    const cv::Mat img = cv::imread(f, cv::IMREAD_COLOR);
    ASSERT_FALSE(img.empty()) << f;
    EXPECT_EQ(img.cols, 1000);
    EXPECT_EQ(img.rows, 500);
    // Something besides white, black and the grid grey was drawn: the coloured series.
    cv::Mat hsv;
    cv::cvtColor(img, hsv, cv::COLOR_BGR2HSV);
    std::vector<cv::Mat> ch;
    cv::split(hsv, ch);
    EXPECT_GT(cv::countNonZero(ch[1] > 100), 500) << f;
  }
}

TEST(Plots, RealVsFakeAndTheProgressStrip) {
  test::ScratchDir dir;
  write_real_vs_fake(dir / "rf.png", torch::rand({16, 3, 32, 32}) * 2 - 1, torch::rand({16, 3, 32, 32}) * 2 - 1);
  const cv::Mat rf = cv::imread(dir / "rf.png", cv::IMREAD_COLOR);
  ASSERT_FALSE(rf.empty());
  EXPECT_EQ(rf.cols, 2 * (8 * 34 + 2) + 20);  // two 8-column grids with 2-pixel padding and a gap

  EXPECT_FALSE(write_progress_strip(dir.str(), dir / "progress.png"));  // no samples yet
  std::filesystem::create_directories(dir / "samples");
  for (int step : {100, 200, 300})
    write_png(dir / ("samples/step-000" + std::to_string(step) + ".png"),
              make_grid(torch::full({4, 1, 8, 8}, step / 300.0)));
  ASSERT_TRUE(write_progress_strip(dir.str(), dir / "progress.png", 2));
  const cv::Mat strip = cv::imread(dir / "progress.png", cv::IMREAD_COLOR);
  EXPECT_EQ(strip.cols, 2 * 256);  // the first and the last of three
  EXPECT_EQ(strip.rows, 256 + 30);
}

}  // namespace
}  // namespace dcgan
