// Trainer: owns G, D and their Adam optimizers; step() is the DCGAN tutorial's three updates.
#pragma once

#include "dcgan/config/config.h"
#include "dcgan/model/discriminator.h"
#include "dcgan/model/generator.h"
#include "dcgan/train/augment_probability.h"
#include "dcgan/train/fused_adam.h"

#include <torch/torch.h>

#include "dcgan/runtime/cpu_features.h"

#include <functional>
#include <memory>

namespace dcgan {

// Statistics of one step, as 0-dim float tensors on the training device (reading them syncs; do it only when
// logging). Names follow the tutorial: D(x) is D's mean probability on real images, D(G(z)) before (z1) and after
// (z2) D's update.
struct StepStats {
  torch::Tensor loss_d;  // errD_real + errD_fake
  torch::Tensor loss_g;  // errG
  torch::Tensor d_x;
  torch::Tensor d_g_z1;
  torch::Tensor d_g_z2;
  torch::Tensor sign_real;  // E[sign(D's logit on the real batch)]: this step's term of r_t (Karras et al. 2020, eq. 1)
};

// Device-side sums over the steps since the last reset (a log interval), kept by every step without a host sync
// (also inside a captured CUDA graph): fp32 0-dim tensors on the training device.
struct IntervalStats {
  torch::Tensor sign_real_sum;  // the sum of StepStats::sign_real; divided by the steps, r_t
  torch::Tensor d_g_z2_sum;     // the sum of D(G(z)) after D's update (what G's loss sees)
};

// The speed settings of a Trainer as resolved for its device (config "auto" made concrete).
struct TrainerSettings {
  bool transpose_via_conv = false;
  bool channels_last = false;
  bool bf16 = false;
  bool fused_adam = false;
  AugmentPolicy augment;  // train.augment
  bool mirror = false;    // data.mirror (decided: a config's auto is resolved by the run before a Trainer exists)
};
// train.precision on the CPU is judged by `cpu` (this machine's by default): bf16 without native bf16 throws
// std::invalid_argument naming the missing feature; auto picks bf16 only where it is native.
TrainerSettings resolve_trainer_settings(const Config& cfg, torch::Device device,
                                         const CpuFeatures& cpu = cpu_features());

// The classes of one step of a class-conditional run: [B] int64 on the device each. Both undefined when the run is
// unconditional (model.num_classes 0).
struct StepClasses {
  torch::Tensor real;  // the real batch's labels, from the data
  torch::Tensor fake;  // the classes G draws for, uniform, from the training stream (draw_fake_classes)
};

class Trainer {
 public:
  // Builds G then D (each initialised with dcgan_init, drawing from the global generator in that order, as the
  // tutorial does) on `device`, with Adam(lr, (beta1, beta2)) for each. Applies the settings of
  // resolve_trainer_settings. Throws std::invalid_argument for bf16 or fused Adam where the device cannot run them.
  Trainer(const Config& cfg, torch::Device device);

  // One step on `real` ([B, C, S, S] floats in [-1, 1] on the device): update_d, then update_g on the same fake
  // batch. Draws the noise with torch::randn on the device. Unconditional runs only.
  StepStats step(const torch::Tensor& real) { return step_labelled(real, {}); }
  // The same for a conditional run, `labels` ([B] int64) being real's classes: draws the noise, then the fake
  // batch's classes with draw_fake_classes. With `labels` undefined, step(real).
  StepStats step_labelled(const torch::Tensor& real, const torch::Tensor& labels);
  // The same with the noise ([B, nz, 1, 1] on the device) and classes given. Launches only device work: no host
  // sync, so it can be captured in a CUDA graph.
  StepStats step(const torch::Tensor& real, const torch::Tensor& noise, const StepClasses& classes = {});
  // `count` classes drawn uniformly from the device's default generator (torch::randint), or undefined when the run
  // is unconditional (nothing drawn).
  torch::Tensor draw_fake_classes(int64_t count) const;

  // D update: D on real (label 1), D on G(noise).detach() (label 0), both gradients summed, D's optimizer steps.
  // Conditional: D and G see `classes` (real's for the real batch, fake's for G's).
  // With data.mirror the real batch is x-flipped first; with train.augment both batches go through diff_augment
  // (independent draws, each policy applied with augment_probability()'s p), as does G's batch in update_g.
  // Gradients are reset to undefined rather than zero-filled before each update (PyTorch 2's default).
  // G's weights do not change. Returns G(noise), still attached to G's graph, for update_g.
  torch::Tensor update_d(const torch::Tensor& real, const torch::Tensor& noise, StepStats& stats,
                         const StepClasses& classes = {});
  // G update: D on `fake` with label 1 (the non-saturating loss of Goodfellow et al. 2014), G's optimizer steps.
  // D's optimizer is not stepped, so D's weights do not change. D's weight gradients, which the tutorial computes
  // here and the next D update discards, are not computed (D's parameters stop requiring grad for this pass).
  void update_g(const torch::Tensor& fake, StepStats& stats, const torch::Tensor& fake_classes = {});

