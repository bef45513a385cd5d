// End-to-end tests of distributed training: ranks of the built binary on loopback, started with torchrun's
// environment variables (Debian's torchrun is broken on Python 3.11, see docs/distributed.md) or by --nproc.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <dirent.h>
#include <filesystem>
#include <regex>
#include <thread>

#include "cli_util.h"
#include "dcgan/dist/distributed.h"

namespace dcgan::test {
namespace {

using Clock = std::chrono::steady_clock;

// Every test here needs the Gloo backend (a build without it, e.g. against a wheel whose gloo headers were missing,
// refuses distributed runs with a message instead).
#define SKIP_WITHOUT_GLOO() \
  if (!::dcgan::has_gloo()) GTEST_SKIP() << "this build has no Gloo backend (DCGAN_WITH_GLOO)"

// torchrun's variables for `rank` of `world` (all on this machine).
std::string torchrun_env(int rank, int world, int port, const std::string& addr = "127.0.0.1") {
  return "RANK=" + std::to_string(rank) + " LOCAL_RANK=" + std::to_string(rank) + " WORLD_SIZE=" +
         std::to_string(world) + " LOCAL_WORLD_SIZE=" + std::to_string(world) + " MASTER_ADDR=" + addr +
         " MASTER_PORT=" + std::to_string(port);
}

// Starts the binary with `env` assignments in front (stdout/stderr under capture_dir), after `prefix` (a command
// that execs the rest, as `ip netns exec NS `); returns its pid.
pid_t spawn_rank(const std::string& env, const std::string& args, const std::string& capture_dir,
                 const std::string& prefix = "") {
  const std::string cmd = "cd '" + std::string(test::source_dir()) + "' && exec " + prefix + "env " + env + " '" + test::dcgan_binary() +
                          "' " + args + " >'" + capture_dir + "/out' 2>'" + capture_dir + "/err'";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

std::string tiny_args(const std::string& run_dir, const std::string& extra = "") {
  return "train --config configs/tiny.yaml --set output.dir=" + run_dir +
         " --set train.steps=6 --set output.log_every=1 --set dist.check_every=1 --set dist.timeout_s=60 " + extra;
}

// The "step N: G and D weights identical on W ranks (G .., D ..)" lines of a log, without their timestamps.
std::vector<std::string> weight_checks(const std::string& log) {
  std::vector<std::string> out;
  const std::regex line(R"(step \d+: G and D weights identical on \d+ ranks \(G [0-9a-f]{16}, D [0-9a-f]{16}\))");
  for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it) out.push_back(it->str());
  return out;
}

// --nproc's launcher takes MASTER_PORT from the environment when set, else a port-0 choice of the kernel's (as
// torchrun does), which a parallel test's outgoing connection can take first: these tests give it one of
// free_port()'s, for the life of the object.
struct LauncherPort {
  LauncherPort() { ::setenv("MASTER_PORT", std::to_string(free_port()).c_str(), 1); }
  ~LauncherPort() { ::unsetenv("MASTER_PORT"); }
  LauncherPort(const LauncherPort&) = delete;
  LauncherPort& operator=(const LauncherPort&) = delete;
};

// Two ranks started as torchrun starts them; returns rank 0's train.log.
std::string run_two_ranks(const std::string& run_dir, const std::string& extra = "") {
  ScratchDir c0, c1;
  const int port = free_port();
  const pid_t r0 = spawn_rank(torchrun_env(0, 2, port), tiny_args(run_dir, extra), c0.str());
  const pid_t r1 = spawn_rank(torchrun_env(1, 2, port), tiny_args(run_dir, extra), c1.str());
  const int s0 = wait_status(r0), s1 = wait_status(r1);
  EXPECT_EQ(s0, 0) << slurp(c0 / "err");
  EXPECT_EQ(s1, 0) << slurp(c1 / "err");
  // Rank 1 writes nothing and says nothing unless something goes wrong.
  EXPECT_EQ(slurp(c1 / "out"), "");
  EXPECT_EQ(slurp(c1 / "err"), "");
  return slurp(run_dir + "/train.log");
}

// Waits until `path` contains `text` (or `seconds` pass); returns whether it did.
bool wait_for_text(const std::string& path, const std::string& text, double seconds) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1e3));
  while (Clock::now() < deadline) {
    if (slurp(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The pids whose parent is `parent` (from /proc).
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    const std::string stat = slurp("/proc/" + std::string(e->d_name) + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// What rank 0 did after rank 1 of a long two-rank run (dist.timeout_s = timeout_s) got `sig` mid-training.
struct RankFault {
  bool started = false;  // rank 0 logged a step before the signal
  std::string log;       // rank 0's stderr while waiting for that, when it did not
  int status = -1;     // rank 0's exit status
  double waited = 0;   // seconds from the signal to rank 0's exit
  std::string err;     // rank 0's stderr
};
RankFault signal_rank_1(int sig, int timeout_s) {
  ScratchDir run, c0, c1;
  const int port = free_port();
  const std::string args = "train --config configs/tiny.yaml --set output.dir=" + (run / "r") +
                           " --set train.steps=1000000 --set output.log_every=1 --set dist.timeout_s=" +
                           std::to_string(timeout_s);
  const pid_t r0 = spawn_rank(torchrun_env(0, 2, port), args, c0.str());
  const pid_t r1 = spawn_rank(torchrun_env(1, 2, port), args, c1.str());
  RankFault out;
  out.started = wait_for_text(run / "r/train.log", "Loss_D", 120);
  if (out.started) {
    ::kill(r1, sig);
    const auto signalled = Clock::now();
    out.status = wait_status(r0);
    out.waited = seconds_since(signalled);
  } else {
    out.log = slurp(c0 / "err");
    ::kill(r0, SIGKILL);
    wait_status(r0);
  }
  ::kill(r1, SIGKILL);  // a stopped rank 1 is still there
  wait_status(r1);
  out.err = slurp(c0 / "err");
  return out;
}

TEST(CliDistributed, TorchrunEnvironmentKeepsTheRanksIdenticalAfterEveryStep) {
  SKIP_WITHOUT_GLOO();
  ScratchDir run;
  const std::string log = run_two_ranks(run / "r");
  const auto checks = weight_checks(log);
  ASSERT_EQ(checks.size(), 6u) << log;
  for (int step = 1; step <= 6; ++step)
    EXPECT_EQ(checks[static_cast<std::size_t>(step - 1)].rfind("step " + std::to_string(step) + ": ", 0), 0u);
  EXPECT_NE(log.find("distributed: 2 ranks (gloo backend"), std::string::npos);
  EXPECT_NE(log.find("global batch 64"), std::string::npos);
  EXPECT_NE(log.find("gradient all-reduce (gloo): 12 calls"), std::string::npos) << log;  // 2 per step, 6 steps
  EXPECT_EQ(lines_of(run / "r/metrics.csv").size(), 7u);
  EXPECT_TRUE(std::filesystem::exists(run / "r/g.pt"));
  EXPECT_TRUE(std::filesystem::exists(run / "r/checkpoints/step-000006.pt"));
}

// A class-conditional run: each rank's shard brings its labels, the classes of G's batches come from each rank's own
// stream, and the averaged gradients (the embeddings' too) keep the ranks identical.
TEST(CliDistributed, ConditionalRanksStayIdentical) {
  SKIP_WITHOUT_GLOO();
  ScratchDir run;
  const std::string log = run_two_ranks(run / "r", "--set model.num_classes=auto");
  EXPECT_NE(log.find("10 classes"), std::string::npos) << log;
  EXPECT_EQ(weight_checks(log).size(), 6u) << log;  // a mismatch would have stopped the run
  EXPECT_EQ(lines_of(run / "r/metrics.csv").size(), 7u);
}

TEST(CliDistributed, RanksJoinTheElasticAgentsStoreWhenTorchrunSaysSo) {
  SKIP_WITHOUT_GLOO();
  if (std::system("/usr/bin/python3 -c 'import torch.distributed' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "/usr/bin/python3 cannot import torch.distributed (apt-get install python3-torch)";
  ScratchDir run, agent, c0, c1;
  const int port = free_port();
  // PyTorch's TCPStore, hosted the way torchrun's agent hosts it; the ranks must not try to host one themselves.
  const std::string agent_cmd = "exec /usr/bin/python3 '" + source_path("tests/py/agent_store.py") + "' " +
                                std::to_string(port) + " 2 3 >'" + (agent / "out") + "' 2>'" + (agent / "err") + "'";
  const pid_t store = ::fork();
  if (store == 0) {
    ::execl("/bin/sh", "sh", "-c", agent_cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_TRUE(wait_for_text(agent / "out", "listening", 60)) << slurp(agent / "err");
  const std::string env = " TORCHELASTIC_USE_AGENT_STORE=True TORCHELASTIC_RESTART_COUNT=3";
  const pid_t r0 = spawn_rank(torchrun_env(0, 2, port) + env, tiny_args(run / "r"), c0.str());
  const pid_t r1 = spawn_rank(torchrun_env(1, 2, port) + env, tiny_args(run / "r"), c1.str());
  EXPECT_EQ(wait_status(r0), 0) << slurp(c0 / "err");
  EXPECT_EQ(wait_status(r1), 0) << slurp(c1 / "err");
  EXPECT_TRUE(wait_for_text(agent / "out", "joined 2", 10)) << slurp(agent / "out") << slurp(agent / "err");
  ::kill(store, SIGKILL);
  wait_status(store);
  EXPECT_EQ(weight_checks(slurp(run / "r/train.log")).size(), 6u);
}

TEST(CliDistributed, NprocGivesTheRunTheTorchrunEnvironmentGives) {
  SKIP_WITHOUT_GLOO();
  ScratchDir run;
  const LauncherPort port;
  const std::string torchrun_log = run_two_ranks(run / "env");
  const CliRun launched = dcgan_cli(tiny_args(run / "nproc", "--nproc 2"));
  ASSERT_EQ(launched.status, 0) << launched.err;
  const std::string nproc_log = slurp(run / "nproc/train.log");
  EXPECT_EQ(weight_checks(nproc_log), weight_checks(torchrun_log));
  EXPECT_EQ(weight_checks(nproc_log).size(), 6u);
  EXPECT_EQ(metrics_without_timing(run / "nproc/metrics.csv"), metrics_without_timing(run / "env/metrics.csv"));
  // A single process on the same seed trains on other images: the figures differ.
  const CliRun single = dcgan_cli(tiny_args(run / "one"));
  ASSERT_EQ(single.status, 0) << single.err;
  EXPECT_NE(metrics_without_timing(run / "one/metrics.csv"), metrics_without_timing(run / "env/metrics.csv"));
}

// With the augmentation probability steered every 2 steps (the checkpoint at step 3 falls inside an interval): every
// rank steers by the mean r_t, so rank 0's checkpoint holds every rank's p and interval sum.
TEST(CliDistributed, ResumesExactlyWithTheSameWorldSizeAndRefusesAnother) {
  SKIP_WITHOUT_GLOO();
  ScratchDir run;
  const LauncherPort port;
  const std::string whole = run / "whole", split = run / "split";
  const std::string steered = "--nproc 2 --set train.augment=color,translation --set train.augment_p=adaptive "
                              "--set train.augment_interval=2 --set train.augment_speed_images=300 ";
  ASSERT_EQ(dcgan_cli(tiny_args(whole, steered + "--set output.checkpoint_every=3")).status, 0);
  const CliRun first = dcgan_cli(tiny_args(split, steered + "--set train.steps=3"));
  ASSERT_EQ(first.status, 0) << first.err;
  const CliRun resumed = dcgan_cli("train --resume " + split + " --nproc 2 --set train.steps=6");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_EQ(metrics_without_timing(split + "/metrics.csv"), metrics_without_timing(whole + "/metrics.csv"));
  const auto a = weight_checks(slurp(whole + "/train.log")), b = weight_checks(slurp(split + "/train.log"));
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(b, a);  // steps 1-3, then 4-6 after the resume: the same weights as the run never interrupted
  const auto rows = lines_of(whole + "/metrics.csv");
  ASSERT_EQ(rows.size(), 7u);
  const auto head = csv_cells(rows[0]);
  const auto column = std::find(head.begin(), head.end(), "augment_p") - head.begin();
  EXPECT_GT(std::stod(csv_cells(rows[6]).at(static_cast<std::size_t>(column))), 0.0);  // p was steered

  const auto before = slurp(split + "/metrics.csv");
  const CliRun other = dcgan_cli("train --resume " + split + " --set train.steps=9");
  EXPECT_NE(other.status, 0);
  EXPECT_NE(other.err.find("written by a run of 2 rank(s), and this run has 1"), std::string::npos) << other.err;
  EXPECT_EQ(count_lines(other.err), 1) << other.err;
  EXPECT_EQ(slurp(split + "/metrics.csv"), before);
}

TEST(CliDistributed, AKilledRankStopsTheOtherWithinTheTimeout) {
  SKIP_WITHOUT_GLOO();
  const RankFault fault = signal_rank_1(SIGKILL, 5);
  ASSERT_TRUE(fault.started) << fault.log;
  EXPECT_NE(fault.status, 0);
  EXPECT_LT(fault.waited, 5.0 + 10.0);  // the timeout, and slack for a loaded machine
  EXPECT_EQ(count_lines(fault.err), 1) << fault.err;
  EXPECT_EQ(fault.err.rfind("dcgan: error: rank 0: ", 0), 0u) << fault.err;
}

TEST(CliDistributed, AHungRankMakesTheOtherTimeOut) {
  SKIP_WITHOUT_GLOO();
  const RankFault fault = signal_rank_1(SIGSTOP, 4);  // alive, connected, silent
  ASSERT_TRUE(fault.started) << fault.log;
  EXPECT_NE(fault.status, 0);
  EXPECT_GT(fault.waited, 4.0 - 1.0);  // it did wait for the timeout
  EXPECT_LT(fault.waited, 4.0 + 10.0);
  EXPECT_EQ(count_lines(fault.err), 1) << fault.err;
  EXPECT_NE(fault.err.find("(gloo backend, timeout 4s)"), std::string::npos) << fault.err;
}

TEST(CliDistributed, NprocStopsEveryRankWhenOneDiesAndLeavesNoProcess) {
  SKIP_WITHOUT_GLOO();
  ScratchDir run, cap;
  const LauncherPort port;
  const pid_t launcher =
      spawn_cli("train --nproc 2 --config configs/tiny.yaml --set output.dir=" + (run / "r") +
                    " --set train.steps=1000000 --set output.log_every=1 --set dist.timeout_s=5",
                cap.str());
  ASSERT_TRUE(wait_for_text(run / "r/train.log", "Loss_D", 120)) << slurp(cap / "err");
  const std::vector<pid_t> ranks = children_of(launcher);
  ASSERT_EQ(ranks.size(), 2u);
  ::kill(ranks[1], SIGKILL);
  const auto killed = Clock::now();
  const int status = wait_status(launcher);
  EXPECT_NE(status, 0);
  EXPECT_LT(seconds_since(killed), 5.0 + 10.0);
  for (pid_t p : ranks) EXPECT_FALSE(alive(p)) << "rank process " << p << " outlived the launcher";
  // Whichever the launcher saw first (the killed rank, or the other failing on the lost connection) is named.
  EXPECT_NE(slurp(cap / "out").find("; stopping the other ranks"), std::string::npos) << slurp(cap / "out");
}

TEST(CliDistributed, NprocForwardsSigtermAndEveryRankCheckpoints) {
  SKIP_WITHOUT_GLOO();
  ScratchDir run, cap;
  const LauncherPort port;
  const pid_t launcher = spawn_cli("train --nproc 2 --config configs/tiny.yaml --set output.dir=" + (run / "r") +
                                       " --set train.steps=1000000 --set output.log_every=1",
                                   cap.str());
  ASSERT_TRUE(wait_for_text(run / "r/train.log", "Loss_D", 120)) << slurp(cap / "err");
  ::kill(launcher, SIGTERM);
  EXPECT_EQ(wait_status(launcher), 128 + SIGTERM) << slurp(cap / "err");
  EXPECT_TRUE(std::filesystem::exists(run / "r/checkpoints/latest.pt"));
  EXPECT_TRUE(std::filesystem::exists(run / "r/g.pt"));
}

TEST(CliDistributed, BadLaunchSettingsFailWithinTheTimeoutWithOneLine) {
  SKIP_WITHOUT_GLOO();
  ScratchDir run, c0, c1;
  const std::string args =
      "train --config configs/tiny.yaml --set output.dir=" + (run / "r") + " --set dist.timeout_s=3";
  auto check_fails = [&](pid_t pid, const std::string& capture, const std::string& expected) {
    const auto start = Clock::now();
    const int status = wait_status(pid);
    EXPECT_NE(status, 0);
    EXPECT_LT(seconds_since(start), 3.0 + 10.0);
    const std::string err = slurp(capture + "/err");
    EXPECT_EQ(count_lines(err), 1) << err;
    EXPECT_NE(err.find(expected), std::string::npos) << err;
  };
  {  // A wrong MASTER_PORT: rank 1 looks for the store where nobody listens; rank 0 waits for it in vain.
    const int port = free_port(), wrong = free_port();
    const pid_t r0 = spawn_rank(torchrun_env(0, 2, port), args, c0.str());
    const pid_t r1 = spawn_rank(torchrun_env(1, 2, wrong), args, c1.str());
    check_fails(r1, c1.str(), "cannot reach the store at 127.0.0.1:" + std::to_string(wrong) +
                                  " (MASTER_ADDR:MASTER_PORT) within 3s");
    check_fails(r0, c0.str(), "only 1 of WORLD_SIZE=2 ranks joined");
  }
  {  // WORLD_SIZE=3 with two ranks started.
    const int port = free_port();
    const pid_t r0 = spawn_rank(torchrun_env(0, 3, port), args, c0.str());
    const pid_t r1 = spawn_rank(torchrun_env(1, 3, port), args, c1.str());
    check_fails(r0, c0.str(), "(missing: rank 2)");
    check_fails(r1, c1.str(), "rank 1: ");
  }
  {  // An address nobody answers on (TEST-NET-1, RFC 5737).
    const pid_t r1 = spawn_rank(torchrun_env(1, 2, 29500, "192.0.2.1"), args, c1.str());
    check_fails(r1, c1.str(), "cannot reach the store at 192.0.2.1:29500");
  }
  {  // RANK out of range: refused before any connection.
    const pid_t r = spawn_rank(torchrun_env(2, 2, 29500), args, c1.str());
    check_fails(r, c1.str(), "RANK=2 is not below WORLD_SIZE=2");
  }
  EXPECT_FALSE(std::filesystem::exists(run / "r")) << "a failed launch wrote into the run directory";
}

// Two hosts on one link: two network namespaces joined by a veth pair, with addresses of RFC 5737's TEST-NET-1 on
// interfaces that exist only inside them (no traffic leaves them); removed with the object. Root only.
struct TwoHosts {
  std::string a, b, link_a, link_b, why_not;
  TwoHosts() {
    const std::string id = std::to_string(::getpid());
    a = "dcgan" + id + "a", b = "dcgan" + id + "b", link_a = "dv" + id + "a", link_b = "dv" + id + "b";
    if (::geteuid() != 0) {
      why_not = "network namespaces need root";
      return;
    }
    const std::string setup = "ip netns add " + a + " && ip netns add " + b + " && ip link add " + link_a +
                              " netns " + a + " type veth peer name " + link_b + " netns " + b + " && ip -n " + a +
                              " addr add 192.0.2.1/24 dev " + link_a + " && ip -n " + b + " addr add 192.0.2.2/24 dev " +
                              link_b + " && ip -n " + a + " link set " + link_a + " up && ip -n " + b + " link set " +
                              link_b + " up && ip -n " + a + " link set lo up && ip -n " + b + " link set lo up";
    if (std::system((setup + " 2>/dev/null").c_str()) != 0) why_not = "cannot make network namespaces here (ip netns)";
  }
  ~TwoHosts() { std::system(("ip netns del " + a + " 2>/dev/null; ip netns del " + b + " 2>/dev/null").c_str()); }
  // Rank `rank` of 2 on host a (rank 0, MASTER_ADDR) or b.
  pid_t rank(int r, int port, const std::string& args, const std::string& capture) const {
    return spawn_rank("RANK=" + std::to_string(r) + " LOCAL_RANK=0 WORLD_SIZE=2 LOCAL_WORLD_SIZE=1 MASTER_ADDR=192.0.2.1 "
                      "MASTER_PORT=" + std::to_string(port),
                      args, capture, "ip netns exec " + (r == 0 ? a : b) + " ");
  }
};

// A rank on another host: MASTER_ADDR is host a's address as in a two-machine run. The run trains with identical
// weights; then the link is cut mid-run: rank 0 stops within dist.timeout naming the lost rank and the last
// checkpoint, which resumes exactly (the metrics of an uninterrupted run, row for row).
TEST(CliDistributed, RanksOnTwoHostsTrainAlikeAndACutLinkStopsRankZeroWithItsCheckpoint) {
  SKIP_WITHOUT_GLOO();
  const TwoHosts hosts;
  if (!hosts.why_not.empty()) GTEST_SKIP() << hosts.why_not;
  ScratchDir run, c0, c1;
  const std::string common = " --set output.log_every=1 --set output.eval_every=0 --set output.checkpoint_every=4 "
                             "--set dist.timeout_s=5 --set dist.check_every=1";
  const std::string whole = "train --config configs/tiny.yaml --set train.steps=40 --set output.dir=" + (run / "whole") + common;
  int port = free_port();
  const pid_t w0 = hosts.rank(0, port, whole, c0.str()), w1 = hosts.rank(1, port, whole, c1.str());
  ASSERT_EQ(wait_status(w0), 0) << slurp(c0 / "err");
  ASSERT_EQ(wait_status(w1), 0) << slurp(c1 / "err");
  EXPECT_EQ(weight_checks(slurp(run / "whole/train.log")).size(), 40u) << "identical weights after every step";

  const std::string cut = "train --config configs/tiny.yaml --set train.steps=1000000 --set output.dir=" + (run / "cut") + common;
  port = free_port();
  const pid_t r0 = hosts.rank(0, port, cut, c0.str()), r1 = hosts.rank(1, port, cut, c1.str());
  ASSERT_TRUE(wait_for_text(run / "cut/train.log", "step 4: G and D weights identical on 2 ranks", 120))
      << slurp(c0 / "err");
  std::system(("ip -n " + hosts.a + " link set " + hosts.link_a + " down").c_str());
  const auto cut_at = Clock::now();
  const int status = wait_status(r0);
  const double waited = seconds_since(cut_at);
  ::kill(r1, SIGKILL);
  wait_status(r1);
  const std::string err = slurp(c0 / "err");
  EXPECT_NE(status, 0);
  EXPECT_LT(waited, 5.0 + 10.0) << "dist.timeout_s 5, and slack for a loaded machine";
  EXPECT_EQ(count_lines(err), 1) << err;
  EXPECT_NE(err.find("Lost rank 1"), std::string::npos) << err;
  std::smatch last;
  ASSERT_TRUE(std::regex_search(err, last, std::regex(R"(the last checkpoint: \S*step-0*(\d+)\.pt)"))) << err;
  const int step = std::stoi(last[1]);
  ASSERT_LE(step + 4, 40) << "the cut came too late to compare with the whole run";

  std::system(("ip -n " + hosts.a + " link set " + hosts.link_a + " up").c_str());
  const std::string resume = "train --resume " + (run / "cut") + " --set train.steps=" + std::to_string(step + 4);
  port = free_port();
  const pid_t s0 = hosts.rank(0, port, resume, c0.str()), s1 = hosts.rank(1, port, resume, c1.str());
  ASSERT_EQ(wait_status(s0), 0) << slurp(c0 / "err");
  ASSERT_EQ(wait_status(s1), 0) << slurp(c1 / "err");
  std::vector<std::string> whole_rows = metrics_without_timing(run / "whole/metrics.csv");
  whole_rows.resize(1 + step + 4);
  EXPECT_EQ(metrics_without_timing(run / "cut/metrics.csv"), whole_rows);
}

}  // namespace
}  // namespace dcgan::test
