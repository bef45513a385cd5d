// Tests of the LibTorch-free sample path's parts against LibTorch itself: torch.randn's CPU stream, and the plain
// generator's forward against Generator in eval mode, read from g.pt, checkpoints and Python state dicts.
#include "dcgan/plain/plain_generator.h"

#include "dcgan/plain/archive_check.h"
#include "dcgan/io/checkpoint.h"
#include "dcgan/io/interop.h"
#include "dcgan/plain/pickle.h"
#include "dcgan/io/pth.h"
#include "dcgan/runtime/runtime.h"
#include "dcgan/plain/torch_random.h"
#include "dcgan/train/trainer.h"

#include <fstream>
#include <iterator>

#include "test_util.h"

namespace dcgan {
namespace {

TEST(TorchRandom, MatchesTorchRandnOnTheCpu) {
  for (const uint64_t seed : {999ull, 0ull, 1ull, (1ull << 40) + 7})
    for (const int64_t n : {16, 100, 1605, 6400, 6401}) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " n " + std::to_string(n));
      torch::manual_seed(seed);
      const torch::Tensor expected = torch::randn({n});
      const std::vector<float> got = torch_cpu_randn(seed, n);
      ASSERT_EQ(static_cast<int64_t>(got.size()), n);
      const torch::Tensor diff = (torch::from_blob(const_cast<float*>(got.data()), {n}) - expected).abs();
      EXPECT_LT(diff.max().item<float>(), 1e-5);
      EXPECT_LT(diff.mean().item<float>(), 1e-6);
    }
  EXPECT_THROW(torch_cpu_randn(1, 15), std::invalid_argument);
}

class PlainGeneratorTest : public test::Seeded {
 protected:
  // A generator with BatchNorm statistics and affine parameters away from their initial values, in eval mode.
  static Generator trained_looking(const GeneratorOptions& options) {
    Generator g(options);
    move_off_init(g);
    return g;
  }
  static void move_off_init(Generator& g) {
    torch::NoGradGuard no_grad;
    for (auto& b : g->named_buffers()) {
      if (b.key().find("running_mean") != std::string::npos) b.value().normal_(0, 0.5);
      if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
    }
    for (auto& p : g->named_parameters())
      if (p.key().find(".1.") != std::string::npos || p.key().find(".4.") != std::string::npos) p.value().add_(0.1);
    g->eval();
  }
  static void expect_same_forward(Generator& g, const PlainGenerator& plain, int64_t n) {
    const torch::Tensor z = torch::randn({n, g->options.nz(), 1, 1});
    torch::Tensor expected;
    {
      torch::NoGradGuard no_grad;
      expected = g->forward(z);
    }
    const std::vector<float> got = plain.forward(z.contiguous().data_ptr<float>(), n);
    ASSERT_EQ(static_cast<int64_t>(got.size()), expected.numel());
    const torch::Tensor diff = (torch::from_blob(const_cast<float*>(got.data()), expected.sizes()) - expected).abs();
    EXPECT_LT(diff.max().item<float>(), 2e-5) << "mean difference " << diff.mean().item<float>();
  }
  test::ScratchDir dir;
};

TEST_F(PlainGeneratorTest, MatchesGeneratorInEvalModeFromGpt) {
  for (const auto& [size, channels, ngf] : {std::tuple{32, 1, 8}, std::tuple{64, 3, 16}, std::tuple{128, 3, 4}}) {
    SCOPED_TRACE("size " + std::to_string(size));
    Config config = test::small_config(size, channels, 20, ngf);
    Generator g = trained_looking(GeneratorOptions().nz(20).ngf(ngf).channels(channels).image_size(size));
    Generator ema = trained_looking(g->options);
    save_generator(dir / "g.pt", g, config, {7, 1}, &ema);
    const PlainGenerator plain = PlainGenerator::load(dir / "g.pt", false);
    EXPECT_EQ(plain.nz(), 20);
    EXPECT_EQ(plain.channels(), channels);
    EXPECT_EQ(plain.image_size(), size);
    EXPECT_EQ(plain.step(), 7);
    expect_same_forward(g, plain, size == 32 ? 70 : 5);  // 70: more than one pass of 64 images
    expect_same_forward(ema, PlainGenerator::load(dir / "g.pt", true), 3);
  }
}

