// Trainer: the DCGAN training step.
#include "dcgan/train/trainer.h"

#include "dcgan/config/config.h"
#include "dcgan/runtime/compat.h"
#include "dcgan/train/augment.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

namespace dcgan {
namespace {

GeneratorOptions generator_options(const Config& cfg, const TrainerSettings& s) {
  return GeneratorOptions()
      .transpose_via_conv(s.transpose_via_conv)
      .nz(cfg.model.nz)
      .num_classes(class_count(cfg.model))
      .ngf(cfg.model.ngf)
      .channels(cfg.data.channels)
      .image_size(cfg.data.image_size);
}

DiscriminatorOptions discriminator_options(const Config& cfg) {
  return DiscriminatorOptions()
      .ndf(cfg.model.ndf)
      .channels(cfg.data.channels)
      .image_size(cfg.data.image_size)
      .num_classes(class_count(cfg.model));
}

// The seed of the standing statistics' noise stream: any fixed value, apart from the training stream.
constexpr uint64_t kStandingStatisticsSeed = 0x5747a4d1;
// Noise vectors per training-mode pass of the standing statistics: bounds their memory, which is the run's peak
// otherwise (a 64x64 G of the tutorial's width: +340 MiB over the training step's peak at 512, none at 128; the
// tutorial's own batch); the statistics are the mean over the passes.
constexpr int64_t kStandingStatisticsChunk = 128;

torch::optim::AdamOptions adam_options(const TrainConfig& t, double lr) {
  return torch::optim::AdamOptions(lr).betas(std::make_tuple(t.beta1, t.beta2));
}

// Binary cross-entropy on logits against a constant label (1 = real, 0 = fake), averaged over the batch. On logits
// rather than probabilities: binary_cross_entropy is not autocast-safe, this one runs in fp32 under autocast.
torch::Tensor bce(const torch::Tensor& logits, double label) {
  return torch::binary_cross_entropy_with_logits(logits, torch::full_like(logits, label));
}

// D's mean probability, in fp32 whatever precision D ran in.
torch::Tensor mean_probability(const torch::Tensor& logits) {
  return torch::sigmoid(logits.detach().to(torch::kFloat)).mean();
}

// Moves `m` to `device` (and its 4-d weights to channels_last when asked) before the optimizer takes the
// parameters that will be trained.
std::vector<torch::Tensor> parameters_on(torch::nn::Module& m, torch::Device device, bool channels_last) {
  m.to(device);
  if (channels_last) {
    torch::NoGradGuard no_grad;
    for (auto& p : m.parameters())
      if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
  }
  return m.parameters();
}

// Turns off requires_grad of a module's parameters for its lifetime.
class FrozenParameters {
 public:
  explicit FrozenParameters(torch::nn::Module& m) : params_(m.parameters()) {
    for (auto& p : params_) p.requires_grad_(false);
  }
  ~FrozenParameters() {
    for (auto& p : params_) p.requires_grad_(true);
  }
  FrozenParameters(const FrozenParameters&) = delete;
  FrozenParameters& operator=(const FrozenParameters&) = delete;

