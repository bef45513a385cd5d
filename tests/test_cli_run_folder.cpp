// End-to-end: one run per folder. A second run into a folder is refused (naming --resume, another output.dir and
// --overwrite) while the first is running or after it ended, losing nothing; --overwrite replaces the run alone.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;
using test::CliRun;

TEST(CliRunFolder, ASecondRunIntoAFolderIsRefusedAndOverwriteReplacesTheRunAlone) {
  test::ScratchDir dir;
  const std::string run = dir / "run", train = "train --config configs/tiny.yaml --set output.dir=" + run;
  ASSERT_EQ(test::dcgan_cli(train).status, 0);
  const std::string metrics = test::slurp(run + "/metrics.csv"), g = test::slurp(run + "/g.pt");
  const auto g_time = fs::last_write_time(run + "/g.pt");
  const CliRun again = test::dcgan_cli(train + " --set train.seed=1");
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(test::count_lines(again.err), 1) << again.err;
  for (const char* part : {"holds a run already", "--resume", "another output.dir", "--overwrite"})
    EXPECT_NE(again.err.find(part), std::string::npos) << again.err;
  EXPECT_EQ(test::slurp(run + "/metrics.csv"), metrics);
  EXPECT_EQ(test::slurp(run + "/g.pt"), g);
  EXPECT_EQ(fs::last_write_time(run + "/g.pt"), g_time);

  std::ofstream(run + "/notes.txt") << "mine\n";
  const CliRun over = test::dcgan_cli(train + " --set train.seed=1 --overwrite");
  ASSERT_EQ(over.status, 0) << over.err;
  EXPECT_NE(test::slurp(run + "/metrics.csv"), metrics) << "the new run's metrics (another seed)";
  const std::string log = test::slurp(run + "/train.log");
  EXPECT_EQ(log.find("training 12 steps"), log.rfind("training 12 steps")) << "one run's log:\n" << log;
  EXPECT_EQ(test::slurp(run + "/notes.txt"), "mine\n");
}

TEST(CliRunFolder, ARunningRunsFolderIsRefusedToASecondRunAndToItsOwnResume) {
  test::ScratchDir dir, capture;
  const std::string run = dir / "run";
  const std::string args = "train --config configs/tiny.yaml --set train.steps=100000 --set output.dir=" + run;
  const pid_t first = test::spawn_cli(args, capture.str());
  std::string holder;
  for (int i = 0; i < 600 && holder.find("pid") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    holder = test::slurp(run + "/dcgan.lock");
  }
  ASSERT_NE(holder.find("pid " + std::to_string(first)), std::string::npos) << holder;
  const CliRun second = test::dcgan_cli("train --config configs/tiny.yaml --set output.dir=" + run);
  EXPECT_EQ(second.status, 1);
  EXPECT_EQ(test::count_lines(second.err), 1) << second.err;
  EXPECT_NE(second.err.find("in use by another dcgan run (pid " + std::to_string(first)), std::string::npos)
      << second.err;
  for (int i = 0; i < 600 && !fs::exists(run + "/checkpoints/latest.pt"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const CliRun resume = test::dcgan_cli("train --resume " + run);
  EXPECT_EQ(resume.status, 1);
  EXPECT_NE(resume.err.find("in use by another dcgan run"), std::string::npos) << resume.err;
  ::kill(first, SIGTERM);
  EXPECT_EQ(test::wait_status(first), 143);
  const std::string log = test::slurp(run + "/train.log");
  EXPECT_NE(log.find("training 100000 steps"), std::string::npos) << log;
  EXPECT_EQ(log.find("training 12 steps"), std::string::npos)
      << "the refused runs wrote nothing into the first run's log:\n" << log;
  EXPECT_EQ(log.find("training 100000 steps"), log.rfind("training 100000 steps")) << "nor a second start:\n" << log;
}

}  // namespace
}  // namespace dcgan
