// Tests of Trainer: which weights each half of the step changes, and that a step trains.
#include "dcgan/train/trainer.h"

#include "dcgan/config/config.h"

#include "test_util.h"

namespace dcgan {
namespace {

std::vector<torch::Tensor> snapshot(torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (const auto& p : m.parameters()) out.push_back(p.detach().clone());
  return out;
}

bool same(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return a.size() == b.size();
}

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
  Config config = test::small_config(32, 3, 8, 4);
};

TEST_F(TrainerEmaTest, TheAverageFollowsGAndDoesNotChangeTraining) {
  config.train.ema_decay = 0.5;
  torch::manual_seed(5);
  Trainer t(config, torch::kCPU);
  ASSERT_TRUE(t.has_ema());
  const auto g0 = snapshot(*t.generator());
  EXPECT_TRUE(same(g0, snapshot(*t.ema())));  // starts as a copy
  const torch::Tensor real = torch::rand({6, 3, 32, 32}) * 2 - 1;
  torch::manual_seed(7);  // the step's noise
  t.step(real);
  const auto g1 = snapshot(*t.generator()), e1 = snapshot(*t.ema());
  for (std::size_t i = 0; i < g1.size(); ++i)
    EXPECT_TRUE(torch::allclose(e1[i], 0.5 * g0[i] + 0.5 * g1[i], 1e-6, 1e-7)) << "parameter " << i;
  const auto gb = t.generator()->buffers(), eb = t.ema()->buffers();
  for (std::size_t i = 0; i < gb.size(); ++i) EXPECT_TRUE(torch::equal(gb[i], eb[i])) << "buffer " << i;

  // The same run without the average: G's weights are the same, step for step.
  config.train.ema_decay = 0;
  torch::manual_seed(5);
  Trainer plain(config, torch::kCPU);
  EXPECT_FALSE(plain.has_ema());
  torch::manual_seed(7);
  plain.step(real);
  EXPECT_TRUE(same(g1, snapshot(*plain.generator())));
}

}  // namespace
}  // namespace dcgan
