// End-to-end tests of exact resume and fault handling on the built binary: SIGKILL then --resume, SIGINT/SIGTERM,
// an unwritable output folder, a full disk, damaged checkpoints, a changed architecture and a diverging loss.
#include "dcgan/io/checkpoint.h"
#include "dcgan/io/tfevents.h"
#include "dcgan/runtime/compat.h"
#include "dcgan/runtime/cpu_features.h"
#include "dcgan/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "cli_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;
using test::dcgan_cli;

// Long enough to be killed mid-run: ~300 small steps, checkpoints every 25, logs every 5 (tiny data, 8 batches per
// epoch, so resume points fall inside epochs). With augmentation and mirroring, whose draws come from the training
// stream that checkpoints save.
const std::string kRun =
    "train --config configs/tiny.yaml --set train.steps=300 --set model.ngf=16 --set model.ndf=16 "
    "--set train.augment=color,translation,cutout --set data.mirror=true "
    "--set output.checkpoint_every=25 --set output.log_every=5 --set output.sample_every=100";

bool wait_for(const std::string& path, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (fs::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Every parameter and buffer of G and D, and the Adam states, of a full checkpoint.
std::vector<torch::Tensor> all_state(const std::string& checkpoint) {
  const Config config = read_checkpoint_config(checkpoint);
  Trainer trainer(config, torch::kCPU);
  load_checkpoint(checkpoint, trainer);
  std::vector<torch::Tensor> out;
  for (torch::nn::Module* m : {static_cast<torch::nn::Module*>(trainer.generator().get()),
                               static_cast<torch::nn::Module*>(trainer.discriminator().get())}) {
    for (const auto& p : m->parameters()) out.push_back(p.detach().clone());
    for (const auto& b : m->buffers()) out.push_back(b.clone());
  }
  for (const auto& entry : trainer.augment_probability().state()) out.push_back(entry.second.clone());
  for (auto* opt : {&trainer.optimizer_g(), &trainer.optimizer_d()}) {
    for (const auto& p : opt->param_groups()[0].params()) {
      const auto& st = static_cast<const torch::optim::AdamParamState&>(
          *opt->state().at(compat::optimizer_state_key(opt->state(), p)));
      out.push_back(st.exp_avg().clone());
      out.push_back(st.exp_avg_sq().clone());
      out.push_back(torch::tensor(st.step()));
    }
  }
  return out;
}

// The steps of the loss/d scalars of all event files in `run_dir`, in order, with repeats.
std::vector<int64_t> logged_steps(const std::string& run_dir) {
  std::vector<int64_t> steps;
  for (const auto& e : fs::directory_iterator(run_dir)) {
    if (e.path().filename().string().rfind("events.out.tfevents.", 0) != 0) continue;
    for (const std::string& rec : read_event_file(e.path()).records)
      if (rec.find("loss/d") != std::string::npos) steps.push_back(event_step(rec));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

// In fp32 with the augmentation probability steered by r_t (train.augment_p=adaptive, fast enough to move p at
// every adjustment; checkpoints every 25 steps fall inside its 4-step intervals), in bf16 where the CPU has it
// natively (train.precision=bf16: autocast, fp32 master weights), and a class-conditional run in fp32 (its fake
// classes come from the training stream too); the last two with p fixed at 1.
class CliKillResume : public ::testing::TestWithParam<std::string> {};

TEST_P(CliKillResume, SigkillAtARandomMomentThenResumeIsExact) {
  if (GetParam() == "bf16" && !cpu_features().native_bf16())
    GTEST_SKIP() << "this CPU has no native bf16 (" << cpu_features().describe() << ")";
  const bool conditional = GetParam() == "conditional";
  const bool adaptive = GetParam() == "fp32";
  const std::string run = kRun + " --set train.precision=" + (conditional ? "fp32" : GetParam()) +
                          (conditional ? " --set model.num_classes=auto" : "") +
                          (adaptive ? " --set train.augment_p=adaptive --set train.augment_speed_images=3000" : "");
  test::ScratchDir dir;
  ASSERT_EQ(dcgan_cli(run + " --set output.dir=" + (dir / "ref")).status, 0);
  if (adaptive) {  // p moved from 0: many values in metrics.csv's augment_p column, the first near 0
    std::set<std::string> values;
    const auto rows = test::lines_of(dir / "ref/metrics.csv");
    ASSERT_GE(rows.size(), 2u);
    for (std::size_t i = 1; i < rows.size(); ++i) values.insert(test::csv_cells(rows[i]).at(12));
    EXPECT_GE(values.size(), 6u);
    EXPECT_LT(std::stod(test::csv_cells(rows[1]).at(12)), 0.1) << rows[1];
  }

  // A new kill moment each run; DCGAN_TEST_KILL_SEED=S replays the run that printed seed S.
  const char* fixed = std::getenv("DCGAN_TEST_KILL_SEED");
  const unsigned seed = fixed != nullptr ? static_cast<unsigned>(std::strtoul(fixed, nullptr, 10)) : std::random_device{}();
  std::mt19937 rng(seed);
  const int delay_ms = std::uniform_int_distribution<int>(0, 400)(rng);
  std::printf("kill seed %u: SIGKILL %d ms after the first checkpoint (DCGAN_TEST_KILL_SEED=%u replays it)\n", seed,
              delay_ms, seed);
  SCOPED_TRACE("kill seed " + std::to_string(seed) + ": delay " + std::to_string(delay_ms) +
               " ms after the first checkpoint");
  fs::create_directories(dir / "cap");
  const pid_t pid = test::spawn_cli(run + " --set output.dir=" + (dir / "run"), dir / "cap");
  ASSERT_TRUE(wait_for(dir / "run/checkpoints/latest.pt", 60));
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  ::kill(pid, SIGKILL);
  ASSERT_EQ(test::wait_status(pid), 128 + SIGKILL) << "the run ended before it could be killed; lengthen kRun";
  const int64_t killed_at = load_generator(find_checkpoint(dir / "run")).at.step;
  EXPECT_LT(killed_at, 300);

  const auto resumed = dcgan_cli("train --resume " + (dir / "run"));
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resuming from"), std::string::npos);
  EXPECT_EQ(test::metrics_without_timing(dir / "run/metrics.csv"),
            test::metrics_without_timing(dir / "ref/metrics.csv"));
  const auto a = all_state(dir / "ref/checkpoints/step-000300.pt"), b = all_state(dir / "run/checkpoints/step-000300.pt");
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "tensor " << i;
  EXPECT_EQ(test::slurp(dir / "ref/samples/step-000300.png"), test::slurp(dir / "run/samples/step-000300.png"));
  // TensorBoard: a file per process start, every logged step once across them, as in the uninterrupted run.
  EXPECT_EQ(logged_steps(dir / "run"), logged_steps(dir / "ref"));
}

INSTANTIATE_TEST_SUITE_P(Precision, CliKillResume, ::testing::Values("fp32", "bf16", "conditional"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(CliResume, SigintAndSigtermCheckpointAndExitWith130And143) {
  for (const int sig : {SIGINT, SIGTERM}) {
    test::ScratchDir dir;
    fs::create_directories(dir / "cap");
    const pid_t pid = test::spawn_cli(kRun + " --set train.steps=100000 --set output.dir=" + (dir / "run"), dir / "cap");
    ASSERT_TRUE(wait_for(dir / "run/checkpoints/latest.pt", 60));
    ::kill(pid, sig);
    EXPECT_EQ(test::wait_status(pid), 128 + sig);
    const std::string out = test::slurp(dir / "cap/out");
    EXPECT_NE(out.find("resume with: dcgan train --resume " + (dir / "run")), std::string::npos) << out;
    const auto loaded = load_generator(find_checkpoint(dir / "run"));
    EXPECT_GT(loaded.at.step, 25);  // the stop wrote a checkpoint of its own, after the first periodic one
    EXPECT_TRUE(fs::exists(dir / "run/g.pt"));
    const auto more = dcgan_cli("train --resume " + (dir / "run") + " --set train.steps=" +
                                std::to_string(loaded.at.step + 3));
    EXPECT_EQ(more.status, 0) << more.err;
  }
}

TEST(CliResume, SecondSigintExitsAtOnceLeavingTheLastCheckpointIntact) {
  // Slow steps (64x64, tutorial widths, about a second each here), a checkpoint after every one.
  test::ScratchDir dir;
  fs::create_directories(dir / "cap");
  const pid_t pid = test::spawn_cli(
      "train --config configs/tiny.yaml --set data.image_size=64 --set model.ngf=64 --set model.ndf=64 "
      "--set train.steps=100000 --set output.checkpoint_every=1 --set output.dir=" + (dir / "run"),
      dir / "cap");
  ASSERT_TRUE(wait_for(dir / "run/checkpoints/latest.pt", 120));
  const std::string before = fs::read_symlink(dir / "run/checkpoints/latest.pt").string();
  ::kill(pid, SIGINT);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (test::slurp(dir / "cap/err").find("stopping after this step") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ::kill(pid, SIGINT);
  EXPECT_EQ(test::wait_status(pid), 130);
  EXPECT_NE(test::slurp(dir / "cap/err").find("second interrupt"), std::string::npos);
  // It did not wait for the step in flight (about a second here, against the milliseconds between the two
  // signals): the stop's g.pt and closing lines, written after that step, were never written.
  EXPECT_FALSE(fs::exists(dir / "run/g.pt"));
  EXPECT_EQ(test::slurp(dir / "cap/out").find("stopped by signal"), std::string::npos) << test::slurp(dir / "cap/out");
  // The checkpoint that latest.pt named before the signals is intact and loadable.
  const std::string latest = find_checkpoint(dir / "run");
  EXPECT_NO_THROW(load_generator(latest));
  EXPECT_NO_THROW(load_generator((dir / "run/checkpoints/") + before));
}

TEST(CliResume, UnwritableOutputFolderIsOneLineError) {
  test::ScratchDir dir;
  std::ofstream(dir / "file") << "x";
  const auto r = dcgan_cli("train --config configs/tiny.yaml --set output.dir=" + (dir / "file/run"));
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("file/run: cannot create directory"), std::string::npos) << r.err;
}

TEST(CliResume, FullDiskStopsTheRunAndKeepsThePreviousCheckpoint) {
  test::ScratchDir dir;
  const std::string run = dir / "run";
  ASSERT_EQ(dcgan_cli("train --config configs/tiny.yaml --set train.steps=6 --set output.dir=" + run).status, 0);
  const auto before = test::slurp(run + "/checkpoints/step-000006.pt");
  // A 200 KiB file-size limit: samples and logs fit, a checkpoint (~425 KB) does not: write() fails with EFBIG.
  const std::string cmd = "ulimit -f 200; exec '" + std::string(test::dcgan_binary()) + "' train --resume " + run +
                          " --set train.steps=12";
  test::ScratchDir cap;
  const int raw = std::system(("cd '" + std::string(test::source_dir()) + "' && bash -c \"" + cmd + "\" >'" +
                               (cap / "out") + "' 2>'" + (cap / "err") + "'")
                                  .c_str());
  const std::string err = test::slurp(cap / "err");
  EXPECT_NE(WEXITSTATUS(raw), 0);
  EXPECT_EQ(test::count_lines(err), 1) << err;
  EXPECT_NE(err.find("step-000012.pt: cannot write"), std::string::npos) << err;
  EXPECT_EQ(test::slurp(run + "/checkpoints/step-000006.pt"), before);
  EXPECT_FALSE(fs::exists(run + "/checkpoints/step-000012.pt"));
  for (const auto& e : fs::directory_iterator(run + "/checkpoints"))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  EXPECT_EQ(load_generator(find_checkpoint(run)).at.step, 6);
}

TEST(CliResume, DamagedCheckpointsAreOneLineErrors) {
  test::ScratchDir dir;
  const std::string ckpt = test::shared_tiny_run() + "/checkpoints/step-000006.pt";
  const std::string bytes = test::slurp(ckpt);
  std::ofstream(dir / "truncated.pt", std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  std::mt19937 rng(1);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  std::ofstream(dir / "random.pt", std::ios::binary) << noise;
  for (const std::string f : {"truncated.pt", "random.pt"}) {
    for (const std::string& cmd : std::vector<std::string>{"train --resume ", "sample --out " + (dir / "x.png") + " --ckpt "}) {
      const auto r = dcgan_cli(cmd + (dir / f));
      EXPECT_NE(r.status, 0) << cmd << f;
      EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
      EXPECT_NE(r.err.find(f + ": "), std::string::npos) << r.err;
    }
  }
}

TEST(CliResume, ChangedArchitectureIsRefusedNamingBothValues) {
  test::ScratchDir dir;
  const std::string run = dir / "run";
  ASSERT_EQ(dcgan_cli("train --config configs/tiny.yaml --set train.steps=6 --set output.dir=" + run).status, 0);
  const auto r = dcgan_cli("train --resume " + run + " --set model.ngf=16 --set data.image_size=64");
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("data.image_size: 32 -> 64"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("model.ngf: 8 -> 16"), std::string::npos) << r.err;
  // Harmless keys may change.
  const auto ok = dcgan_cli("train --resume " + run + " --set train.steps=8 --set output.log_every=1");
  EXPECT_EQ(ok.status, 0) << ok.err;
}

// Makes D's next Adam step non-finite: its second moments set to -1 (sqrt(-1) is NaN), in a checkpoint whose
// weights stay finite.
void poison_adam(const std::string& checkpoint) {
  Trainer trainer(read_checkpoint_config(checkpoint), torch::kCPU);
  const LoadedCheckpoint c = load_checkpoint(checkpoint, trainer);
  auto& opt = trainer.optimizer_d();
  for (const auto& p : opt.param_groups()[0].params())
    static_cast<torch::optim::AdamParamState&>(*opt.state().at(compat::optimizer_state_key(opt.state(), p)))
        .exp_avg_sq()
        .fill_(-1.0);
  save_checkpoint(checkpoint, trainer, c.config, c.at, c.fixed_noise, c.rng, c.best, c.other_ranks);
}

TEST(CliResume, NonFiniteLossStopsNamingTheStepAndKeepsTheLastGoodCheckpoint) {
  test::ScratchDir dir;
  // Before any checkpoint: an lr of 1e30 diverges in step 1 (lr is an identity key: a resume cannot change it).
  const auto first = dcgan_cli("train --config configs/tiny.yaml --set train.lr=1e30 --set train.steps=50 "
                               "--set output.checkpoint_every=1 --set output.dir=" + (dir / "nan"));
  EXPECT_NE(first.status, 0);
  EXPECT_EQ(test::count_lines(first.err), 1) << first.err;
  EXPECT_NE(first.err.find("step 1: the loss is not finite"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("Last good checkpoint: none yet"), std::string::npos) << first.err;
  EXPECT_FALSE(fs::exists(dir / "nan/g.pt"));
  EXPECT_FALSE(fs::exists(dir / "nan/checkpoints/latest.pt"));

  // After checkpoints: 6 good steps, then D's Adam state poisoned, so the resumed run diverges in step 7.
  const std::string run = dir / "run";
  ASSERT_EQ(dcgan_cli("train --config configs/tiny.yaml --set train.steps=6 --set output.checkpoint_every=2 "
                      "--set output.dir=" + run).status, 0);
  const std::string good = run + "/checkpoints/step-000006.pt";
  poison_adam(good);
  const auto diverged = dcgan_cli("train --resume " + run + " --set train.steps=20 --set output.checkpoint_every=1");
  EXPECT_NE(diverged.status, 0);
  EXPECT_EQ(test::count_lines(diverged.err), 1) << diverged.err;
  EXPECT_NE(diverged.err.find("step 7: the loss is not finite"), std::string::npos) << diverged.err;
  EXPECT_NE(diverged.err.find("Last good checkpoint: " + fs::canonical(good).string()), std::string::npos)
      << diverged.err;
  // Nothing of the diverged state was written: the newest checkpoint and g.pt are still step 6's, with finite
  // weights.
  EXPECT_EQ(find_checkpoint(run), fs::canonical(good).string());
  EXPECT_EQ(fs::read_symlink(run + "/checkpoints/latest.pt").filename().string(), "step-000006.pt");
  EXPECT_FALSE(fs::exists(run + "/checkpoints/step-000007.pt"));
  for (const std::string& f : {good, run + "/g.pt"}) {
    const LoadedGenerator g = load_generator(f);
    EXPECT_EQ(g.at.step, 6) << f;
    for (const auto& p : g.generator->parameters()) EXPECT_TRUE(torch::isfinite(p).all().item<bool>()) << f;
  }
}

// A run whose metrics.csv an older dcgan wrote (no augment_p column) resumes under today's header: every earlier
// cell kept under its column's name, the new column empty in the old rows, so the report reads every row.
TEST(CliResume, AnOlderMetricsFileIsRewrittenUnderTodaysHeader) {
  test::ScratchDir dir;
  const std::string run = "train --config configs/tiny.yaml --set output.checkpoint_every=4 --set output.dir=" +
                          (dir / "run");
  ASSERT_EQ(dcgan_cli(run + " --set train.steps=4").status, 0);
  const auto rows = test::lines_of(dir / "run/metrics.csv");
  ASSERT_EQ(rows.size(), 3u);
  std::string old;
  for (const std::string& row : rows) {
    auto cells = test::csv_cells(row);
    cells.erase(cells.begin() + 12);  // augment_p
    for (std::size_t i = 0; i < cells.size(); ++i) old += (i ? "," : "") + cells[i];
    old += "\n";
  }
  { std::ofstream(dir / "run/metrics.csv") << old; }
  const auto resumed = dcgan_cli("train --resume " + (dir / "run") + " --set train.steps=6");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  const auto now = test::lines_of(dir / "run/metrics.csv");
  ASSERT_EQ(now.size(), 4u);
  EXPECT_EQ(now[0], rows[0]);
  for (std::size_t i = 1; i < 3; ++i) {
    auto want = test::csv_cells(rows[i]);
    want[12] = "";
    EXPECT_EQ(test::csv_cells(now[i]), want) << now[i];
  }
  EXPECT_EQ(test::csv_cells(now[3]).size(), 14u) << now[3];
}

}  // namespace
}  // namespace dcgan
