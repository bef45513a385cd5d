// Tests of Generator: shapes per image size and channel count, output range, init statistics, gradients, names.
#include "dcgan/model/generator.h"

#include "test_util.h"

namespace dcgan {
namespace {

class GeneratorTest : public test::Seeded {};

TEST_F(GeneratorTest, OutputShapeForEverySizeAndChannelCount) {
  for (int64_t size : {32, 64, 128}) {
    for (int64_t channels : {1, 3}) {
      Generator g(GeneratorOptions().nz(20).ngf(8).channels(channels).image_size(size));
      const auto out = g->forward(torch::randn({3, 20, 1, 1}));
      EXPECT_EQ(out.sizes(), torch::IntArrayRef({3, channels, size, size})) << size << " " << channels;
    }
  }
}

TEST_F(GeneratorTest, AcceptsFlatNoiseAndRejectsWrongShapes) {
  Generator g(GeneratorOptions().nz(10).ngf(4).channels(1).image_size(32));
  EXPECT_EQ(g->forward(torch::randn({2, 10})).sizes(), torch::IntArrayRef({2, 1, 32, 32}));
  EXPECT_THROW(g->forward(torch::randn({2, 11, 1, 1})), c10::Error);
  EXPECT_THROW(Generator(GeneratorOptions().image_size(48)), c10::Error);
}

TEST_F(GeneratorTest, OutputIsInMinusOneToOne) {
  Generator g(GeneratorOptions().nz(16).ngf(8).channels(3).image_size(32));
  const auto out = g->forward(torch::randn({16, 16, 1, 1}) * 10);
  EXPECT_LE(out.max().item<float>(), 1.0f);
  EXPECT_GE(out.min().item<float>(), -1.0f);
  EXPECT_GT(out.std().item<float>(), 0.0f);
}

TEST_F(GeneratorTest, TutorialLayoutAt64) {
  // The tutorial's netG: 5 ConvTranspose2d, 4 BatchNorm2d; parameter names main.<index>.<name>.
  Generator g;
  const auto params = g->named_parameters();
  const std::vector<std::pair<std::string, std::vector<int64_t>>> expected = {
      {"main.0.weight", {100, 512, 4, 4}}, {"main.1.weight", {512}}, {"main.1.bias", {512}},
      {"main.3.weight", {512, 256, 4, 4}}, {"main.6.weight", {256, 128, 4, 4}},
      {"main.9.weight", {128, 64, 4, 4}},  {"main.12.weight", {64, 3, 4, 4}}};
  for (const auto& [name, shape] : expected) {
    ASSERT_TRUE(params.contains(name)) << name;
    EXPECT_EQ(params[name].sizes(), torch::IntArrayRef(shape)) << name;
  }
  EXPECT_EQ(params.size(), 5u + 4u * 2u);
  int64_t count = 0;
  for (const auto& p : g->parameters()) count += p.numel();
  EXPECT_EQ(count, 3576704);  // the tutorial's netG has 3,576,704 parameters
  EXPECT_TRUE(g->named_buffers().contains("main.1.running_mean"));
}

TEST_F(GeneratorTest, InitStatistics) {
  Generator g;
  for (const auto& p : g->named_parameters()) {
    const auto& t = p.value();
    if (t.dim() == 4) {  // conv weights ~ N(0, 0.02)
      EXPECT_NEAR(t.mean().item<double>(), 0.0, 0.002) << p.key();
      EXPECT_NEAR(t.std().item<double>(), 0.02, 0.002) << p.key();
    } else if (p.key().find("weight") != std::string::npos) {  // BN weight ~ N(1, 0.02)
      EXPECT_NEAR(t.mean().item<double>(), 1.0, 0.01) << p.key();
      EXPECT_NEAR(t.std().item<double>(), 0.02, 0.01) << p.key();
    } else {  // BN bias = 0
      EXPECT_EQ(t.abs().max().item<double>(), 0.0) << p.key();
    }
  }
}

TEST_F(GeneratorTest, GradientsReachEveryParameter) {
  Generator g(GeneratorOptions().nz(8).ngf(4).channels(3).image_size(32));
  g->forward(torch::randn({4, 8, 1, 1})).pow(2).sum().backward();
  for (const auto& p : g->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

TEST_F(GeneratorTest, GradientMatchesFiniteDifference) {
  Generator g(GeneratorOptions().nz(4).ngf(2).channels(1).image_size(32));
  g->to(torch::kDouble);
  g->eval();  // running statistics make the function of z deterministic and smooth
  auto z = torch::randn({2, 4, 1, 1}, torch::kDouble).requires_grad_(true);
  auto f = [&](const torch::Tensor& zz) { return g->forward(zz).sum(); };
  f(z).backward();
  const auto analytic = z.grad().clone();
  const double eps = 1e-6;
  for (int64_t i = 0; i < 4; ++i) {
    torch::NoGradGuard no_grad;
    auto zp = z.detach().clone(), zm = z.detach().clone();
    zp[0][i][0][0] += eps;
    zm[0][i][0][0] -= eps;
    const double numeric = (f(zp).item<double>() - f(zm).item<double>()) / (2 * eps);
    EXPECT_NEAR(analytic[0][i][0][0].item<double>(), numeric, 1e-5);
  }
}

// Standing statistics in one pass (chunk >= the noise): each BatchNorm's running mean and unbiased variance are those
// of its input in one training-mode pass over the noise, whatever the layer held before; the mode and momentum come
// back.
TEST_F(GeneratorTest, RecomputedBatchNormStatisticsAreThoseOfOnePassOverTheNoise) {
  Generator g(GeneratorOptions().nz(8).ngf(4).channels(3).image_size(32));
  g->eval();
  for (auto& b : g->buffers()) b.fill_(7);  // stale statistics
  const torch::Tensor noise = torch::randn({40, 8, 1, 1});
  recompute_batchnorm_statistics(g, noise, /*chunk=*/64);
  EXPECT_FALSE(g->is_training());
  torch::NoGradGuard no_grad;
  torch::Tensor x = noise;
  int checked = 0;
  for (auto& layer : *g->main) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(layer.ptr().get())) {
      EXPECT_TRUE(torch::allclose(bn->running_mean, x.mean({0, 2, 3}), 1e-4, 1e-5)) << "layer " << checked;
      EXPECT_TRUE(torch::allclose(bn->running_var, x.var({0, 2, 3}, /*unbiased=*/true), 1e-4, 1e-5))
          << "layer " << checked;
      EXPECT_EQ(bn->options.momentum(), c10::optional<double>(0.1));
      ++checked;
      x = torch::batch_norm(x, bn->weight, bn->bias, {}, {}, /*training=*/true, 0.0, bn->options.eps(), false);
    } else {
      x = layer.forward(x);
    }
  }
  EXPECT_EQ(checked, 3);
}

// Standing statistics in chunks (update_bn over a loader): each layer's statistics are the mean over the chunks
// (16, 16 and a last 8, each counting once) of what one pass over that chunk alone gives.
TEST_F(GeneratorTest, ChunkedBatchNormStatisticsAreTheMeanOfEachChunksPass) {
  Generator g(GeneratorOptions().nz(8).ngf(4).channels(3).image_size(32));
  const torch::Tensor noise = torch::randn({40, 8, 1, 1});
  std::vector<std::vector<torch::Tensor>> per_chunk;
  for (int64_t i = 0; i < 40; i += 16) {
    recompute_batchnorm_statistics(g, noise.slice(0, i, std::min<int64_t>(40, i + 16)), /*chunk=*/16);
    per_chunk.push_back(test::snapshot_buffers(*g));
  }
  recompute_batchnorm_statistics(g, noise, /*chunk=*/16);
  const std::vector<torch::Tensor> chunked = test::snapshot_buffers(*g);
  int checked = 0;
  for (std::size_t b = 0; b < chunked.size(); ++b) {
    if (chunked[b].dim() == 0) continue;  // num_batches_tracked
    const torch::Tensor mean = (per_chunk[0][b] + per_chunk[1][b] + per_chunk[2][b]) / 3;
    EXPECT_TRUE(torch::allclose(chunked[b], mean, 1e-5, 1e-6)) << "buffer " << b;
    EXPECT_FALSE(torch::allclose(chunked[b], per_chunk[0][b], 1e-3, 1e-4)) << "buffer " << b;
    ++checked;
  }
  EXPECT_EQ(checked, 6);  // mean and variance of 3 layers
}

}  // namespace
}  // namespace dcgan