 private:
  std::vector<torch::Tensor> params_;
};

}  // namespace

TrainerSettings resolve_trainer_settings(const Config& cfg, torch::Device device, const CpuFeatures& cpu) {
  const TrainConfig& t = cfg.train;
  TrainerSettings s;
  s.transpose_via_conv = resolve_switch(t.transpose_via_conv, device.is_cpu());
  s.channels_last = resolve_switch(t.channels_last, true);
  s.bf16 = t.precision == "bf16" || (t.precision == "auto" && device.is_cpu() && cpu.native_bf16());
  if (s.bf16 && device.is_cpu() && !cpu.native_bf16())
    throw std::invalid_argument("train.precision: bf16 on the CPU needs AVX512_BF16 or AMX-BF16, and this CPU has " +
                                cpu.describe() + " (bf16 emulated in fp32 is slower than fp32: use fp32 or auto)");
  s.fused_adam = resolve_switch(t.fused_adam, device.is_cuda());
  s.augment = parse_augment(t.augment);
  s.mirror = mirror_on(cfg.data);
  if (s.fused_adam && !compat::fused_adam_supported(device))
    throw std::invalid_argument("train.fused_adam: this LibTorch has no fused Adam kernel for " + device.str() +
                                " (set train.fused_adam=false)");
  return s;
}

Trainer::Trainer(const Config& cfg, torch::Device device)
    : device_(device),
      settings_(resolve_trainer_settings(cfg, device)),
      g_(generator_options(cfg, settings_)),
      d_(discriminator_options(cfg)),
      opt_g_(parameters_on(*g_, device, settings_.channels_last), adam_options(cfg.train, cfg.train.lr)),
      opt_d_(parameters_on(*d_, device, settings_.channels_last),
             adam_options(cfg.train, cfg.train.lr_d > 0 ? cfg.train.lr_d : cfg.train.lr)),
      ema_schedule_(ema_schedule(cfg.train)),
      augment_p_(cfg.train, device),
      nonfinite_(torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(device))) {
  const auto fp32 = torch::TensorOptions().dtype(torch::kFloat).device(device);
  interval_ = {torch::zeros({}, fp32), torch::zeros({}, fp32)};
  g_trained_ = g_->parameters();
  d_trained_ = d_->parameters();
  if (settings_.fused_adam) {
    fused_g_ = std::make_unique<FusedAdam>(opt_g_);
    fused_d_ = std::make_unique<FusedAdam>(opt_d_);
  }
  if (ema_schedule_.on) {
    ema_bn_images_ = ema_schedule_.standing_statistics ? cfg.train.ema_bn_images : 0;
    // Its own init draws are undone (the copy below overwrites them), so enabling the average leaves the training
    // run's random stream as it was.
    at::Generator cpu = at::globalContext().defaultGenerator(torch::kCPU);
    torch::Tensor state;
    {
      std::lock_guard<std::mutex> lock(cpu.mutex());
      state = cpu.get_state();
    }
    ema_ = Generator(g_->options);
    {
      std::lock_guard<std::mutex> lock(cpu.mutex());
      cpu.set_state(state);
    }
    ema_->to(device);
    for (auto& p : ema_->parameters()) p.requires_grad_(false);
    g_params_ = g_->parameters();
    ema_params_ = ema_->parameters();
    g_buffers_ = g_->buffers();
    ema_buffers_ = ema_->buffers();
    reset_ema();
    set_ema_position(0, cfg.train.batch_size);
  }
}

void Trainer::reset_ema() {
  if (!has_ema()) return;
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < ema_params_.size(); ++i)
    ema_params_[i].set_data(g_params_[i].detach().clone(torch::MemoryFormat::Preserve));
  for (std::size_t i = 0; i < ema_buffers_.size(); ++i) ema_buffers_[i].copy_(g_buffers_[i]);
  ema_params_ = ema_->parameters();
}

void Trainer::set_ema_position(double images_seen, double global_batch) {
  if (!has_ema()) return;
  // Filled in place once it exists: a captured CUDA graph keeps reading the same tensor.
  if (!ema_seen_.defined())
    ema_seen_ = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device_));
  ema_seen_.fill_(images_seen);
  ema_batch_ = global_batch;
}

void Trainer::update_ema() {
  if (!has_ema()) return;
  torch::NoGradGuard no_grad;
  if (ema_schedule_.fixed_decay >= 0) {  // the fixed decay, computed exactly as before the half-life existed
    at::_foreach_mul_(ema_params_, ema_schedule_.fixed_decay);
    at::_foreach_add_(ema_params_, g_params_, 1.0 - ema_schedule_.fixed_decay);
  } else {  // ema_new_weight on the device: no host value changes between steps, so a CUDA graph can replay it
    torch::Tensor h = torch::full_like(ema_seen_, ema_schedule_.halflife_images);
    if (ema_schedule_.rampup > 0) h = torch::minimum(h, ema_seen_ * ema_schedule_.rampup);
    const torch::Tensor weight = (1.0 - torch::pow(0.5, ema_batch_ / h.clamp_min(1e-8))).to(torch::kFloat);
    for (std::size_t i = 0; i < ema_params_.size(); ++i) ema_params_[i].lerp_(g_params_[i], weight);
    ema_seen_.add_(ema_batch_);
  }
  if (ema_bn_images_ == 0)
    for (std::size_t i = 0; i < ema_buffers_.size(); ++i) ema_buffers_[i].copy_(g_buffers_[i]);
}

void Trainer::refresh_ema_statistics(int64_t key) {
  if (!has_ema() || ema_bn_images_ == 0 || key == ema_refreshed_) return;
  if (!ema_bn_noise_.defined()) {
    at::Generator gen = at::detail::createCPUGenerator(kStandingStatisticsSeed);
    ema_bn_noise_ = torch::randn({ema_bn_images_, nz(), 1, 1}, gen, torch::kFloat).to(device_);
  }
  recompute_batchnorm_statistics(ema_, ema_bn_noise_, kStandingStatisticsChunk);
  ema_refreshed_ = key;
}

void Trainer::reset_interval() {
  interval_.sign_real_sum.zero_();
  interval_.d_g_z2_sum.zero_();
}

