// Tests of Trainer: which weights each half of the step changes, and that a step trains.
#include "dcgan/train/trainer.h"

#include "dcgan/config/config.h"

#include "test_util.h"

#include <cmath>

namespace dcgan {
namespace {

using test::snapshot;
bool same(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) { return test::same_tensors(a, b); }

int64_t adam_steps(torch::optim::Adam& opt) {
  int64_t steps = 0;
  for (const auto& kv : opt.state())
    steps = std::max(steps, static_cast<torch::optim::AdamParamState&>(*kv.second).step());
  return steps;
}

class TrainerTest : public test::Seeded {
 protected:
  Config config = test::small_config(32, 3, 8, 4);
  torch::Tensor real_batch() { return torch::rand({6, 3, 32, 32}) * 2 - 1; }
};

TEST_F(TrainerTest, DUpdateChangesDButNotG) {
  Trainer t(config, torch::kCPU);
  const auto g0 = snapshot(*t.generator()), d0 = snapshot(*t.discriminator());
  StepStats stats;
  const auto fake = t.update_d(real_batch(), torch::randn({6, 8, 1, 1}), stats);
  EXPECT_TRUE(same(g0, snapshot(*t.generator()))) << "detach() must keep D's loss from reaching G";
  EXPECT_FALSE(same(d0, snapshot(*t.discriminator())));
  for (const auto& p : t.generator()->parameters())
    EXPECT_TRUE(!p.grad().defined() || p.grad().abs().sum().item<double>() == 0.0);
  EXPECT_TRUE(fake.requires_grad()) << "the fake batch stays attached for the G update";
  EXPECT_EQ(adam_steps(t.optimizer_d()), 1);
  EXPECT_EQ(adam_steps(t.optimizer_g()), 0);
}

TEST_F(TrainerTest, GUpdateChangesGButNotD) {
  Trainer t(config, torch::kCPU);
  StepStats stats;
  const auto fake = t.update_d(real_batch(), torch::randn({6, 8, 1, 1}), stats);
  const auto g0 = snapshot(*t.generator()), d0 = snapshot(*t.discriminator());
  t.update_g(fake, stats);
  EXPECT_FALSE(same(g0, snapshot(*t.generator())));
  EXPECT_TRUE(same(d0, snapshot(*t.discriminator()))) << "the D optimizer must not step in the G update";
  EXPECT_EQ(adam_steps(t.optimizer_d()), 1);
  EXPECT_EQ(adam_steps(t.optimizer_g()), 1);
}

TEST_F(TrainerTest, StatsAreConsistentProbabilitiesAndLosses) {
  Trainer t(config, torch::kCPU);
  const StepStats s = t.step(real_batch());
  for (const auto* p : {&s.d_x, &s.d_g_z1, &s.d_g_z2}) {
    EXPECT_EQ(p->dim(), 0);
    EXPECT_GT(p->item<double>(), 0.0);
    EXPECT_LT(p->item<double>(), 1.0);
  }
  EXPECT_GT(s.loss_d.item<double>(), 0.0);
  EXPECT_GT(s.loss_g.item<double>(), 0.0);
  // With D's output centred near 0 at init, each BCE term is near log 2.
  EXPECT_NEAR(s.loss_d.item<double>(), 2 * std::log(2.0), 0.5);
}

// r_t's step term and D(x) are what D says of the real batch: a copy of D, taken before each step, in training mode
// on the same batch, gives the same signs and probabilities (values, not ranges).
TEST_F(TrainerTest, RtAndDxAreDsOutputsOnTheRealBatch) {
  Trainer t(config, torch::kCPU);
  t.reset_interval();
  Discriminator copy(t.discriminator()->options);
  copy->train();
  double signs = 0;
  for (int step = 0; step < 3; ++step) {
    {
      torch::NoGradGuard no_grad;
      for (auto& p : copy->named_parameters()) p.value().copy_(t.discriminator()->named_parameters()[p.key()]);
      for (auto& b : copy->named_buffers()) b.value().copy_(t.discriminator()->named_buffers()[b.key()]);
    }
    const torch::Tensor real = real_batch();
    torch::Tensor logits;
    {
      torch::NoGradGuard no_grad;
      logits = copy->forward(real).to(torch::kFloat).flatten();
    }
    const StepStats s = t.step(real);
    EXPECT_DOUBLE_EQ(s.sign_real.item<double>(), torch::sign(logits).mean().item<double>()) << "step " << step;
    EXPECT_NEAR(s.d_x.item<double>(), torch::sigmoid(logits).mean().item<double>(), 1e-5) << "step " << step;
    signs += torch::sign(logits).mean().item<double>();
  }
  EXPECT_NEAR(t.interval().sign_real_sum.item<double>(), signs, 1e-6) << "r_t's sum over the interval";
}

TEST_F(TrainerTest, SameSeedSameTrajectory) {
  auto run = [&] {
    torch::manual_seed(7);
    Trainer t(config, torch::kCPU);
    const auto real = torch::rand({6, 3, 32, 32}) * 2 - 1;
    StepStats s;
    for (int i = 0; i < 3; ++i) s = t.step(real);
    return std::make_pair(s.loss_g.item<double>(), snapshot(*t.generator()));
  };
  const auto a = run(), b = run();
  EXPECT_EQ(a.first, b.first);
  EXPECT_TRUE(same(a.second, b.second));
}

TEST_F(TrainerTest, DLearnsToSeparateAFixedRealBatch) {
  Trainer t(config, torch::kCPU);
  const auto real = real_batch();
  StepStats s = t.step(real);
  const double first = s.d_x.item<double>();
  for (int i = 0; i < 15; ++i) s = t.step(real);
  EXPECT_GT(s.d_x.item<double>(), first);
}

}  // namespace
}  // namespace dcgan

