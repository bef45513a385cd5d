// End-to-end tests of the built dcgan binary: real argument lists, the files a run leaves, and error exits.
#include <opencv2/imgcodecs.hpp>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <fstream>
#include <sstream>

#include "cli_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;

using test::CliRun;
using test::count_lines;
using test::lines_of;
using test::metrics_without_timing;
CliRun dcgan(const std::string& args) { return test::dcgan_cli(args); }

TEST(Cli, TrainTinyThenSample) {
  test::ScratchDir dir;
  const std::string run = dir / "run";
  const CliRun train = dcgan("train --config configs/tiny.yaml --set output.dir=" + run);
  ASSERT_EQ(train.status, 0) << train.err << train.out;
  for (const char* f : {"config.yaml", "metrics.csv", "train.log", "g.pt", "samples/step-000006.png",
                        "samples/step-000012.png", "checkpoints/step-000006.pt", "checkpoints/step-000012.pt"})
    EXPECT_TRUE(fs::is_regular_file(run + "/" + f)) << f;
  const auto metrics = lines_of(run + "/metrics.csv");
  ASSERT_EQ(metrics.size(), 7u);  // header + steps 2, 4, ..., 12
  EXPECT_EQ(metrics[0], "step,epoch,loss_d,loss_g,d_x,d_g_z1,d_g_z2,swd,swd_ema,r_t,d_train,d_holdout,augment_p,images_per_s");
  EXPECT_EQ(metrics[6].substr(0, 5), "12,1,");
  EXPECT_NE(train.out.find("Loss_D:"), std::string::npos);
  EXPECT_NE(train.out.find("images/s:"), std::string::npos);

  // The training sample grid: 8x8 images of 32x32, padding 2, one channel.
  const cv::Mat grid = cv::imread(run + "/samples/step-000012.png", cv::IMREAD_UNCHANGED);
  ASSERT_FALSE(grid.empty());
  EXPECT_EQ(grid.rows, 8 * 34 + 2);
  EXPECT_EQ(grid.cols, 8 * 34 + 2);
  EXPECT_EQ(grid.channels(), 1);

  // dcgan sample from g.pt: 10 images, ceil(sqrt(10)) = 4 per row -> 3 rows.
  const CliRun s1 = dcgan("sample --ckpt " + run + "/g.pt -n 10 --out " + (dir / "a.png"));
  ASSERT_EQ(s1.status, 0) << s1.err;
  const cv::Mat a = cv::imread(dir / "a.png", cv::IMREAD_UNCHANGED);
  EXPECT_EQ(a.cols, 4 * 34 + 2);
  EXPECT_EQ(a.rows, 3 * 34 + 2);

  // From the final full checkpoint with --nrow and the same seed: the same generator, so the same pixels.
  const CliRun s2 = dcgan("sample --ckpt " + run + "/checkpoints/step-000012.pt -n 10 --nrow 4 --out " + (dir / "b.png"));
  ASSERT_EQ(s2.status, 0) << s2.err;
  const cv::Mat b = cv::imread(dir / "b.png", cv::IMREAD_UNCHANGED);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0);

  const CliRun s3 = dcgan("sample --ckpt " + run + "/g.pt -n 6 --nrow 6 --seed 1 --out " + (dir / "sub/c.png"));
  ASSERT_EQ(s3.status, 0) << s3.err;
  const cv::Mat c = cv::imread(dir / "sub/c.png", cv::IMREAD_UNCHANGED);
  EXPECT_EQ(c.cols, 6 * 34 + 2);
  EXPECT_EQ(c.rows, 34 + 2);
}

TEST(Cli, SameConfigSameSeedSameMetrics) {
  test::ScratchDir dir;
  const std::string set = " --set train.threads=2 --set output.dir=";
  ASSERT_EQ(dcgan("train --config configs/tiny.yaml" + set + (dir / "a")).status, 0);
  ASSERT_EQ(dcgan("train --config configs/tiny.yaml" + set + (dir / "b")).status, 0);
  const auto a = metrics_without_timing(dir / "a/metrics.csv");
  EXPECT_EQ(a.size(), 7u);
  EXPECT_EQ(a, metrics_without_timing(dir / "b/metrics.csv"));
  ASSERT_EQ(dcgan("train --config configs/tiny.yaml --set train.seed=5" + set + (dir / "c")).status, 0);
  EXPECT_NE(a, metrics_without_timing(dir / "c/metrics.csv"));
}

