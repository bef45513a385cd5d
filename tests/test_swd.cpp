// Tests of the sliced Wasserstein distance: real vs real is far below real vs noise or an untrained G, a seed fixes
// the figure, and it falls as G trains on a tiny real set.
#include "dcgan/eval/swd.h"

#include "dcgan/io/checkpoint.h"
#include "dcgan/data/dataset.h"
#include "dcgan/run/fit.h"
#include "dcgan/model/generator.h"

#include <cstdio>

#include "test_util.h"

namespace dcgan {
namespace {

// The 256 MNIST images under tests/data at 32x32 gray, in [-1, 1].
torch::Tensor mnist() {
  DataConfig d;
  d.path = test::source_path("tests/data/mnist/t10k-images-256-idx3-ubyte.gz");
  d.format = "idx";
  d.image_size = 32;
  d.channels = 1;
  const auto data = open_dataset(d, 0);
  torch::Tensor u8 = torch::empty({data->size(), 1, 32, 32}, torch::kUInt8);
  for (int64_t i = 0; i < data->size(); ++i) data->read(i, u8.data_ptr<uint8_t>() + i * 32 * 32);
  return u8.to(torch::kFloat).div(127.5).sub(1.0);
}

torch::Tensor generate(Generator& g, int64_t n, int64_t nz) {
  torch::NoGradGuard no_grad;
  g->eval();
  torch::manual_seed(3);
  return g->forward(torch::randn({n, nz, 1, 1}));
}

class SwdTest : public test::Seeded {};

TEST_F(SwdTest, RealHalvesAreFarCloserThanNoiseOrAnUntrainedGenerator) {
  const torch::Tensor real = mnist();
  const torch::Tensor a = real.slice(0, 0, 128), b = real.slice(0, 128, 256);
  const SwdResult halves = sliced_wasserstein(a, b);
  const SwdResult noise = sliced_wasserstein(a, torch::rand({128, 1, 32, 32}) * 2 - 1);
  Generator g(GeneratorOptions().nz(16).ngf(8).channels(1).image_size(32));
  const SwdResult untrained = sliced_wasserstein(a, generate(g, 128, 16));
  ASSERT_EQ(halves.resolutions, (std::vector<int64_t>{32, 16}));
  ASSERT_EQ(halves.per_level.size(), 2u);
  EXPECT_LT(halves.mean * 3, noise.mean) << halves.mean << " vs noise " << noise.mean;
  EXPECT_LT(halves.mean * 3, untrained.mean) << halves.mean << " vs untrained G " << untrained.mean;
}

TEST_F(SwdTest, ASeedFixesTheFigure) {
  const torch::Tensor real = mnist();
  const torch::Tensor a = real.slice(0, 0, 64), b = real.slice(0, 64, 128);
  SwdOptions o;
  o.seed = 5;
  const SwdResult r1 = sliced_wasserstein(a, b, o), r2 = sliced_wasserstein(a, b, o);
  EXPECT_EQ(r1.per_level, r2.per_level);
  o.seed = 6;
  EXPECT_NE(sliced_wasserstein(a, b, o).per_level, r1.per_level);
  EXPECT_THROW(sliced_wasserstein(a, torch::zeros({4, 3, 32, 32})), std::invalid_argument);
}

TEST_F(SwdTest, FallsAsATinyRealSetIsTrainedOn) {
  // configs/tiny.yaml's data with a wider net and a larger batch (ngf = ndf = 16, batch 64), which learns in 600
  // steps what the tiny net needs 1,500 for. In-run evaluations of this setting (256 images, every 50 steps) measured
  // 193, 139, 94, 62, 59, 34, 29 at steps 50, 200, 300, 400, 500, 600, 700 with 1 thread, and within 5 of those
  // with 2; real vs real is 23 at this N, an untrained G of this width 271. The bound is the figure measured here plus
  // half: a trainer that learns half as fast fails it.
  test::ScratchDir dir;
  Config c;
  load_config_file(c, test::source_path("configs/tiny.yaml"));  // its data path resolves beside the file
  c.model.ngf = 16;
  c.model.ndf = 16;
  c.train.batch_size = 64;
  c.train.steps = 600;
  c.train.threads = 1;
  c.output.dir = dir / "run";
  c.output.log_every = 100;
  c.output.sample_every = 600;
  c.output.checkpoint_every = 600;
  c.output.eval_every = 0;  // measured below, once
  fit(c, "");
  LoadedGenerator trained = load_generator(dir / "run/g.pt");
  torch::manual_seed(static_cast<uint64_t>(c.train.seed));
  Generator untrained(GeneratorOptions().nz(c.model.nz).ngf(c.model.ngf).channels(1).image_size(32));
  const torch::Tensor real = mnist();
  const SwdResult before = sliced_wasserstein(real, generate(untrained, 256, c.model.nz));
  const SwdResult after = sliced_wasserstein(real, generate(trained.generator, 256, c.model.nz));
  std::printf("SWD x1e3 of G on 256 images: untrained %.1f, after 600 steps %.1f\n", before.mean, after.mean);
  EXPECT_GT(before.mean, 150.0);
  EXPECT_LT(after.mean, 50.0) << "untrained " << before.mean << ", after 600 steps " << after.mean;
}

}  // namespace
}  // namespace dcgan