TEST_F(PlainGeneratorTest, TheTutorialNetworkFromAFullCheckpointAndAStateDict) {
  const Config config = test::small_config(64, 3, 100, 64);  // the tutorial's nz, ngf, 64x64 RGB
  Trainer trainer(config, torch::kCPU);
  Generator& g = trainer.generator();
  move_off_init(g);
  save_checkpoint(dir / "step.pt", trainer, config, {3, 0}, torch::randn({4, 100, 1, 1}), capture_rng());
  expect_same_forward(g, PlainGenerator::load(dir / "step.pt", false), 4);

  save_state_dict(dir / "g.pth", generator_state_dict(g));  // as Python's torch.save(netG.state_dict())
  const PlainGenerator from_python = PlainGenerator::load(dir / "g.pth", false);
  EXPECT_EQ(from_python.step(), 0);
  expect_same_forward(g, from_python, 2);
}

TEST_F(PlainGeneratorTest, LeavesToLibTorchWhatItDoesNotHandle) {
  const Config config = test::small_config(32, 1, 20, 4);
  Generator g(GeneratorOptions().nz(20).ngf(4).channels(1).image_size(32));
  save_generator(dir / "g.pt", g, config, {0, 0});
  EXPECT_NE(test::message_of<PlainUnsupported>([&] { PlainGenerator::load(dir / "g.pt", true); }), "");  // no EMA

  StateDict sd = generator_state_dict(g);
  sd.emplace_back("extra", torch::zeros({1}));
  save_state_dict(dir / "extra.pth", sd);  // load_state_dict(strict=True) refuses it: so does LibTorch's path
  EXPECT_NE(test::message_of<PlainUnsupported>([&] { PlainGenerator::load(dir / "extra.pth", false); }), "");

  sd = generator_state_dict(g);
  for (auto& [name, t] : sd) t = t.to(torch::kDouble);
  save_state_dict(dir / "double.pth", sd);
  EXPECT_NE(test::message_of<PlainUnsupported>([&] { PlainGenerator::load(dir / "double.pth", false); })
                .find("not float32"),
            std::string::npos);

  save_tensor(dir / "z.pth", torch::zeros({2, 20}));
  EXPECT_NE(test::message_of<PlainUnsupported>([&] { PlainGenerator::load(dir / "z.pth", false); }), "");
}

TEST_F(PlainGeneratorTest, DamagedBytesAreRefused) {
  const Config config = test::small_config(32, 1, 20, 4);
  Generator g(GeneratorOptions().nz(20).ngf(4).channels(1).image_size(32));
  save_generator(dir / "g.pt", g, config, {0, 0});
  std::ifstream in(dir / "g.pt", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const auto weights = bytes.find("archive/data/0");  // the first weight record's local header
  ASSERT_NE(weights, std::string::npos);
  bytes[weights + 1000] ^= 0x40;  // inside that record's 20 KiB of data (its header and padding are < 100 bytes)
  std::ofstream(dir / "bad.pt", std::ios::binary) << bytes;
  EXPECT_NE(test::message_of<ArchiveError>([&] { PlainGenerator::load(dir / "bad.pt", false); }).find("CRC mismatch"),
            std::string::npos);
  std::ofstream(dir / "short.pt", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THROW(PlainGenerator::load(dir / "short.pt", false), ArchiveError);
}

TEST(PlainGeneratorFormat, ReadsTheCheckpointFormatThisBuildWrites) {
  EXPECT_EQ(kPlainCheckpointFormat, kCheckpointFormat);
}

}  // namespace
}  // namespace dcgan