// A run folder holds the pictures a user looks at; sample --interpolate draws one latent walk per row.
TEST(Cli, RunPicturesAndLatentWalks) {
  test::ScratchDir dir;
  const std::string run = test::shared_tiny_run();
  for (const char* f : {"losses.png", "d_outputs.png", "real_vs_fake.png", "progress.png"})
    EXPECT_FALSE(cv::imread(run + "/" + f, cv::IMREAD_UNCHANGED).empty()) << f;
  const CliRun walk = dcgan("sample --ckpt " + run + "/g.pt -n 3 --interpolate 5 --out " + (dir / "walk.png"));
  ASSERT_EQ(walk.status, 0) << walk.err;
  const cv::Mat grid = cv::imread(dir / "walk.png", cv::IMREAD_UNCHANGED);
  EXPECT_EQ(grid.cols, 5 * 34 + 2);  // 5 steps of 32 px with 2 px padding
  EXPECT_EQ(grid.rows, 3 * 34 + 2);  // 3 walks
  // --interpolate draws its own noise: with --noise (here an existing file, so that only the exclusion can fail it)
  // it is refused, naming both, and draws nothing.
  const CliRun both = dcgan("sample --ckpt " + run + "/g.pt --interpolate 5 --noise " + run + "/g.pt" +
                            " --out " + (dir / "both.png"));
  EXPECT_NE(both.status, 0);
  EXPECT_NE(both.err.find("--noise excludes --interpolate"), std::string::npos) << both.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "both.png"));
}

// Evaluation during training: SWD of G and its EMA in metrics.csv at eval steps, g-best.pt, swd.png; --ema.
TEST(Cli, EvaluationKeepsTheBestGeneratorAndTheAverageIsSampled) {
  test::ScratchDir dir;
  const CliRun r = dcgan("train --config configs/tiny.yaml --set output.eval_every=6 --set output.eval_images=64 "
                         "--set output.dir=" + (dir / "run"));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = lines_of(dir / "run/metrics.csv");
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0], "step,epoch,loss_d,loss_g,d_x,d_g_z1,d_g_z2,swd,swd_ema,r_t,d_train,d_holdout,augment_p,images_per_s");
  int evaluated = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const bool eval_row = rows[i].rfind("6,", 0) == 0 || rows[i].rfind("12,", 0) == 0;
    // swd and swd_ema (columns 8 and 9) filled at the evaluation steps only.
    const auto cells = test::csv_cells(rows[i]);
    ASSERT_EQ(cells.size(), 14u) << rows[i];
    EXPECT_EQ(!cells[7].empty() && !cells[8].empty(), eval_row) << rows[i];
    evaluated += eval_row;
  }
  EXPECT_EQ(evaluated, 2);
  EXPECT_TRUE(fs::exists(dir / "run/g-best.pt"));
  EXPECT_TRUE(fs::exists(dir / "run/swd.png"));
  EXPECT_TRUE(fs::exists(dir / "run/samples/ema/step-000012.png"));
  EXPECT_NE(r.out.find("eval at step 6: SWD x1e3 of G"), std::string::npos) << r.out;
  const CliRun ema = dcgan("sample --ckpt " + (dir / "run/g-best.pt") + " --ema -n 4 --out " + (dir / "ema.png"));
  EXPECT_EQ(ema.status, 0) << ema.err;
  const CliRun none = dcgan("train --config configs/tiny.yaml --set train.ema_decay=0 --set train.steps=2 "
                            "--set output.dir=" + (dir / "plain"));
  ASSERT_EQ(none.status, 0) << none.err;
  const CliRun refused = dcgan("sample --ckpt " + (dir / "plain/g.pt") + " --ema --out " + (dir / "x.png"));
  EXPECT_NE(refused.status, 0);
  EXPECT_EQ(count_lines(refused.err), 1) << refused.err;
  EXPECT_NE(refused.err.find("holds no moving average"), std::string::npos) << refused.err;
}

// The device-resident data path (here resident in CPU memory) feeds the same batches as the Loader.
TEST(Cli, ResidentDataTrainsExactlyAsTheLoader) {
  test::ScratchDir dir;
  const std::string set = " --set train.threads=2 --set output.dir=";
  ASSERT_EQ(dcgan("train --config configs/tiny.yaml --set train.data_on_device=false" + set + (dir / "a")).status, 0);
  const CliRun b = dcgan("train --config configs/tiny.yaml --set train.data_on_device=true" + set + (dir / "b"));
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_NE(b.out.find("resident on cpu"), std::string::npos) << b.out;
  EXPECT_EQ(metrics_without_timing(dir / "a/metrics.csv"), metrics_without_timing(dir / "b/metrics.csv"));
}

