// DiscriminatorWatchSink: D's mean probability on the held-back and on training images, against D applied here.
#include "dcgan/run/sinks/discriminator_watch.h"

#include "dcgan/run/run.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <cmath>

namespace dcgan {
namespace {

// Every image of `data` in item order as [-1, 1] floats (the tutorial's Normalize(0.5, 0.5) of ToTensor's x / 255).
torch::Tensor all_images(const Dataset& data) {
  const ImageShape s = data.shape();
  torch::Tensor u8 = torch::empty({data.size(), s.channels, s.height, s.width}, torch::kUInt8);
  for (int64_t i = 0; i < data.size(); ++i) data.read(i, u8.data_ptr<uint8_t>() + i * s.bytes());
  return u8.to(torch::kFloat) / 255.0 * 2.0 - 1.0;
}

// D's mean sigmoid output over `x` as one training-mode batch.
double mean_probability(Discriminator& d, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return torch::sigmoid(d->forward(x, torch::Tensor())).mean().item<double>();
}

// With as many held-back and training images as a batch, the sink's figures are D's mean probability on exactly
// those two sets (a probe of the wrong images, of one set twice, or in eval mode misses), and D's buffers are back.
TEST(DiscriminatorWatch, DOnHeldBackAndTrainingImagesIsItsMeanProbabilityOnEachSet) {
  test::ScratchDir dir;
  Config cfg;
  cfg.data.format = "synthetic";
  cfg.data.synthetic_count = 32;
  cfg.data.holdout = 16;
  cfg.data.image_size = 32;
  cfg.data.channels = 1;
  cfg.model.ngf = cfg.model.ndf = 8;
  cfg.train.batch_size = 16;
  cfg.train.steps = 6;
  cfg.train.threads = 1;
  cfg.train.device = "cpu";
  cfg.output.dir = dir / "run";
  cfg.output.log_every = 6;
  cfg.output.eval_every = 0;
  const auto run = open_run(cfg, "", nullptr);
  ASSERT_TRUE(run->holdout);
  ASSERT_EQ(run->holdout->size(), 16);
  ASSERT_EQ(run->data->size(), 16);
  DiscriminatorWatchSink watch(*run);
  watch.on_start(*run);
  const torch::Tensor train = all_images(*run->data), held = all_images(*run->holdout);
  for (int i = 0; i < 6; ++i) run->trainer->step(train);  // D learns the training images
  Discriminator& d = run->trainer->discriminator();
  const auto buffers = test::snapshot_buffers(*d);
  StepEvent e;
  e.step = 6;
  e.last = true;
  watch.on_step(*run, e);
  ASSERT_TRUE(e.d_train && e.d_holdout);
  EXPECT_TRUE(test::same_tensors(buffers, test::snapshot_buffers(*d)));
  const double on_train = mean_probability(d, train), on_held = mean_probability(d, held);
  EXPECT_NEAR(*e.d_train, on_train, 1e-5);
  EXPECT_NEAR(*e.d_holdout, on_held, 1e-5);
  EXPECT_GT(std::abs(on_train - on_held), 1e-3) << "the two sets should look different to D";
}

}  // namespace
}  // namespace dcgan
