// Tests of AugmentProbability: fixed p, StyleGAN2-ADA's steering by r_t, its clamp, and its state for resumes.
#include "dcgan/train/augment_probability.h"

#include "test_util.h"

namespace dcgan {
namespace {

TrainConfig adaptive_config() {
  TrainConfig t;
  t.augment_p = "adaptive";
  t.batch_size = 50;
  t.augment_interval = 4;
  t.augment_speed_images = 1000;  // one adjustment: 4 x 50 / 1000 = 0.2
  return t;
}

torch::Tensor sign(double v) { return torch::full({}, v); }

double p_of(const AugmentProbability& a) { return a.tensor().item<double>(); }

TEST(AugmentProbability, AFixedOneDrawsNothingAndAFixedNumberStays) {
  TrainConfig t;
  EXPECT_FALSE(AugmentProbability(t, torch::kCPU).tensor().defined());
  t.augment_p = "0.25";
  AugmentProbability fixed(t, torch::kCPU);
  for (int i = 0; i < 8; ++i) fixed.observe(sign(1.0));
  EXPECT_FALSE(fixed.adaptive());
  EXPECT_FLOAT_EQ(p_of(fixed), 0.25f);
  EXPECT_TRUE(fixed.state().empty());
}

// p moves only at the end of each interval, by interval x batch / speed, in the direction of r_t - target, where
// r_t is the mean of the interval's E[sign]; it stays within [0, 1].
TEST(AugmentProbability, PMovesEveryIntervalTowardsTheTargetAndStaysInZeroToOne) {
  AugmentProbability a(adaptive_config(), torch::kCPU);
  ASSERT_TRUE(a.adaptive());
  EXPECT_EQ(p_of(a), 0.0);
  for (int i = 0; i < 3; ++i) a.observe(sign(1.0));
  EXPECT_EQ(p_of(a), 0.0) << "not before the interval ends";
  a.observe(sign(1.0));
  EXPECT_NEAR(p_of(a), 0.2, 1e-6) << "r_t 1 > 0.6: up by 4 x 50 / 1000";
  // r_t of the next interval is (0.9 + 0.9 + 0.9 - 0.9) / 4 = 0.45 < 0.6: down again.
  for (double s : {0.9, 0.9, 0.9, -0.9}) a.observe(sign(s));
  EXPECT_NEAR(p_of(a), 0.0, 1e-6);
  for (int i = 0; i < 8; ++i) a.observe(sign(-1.0));
  EXPECT_EQ(p_of(a), 0.0) << "clamped at 0";
  for (int i = 0; i < 40; ++i) a.observe(sign(1.0));
  EXPECT_EQ(p_of(a), 1.0) << "clamped at 1";
  // A global batch of two ranks doubles the step.
  AugmentProbability two(adaptive_config(), torch::kCPU);
  two.set_global_batch(100);
  for (int i = 0; i < 4; ++i) two.observe(sign(1.0));
  EXPECT_NEAR(p_of(two), 0.4, 1e-6);
}

// Saved mid-interval and loaded into a new one, the trajectory goes on as if never interrupted.
TEST(AugmentProbability, StateMidIntervalResumesTheSameTrajectory) {
  const std::vector<double> signs = {1, 1, 0.5, 1, 1, -1, 1, 0.2, 0.9, 0.7, 0.8, 0.1, 1, 1};
  AugmentProbability whole(adaptive_config(), torch::kCPU), first(adaptive_config(), torch::kCPU);
  std::vector<double> expected;
  for (double s : signs) {
    whole.observe(sign(s));
    expected.push_back(p_of(whole));
  }
  for (std::size_t i = 0; i < 6; ++i) first.observe(sign(signs[i]));  // 6 % 4: two steps into an interval
  std::vector<std::pair<std::string, torch::Tensor>> saved;
  for (const auto& [name, value] : first.state()) saved.emplace_back(name, value.clone());
  ASSERT_EQ(saved.size(), 3u);
  AugmentProbability second(adaptive_config(), torch::kCPU);
  second.load_state(saved);
  for (std::size_t i = 6; i < signs.size(); ++i) {
    second.observe(sign(signs[i]));
    EXPECT_EQ(p_of(second), expected[i]) << "step " << i;
  }
  // Without the interval's partial sum the next adjustment differs: the state is all needed, not too little.
  AugmentProbability lost(adaptive_config(), torch::kCPU);
  lost.load_state({saved[0]});
  for (std::size_t i = 6; i < 8; ++i) lost.observe(sign(signs[i]));
  EXPECT_NE(p_of(lost), expected[7]);
}

}  // namespace
}  // namespace dcgan