TEST(Cli, MissingDataPathIsOneLineAndWritesNothing) {
  test::ScratchDir dir;
  const CliRun r = dcgan("train --config configs/tiny.yaml --set data.path=/no/such/file.gz --set output.dir=" +
                      (dir / "run"));
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.err, "dcgan: error: data.path /no/such/file.gz: no such file or directory. Point data.path at your "
                   "data: --set data.path=PATH (an image folder, an idx file, CIFAR-10 batches or a cache)\n");
  EXPECT_FALSE(fs::exists(dir / "run"));
}

TEST(Cli, MissingConfigFileIsAnError) {
  const CliRun r = dcgan("train --config /no/such/config.yaml");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("/no/such/config.yaml"), std::string::npos) << r.err;
  EXPECT_LE(count_lines(r.err), 2);  // CLI11's message plus its "CliRun with --help" hint
}

TEST(Cli, BadSettingsNameTheKey) {
  const CliRun unknown = dcgan("train --config configs/tiny.yaml --set train.learning_rate=1");
  EXPECT_NE(unknown.status, 0);
  EXPECT_NE(unknown.err.find("train.learning_rate: unknown key"), std::string::npos) << unknown.err;
  EXPECT_EQ(count_lines(unknown.err), 1);
  const CliRun bad = dcgan("train --config configs/tiny.yaml --set data.image_size=48");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("data.image_size: must be 32, 64 or 128, got 48"), std::string::npos) << bad.err;
}

// bf16 on a CPU that oneDNN may not run natively in bf16 (here capped by oneDNN's own ISA variable, as a user would
// cap it): one line naming what is missing, a non-zero exit, nothing written; auto falls back to fp32 and says so.
TEST(Cli, CpuBf16WithoutNativeBf16IsRefusedAndAutoFallsBackToFp32) {
  struct CapOneDnn {  // the variable for the child processes of this test only
    CapOneDnn() { ::setenv("ONEDNN_MAX_CPU_ISA", "AVX2", 1); }
    ~CapOneDnn() { ::unsetenv("ONEDNN_MAX_CPU_ISA"); }
  } cap;
  test::ScratchDir dir;
  const CliRun r = dcgan("train --config configs/tiny.yaml --set train.precision=bf16 --set output.dir=" +
                         (dir / "run"));
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("train.precision: bf16 on the CPU needs AVX512_BF16 or AMX-BF16, and this CPU has"),
            std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "run"));
  const CliRun a = dcgan("train --config configs/tiny.yaml --set train.precision=auto --set train.steps=1 "
                         "--set output.dir=" + (dir / "auto"));
  EXPECT_EQ(a.status, 0) << a.err;
  EXPECT_NE(a.out.find("(native bf16: no)"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("speed settings: precision fp32"), std::string::npos) << a.out;
}