torch::Tensor Trainer::augment(const torch::Tensor& images, bool is_real) const {
  const bool mirror = is_real && settings_.mirror;
  if (!mirror && !settings_.augment.any()) return images;
  torch::Tensor out = mirror ? random_mirror(images) : images;
  if (settings_.augment.any()) out = diff_augment(out, settings_.augment, 1.0, augment_p_.tensor());
  return settings_.channels_last ? out.contiguous(torch::MemoryFormat::ChannelsLast) : out;
}

void Trainer::step_optimizer(torch::optim::Adam& opt, std::unique_ptr<FusedAdam>& fused) {
  if (fused) fused->step();
  else opt.step();
}

void Trainer::sync_optimizer_state() {
  if (fused_g_) fused_g_->sync_to_optimizer();
  if (fused_d_) fused_d_->sync_to_optimizer();
}

void Trainer::reload_optimizer_state() {
  if (fused_g_) fused_g_->reload();
  if (fused_d_) fused_d_->reload();
}

torch::Tensor Trainer::update_d(const torch::Tensor& real, const torch::Tensor& noise, StepStats& stats,
                                const StepClasses& classes) {
  d_->zero_grad(/*set_to_none=*/true);
  torch::Tensor out_real, err_real, fake, out_fake, err_fake;
  // The augmentations run outside autocast, in the precision of the images they get.
  const torch::Tensor seen = augment(real, /*is_real=*/true);
  {
    const compat::Autocast autocast(settings_.bf16, device_.type());
    out_real = d_->forward(seen, classes.real);
    err_real = bce(out_real, 1.0);
  }
  err_real.backward();
  {
    const compat::Autocast autocast(settings_.bf16, device_.type());
    fake = g_->forward(noise, classes.fake);
  }
  const torch::Tensor fake_seen = augment(fake.detach(), false);
  {
    const compat::Autocast autocast(settings_.bf16, device_.type());
    out_fake = d_->forward(fake_seen, classes.fake);
    err_fake = bce(out_fake, 0.0);
  }
  err_fake.backward();
  if (gradient_hook_) gradient_hook_(d_trained_);
  step_optimizer(opt_d_, fused_d_);

  stats.loss_d = (err_real + err_fake).detach();
  stats.d_x = mean_probability(out_real);
  stats.d_g_z1 = mean_probability(out_fake);
  stats.sign_real = torch::sign(out_real.detach().to(torch::kFloat)).mean();
  return fake;
}

void Trainer::update_g(const torch::Tensor& fake, StepStats& stats, const torch::Tensor& fake_classes) {
  g_->zero_grad(/*set_to_none=*/true);
  torch::Tensor out, err;
  {
    const FrozenParameters frozen(*d_);
    const torch::Tensor seen = augment(fake, false);
    {
      const compat::Autocast autocast(settings_.bf16, device_.type());
      out = d_->forward(seen, fake_classes);
      err = bce(out, 1.0);
    }
    err.backward();
  }
  if (gradient_hook_) gradient_hook_(g_trained_);
  step_optimizer(opt_g_, fused_g_);
  update_ema();

  stats.loss_g = err.detach();
  stats.d_g_z2 = mean_probability(out);
}

torch::Tensor Trainer::draw_fake_classes(int64_t count) const {
  if (num_classes() == 0) return {};
  return torch::randint(num_classes(), {count}, torch::TensorOptions().dtype(torch::kLong).device(device_));
}

StepStats Trainer::step_labelled(const torch::Tensor& real, const torch::Tensor& labels) {
  const torch::Tensor noise = torch::randn({real.size(0), nz(), 1, 1}, real.options());
  return step(real, noise, StepClasses{labels, draw_fake_classes(real.size(0))});
}

StepStats Trainer::step(const torch::Tensor& real, const torch::Tensor& noise, const StepClasses& classes) {
  StepStats stats;
  const torch::Tensor input = settings_.channels_last ? real.contiguous(torch::MemoryFormat::ChannelsLast) : real;
  const torch::Tensor fake = update_d(input, noise, stats, classes);
  update_g(fake, stats, classes.fake);
  nonfinite_.add_(torch::logical_not(torch::isfinite(stats.loss_d + stats.loss_g)));
  interval_.sign_real_sum.add_(stats.sign_real);
  interval_.d_g_z2_sum.add_(stats.d_g_z2);
  if (augment_p_.adaptive())
    augment_p_.observe(rank_mean_hook_ ? rank_mean_hook_(stats.sign_real) : stats.sign_real);
  return stats;
}

}  // namespace dcgan