  // The moving average of G's weights (ema_schedule(train).on), or an empty holder. Starts as a copy of G. After
  // each G step its parameters move towards G's by ema_new_weight(schedule, images seen before the step, global
  // batch), computed on the device from a device counter of images seen. Its BatchNorm statistics are G's copied
  // after each update when train.ema_bn_images is 0, else left alone until refresh_ema_statistics.
  Generator& ema() { return ema_; }
  bool has_ema() const { return !ema_.is_empty(); }
  // Makes the average a copy of G again (e.g. after loading a checkpoint that has none).
  void reset_ema();
  // The images the average has seen (a resume's step x global batch) and the global batch (train.batch_size x
  // ranks) of every later step. A new Trainer has seen 0, with a global batch of train.batch_size.
  void set_ema_position(double images_seen, double global_batch);
  // Standing statistics: the average's BatchNorm running mean and variance become those of one training-mode
  // forward pass over train.ema_bn_images noise vectors drawn once from a fixed CPU stream (not the training
  // stream). Done at most once per `key` (the step: callers at one step share it); nothing when the average is
  // off or train.ema_bn_images is 0. Call before the average is evaluated, sampled or saved.
  void refresh_ema_statistics(int64_t key);

  // train.augment_p: fixed, or steered by r_t after each step (step() calls its observe()).
  AugmentProbability& augment_probability() { return augment_p_; }
  const AugmentProbability& augment_probability() const { return augment_p_; }

  // Sums over the steps since reset_interval(); reset_interval() zeroes them (outside a CUDA graph capture).
  const IntervalStats& interval() const { return interval_; }
  void reset_interval();

  // Data-parallel training: called with D's parameters in update_d, and G's in update_g, after the backward pass
  // and before the optimizer step, to average their gradients across ranks. Unset (the default): not called.
  using GradientHook = std::function<void(const std::vector<torch::Tensor>& params)>;
  void set_gradient_hook(GradientHook hook) { gradient_hook_ = std::move(hook); }
  // Data-parallel training with train.augment_p adaptive: called each step with this rank's E[sign(D(x_real))] (a
  // 0-dim device tensor), returns its mean over the ranks, which steers p; so every rank holds the same p and
  // interval sum (StyleGAN2-ADA sums its sign statistic over the GPUs), and rank 0's checkpoint resumes every rank
  // exactly. Unset (the default): each step's own figure.
  using RankMeanHook = std::function<torch::Tensor(const torch::Tensor& statistic)>;
  void set_rank_mean_hook(RankMeanHook hook) { rank_mean_hook_ = std::move(hook); }

  // Steps whose losses were not finite since construction, counted on the device (an int64 0-dim tensor).
  const torch::Tensor& nonfinite_steps() const { return nonfinite_; }

  // Call before saving optimizer_g()/optimizer_d() (fused Adam keeps its step counts on the device) and after
  // loading them (it binds to the loaded state).
  void sync_optimizer_state();
  void reload_optimizer_state();

  Generator& generator() { return g_; }
  Discriminator& discriminator() { return d_; }
  torch::optim::Adam& optimizer_g() { return opt_g_; }
  torch::optim::Adam& optimizer_d() { return opt_d_; }
  torch::Device device() const { return device_; }
  int64_t nz() const { return g_->options.nz(); }
  int64_t num_classes() const { return g_->options.num_classes(); }  // 0: unconditional
  const TrainerSettings& settings() const { return settings_; }
  bool channels_last() const { return settings_.channels_last; }

 private:
  void step_optimizer(torch::optim::Adam& opt, std::unique_ptr<FusedAdam>& fused);
  void update_ema();
  // What D sees of `images`: x-flipped when real and data.mirror, then diff_augment with train.augment.
  torch::Tensor augment(const torch::Tensor& images, bool is_real) const;

  torch::Device device_;
  TrainerSettings settings_;
  Generator g_;
  Discriminator d_;
  torch::optim::Adam opt_g_;
  torch::optim::Adam opt_d_;
  std::unique_ptr<FusedAdam> fused_g_;
  std::unique_ptr<FusedAdam> fused_d_;
  Generator ema_{nullptr};
  EmaSchedule ema_schedule_;
  int ema_bn_images_ = 0;
  torch::Tensor ema_seen_;   // fp64 0-dim on the device: images seen before the next update
  double ema_batch_ = 0;     // the global batch
  torch::Tensor ema_bn_noise_;  // the standing statistics' noise, drawn on first use
  int64_t ema_refreshed_ = -1;  // the key of the last refresh_ema_statistics
  std::vector<torch::Tensor> ema_params_, g_params_, ema_buffers_, g_buffers_;
  IntervalStats interval_;
  AugmentProbability augment_p_;
  torch::Tensor nonfinite_;
  GradientHook gradient_hook_;
  RankMeanHook rank_mean_hook_;
  std::vector<torch::Tensor> g_trained_, d_trained_;  // the parameters the optimizers step
};

}  // namespace dcgan
