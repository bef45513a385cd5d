// AugmentProbability: a fixed p, or StyleGAN2-ADA's steering of p by r_t, on the device.
#include "dcgan/train/augment_probability.h"

namespace dcgan {

AugmentProbability::AugmentProbability(const TrainConfig& t, torch::Device device)
    : target_(t.augment_target),
      interval_(t.augment_interval),
      speed_images_(static_cast<double>(t.augment_speed_images)),
      global_batch_(t.batch_size) {
  const std::optional<double> fixed = parse_augment_p(t.augment_p);
  const auto fp32 = torch::TensorOptions().dtype(torch::kFloat).device(device);
  adaptive_ = !fixed;
  if (fixed && *fixed == 1.0) return;  // undefined: diff_augment applies every policy to every image
  p_ = torch::full({}, fixed ? *fixed : 0.0, fp32);
  if (!adaptive_) return;
  sign_sum_ = torch::zeros({}, fp32);
  steps_ = torch::zeros({}, fp32.dtype(torch::kLong));
}

void AugmentProbability::observe(const torch::Tensor& sign_real) {
  if (!adaptive_) return;
  torch::NoGradGuard no_grad;
  sign_sum_.add_(sign_real.detach().to(torch::kFloat));
  steps_.add_(1);
  const torch::Tensor due = steps_.ge(interval_);
  const double step_size = static_cast<double>(interval_) * global_batch_ / speed_images_;
  const torch::Tensor moved = (p_ + torch::sign(sign_sum_ / static_cast<double>(interval_) - target_) * step_size)
                                  .clamp(0.0, 1.0);
  p_.copy_(torch::where(due, moved, p_));
  sign_sum_.masked_fill_(due, 0.0);
  steps_.masked_fill_(due, 0);
}

std::vector<std::pair<std::string, torch::Tensor>> AugmentProbability::state() const {
  if (!adaptive_) return {};
  return {{"augment_p", p_}, {"augment_sign_sum", sign_sum_}, {"augment_steps", steps_}};
}

void AugmentProbability::load_state(const std::vector<std::pair<std::string, torch::Tensor>>& entries) {
  if (!adaptive_) return;
  torch::NoGradGuard no_grad;
  for (const auto& [name, value] : entries) {
    if (name == "augment_p") p_.copy_(value);
    else if (name == "augment_sign_sum") sign_sum_.copy_(value);
    else if (name == "augment_steps") steps_.copy_(value);
  }
}

}  // namespace dcgan
