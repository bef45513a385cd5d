// Tests for report/run_record.h and report/html_report.h: a run folder read, damaged and missing parts, the page.
#include "dcgan/config/config.h"
#include "dcgan/report/html_report.h"
#include "dcgan/report/run_record.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace dcgan {
namespace {

const char* kHeader = "step,epoch,loss_d,loss_g,d_x,d_g_z1,d_g_z2,swd,swd_ema,r_t,d_train,d_holdout,augment_p,images_per_s\n";

void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

TEST(RunRecord, MetricsKeepGoodRowsAndCountDamagedOnes) {
  const MetricsTable t = parse_metrics(std::string(kHeader) +
                                       "2,0,1.3,0.7,0.5,0.4,0.4,,,0.5,,,,100\n"
                                       "4,0,1.2,0.7,0.5,0.4,0.4,25.5,,0.6,,,,110\n"
                                       "6,0,1.2,0.7\n"                              // truncated: a crash mid-line
                                       "8,0,1.2,x,0.5,0.4,0.4,,,0.6,,,,110\n"          // not a number
                                       "4,0,1.2,0.7,0.5,0.4,0.4,,,0.6,,,,110\n"        // a step going back
                                       "10,0,1.1,0.8,0.5,0.4,0.4,20.5,19.5,0.7,,,,120\n");
  ASSERT_EQ(t.columns.size(), 14u);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.damaged, 3);
  EXPECT_EQ(t.first_damage, "line 4: 4 cells where the header has 14");
  EXPECT_FALSE(t.rows[0][7].has_value());
  EXPECT_DOUBLE_EQ(*t.rows[1][7], 25.5);
  const auto best = best_evaluation(t);
  ASSERT_TRUE(best);
  EXPECT_DOUBLE_EQ(best->swd, 19.5);
  EXPECT_EQ(best->step, 10);
  EXPECT_TRUE(best->ema);
  EXPECT_FALSE(best_evaluation(parse_metrics(kHeader)).has_value());
}

TEST(RunRecord, WarningsCarryTheStepTheyCameAt) {
  const std::string log =
      "[t] [warning] train.cuda_graphs: off in distributed runs\n"
      "[t] [info] data: idx x (256 images of 28x28); 8 batches of 32 per epoch\n"
      "[t] [info] [0/2][3/8]\tLoss_D: 1\n"
      "[t] [warning] plots not updated: disk full\n"
      "[t] [info] [1/2][1/8]\tLoss_D: 1\n"
      "[t] [warning] step 12: r_t = E[sign(D(x))] has been above 0.9\n";
  const std::vector<LogWarning> w = parse_log_warnings(log);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].step, 0);
  EXPECT_EQ(w[0].text, "train.cuda_graphs: off in distributed runs");
  EXPECT_EQ(w[1].step, 4);   // epoch 0, batch index 3 of 8: step 4
  EXPECT_EQ(w[2].step, 12);  // named in the text
}

TEST(RunRecord, AFolderThatIsNotARunIsRefusedAndMissingPartsAreNamed) {
  test::ScratchDir dir;
  EXPECT_THROW(read_run(dir / "absent"), ReportError);
  try {
    read_run(dir.str());
    FAIL() << "an empty folder was read as a run";
  } catch (const ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("not a run folder"), std::string::npos) << e.what();
  }
  Config c;
  c.train.steps = 7;
  write(dir / "config.yaml", to_yaml(c));
  const RunRecord r = read_run(dir.str());
  EXPECT_EQ(r.changed, std::vector<std::string>{"train.steps"});
  EXPECT_TRUE(r.metrics.rows.empty());
  const std::string missing = ::testing::PrintToString(r.missing);
  for (const char* part : {"train.log", "metrics.csv (no steps logged yet)", "no sample grid yet"})
    EXPECT_NE(missing.find(part), std::string::npos) << missing;
}

TEST(RunRecord, ALogSaysHowLongTheRunWasAndWhetherItFinished) {
  test::ScratchDir dir;
  write(dir / "train.log",
        "[t] [info] training 12 steps (2 epoch(s)) into x\n[t] [info] done: 12 steps in 1m5s; generator in g.pt\n"
        "[t] [info] training 20 steps (3 epoch(s)) into x\n");
  write(dir / "samples/step-000006.png", "x");
  write(dir / "samples/step-000012.png", "x");
  write(dir / "samples/ema/step-000012.png", "x");
  const RunRecord r = read_run(dir.str());
  EXPECT_EQ(r.steps_total, 20);
  EXPECT_FALSE(r.finished) << "the resume after the first end has not finished";
  ASSERT_EQ(r.grids.size(), 2u);
  EXPECT_EQ(r.grids[1].step, 12);
  EXPECT_EQ(r.grids_ema.size(), 1u);
  write(dir / "train.log", "[t] [info] training 12 steps (2 epoch(s)) into x\n[t] [info] done: 12 steps in 1h2m5s\n");
  const RunRecord done = read_run(dir.str());
  EXPECT_TRUE(done.finished);
  EXPECT_DOUBLE_EQ(*done.seconds, 3725);
}

TEST(HtmlReport, SpreadAndBase64) {
  EXPECT_EQ(spread_indices(3, 10), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(spread_indices(10, 4), (std::vector<size_t>{0, 3, 6, 9}));
  EXPECT_EQ(spread_indices(10, 1), (std::vector<size_t>{9}));
  EXPECT_TRUE(spread_indices(0, 4).empty());
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string("\xff\x00\x80", 3)), "/wCA");
}

TEST(HtmlReport, ThePageIsSelfContainedAndNoValueCanEndItsScript) {
  test::ScratchDir dir;
  Config c;
  c.output.dir = "</script><script>alert(1)</script>";
  write(dir / "config.yaml", to_yaml(c));
  write(dir / "metrics.csv", std::string(kHeader) + "2,0,1.3,0.7,0.5,0.4,0.4,,,0.5,,,,100\n");
  write(dir / "samples/step-000002.png", "not a png");
  const std::string page = render_report({read_run(dir.str())}, LiveStatus{2, 10, 1.5, "running"});
  EXPECT_EQ(page.find("</script><script>alert"), std::string::npos);
  EXPECT_NE(page.find("\\u003c/script>\\u003cscript>alert"), std::string::npos);
  for (const char* load : {"src=\"http", "href=\"http", "url(http", "fetch(", "XMLHttpRequest", "import("})
    EXPECT_EQ(page.find(load), std::string::npos) << "the page must not load anything from the network: " << load;
  EXPECT_NE(page.find("uPlot"), std::string::npos);
  EXPECT_NE(page.find("step-000002.png: not a PNG"), std::string::npos) << "the unreadable grid is named";
  EXPECT_NE(page.find("\"total\":10"), std::string::npos);
  // A log line that is not UTF-8 (a Latin-1 file name) is shown with U+FFFD, not an exception.
  write(dir / "train.log", "[2026-12-07 07:00:00.000] [warning] /data/caf\xe9.png: not an image\n");
  const std::string latin1 = render_report({read_run(dir.str())}, std::nullopt);
  EXPECT_NE(latin1.find("caf\xef\xbf\xbd.png: not an image"), std::string::npos);
}

}  // namespace
}  // namespace dcgan
