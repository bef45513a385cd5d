// AugmentProbability: train.augment_p, fixed or steered by r_t as StyleGAN2-ADA steers its augmentation.
#pragma once

#include "dcgan/config/config.h"

#include <torch/torch.h>

#include <cstdint>

namespace dcgan {

/// The probability p with which each DiffAugment policy applies to each image (train.augment_p).
/// - Fixed 1 (the default): tensor() is undefined, so diff_augment draws exactly as before p existed.
/// - Fixed q < 1: tensor() holds q.
/// - adaptive: p starts at 0; observe() adds each step's E[sign(D(x_real))] to a sum on the device, and after every
///   train.augment_interval steps p += sign(r_t - augment_target) x interval x global batch / augment_speed_images,
///   clamped to [0, 1], where r_t is that sum over the interval; the sum then starts again (Karras et al. 2020,
///   sec. 2.3; StyleGAN2-ADA's training_loop.py adjusts every ada_interval = 4 steps by the same rule).
/// All of it is device work, no host sync: a captured CUDA graph replays it. state()/load_state() carry p, the sum
/// and the steps counted so far, so a resumed run adjusts at the same steps by the same amounts.
class AugmentProbability {
 public:
  AugmentProbability(const TrainConfig& t, torch::Device device);
  bool adaptive() const { return adaptive_; }
  /// p as a 0-dim fp32 tensor on the device, or undefined for a fixed 1.
  const torch::Tensor& tensor() const { return p_; }
  /// The images of one step over all ranks (train.batch_size x ranks); train.batch_size until set.
  void set_global_batch(double images) { global_batch_ = images; }
  /// After each D update, with that step's E[sign(D's logit on the real batch)] (a 0-dim fp32 device tensor).
  void observe(const torch::Tensor& sign_real);
  /// p, the interval's sum of E[sign] and its step count (0-dim tensors on the device); empty when not adaptive.
  std::vector<std::pair<std::string, torch::Tensor>> state() const;
  /// Copies `state()`'s tensors back in; a missing entry (a checkpoint of a run that did not steer) leaves the
  /// start (p = 0).
  void load_state(const std::vector<std::pair<std::string, torch::Tensor>>& entries);

 private:
  bool adaptive_ = false;
  double target_ = 0.6;
  int64_t interval_ = 4;
  double speed_images_ = 100000;
  double global_batch_ = 0;
  torch::Tensor p_;          // fp32 0-dim
  torch::Tensor sign_sum_;   // fp32 0-dim: the sum of E[sign] over this interval's steps
  torch::Tensor steps_;      // int64 0-dim: steps in this interval so far
};

}  // namespace dcgan
