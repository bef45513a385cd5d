// End-to-end interop with Python: dcgan's export in the tutorial's Generator, and a Python state dict in dcgan,
// from the same noise, within 1e-5 (needs /usr/bin/python3 with torch: Debian's python3-torch, which setup installs).
#include <filesystem>

#include "cli_util.h"

namespace dcgan {
namespace {

using test::CliRun;

// Runs tests/py/interop.py with `args` from the source tree; returns its exit status and output.
CliRun python(const std::string& args) {
  test::ScratchDir capture;
  const std::string cmd = "cd '" + std::string(test::source_dir()) + "' && /usr/bin/python3 tests/py/interop.py " + args +
                          " >'" + (capture / "out") + "' 2>'" + (capture / "err") + "'";
  const int raw = std::system(cmd.c_str());
  CliRun r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  r.out = test::slurp(capture / "out");
  r.err = test::slurp(capture / "err");
  return r;
}

// Python -> C++: interop.py make-state writes a random tutorial G's state dict (`args`: NZ NGF NC SEED [CLASSES])
// and its output on dir/noise.pt; dcgan sample of that state dict on the same noise must match it within 1e-5.
void expect_python_state_samples_alike(const test::ScratchDir& dir, const std::string& args) {
  ASSERT_EQ(python("make-state " + (dir / "py_g.pth") + " " + (dir / "noise.pt") + " " + (dir / "py_out.pt") + " " +
                   args)
                .status,
            0);
  const CliRun back = test::dcgan_cli("sample --ckpt " + (dir / "py_g.pth") + " --noise " + (dir / "noise.pt") +
                                      " --save-tensor " + (dir / "cpp2.pt"));
  ASSERT_EQ(back.status, 0) << back.err;
  const CliRun same = python("compare " + (dir / "py_out.pt") + " " + (dir / "cpp2.pt"));
  EXPECT_EQ(same.status, 0) << same.out << same.err;
}

bool python_has_torch() { return std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0; }

TEST(CliInterop, ExportLoadsInTheTutorialsGeneratorAndPythonStateDictsLoadHere) {
  if (!python_has_torch()) GTEST_SKIP() << "/usr/bin/python3 cannot import torch (apt-get install python3-torch)";
  test::ScratchDir dir;
  const std::string nz = "16", ngf = "8", nc = "3";
  const CliRun train = test::dcgan_cli(
      "train --set data.format=synthetic --set data.synthetic_count=64 --set data.image_size=64 --set data.channels=3 "
      "--set model.nz=" + nz + " --set model.ngf=" + ngf + " --set model.ndf=8 --set train.batch_size=8 "
      "--set train.steps=3 --set train.device=cpu --set train.threads=2 --set output.dir=" + (dir / "run"));
  ASSERT_EQ(train.status, 0) << train.err;

  // C++ -> Python.
  const CliRun exp = test::dcgan_cli("export --ckpt " + (dir / "run/g.pt") + " --out " + (dir / "g.pth"));
  ASSERT_EQ(exp.status, 0) << exp.err;
  ASSERT_EQ(python("make-noise " + (dir / "noise.pt") + " " + nz + " 8 7").status, 0);
  // Run in `dir`: without --out, --save-tensor writes the tensor only, no samples.png in the working directory.
  const CliRun cpp = test::dcgan_cli("sample --ckpt " + (dir / "run/g.pt") + " --noise " + (dir / "noise.pt") +
                                         " --save-tensor " + (dir / "cpp.pt"),
                                     test::dcgan_binary(), dir.str());
  ASSERT_EQ(cpp.status, 0) << cpp.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "cpp.pt"));
  EXPECT_FALSE(std::filesystem::exists(dir / "samples.png"));
  const CliRun check = python("check-export " + (dir / "g.pth") + " " + (dir / "noise.pt") + " " + (dir / "cpp.pt") +
                              " " + nz + " " + ngf + " " + nc);
  EXPECT_EQ(check.status, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("shape (8, 3, 64, 64)"), std::string::npos) << check.out;

  // Python -> C++.
  expect_python_state_samples_alike(dir, nz + " " + ngf + " " + nc + " 3");

