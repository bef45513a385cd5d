// Tests for run/run_folder.h: one run per folder, the lock freed by the kernel when its holder dies.
#include "dcgan/run/run_folder.h"

#include "dcgan/io/files.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "test_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;

std::string refusal(const std::string& dir, const FolderClaim& claim) {
  try {
    claim_run_folder(dir, claim);
  } catch (const RunFolderError& e) {
    return e.what();
  }
  return "";
}

TEST(RunFolder, ALockedFolderIsRefusedNamingItsHolderAndFreedWithIt) {
  test::ScratchDir dir;
  const std::string run = dir / "run";
  {
    const RunFolderLock held = claim_run_folder(run, {});
    ASSERT_TRUE(held.held());
    const std::string why = refusal(run, {true, false});  // a --resume of the running run
    EXPECT_NE(why.find("in use by another dcgan run (pid " + std::to_string(::getpid())), std::string::npos) << why;
    EXPECT_NE(why.find(run), std::string::npos) << why;
  }
  EXPECT_EQ(refusal(run, {}), "") << "released with its holder";
}

TEST(RunFolder, ASigkilledHolderLeavesNoStaleLock) {
  test::ScratchDir dir;
  const std::string run = dir / "run";
  const pid_t child = ::fork();
  if (child == 0) {
    const RunFolderLock lock = claim_run_folder(run, {});
    std::ofstream(run + "/held").flush();
    ::pause();
    ::_exit(0);
  }
  for (int i = 0; i < 500 && !fs::exists(run + "/held"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_NE(refusal(run, {}).find("pid " + std::to_string(child)), std::string::npos);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(refusal(run, {true, false}), "");
}

TEST(RunFolder, AFolderHoldingARunIsRefusedUnlessResumedOrOverwritten) {
  test::ScratchDir dir;
  const std::string run = dir / "run";
  EXPECT_EQ(refusal(run, {}), "") << "a new folder";
  EXPECT_EQ(refusal(run, {}), "") << "a folder with only the lock file holds no run";
  write_file_atomic(run + "/config.yaml", "x");
  write_file_atomic(run + "/metrics.csv", "x");
  fs::create_directories(run + "/checkpoints");
  write_file_atomic(run + "/events.out.tfevents.1.host", "x");
  write_file_atomic(run + "/notes.txt", "the user's own");
  const std::string why = refusal(run, {});
  for (const char* part : {"holds a run already (config.yaml, metrics.csv, checkpoints, events.out.tfevents.1.host)",
                           "dcgan train --resume", "another output.dir", "--overwrite"})
    EXPECT_NE(why.find(part), std::string::npos) << why;
  EXPECT_EQ(read_file(run + "/config.yaml"), "x") << "nothing of the old run is touched";
  EXPECT_EQ(refusal(run, {true, false}), "");
  EXPECT_EQ(refusal(run, {false, true}), "");
  remove_run_files(run);
  EXPECT_TRUE(run_files_in(run).empty());
  EXPECT_EQ(read_file(run + "/notes.txt"), "the user's own") << "only what a run writes is removed";
}

}  // namespace
}  // namespace dcgan
