// End-to-end tests of report.html, `dcgan report`, progress.gif and `sample --out walks.gif`, and the page in Chromium.
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>

#include "cli_util.h"
#include "gif_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;
using test::CliRun;
CliRun dcgan(const std::string& args) { return test::dcgan_cli(args); }

// The lines of `text` that are not empty.
size_t line_count(const std::string& text) {
  size_t n = 0;
  for (size_t at = 0; at < text.size(); at = text.find('\n', at) + 1) {
    if (text[at] != '\n') ++n;
    if (text.find('\n', at) == std::string::npos) break;
  }
  return n;
}

TEST(CliReport, ARunLeavesItsPageAndItsAnimation) {
  const std::string run = test::shared_tiny_run();
  const std::string page = test::slurp(run + "/report.html");
  EXPECT_NE(page.find("id=\"dcgan-data\""), std::string::npos);
  EXPECT_NE(page.find("\"state\":\"finished\""), std::string::npos);
  EXPECT_NE(page.find("\"total\":12"), std::string::npos);
  // progress.gif: the two sample grids (steps 6 and 12), each the PNG's picture above a band with its step.
  const test::DecodedGif gif = test::decode_gif(test::slurp(run + "/progress.gif"));
  ASSERT_EQ(gif.frames.size(), 2u);
  const cv::Mat last = cv::imread(run + "/samples/step-000012.png", cv::IMREAD_GRAYSCALE);
  EXPECT_EQ(gif.width, last.cols);
  EXPECT_EQ(gif.height, last.rows + 18);
  EXPECT_TRUE(gif.loops);
  for (int y = 0; y < last.rows; y += 7)
    for (int x = 0; x < last.cols; x += 5)
      ASSERT_EQ(gif.frames[1][3 * (y * gif.width + x)], last.at<std::uint8_t>(y, x)) << x << "," << y;
}

TEST(CliReport, RunsComparedOnOnePageAndBadFoldersRefusedWritingNothing) {
  test::ScratchDir dir;
  const std::string run = test::shared_tiny_run();
  const std::string copy = dir / "copy";
  fs::copy(run, copy, fs::copy_options::recursive);
  const CliRun two = dcgan("report " + run + " " + copy + " --out " + (dir / "two.html"));
  ASSERT_EQ(two.status, 0) << two.err;
  const std::string page = test::slurp(dir / "two.html");
  EXPECT_NE(page.find("\"name\":\"copy\""), std::string::npos);
  EXPECT_NE(page.find("\"name\":\"" + fs::path(run).filename().string() + "\""), std::string::npos);

  // Not a run: one line naming the folder, nothing written.
  fs::create_directories(dir / "empty");
  const CliRun bad = dcgan("report " + run + " " + (dir / "empty") + " --out " + (dir / "bad.html"));
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(line_count(bad.err), 1u) << bad.err;
  EXPECT_NE(bad.err.find(dir / "empty"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("not a run folder"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(dir / "bad.html"));

  // A damaged metrics.csv and a missing grid: the page draws what there is and names what is missing.
  { std::ofstream(copy + "/metrics.csv", std::ios::app) << "14,1,0.5\n"; }
  fs::remove(copy + "/samples/step-000006.png");
  fs::remove(copy + "/real_vs_fake.png");
  const CliRun damaged = dcgan("report " + copy + " --out " + (dir / "damaged.html"));
  ASSERT_EQ(damaged.status, 0) << damaged.err;
  const std::string said = damaged.out + damaged.err;
  EXPECT_NE(said.find("metrics.csv: 1 damaged line(s) skipped, line 8: 3 cells"), std::string::npos) << said;
  EXPECT_NE(said.find("missing real_vs_fake.png"), std::string::npos) << said;
  EXPECT_NE(test::slurp(dir / "damaged.html").find("damaged line(s) skipped"), std::string::npos);

  // A run with no metrics yet (only its config and log): a page that says so.
  fs::create_directories(dir / "young");
  fs::copy_file(run + "/config.yaml", dir / "young/config.yaml");
  const CliRun young = dcgan("report " + (dir / "young") + " --out " + (dir / "young.html"));
  ASSERT_EQ(young.status, 0) << young.err;
  EXPECT_NE((young.out + young.err).find("no steps logged yet"), std::string::npos) << young.out << young.err;
}

TEST(CliReport, LatentWalksAsAGifMatchTheWalksAsAPng) {
  test::ScratchDir dir;
  const std::string run = test::shared_tiny_run();
  const std::string args = "sample --ckpt " + run + "/g.pt -n 3 --interpolate 5 --out ";
  ASSERT_EQ(dcgan(args + (dir / "walk.png")).status, 0);
  const CliRun g = dcgan(args + (dir / "walk.gif"));
  ASSERT_EQ(g.status, 0) << g.err;
  const test::DecodedGif gif = test::decode_gif(test::slurp(dir / "walk.gif"));
  ASSERT_EQ(gif.frames.size(), 8u);  // 5 steps there, 3 back
  EXPECT_TRUE(gif.loops);
  EXPECT_EQ(gif.width, 2 * 34 + 2);  // 3 walks in ceil(sqrt(3)) = 2 columns of 32 px, padding 2
  const cv::Mat png = cv::imread(dir / "walk.png", cv::IMREAD_GRAYSCALE);
  // Walk 2's image at step k: row 2, column k of the PNG; frame k (and frame 8 - k on the way back) of the GIF,
  // at row 1, column 0 of its grid.
  for (int k = 0; k < 5; ++k) {
    for (int y = 0; y < 32; ++y) {
      for (int x = 0; x < 32; ++x) {
        const int gif_at = 3 * ((2 + 34 + y) * gif.width + 2 + x);
        ASSERT_EQ(gif.frames[k][gif_at], png.at<std::uint8_t>(2 + 2 * 34 + y, 2 + k * 34 + x)) << k;
        if (k >= 1 && k <= 3) {
          ASSERT_EQ(gif.frames[8 - k][gif_at], gif.frames[k][gif_at]);
        }
      }
    }
  }
  const CliRun still = dcgan("sample --ckpt " + run + "/g.pt --out " + (dir / "still.gif"));
  EXPECT_EQ(still.status, 1);
  EXPECT_NE(still.err.find("add --interpolate"), std::string::npos) << still.err;
  EXPECT_FALSE(fs::exists(dir / "still.gif"));
}

// The shared tiny run's report.html in Debian's headless Chromium: no console error, a point per metrics.csv row in
// every chart, every image decoded, the step slider changing the grid. Writes the screenshot beside the run.
TEST(CliReport, TheBrowserShowsThePage) {
  const std::string run = test::shared_tiny_run();
  test::ScratchDir dir;
  const std::string cmd = "python3 '" + std::string(test::source_dir()) + "/tests/browser/check_report.py' '" + run +
                          "/report.html' --run '" + run + "' --screenshot '" + (dir / "shot.png") + "' >'" +
                          (dir / "out") + "' 2>&1";
  const int raw = std::system(cmd.c_str());
  const int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  const std::string out = test::slurp(dir / "out");
  if (status == 77) GTEST_SKIP() << out;
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("check_report: all checks passed"), std::string::npos) << out;
  EXPECT_FALSE(cv::imread(dir / "shot.png").empty()) << out;
}

}  // namespace
}  // namespace dcgan
