// Tests of Discriminator: one logit per image for every size and channel count, init statistics, gradients, names.
#include "dcgan/model/discriminator.h"

#include "test_util.h"

namespace dcgan {
namespace {

class DiscriminatorTest : public test::Seeded {};

TEST_F(DiscriminatorTest, OneValuePerImage) {
  for (int64_t size : {32, 64, 128}) {
    for (int64_t channels : {1, 3}) {
      Discriminator d(DiscriminatorOptions().ndf(8).channels(channels).image_size(size));
      const auto out = d->forward(torch::rand({5, channels, size, size}) * 2 - 1);
      EXPECT_EQ(out.sizes(), torch::IntArrayRef({5})) << size << " " << channels;
      EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
    }
  }
}

TEST_F(DiscriminatorTest, RejectsWrongInputShape) {
  Discriminator d(DiscriminatorOptions().ndf(4).channels(3).image_size(32));
  EXPECT_THROW(d->forward(torch::rand({2, 1, 32, 32})), c10::Error);
  EXPECT_THROW(d->forward(torch::rand({2, 3, 64, 64})), c10::Error);
}

TEST_F(DiscriminatorTest, TutorialLayoutAt64) {
  Discriminator d;
  const auto params = d->named_parameters();
  const std::vector<std::pair<std::string, std::vector<int64_t>>> expected = {
      {"main.0.weight", {64, 3, 4, 4}},   {"main.2.weight", {128, 64, 4, 4}}, {"main.3.weight", {128}},
      {"main.5.weight", {256, 128, 4, 4}}, {"main.8.weight", {512, 256, 4, 4}}, {"main.11.weight", {1, 512, 4, 4}}};
  for (const auto& [name, shape] : expected) {
    ASSERT_TRUE(params.contains(name)) << name;
    EXPECT_EQ(params[name].sizes(), torch::IntArrayRef(shape)) << name;
  }
  int64_t count = 0;
  for (const auto& p : d->parameters()) count += p.numel();
  EXPECT_EQ(count, 2765568);  // the tutorial's netD has 2,765,568 parameters
}

TEST_F(DiscriminatorTest, InitStatistics) {
  Discriminator d;
  int convs = 0;
  for (const auto& p : d->named_parameters()) {
    const auto& t = p.value();
    if (t.dim() == 4) {
      ++convs;
      // Every conv, the first (64x3x4x4 = 3,072 weights) included: the standard errors of the mean and of the
      // deviation are then 0.02 / sqrt(3072) = 0.00036 and 0.02 / sqrt(2 * 3072) = 0.00026, far inside 0.002.
      EXPECT_NEAR(t.mean().item<double>(), 0.0, 0.002) << p.key();
      EXPECT_NEAR(t.std().item<double>(), 0.02, 0.002) << p.key();
    } else if (p.key().find("weight") != std::string::npos) {
      EXPECT_NEAR(t.mean().item<double>(), 1.0, 0.01) << p.key();
    } else {
      EXPECT_EQ(t.abs().max().item<double>(), 0.0) << p.key();
    }
  }
  EXPECT_EQ(convs, 5);  // main.0, 2, 5, 8, 11: all checked
}

TEST_F(DiscriminatorTest, GradientsReachInputAndEveryParameter) {
  Discriminator d(DiscriminatorOptions().ndf(4).channels(1).image_size(32));
  auto x = torch::rand({4, 1, 32, 32}).requires_grad_(true);
  d->forward(x).sum().backward();
  EXPECT_GT(x.grad().abs().sum().item<double>(), 0.0);
  for (const auto& p : d->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

}  // namespace
}  // namespace dcgan
