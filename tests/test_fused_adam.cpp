// Tests of FusedAdam: the same updates as torch::optim::Adam, and state that round-trips through the optimizer.
#include "dcgan/train/fused_adam.h"

#include "dcgan/runtime/compat.h"
#include "dcgan/runtime/runtime.h"

#include "test_util.h"

namespace dcgan {
namespace {

// The devices this LibTorch has a fused Adam kernel for (CUDA from 1.13, the CPU from 2.4).
std::vector<torch::Device> fused_devices() {
  std::vector<torch::Device> out;
  if (compat::fused_adam_supported(torch::kCPU)) out.emplace_back(torch::kCPU);
  if (cuda_available()) out.emplace_back(torch::kCUDA, 0);
  return out;
}

// A conv weight in channels_last (as the trainer keeps them), a BatchNorm-like vector.
std::vector<torch::Tensor> make_params(torch::Device device) {
  torch::manual_seed(7);
  return {torch::randn({8, 4, 4, 4}).contiguous(torch::MemoryFormat::ChannelsLast).to(device).requires_grad_(),
          torch::randn({8}).to(device).requires_grad_()};
}

void set_grads(std::vector<torch::Tensor>& params, int step) {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params.size(); ++i) {
    torch::manual_seed(100 * step + static_cast<int>(i));
    params[i].mutable_grad() = torch::randn(params[i].sizes()).to(params[i].device()).contiguous(
        params[i].suggest_memory_format());
  }
}

torch::optim::AdamOptions options() { return torch::optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.999)); }

// Skips in Debian's CPU build, so in every CPU CI run. FusedAdam is the only Adam path with device-side step counts
// and it is at::_fused_adam_ itself, which LibTorch 1.13 implements for CUDA only (the CPU kernel came in 2.4); there
// is no CPU fallback of it to compare, because a CPU training step uses torch::optim::Adam directly
// (train.fused_adam auto = off on the CPU, and `true` is refused there). It runs in scripts/gpu-check.sh's unit tests
// on the GPU machine, and on the CPU with a LibTorch of 2.4 or later.
TEST(FusedAdam, StepsLikeTorchAdamAndKeepsItsStateInTheOptimizer) {
  const auto devices = fused_devices();
  if (devices.empty())
    GTEST_SKIP() << "LibTorch " << torch_version() << " has no at::_fused_adam_ kernel for the devices here (CPU: "
                 << "LibTorch 2.4 and later; CUDA: a CUDA build), and the CPU step uses torch::optim::Adam itself";
  for (const auto& device : devices) {
    SCOPED_TRACE(device.str());
    auto a = make_params(device), b = make_params(device);
    torch::optim::Adam plain(a, options()), holder(b, options());
    FusedAdam fused(holder);
    for (int s = 1; s <= 5; ++s) {
      set_grads(a, s);
      set_grads(b, s);
      plain.step();
      fused.step();
    }
    for (std::size_t i = 0; i < a.size(); ++i)
      EXPECT_TRUE(torch::allclose(a[i].cpu(), b[i].cpu(), 1e-5, 1e-7)) << "parameter " << i;
    fused.sync_to_optimizer();
    for (const auto& kv : holder.state()) EXPECT_EQ(static_cast<torch::optim::AdamParamState&>(*kv.second).step(), 5);

    // Saved and loaded like a checkpoint, then stepped on: still in step with the plain optimizer.
    std::stringstream buffer;
    {
      torch::serialize::OutputArchive out;
      holder.save(out);
      out.save_to(buffer);
    }
    auto c = make_params(device);
    {
      torch::NoGradGuard no_grad;
      for (std::size_t i = 0; i < c.size(); ++i) c[i].copy_(b[i]);
    }
    torch::optim::Adam loaded(c, options());
    torch::serialize::InputArchive in;
    in.load_from(buffer, device);
    loaded.load(in);
    FusedAdam resumed(loaded);
    set_grads(a, 6);
    set_grads(c, 6);
    plain.step();
    resumed.step();
    for (std::size_t i = 0; i < a.size(); ++i)
      EXPECT_TRUE(torch::allclose(a[i].cpu(), c[i].cpu(), 1e-5, 1e-7)) << "parameter " << i << " after resume";
  }
}

TEST(FusedAdam, RefusesWhatItDoesNotImplement) {
  auto p = make_params(torch::kCPU);
  torch::optim::Adam amsgrad(p, options().amsgrad(true));
  EXPECT_THROW(FusedAdam{amsgrad}, std::invalid_argument);
  if (!compat::fused_adam_supported(torch::kCPU)) {
    torch::optim::Adam cpu(p, options());
    EXPECT_NE(test::message_of<std::invalid_argument>([&] { FusedAdam f(cpu); }).find("no fused Adam kernel"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace dcgan