namespace dcgan {
namespace {

class TrainerEmaTest : public test::Seeded {
 protected:
  void SetUp() override {
    Seeded::SetUp();
    real = torch::rand({6, 3, 32, 32}) * 2 - 1;
  }
  Config config = test::small_config(32, 3, 8, 4);
  torch::Tensor real;
};

// train.ema_decay as a number, read from YAML as a config written before the half-life existed holds it (no
// ema_bn_images): the fixed decay, as before. The average's BatchNorm statistics follow ema_bn_images: its default
// recomputes them (standing statistics); ema_bn_images: 0 copies G's, the behaviour before that key.
TEST_F(TrainerEmaTest, TheOldDecayKeyKeepsTheOldWeightUpdate) {
  load_config_yaml(config, "train:\n  ema_decay: 0.5\n", "an old config");
  ASSERT_GT(config.train.ema_bn_images, 0) << "the old file leaves the default";
  {
    Trainer standing(config, torch::kCPU);
    standing.step(real);
    standing.refresh_ema_statistics(1);
    const auto gb = standing.generator()->buffers(), eb = standing.ema()->buffers();
    bool differ = false;
    for (std::size_t i = 0; i < gb.size(); ++i) differ |= !torch::equal(gb[i], eb[i]);
    EXPECT_TRUE(differ) << "ema_bn_images > 0: the average's statistics are its own";
  }
  load_config_yaml(config, "train:\n  ema_decay: 0.5\n  ema_bn_images: 0\n", "an old config, copying G's statistics");
  torch::manual_seed(5);
  Trainer t(config, torch::kCPU);
  ASSERT_TRUE(t.has_ema());
  const auto g0 = snapshot(*t.generator());
  EXPECT_TRUE(same(g0, snapshot(*t.ema())));  // starts as a copy
  torch::manual_seed(7);  // the step's noise
  t.step(real);
  const auto g1 = snapshot(*t.generator()), e1 = snapshot(*t.ema());
  for (std::size_t i = 0; i < g1.size(); ++i)
    EXPECT_TRUE(torch::allclose(e1[i], 0.5 * g0[i] + 0.5 * g1[i], 1e-6, 1e-7)) << "parameter " << i;
  const auto gb = t.generator()->buffers(), eb = t.ema()->buffers();
  for (std::size_t i = 0; i < gb.size(); ++i) EXPECT_TRUE(torch::equal(gb[i], eb[i])) << "buffer " << i;
  t.refresh_ema_statistics(1);  // ema_bn_images 0: nothing to recompute
  for (std::size_t i = 0; i < gb.size(); ++i) EXPECT_TRUE(torch::equal(gb[i], eb[i])) << "buffer " << i;
}

// StyleGAN2-ADA's numbers: beta = 0.5^(B / min(10000, 0.05 n)).
TEST(EmaSchedule, TheWeightOnGFollowsTheHalfLifeAndItsRampUp) {
  const EmaSchedule s = ema_schedule(TrainConfig{});
  ASSERT_TRUE(s.on);
  EXPECT_EQ(s.fixed_decay, -1);
  EXPECT_DOUBLE_EQ(ema_new_weight(s, 0, 128), 1.0);  // the first step: the average becomes G
  EXPECT_NEAR(ema_new_weight(s, 390 * 128, 128), 1 - std::pow(0.5, 128 / (0.05 * 390 * 128)), 1e-15);
  EXPECT_NEAR(ema_new_weight(s, 1e7, 128), 1 - std::pow(0.5, 128 / 1e4), 1e-15);  // ramp-up over: 10k images
  TrainConfig fixed;
  fixed.ema_decay = "0.999";
  EXPECT_DOUBLE_EQ(ema_new_weight(ema_schedule(fixed), 1e6, 128), 1 - 0.999);
  TrainConfig no_rampup;
  no_rampup.ema_rampup = 0;
  EXPECT_NEAR(ema_new_weight(ema_schedule(no_rampup), 0, 128), 1 - std::pow(0.5, 128 / 1e4), 1e-15);
  TrainConfig off;
  off.ema_halflife_images = 0;
  EXPECT_FALSE(ema_schedule(off).on);
  off = TrainConfig{};
  off.ema_decay = "0";
  EXPECT_FALSE(ema_schedule(off).on);
}

// The trainer's device-side update takes exactly ema_new_weight's share of G at each step.
TEST_F(TrainerEmaTest, TheUpdateTakesTheScheduledShareOfG) {
  torch::manual_seed(5);
  Trainer t(config, torch::kCPU);
  const EmaSchedule s = ema_schedule(config.train);
  t.step(real);  // the first step: 0 images seen, weight 1
  EXPECT_TRUE(same(snapshot(*t.generator()), snapshot(*t.ema())));
  for (const double seen : {6.0 * 1000, 6.0 * 100000}) {
    t.set_ema_position(seen, 6);
    const auto e0 = snapshot(*t.ema());
    t.step(real);
    const auto g1 = snapshot(*t.generator()), e1 = snapshot(*t.ema());
    const double w = ema_new_weight(s, seen, 6);
    EXPECT_GT(w, 0.0);
    EXPECT_LT(w, 0.05);
    for (std::size_t i = 0; i < g1.size(); ++i)
      EXPECT_TRUE(torch::allclose(e1[i], e0[i] + w * (g1[i] - e0[i]), 1e-5, 1e-7))
          << "parameter " << i << " at " << seen;
  }
}

// Standing statistics: the average's BatchNorm buffers stop being G's once refreshed, and a refresh at the same key
// is not repeated. With or without the average, G trains identically.
TEST_F(TrainerEmaTest, TheAverageHasItsOwnStatisticsAndDoesNotChangeTraining) {
  torch::manual_seed(5);
  Trainer t(config, torch::kCPU);
  torch::manual_seed(7);
  for (int i = 0; i < 3; ++i) t.step(real);
  const auto g_stats = t.generator()->buffers();
  t.refresh_ema_statistics(3);
  const auto e_stats = t.ema()->buffers();
  const torch::Tensor mean0 = e_stats[0].clone();
  EXPECT_FALSE(torch::equal(mean0, g_stats[0]));
  t.ema()->named_buffers()["main.1.running_mean"].add_(1.0);
  t.refresh_ema_statistics(3);  // the same key: left as it is
  EXPECT_TRUE(torch::allclose(t.ema()->named_buffers()["main.1.running_mean"], mean0 + 1.0));
  t.refresh_ema_statistics(4);
  EXPECT_TRUE(torch::equal(t.ema()->named_buffers()["main.1.running_mean"], mean0));  // a fixed noise stream

  config.train.ema_decay = "0";
  torch::manual_seed(5);
  Trainer plain(config, torch::kCPU);
  EXPECT_FALSE(plain.has_ema());
  torch::manual_seed(7);
  for (int i = 0; i < 3; ++i) plain.step(real);
  EXPECT_TRUE(same(snapshot(*t.generator()), snapshot(*plain.generator())));
}

// r_t's interval sums: the mean of the steps' sign terms, reset on demand.
TEST_F(TrainerEmaTest, IntervalSumsAddUpTheSteps) {
  Trainer t(config, torch::kCPU);
  double sum = 0, max_dgz = 0;
  for (int i = 0; i < 3; ++i) {
    const StepStats s = t.step(real);
    EXPECT_GE(s.sign_real.item<double>(), -1.0);
    EXPECT_LE(s.sign_real.item<double>(), 1.0);
    sum += s.sign_real.item<double>();
    max_dgz += s.d_g_z2.item<double>();
  }
  EXPECT_NEAR(t.interval().sign_real_sum.item<double>(), sum, 1e-6);
  EXPECT_NEAR(t.interval().d_g_z2_sum.item<double>(), max_dgz, 1e-6);
  t.reset_interval();
  EXPECT_EQ(t.interval().sign_real_sum.item<double>(), 0.0);
}

// With augmentation and mirroring on, a step still trains both networks, and the same seed repeats it exactly.
TEST_F(TrainerEmaTest, AugmentedStepsTrainAndRepeat) {
  config.train.augment = "color,translation,cutout";
  config.data.mirror = "true";
  auto run = [&] {
    torch::manual_seed(11);
    Trainer t(config, torch::kCPU);
    const auto g0 = snapshot(*t.generator()), d0 = snapshot(*t.discriminator());
    for (int i = 0; i < 2; ++i) t.step(real);
    EXPECT_FALSE(same(g0, snapshot(*t.generator())));
    EXPECT_FALSE(same(d0, snapshot(*t.discriminator())));
    return snapshot(*t.generator());
  };
  EXPECT_TRUE(same(run(), run()));
}

// train.precision on the CPU: bf16 where the CPU has it natively, refused with the missing feature where not.
TEST(TrainerPrecision, CpuBf16NeedsNativeBf16AndAutoPicksItOnlyThere) {
  Config config = test::small_config(32, 3, 8, 4);
  CpuFeatures none, native;
  native.avx2 = native.avx512f = native.avx512_bf16 = true;
  config.train.precision = "bf16";
  EXPECT_TRUE(resolve_trainer_settings(config, torch::kCPU, native).bf16);
  const std::string refused = test::message_of<std::invalid_argument>(
      [&] { resolve_trainer_settings(config, torch::kCPU, none); });
  EXPECT_NE(refused.find("needs AVX512_BF16 or AMX-BF16, and this CPU has none"), std::string::npos) << refused;
  EXPECT_TRUE(resolve_trainer_settings(config, torch::Device(torch::kCUDA, 0), none).bf16);
  config.train.precision = "auto";
  EXPECT_TRUE(resolve_trainer_settings(config, torch::kCPU, native).bf16);
  EXPECT_FALSE(resolve_trainer_settings(config, torch::kCPU, none).bf16);
  EXPECT_FALSE(resolve_trainer_settings(config, torch::Device(torch::kCUDA, 0), native).bf16);
  config.train.precision = "fp32";
  EXPECT_FALSE(resolve_trainer_settings(config, torch::kCPU, native).bf16);
}

double cosine(const torch::Tensor& a, const torch::Tensor& b) {
  const auto x = a.to(torch::kDouble).flatten(), y = b.to(torch::kDouble).flatten();
  return (x.dot(y) / (x.norm() * y.norm())).item<double>();
}

// One bf16 step against one fp32 step from the same weights, batch and noise (the tutorial's layers at 32x32):
// losses within bf16's tolerance and every parameter's gradient pointing the same way. The learning rate is tiny so
// that G's gradient is taken through the same D in both: Adam's first step moves every weight by about lr whatever
// the gradient's size, so at the tutorial's lr the two Ds would differ by the signs of their smallest gradients.
TEST(TrainerPrecision, ABf16StepFollowsTheFp32Step) {
  if (!cpu_features().native_bf16()) GTEST_SKIP() << "this CPU has no native bf16 (" << cpu_features().describe() << ")";
  Config config = test::small_config(32, 3, 16, 16);
  config.train.lr = 1e-9;
  torch::manual_seed(3);
  const auto real = torch::rand({16, 3, 32, 32}) * 2 - 1, noise = torch::randn({16, 16, 1, 1});
  auto run = [&](const std::string& precision, std::vector<torch::Tensor>& grads) {
    config.train.precision = precision;
    torch::manual_seed(1);
    Trainer t(config, torch::kCPU);
    t.set_gradient_hook([&grads](const std::vector<torch::Tensor>& params) {
      for (const auto& p : params) grads.push_back(p.grad().clone());
    });
    return t.step(real, noise);
  };
  std::vector<torch::Tensor> g32, g16;
  const StepStats s32 = run("fp32", g32), s16 = run("bf16", g16);
  EXPECT_NEAR(s16.loss_d.item<double>(), s32.loss_d.item<double>(), 0.02 * s32.loss_d.item<double>());
  EXPECT_NEAR(s16.loss_g.item<double>(), s32.loss_g.item<double>(), 0.02 * s32.loss_g.item<double>());
  EXPECT_NEAR(s16.d_x.item<double>(), s32.d_x.item<double>(), 0.01);
  ASSERT_EQ(g16.size(), g32.size());
  // And bf16 did run: a step that silently stayed in fp32 would repeat the fp32 step bit for bit.
  bool differs = s16.loss_d.item<double>() != s32.loss_d.item<double>();
  for (std::size_t i = 0; i < g32.size(); ++i) differs |= !torch::equal(g16[i], g32[i]);
  EXPECT_TRUE(differs) << "the bf16 step is the fp32 step exactly: bf16 was not used";
  for (std::size_t i = 0; i < g32.size(); ++i) {
    EXPECT_EQ(g16[i].scalar_type(), torch::kFloat) << "parameter " << i;
    const double c = cosine(g16[i], g32[i]);
    std::printf("parameter %zu: cosine %.5f\n", i, c);
    EXPECT_GT(c, 0.99) << "parameter " << i << " of " << g32.size();
  }
}

}  // namespace
}  // namespace dcgan
