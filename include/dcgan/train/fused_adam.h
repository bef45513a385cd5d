// FusedAdam: one at::_fused_adam_ launch per update over all of an Adam optimizer's parameters.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace dcgan {

// Steps the parameters of a torch::optim::Adam with at::_fused_adam_, the kernel behind PyTorch's
// Adam(fused=True). The moments stay in the Adam's own AdamParamState, so checkpoints are unchanged; the step
// counts live in device tensors, so the whole update can be captured in a CUDA graph (torch::optim::Adam keeps its
// step on the host, which a graph would freeze). Same math as torch::optim::Adam (amsgrad and weight decay
// unsupported), up to float rounding.
class FusedAdam {
 public:
  // Creates missing state as Adam's first step does (zero moments in the parameter's layout) and binds to it.
  // Throws std::invalid_argument when the options use amsgrad or weight decay, or the device has no fused kernel.
  explicit FusedAdam(torch::optim::Adam& optimizer);

  // One Adam update of every parameter from its current gradient. Every parameter must have a gradient.
  void step();
  // Writes the device step counts into the optimizer's AdamParamState (reads them back: syncs). Call before
  // saving the optimizer.
  void sync_to_optimizer();
  // Binds to the optimizer's state again after it was replaced (a loaded checkpoint), moving it to each
  // parameter's device and layout.
  void reload();

 private:
  torch::optim::Adam& optimizer_;
  std::vector<torch::Tensor> params_;
  std::vector<torch::Tensor> exp_avgs_;
  std::vector<torch::Tensor> exp_avg_sqs_;
  std::vector<torch::Tensor> steps_;  // float32 0-dim, on the parameter's device
  double lr_, beta1_, beta2_, eps_;
};

}  // namespace dcgan