  // info on both kinds of file.
  const CliRun info_py = test::dcgan_cli("info " + (dir / "py_g.pth"));
  EXPECT_EQ(info_py.status, 0) << info_py.err;
  EXPECT_NE(info_py.out.find("kind: state_dict"), std::string::npos) << info_py.out;
  EXPECT_NE(info_py.out.find("64x64, 3 channel(s), nz 16, ngf 8"), std::string::npos) << info_py.out;
  const CliRun info_run = test::dcgan_cli("info " + (dir / "run/g.pt"));
  EXPECT_NE(info_run.out.find("step: 3"), std::string::npos) << info_run.out;
  EXPECT_NE(info_run.out.find("ema: present (moving average, half-life 10000 images, ramp-up 0.05; BatchNorm "
                              "statistics from 4096 noise vectors)"),
            std::string::npos)
      << info_run.out;
}

// A class-conditional G both ways: dcgan's export in the Python class of the README (strict), a Python state dict
// here, on the same noise and classes (image i of class i % 10), within 1e-5.
TEST(CliInterop, ConditionalGeneratorBothWaysOnTheSameNoiseAndClasses) {
  if (!python_has_torch()) GTEST_SKIP() << "/usr/bin/python3 cannot import torch (apt-get install python3-torch)";
  test::ScratchDir dir;
  const CliRun train = test::dcgan_cli(
      "train --config configs/tiny.yaml --set data.image_size=64 --set model.num_classes=auto --set train.steps=3 "
      "--set train.device=cpu --set output.dir=" + (dir / "run"));
  ASSERT_EQ(train.status, 0) << train.err;
  ASSERT_EQ(test::dcgan_cli("export --ckpt " + (dir / "run/g.pt") + " --out " + (dir / "g.pth")).status, 0);
  ASSERT_EQ(python("make-noise " + (dir / "noise.pt") + " 16 12 5").status, 0);
  const CliRun cpp = test::dcgan_cli("sample --ckpt " + (dir / "run/g.pt") + " --noise " + (dir / "noise.pt") +
                                     " --save-tensor " + (dir / "cpp.pt"));
  ASSERT_EQ(cpp.status, 0) << cpp.err;
  const CliRun check = python("check-export " + (dir / "g.pth") + " " + (dir / "noise.pt") + " " + (dir / "cpp.pt") +
                              " 16 8 1 10");
  EXPECT_EQ(check.status, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("shape (12, 1, 64, 64)"), std::string::npos) << check.out;
  expect_python_state_samples_alike(dir, "16 8 1 3 10");
}

// FID and KID on the features of a TorchScript extractor the user supplies (here a tiny one scripted in Python).
TEST(CliInterop, EvalWithAUserFeatureExtractor) {
  if (!python_has_torch()) GTEST_SKIP() << "/usr/bin/python3 cannot import torch (apt-get install python3-torch)";
  test::ScratchDir dir;
  ASSERT_EQ(python("make-features " + (dir / "features.pt")).status, 0);
  const std::string run = test::shared_tiny_run();
  const CliRun r = test::dcgan_cli("eval --ckpt " + run + "/g.pt --data configs/tiny.yaml -n 64 --features " +
                                   (dir / "features.pt"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("features=16 fid="), std::string::npos) << r.out;  // 1 channel x 4 x 4
  EXPECT_NE(r.out.find(" kid="), std::string::npos) << r.out;
  const CliRun bad = test::dcgan_cli("eval --ckpt " + run + "/g.pt --data configs/tiny.yaml -n 64 --features " + run +
                                     "/config.yaml");
  EXPECT_NE(bad.status, 0);
  EXPECT_EQ(test::count_lines(bad.err), 1) << bad.err;
  EXPECT_NE(bad.err.find("cannot load as a TorchScript module"), std::string::npos) << bad.err;
}

TEST(CliInterop, BadNoiseIsOneLineNamingTheFile) {
  test::ScratchDir dir;
  const std::string g = test::shared_tiny_run() + "/g.pt";
  // A state dict where a noise tensor belongs, and a noise of the wrong latent size.
  const CliRun wrong = test::dcgan_cli("sample --ckpt " + g + " --noise " +
                                       test::source_path("tests/data/python/state_dict.pth") + " --save-tensor " +
                                       (dir / "x.pt"));
  EXPECT_NE(wrong.status, 0);
  EXPECT_EQ(test::count_lines(wrong.err), 1) << wrong.err;
  EXPECT_NE(wrong.err.find("state_dict.pth: holds a state dict"), std::string::npos) << wrong.err;
  const CliRun shape = test::dcgan_cli("sample --ckpt " + g + " --noise " +
                                       test::source_path("tests/data/python/tensor.pt") + " --save-tensor " +
                                       (dir / "x.pt"));
  EXPECT_NE(shape.err.find("expected [n, 16, 1, 1]"), std::string::npos) << shape.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.pt"));
}

}  // namespace
}  // namespace dcgan
