// Tests of StepRunner: eager steps equal Trainer::step; CUDA graph replays equal eager steps (CUDA machines).
#include "dcgan/train/step_runner.h"

#include "dcgan/config/config.h"
#include "dcgan/runtime/runtime.h"

#include "test_util.h"

namespace dcgan {
namespace {

std::vector<torch::Tensor> state_of(Trainer& t) {
  std::vector<torch::Tensor> out;
  for (auto* m : {static_cast<torch::nn::Module*>(t.generator().get()),
                  static_cast<torch::nn::Module*>(t.discriminator().get())}) {
    for (const auto& p : m->parameters()) out.push_back(p.detach().cpu().clone());
    for (const auto& b : m->buffers()) out.push_back(b.detach().cpu().clone());
  }
  return out;
}

class StepRunnerTest : public test::Seeded {
 protected:
  Config config = test::small_config(32, 3, 8, 4);
};

TEST_F(StepRunnerTest, EagerRunnerStepsExactlyAsTheTrainer) {
  const torch::Tensor real = torch::rand({6, 3, 32, 32}) * 2 - 1;
  torch::manual_seed(5);
  Trainer a(config, torch::kCPU);
  for (int i = 0; i < 3; ++i) a.step(real);
  torch::manual_seed(5);
  Trainer b(config, torch::kCPU);
  StepRunner runner(b, StepRunnerOptions{false, 3});
  for (int i = 0; i < 3; ++i) runner.step(real);
  EXPECT_FALSE(runner.graphed());
  const auto sa = state_of(a), sb = state_of(b);
  ASSERT_EQ(sa.size(), sb.size());
  for (std::size_t i = 0; i < sa.size(); ++i) EXPECT_TRUE(torch::equal(sa[i], sb[i])) << "tensor " << i;
  EXPECT_EQ(b.nonfinite_steps().item<int64_t>(), 0);
}

TEST_F(StepRunnerTest, GraphsAskedForOnTheCpuRunEagerlyAndSayWhy) {
  Trainer t(config, torch::kCPU);
  StepRunner runner(t, StepRunnerOptions{true, 1});
  for (int i = 0; i < 3; ++i) runner.step(torch::rand({6, 3, 32, 32}) * 2 - 1);
  EXPECT_FALSE(runner.graphed());
  EXPECT_FALSE(runner.eager_reason().empty());
}

TEST_F(StepRunnerTest, NonFiniteLossesAreCountedOnTheDevice) {
  config.train.lr = 1e30;
  Trainer t(config, torch::kCPU);
  StepRunner runner(t, StepRunnerOptions{false, 3});
  for (int i = 0; i < 4; ++i) runner.step(torch::rand({6, 3, 32, 32}) * 2 - 1);
  EXPECT_GT(t.nonfinite_steps().item<int64_t>(), 0);
}

// N graph replays give the weights, BatchNorm statistics and Adam steps of N eager steps.
TEST_F(StepRunnerTest, CudaGraphReplaysMatchEagerSteps) {
  if (!cuda_available() || !cuda_graphs_built()) GTEST_SKIP() << "needs a CUDA device and a CUDA build";
  const torch::Device cuda(torch::kCUDA, 0);
  config.train.device = "cuda";
  at::globalContext().setBenchmarkCuDNN(false);
  at::globalContext().setDeterministicCuDNN(true);
  const int steps = 8;
  torch::manual_seed(11);
  const torch::Tensor real = torch::rand({6, 3, 32, 32}, cuda) * 2 - 1;
  auto run = [&](bool graphs) {
    torch::manual_seed(5);
    auto t = std::make_unique<Trainer>(config, cuda);
    StepRunner runner(*t, StepRunnerOptions{graphs, 2});
    for (int i = 0; i < steps; ++i) runner.step(real);
    EXPECT_EQ(runner.graphed(), graphs) << runner.eager_reason();
    t->sync_optimizer_state();
    for (const auto& kv : t->optimizer_g().state())
      EXPECT_EQ(static_cast<torch::optim::AdamParamState&>(*kv.second).step(), steps);
    return state_of(*t);
  };
  const auto eager = run(false), graphed = run(true);
  ASSERT_EQ(eager.size(), graphed.size());
  for (std::size_t i = 0; i < eager.size(); ++i)
    EXPECT_TRUE(torch::allclose(eager[i].to(torch::kDouble), graphed[i].to(torch::kDouble), 1e-4, 1e-5))
        << "tensor " << i << " differs by " << (eager[i] - graphed[i]).abs().max().item<double>();
  at::globalContext().setDeterministicCuDNN(false);
}

// A capture that fails (here: a host sync inside it) leaves eager steps that still train, random draws included.
TEST_F(StepRunnerTest, CudaFailedCaptureFallsBackToEagerSteps) {
  if (!cuda_available() || !cuda_graphs_built()) GTEST_SKIP() << "needs a CUDA device and a CUDA build";
  const torch::Device cuda(torch::kCUDA, 0);
  Trainer t(config, cuda);
  StepRunnerOptions o{true, 1};
  o.inside_capture = [&] { (void)torch::ones({1}, cuda).sum().item<float>(); };
  StepRunner runner(t, o);
  StepStats stats;
  for (int i = 0; i < 4; ++i) stats = runner.step(torch::rand({6, 3, 32, 32}, cuda) * 2 - 1);
  EXPECT_FALSE(runner.graphed());
  EXPECT_NE(runner.eager_reason().find("capture failed"), std::string::npos) << runner.eager_reason();
  EXPECT_TRUE(std::isfinite(stats.loss_g.item<double>()));
  EXPECT_EQ(t.nonfinite_steps().item<int64_t>(), 0);
}

TEST_F(StepRunnerTest, CudaBf16GraphedStepsTrain) {
  if (!cuda_available() || !cuda_graphs_built()) GTEST_SKIP() << "needs a CUDA device and a CUDA build";
  const torch::Device cuda(torch::kCUDA, 0);
  config.train.precision = "bf16";
  Trainer t(config, cuda);
  const auto before = state_of(t);
  StepRunner runner(t, StepRunnerOptions{true, 2});
  StepStats stats;
  for (int i = 0; i < 6; ++i) stats = runner.step(torch::rand({6, 3, 32, 32}, cuda) * 2 - 1);
  EXPECT_TRUE(runner.graphed()) << runner.eager_reason();
  EXPECT_EQ(t.nonfinite_steps().item<int64_t>(), 0);
  EXPECT_TRUE(std::isfinite(stats.loss_d.item<double>()));
  EXPECT_FALSE(torch::equal(before[0], state_of(t)[0]));
}

}  // namespace
}  // namespace dcgan
