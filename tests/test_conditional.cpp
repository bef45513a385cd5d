// Tests of the class-conditional model: G's class embedding, the projection discriminator, and the conditional step.
#include "dcgan/model/discriminator.h"
#include "dcgan/model/generator.h"
#include "dcgan/train/step_runner.h"
#include "dcgan/train/trainer.h"

#include <functional>

#include "test_util.h"

namespace dcgan {
namespace {

class ConditionalTest : public test::Seeded {};

using test::snapshot;
bool same(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) { return test::same_tensors(a, b); }

TEST_F(ConditionalTest, ShapesForEverySizeAndTheUnconditionalModelUnchanged) {
  for (int64_t size : {32, 64, 128}) {
    Generator g(GeneratorOptions().nz(8).ngf(4).channels(3).image_size(size).num_classes(5));
    Discriminator d(DiscriminatorOptions().ndf(4).channels(3).image_size(size).num_classes(5));
    const torch::Tensor y = torch::tensor({0, 4, 2}, torch::kLong);
    const torch::Tensor x = g->forward(torch::randn({3, 8, 1, 1}), y);
    EXPECT_EQ(x.sizes(), (std::vector<int64_t>{3, 3, size, size}));
    EXPECT_EQ(d->forward(x, y).sizes(), (std::vector<int64_t>{3}));
    EXPECT_EQ(g->named_parameters()["main.0.weight"].size(0), 16) << "z and the class embedding, nz each";
    EXPECT_EQ(g->named_parameters()["embed.weight"].sizes(), (std::vector<int64_t>{5, 8}));
    EXPECT_EQ(d->named_parameters()["embed.weight"].size(1), 4 << hidden_blocks_for(size));
  }
  // num_classes 0 is the tutorial's network: the same parameters, and the same draws from the same seed.
  torch::manual_seed(7);
  Generator plain(GeneratorOptions().nz(8).ngf(4).channels(1).image_size(32));
  torch::manual_seed(7);
  Generator zero(GeneratorOptions().nz(8).ngf(4).channels(1).image_size(32).num_classes(0));
  EXPECT_EQ(zero->named_parameters().keys(), plain->named_parameters().keys());
  EXPECT_TRUE(same(snapshot(*zero), snapshot(*plain)));
  EXPECT_EQ(plain->named_parameters().find("embed.weight"), nullptr);
}

TEST_F(ConditionalTest, TheClassChangesTheImageAndTheLogitAndNeedsLabels) {
  Generator g(GeneratorOptions().nz(8).ngf(4).channels(1).image_size(32).num_classes(3));
  Discriminator d(DiscriminatorOptions().ndf(4).channels(1).image_size(32).num_classes(3));
  g->eval();
  d->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor z = torch::randn({1, 8, 1, 1}).repeat({3, 1, 1, 1});
  const torch::Tensor y = torch::arange(3, torch::kLong);
  const torch::Tensor x = g->forward(z, y);
  EXPECT_FALSE(torch::allclose(x[0], x[1]));
  EXPECT_FALSE(torch::allclose(x[1], x[2]));
  const torch::Tensor same_image = x.slice(0, 0, 1).repeat({3, 1, 1, 1});
  const torch::Tensor logits = d->forward(same_image, y);
  EXPECT_NE(logits[0].item<float>(), logits[1].item<float>());
  // Refused by the label checks themselves (not by a shape error further on), and so are labels of the wrong count.
  const auto refusal = [](const std::function<void()>& call) {
    try {
      call();
    } catch (const c10::Error& e) {
      return std::string(e.what_without_backtrace());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(refusal([&] { g->forward(z); }).find("a conditional G needs one class label per noise vector, got none"),
            std::string::npos);
  EXPECT_NE(refusal([&] { g->forward(z, y.slice(0, 0, 2)); }).find("per noise vector, got [2]"), std::string::npos);
  EXPECT_NE(refusal([&] { d->forward(x); }).find("a conditional D needs one class label per image, got none"),
            std::string::npos);
  EXPECT_NE(refusal([&] { d->forward(x, y.slice(0, 0, 1)); }).find("per image, got [1]"), std::string::npos);
}

TEST_F(ConditionalTest, ProjectionIsTheEmbeddingDotTheSummedFeatures) {
  Discriminator d(DiscriminatorOptions().ndf(4).channels(1).image_size(32).num_classes(3));
  Discriminator plain(DiscriminatorOptions().ndf(4).channels(1).image_size(32));
  torch::NoGradGuard no_grad;
  for (auto& p : plain->named_parameters()) p.value().copy_(d->named_parameters()[p.key()]);
  for (auto& b : plain->named_buffers()) b.value().copy_(d->named_buffers()[b.key()]);
  d->eval();
  plain->eval();
  const torch::Tensor x = torch::rand({2, 1, 32, 32}) * 2 - 1;
  const torch::Tensor y = torch::tensor({2, 0}, torch::kLong);
  // The features before the last convolution, by running all but the last layer of main.
  torch::Tensor h = x;
  std::size_t i = 0;
  for (auto& layer : *d->main)
    if (++i < d->main->size()) h = layer.forward(h);
  const torch::Tensor expected =
      plain->forward(x) + (d->embed->weight.index_select(0, y) * h.sum({2, 3})).sum(1);
  EXPECT_TRUE(torch::allclose(d->forward(x, y), expected, 1e-5, 1e-6));
}

TEST_F(ConditionalTest, GradientsReachBothEmbeddings) {
  Config config = test::small_config(32, 1, 8, 4);
  config.model.num_classes = "4";
  Trainer t(config, torch::kCPU);
  const torch::Tensor real = torch::rand({6, 1, 32, 32}) * 2 - 1;
  const StepClasses classes{torch::tensor({0, 1, 2, 3, 0, 1}, torch::kLong), t.draw_fake_classes(6)};
  const auto g0 = snapshot(*t.generator()), d0 = snapshot(*t.discriminator());
  StepStats stats;
  const torch::Tensor fake = t.update_d(real, torch::randn({6, 8, 1, 1}), stats, classes);
  EXPECT_TRUE(same(g0, snapshot(*t.generator()))) << "D's update leaves G alone";
  EXPECT_GT(t.discriminator()->embed->weight.grad().abs().sum().item<double>(), 0);
  const auto d1 = snapshot(*t.discriminator());
  EXPECT_FALSE(same(d0, d1));
  t.update_g(fake, stats, classes.fake);
  EXPECT_TRUE(same(d1, snapshot(*t.discriminator()))) << "G's update leaves D alone";
  EXPECT_GT(t.generator()->embed->weight.grad().abs().sum().item<double>(), 0);
  EXPECT_FALSE(torch::equal(g0.back(), t.generator()->embed->weight));
}

TEST_F(ConditionalTest, TheRunnerDrawsNoiseThenUniformClassesAndRepeats) {
  Config config = test::small_config(32, 1, 8, 4);
  config.model.num_classes = "3";
  auto run = [&] {
    torch::manual_seed(11);
    Trainer t(config, torch::kCPU);
    StepRunner runner(t, StepRunnerOptions{});
    const torch::Tensor real = torch::rand({6, 1, 32, 32}) * 2 - 1;
    const torch::Tensor labels = torch::tensor({0, 1, 2, 0, 1, 2}, torch::kLong);
    for (int i = 0; i < 3; ++i) runner.step(real, labels);
    return snapshot(*t.generator());
  };
  EXPECT_TRUE(same(run(), run()));
  torch::manual_seed(3);
  Trainer t(config, torch::kCPU);
  const torch::Tensor drawn = t.draw_fake_classes(3000);
  EXPECT_EQ(drawn.min().item<int64_t>(), 0);
  EXPECT_EQ(drawn.max().item<int64_t>(), 2);
  for (int64_t c = 0; c < 3; ++c) EXPECT_NEAR(drawn.eq(c).sum().item<double>() / 3000.0, 1.0 / 3, 0.04);
  config.model.num_classes = "0";
  Trainer plain(config, torch::kCPU);
  EXPECT_FALSE(plain.draw_fake_classes(6).defined()) << "an unconditional run draws nothing more";
}

}  // namespace
}  // namespace dcgan
