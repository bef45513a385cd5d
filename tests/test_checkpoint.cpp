// Tests of checkpoints: g.pt and full checkpoint round trips, and clear errors for bad files.
#include "dcgan/io/checkpoint.h"

#include "dcgan/train/trainer.h"

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace dcgan {
namespace {

class CheckpointTest : public test::Seeded {
 protected:
  Config config = test::small_config(32, 1, 12, 4);
  test::ScratchDir dir;
};

std::string message_of(const std::string& path) {
  try {
    load_generator(path);
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "";
}

TEST_F(CheckpointTest, GeneratorRoundTripGivesIdenticalOutputs) {
  Trainer t(config, torch::kCPU);
  for (int i = 0; i < 2; ++i) t.step(torch::rand({4, 1, 32, 32}) * 2 - 1);  // moves BN running stats off the init
  save_generator(dir / "g.pt", t.generator(), config, {2, 0});
  LoadedGenerator loaded = load_generator(dir / "g.pt");
  EXPECT_EQ(loaded.kind, "generator");
  EXPECT_EQ(loaded.at.step, 2);
  EXPECT_EQ(loaded.config.model.nz, 12);
  const auto z = torch::randn({5, 12, 1, 1});
  torch::NoGradGuard no_grad;
  t.generator()->eval();
  EXPECT_TRUE(torch::equal(t.generator()->forward(z), loaded.generator->forward(z)));
}

TEST_F(CheckpointTest, FullCheckpointServesTheGenerator) {
  Trainer t(config, torch::kCPU);
  t.step(torch::rand({4, 1, 32, 32}) * 2 - 1);
  const auto noise = torch::randn({64, 12, 1, 1});
  save_checkpoint(dir / "ckpt.pt", t, config, {1, 0}, noise, capture_rng());
  LoadedGenerator loaded = load_generator(dir / "ckpt.pt");
  EXPECT_EQ(loaded.kind, "checkpoint");
  torch::NoGradGuard no_grad;
  t.generator()->eval();
  EXPECT_TRUE(torch::equal(t.generator()->forward(noise), loaded.generator->forward(noise)));
}

TEST_F(CheckpointTest, FullCheckpointRestoresEveryStateExactly) {
  Trainer a(config, torch::kCPU);
  const auto real = torch::rand({4, 1, 32, 32}) * 2 - 1;
  for (int i = 0; i < 3; ++i) a.step(real);
  const auto noise = torch::randn({64, 12, 1, 1});
  const RngState rng = capture_rng();
  save_checkpoint(dir / "ckpt.pt", a, config, {3, 1}, noise, rng, BestEval{12.5, 2});

  torch::manual_seed(99);  // a different init: everything must come from the file
  Trainer b(config, torch::kCPU);
  const LoadedCheckpoint loaded = load_checkpoint(dir / "ckpt.pt", b);
  EXPECT_EQ(loaded.at.step, 3);
  EXPECT_EQ(loaded.at.epoch, 1);
  EXPECT_TRUE(torch::equal(loaded.fixed_noise, noise));
  EXPECT_TRUE(torch::equal(loaded.rng.cpu, rng.cpu));
  EXPECT_EQ(loaded.best.swd, 12.5);
  EXPECT_EQ(loaded.best.step, 2);
  ASSERT_TRUE(loaded.had_ema);
  const auto ea = a.ema()->named_parameters(), eb = b.ema()->named_parameters();
  for (const auto& kv : ea) EXPECT_TRUE(torch::equal(kv.value(), eb[kv.key()])) << "ema " << kv.key();
  // The next step from both is identical: weights, BN buffers, Adam moments and step counts all came back.
  torch::manual_seed(5);
  const StepStats sa = a.step(real);
  torch::manual_seed(5);
  const StepStats sb = b.step(real);
  EXPECT_EQ(sa.loss_g.item<double>(), sb.loss_g.item<double>());
  const auto pa = a.generator()->named_parameters(), pb = b.generator()->named_parameters();
  for (const auto& kv : pa) EXPECT_TRUE(torch::equal(kv.value(), pb[kv.key()])) << kv.key();
  const auto ba = a.discriminator()->named_buffers(), bb = b.discriminator()->named_buffers();
  for (const auto& kv : ba) EXPECT_TRUE(torch::equal(kv.value(), bb[kv.key()])) << kv.key();
}

TEST_F(CheckpointTest, AFileWithoutTheAverageStartsItFromG) {
  Config plain = config;
  plain.train.ema_decay = "0";
  Trainer a(plain, torch::kCPU);
  a.step(torch::rand({4, 1, 32, 32}) * 2 - 1);
  save_checkpoint(dir / "ckpt.pt", a, plain, {1, 0}, torch::randn({64, 12, 1, 1}), capture_rng());
  save_generator(dir / "g.pt", a.generator(), plain, {1, 0});
  Trainer b(config, torch::kCPU);  // with the average
  const LoadedCheckpoint loaded = load_checkpoint(dir / "ckpt.pt", b);
  EXPECT_FALSE(loaded.had_ema);
  EXPECT_EQ(loaded.best.step, -1);
  const auto g = b.generator()->named_parameters(), e = b.ema()->named_parameters();
  for (const auto& kv : g) EXPECT_TRUE(torch::equal(kv.value(), e[kv.key()])) << kv.key();
  LoadedGenerator gen = load_generator(dir / "g.pt");
  EXPECT_TRUE(gen.ema.is_empty());
  const std::string m = test::message_of<CheckpointError>([&] { choose_generator(gen, true, "g.pt"); });
  EXPECT_NE(m.find("g.pt: holds no moving average of G"), std::string::npos) << m;
}

TEST_F(CheckpointTest, ResumeNeedsAFullCheckpoint) {
  Trainer t(config, torch::kCPU);
  save_generator(dir / "g.pt", t.generator(), config, {0, 0});
  try {
    load_checkpoint(dir / "g.pt", t);
    ADD_FAILURE() << "expected CheckpointError";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("resume needs a full checkpoint"), std::string::npos);
  }
}

TEST_F(CheckpointTest, PublishKeepsTheNewestAndLinksLatest) {
  Trainer t(config, torch::kCPU);
  const std::string run = dir / "run";
  std::filesystem::create_directories(run + "/checkpoints");
  for (int64_t step : {10, 20, 30, 40, 50}) {
    save_checkpoint(checkpoint_path(run, step), t, config, {step, 0}, torch::zeros({1}), capture_rng());
    publish_checkpoint(run, step, 3);
  }
  EXPECT_FALSE(std::filesystem::exists(checkpoint_path(run, 20)));
  for (int64_t step : {30, 40, 50}) EXPECT_TRUE(std::filesystem::exists(checkpoint_path(run, step))) << step;
  EXPECT_EQ(std::filesystem::canonical(find_checkpoint(run)), std::filesystem::canonical(checkpoint_path(run, 50)));
  EXPECT_EQ(load_generator(find_checkpoint(run)).at.step, 50);
  EXPECT_THROW(find_checkpoint(dir / "nothing-here"), CheckpointError);
}

TEST_F(CheckpointTest, BadFilesGiveOneClearError) {
  EXPECT_NE(message_of(dir / "missing.pt").find("missing.pt: no such file"), std::string::npos);

  std::ofstream(dir / "random.pt") << "this is not a checkpoint at all";
  EXPECT_NE(message_of(dir / "random.pt").find("random.pt: not a readable checkpoint"), std::string::npos);

  Trainer t(config, torch::kCPU);
  save_generator(dir / "g.pt", t.generator(), config, {0, 0});
  std::ifstream in(dir / "g.pt", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir / "truncated.pt", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const std::string truncated = message_of(dir / "truncated.pt");
  EXPECT_NE(truncated.find("truncated.pt: "), std::string::npos);
  EXPECT_EQ(truncated.find('\n'), std::string::npos);
}

TEST_F(CheckpointTest, ArchiveWithoutDcganHeaderIsRejected) {
  torch::serialize::OutputArchive archive;
  archive.write("weights", torch::ones({2}));
  archive.save_to(dir / "foreign.pt");
  EXPECT_NE(message_of(dir / "foreign.pt").find("not a dcgan g.pt or checkpoint"), std::string::npos);
}

}  // namespace
}  // namespace dcgan
