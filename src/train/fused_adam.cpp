// FusedAdam: Adam updates through at::_fused_adam_ with device-side step counts.
#include "dcgan/train/fused_adam.h"

#include "dcgan/runtime/compat.h"

#include <stdexcept>

namespace dcgan {

FusedAdam::FusedAdam(torch::optim::Adam& optimizer) : optimizer_(optimizer) {
  TORCH_CHECK(optimizer.param_groups().size() == 1, "FusedAdam: expected one parameter group");
  const auto& o = static_cast<const torch::optim::AdamOptions&>(optimizer.param_groups()[0].options());
  if (o.amsgrad() || o.weight_decay() != 0) throw std::invalid_argument("FusedAdam: amsgrad and weight decay are not supported");
  lr_ = o.lr();
  beta1_ = std::get<0>(o.betas());
  beta2_ = std::get<1>(o.betas());
  eps_ = o.eps();
  params_ = optimizer.param_groups()[0].params();
  for (const auto& p : params_)
    if (!compat::fused_adam_supported(p.device()))
      throw std::invalid_argument("FusedAdam: this LibTorch has no fused Adam kernel for " + p.device().str());
  reload();
}

void FusedAdam::reload() {
  torch::NoGradGuard no_grad;
  auto& state = optimizer_.state();
  exp_avgs_.clear();
  exp_avg_sqs_.clear();
  steps_.clear();
  for (const auto& p : params_) {
    const auto key = compat::optimizer_state_key(state, p);
    auto it = state.find(key);
    if (it == state.end()) {
      auto fresh = std::make_unique<torch::optim::AdamParamState>();
      fresh->step(0);
      fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
      fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
      it = state.emplace(key, std::move(fresh)).first;
    }
    auto& s = static_cast<torch::optim::AdamParamState&>(*it->second);
    // The kernel walks parameters, gradients and moments element by element: same device, dtype and strides.
    const auto layout = p.suggest_memory_format();
    if (s.exp_avg().device() != p.device() || !s.exp_avg().is_contiguous(layout))
      s.exp_avg(s.exp_avg().to(p.device()).contiguous(layout));
    if (s.exp_avg_sq().device() != p.device() || !s.exp_avg_sq().is_contiguous(layout))
      s.exp_avg_sq(s.exp_avg_sq().to(p.device()).contiguous(layout));
    exp_avgs_.push_back(s.exp_avg());
    exp_avg_sqs_.push_back(s.exp_avg_sq());
    steps_.push_back(torch::full({}, static_cast<double>(s.step()), p.options().dtype(torch::kFloat)));
  }
}

void FusedAdam::step() {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  grads.reserve(params_.size());
  for (const auto& p : params_) {
    TORCH_CHECK(p.grad().defined(), "FusedAdam: a parameter has no gradient");
    grads.push_back(p.grad());
  }
  // PyTorch's _fused_adam increments the counts first; the kernel reads step t for the bias corrections.
  at::_foreach_add_(steps_, 1);
  at::_fused_adam_(params_, grads, exp_avgs_, exp_avg_sqs_, /*max_exp_avg_sqs=*/{}, steps_, lr_, beta1_, beta2_,
                   /*weight_decay=*/0.0, eps_, /*amsgrad=*/false, /*maximize=*/false);
}

void FusedAdam::sync_to_optimizer() {
  auto& state = optimizer_.state();
  for (std::size_t i = 0; i < params_.size(); ++i) {
    auto it = state.find(compat::optimizer_state_key(state, params_[i]));
    TORCH_CHECK(it != state.end(), "FusedAdam: optimizer state disappeared");
    static_cast<torch::optim::AdamParamState&>(*it->second).step(static_cast<int64_t>(steps_[i].item<double>()));
  }
}

}  // namespace dcgan