#if DCGAN_PLAIN_SAMPLE
// `dcgan sample` on the CPU runs without LibTorch; dcgan-torch (what `dcgan` execs otherwise) draws the same images.
// A CUDA build sends `--device auto` (the default) to LibTorch, which may find a card; `--device cpu` stays plain.
TEST(Cli, SampleWithoutLibTorchDrawsWhatTheLibTorchPathDraws) {
  test::ScratchDir dir;
  const std::string run = test::shared_tiny_run();
  const std::string plain_note = "LibTorch not loaded";
  const CliRun by_default = dcgan("sample --ckpt " + run + "/g.pt -n 4 --out " + (dir / "default.png"));
  ASSERT_EQ(by_default.status, 0) << by_default.err;
  EXPECT_EQ(by_default.out.find(plain_note) == std::string::npos, static_cast<bool>(DCGAN_WITH_CUDA)) << by_default.out;
  for (const std::string flags : {"-n 24 --seed 5 --device cpu", "-n 7 --nrow 3 --ema --device cpu"}) {
    SCOPED_TRACE(flags);
    const std::string args = "sample --ckpt " + run + "/g.pt " + flags + " --out ";
    const CliRun plain = dcgan(args + (dir / "plain.png"));
    ASSERT_EQ(plain.status, 0) << plain.err;
    EXPECT_NE(plain.out.find(plain_note), std::string::npos) << plain.out;
    const CliRun torch_path = test::dcgan_cli(args + (dir / "torch.png"), test::torch_binary());
    ASSERT_EQ(torch_path.status, 0) << torch_path.err;
    EXPECT_EQ(torch_path.out.find(plain_note), std::string::npos) << torch_path.out;
    const cv::Mat a = cv::imread(dir / "plain.png", cv::IMREAD_UNCHANGED);
    const cv::Mat b = cv::imread(dir / "torch.png", cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(a.empty());
    ASSERT_EQ(a.size(), b.size());
    ASSERT_EQ(a.channels(), b.channels());
    // Float rounding (noise to ~2e-6, sgemm against oneDNN) can move a pixel across a rounding boundary, no further.
    EXPECT_LE(cv::norm(a, b, cv::NORM_INF), 1);
    cv::Mat differ;
    cv::compare(a, b, differ, cv::CMP_NE);
    EXPECT_LE(cv::countNonZero(differ.reshape(1)), static_cast<int>(a.total() * a.channels() / 100));
  }
  // What the plain path does not do runs through LibTorch, and DCGAN_PLAIN_SAMPLE=0 asks for LibTorch.
  const CliRun tensor = dcgan("sample --ckpt " + run + "/g.pt -n 4 --save-tensor " + (dir / "x.pth"));
  ASSERT_EQ(tensor.status, 0) << tensor.err;
  EXPECT_EQ(tensor.out.find(plain_note), std::string::npos) << tensor.out;
  ::setenv("DCGAN_PLAIN_SAMPLE", "0", 1);
  const CliRun forced = dcgan("sample --ckpt " + run + "/g.pt -n 4 --out " + (dir / "f.png"));
  ::unsetenv("DCGAN_PLAIN_SAMPLE");
  ASSERT_EQ(forced.status, 0) << forced.err;
  EXPECT_EQ(forced.out.find(plain_note), std::string::npos) << forced.out;
  EXPECT_TRUE(fs::is_regular_file(dir / "f.png"));
}
#endif

TEST(Cli, CorruptCheckpointIsOneLineError) {
  test::ScratchDir dir;
  std::ofstream(dir / "g.pt") << "garbage";
  const CliRun r = dcgan("sample --ckpt " + (dir / "g.pt") + " --out " + (dir / "x.png"));
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("g.pt: not a readable checkpoint"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "x.png"));
}

TEST(Cli, VersionAndHelp) {
  const CliRun v = dcgan("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.out.find("LibTorch "), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("CUDA available: "), std::string::npos) << v.out;
  EXPECT_NE(v.out.find(DCGAN_WITH_CUDA ? ", CUDA build," : ", CPU build,"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("CPU features: "), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("native bf16: "), std::string::npos) << v.out;

  const CliRun top = dcgan("--help");
  EXPECT_EQ(top.status, 0);
  EXPECT_NE(top.out.find("train"), std::string::npos);
  EXPECT_NE(top.out.find("sample"), std::string::npos);

  const CliRun train = dcgan("train --help");
  EXPECT_EQ(train.status, 0);
  // "  <key><spaces><default>": the real defaults of the Config struct.
  const std::regex lr(R"(\n  train\.lr +0\.0002 )"), batch(R"(\n  train\.batch_size +128 )");
  EXPECT_TRUE(std::regex_search(train.out, lr)) << train.out;
  EXPECT_TRUE(std::regex_search(train.out, batch)) << train.out;

  const CliRun sample = dcgan("sample --help");
  EXPECT_EQ(sample.status, 0);
  EXPECT_NE(sample.out.find("eval mode"), std::string::npos) << sample.out;
  // -n's default shown on its line: "=64" in CLI11 2.3, "[64]" in 2.4.
  EXPECT_TRUE(std::regex_search(sample.out, std::regex(R"(-n,\s*--num[^\n]*(=64\b|\[64\]))"))) << sample.out;

  EXPECT_NE(dcgan("").status, 0);  // a subcommand is required
  // -n out of range with a generator that loads, so that only the range can fail it.
  test::ScratchDir dir;
  const std::string g = test::shared_tiny_run() + "/g.pt";
  const CliRun zero = dcgan("sample -n 0 --ckpt " + g + " --out " + (dir / "zero.png"));
  EXPECT_NE(zero.status, 0);
  // The option, the value and the range on one line ("1 to 4096" in CLI11 2.3, "[1 - 4096]" in 2.4).
  EXPECT_TRUE(std::regex_search(zero.err, std::regex(R"(--num[^\n]*\b0\b[^\n]*not in range[^\n]*\b1\b[^\n]*\b4096\b)")))
      << zero.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "zero.png"));
  EXPECT_EQ(dcgan("sample -n 1 --ckpt " + g + " --out " + (dir / "one.png")).status, 0);
}

}  // namespace
}  // namespace dcgan
