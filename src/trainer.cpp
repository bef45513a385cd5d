// Trainer: the DCGAN training step.
#include "dcgan/trainer.h"

#include "dcgan/config.h"

namespace dcgan {
namespace {

// "auto" -> `auto_value`; "true"/"false" as written (validate() admits nothing else).
bool resolve_switch(const std::string& value, bool auto_value) { return value == "auto" ? auto_value : value == "true"; }

GeneratorOptions generator_options(const Config& cfg, torch::Device device) {
  return GeneratorOptions()
      .transpose_via_conv(resolve_switch(cfg.train.transpose_via_conv, device.is_cpu()))
      .nz(cfg.model.nz)
      .ngf(cfg.model.ngf)
      .channels(cfg.data.channels)
      .image_size(cfg.data.image_size);
}

DiscriminatorOptions discriminator_options(const Config& cfg) {
  return DiscriminatorOptions().ndf(cfg.model.ndf).channels(cfg.data.channels).image_size(cfg.data.image_size);
}

torch::optim::AdamOptions adam_options(const TrainConfig& t) {
  return torch::optim::AdamOptions(t.lr).betas(std::make_tuple(t.beta1, t.beta2));
}

// Binary cross-entropy on logits against a constant label (1 = real, 0 = fake), averaged over the batch.
torch::Tensor bce(const torch::Tensor& logits, double label) {
  return torch::binary_cross_entropy_with_logits(logits, torch::full_like(logits, label));
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

torch::Tensor to_training_batch(const Batch& batch, const ImageShape& shape, torch::Device device) {
  // from_blob borrows the batch's bytes; .to(device) copies them (or, on the CPU, .to(kFloat) does) before the
  // batch can go away.
  const torch::Tensor u8 = torch::from_blob(const_cast<uint8_t*>(batch.pixels.data()),
                                            {batch.count, shape.channels, shape.height, shape.width}, torch::kUInt8);
  return u8.to(device).to(torch::kFloat).div_(127.5).sub_(1.0);
}

Trainer::Trainer(const Config& cfg, torch::Device device)
    : device_(device),
      channels_last_(resolve_switch(cfg.train.channels_last, true)),
      g_(generator_options(cfg, device)),
      d_(discriminator_options(cfg)),
      opt_g_(parameters_on(*g_, device, channels_last_), adam_options(cfg.train)),
      opt_d_(parameters_on(*d_, device, channels_last_), adam_options(cfg.train)) {}

torch::Tensor Trainer::update_d(const torch::Tensor& real, const torch::Tensor& noise, StepStats& stats) {
  d_->zero_grad(/*set_to_none=*/true);
  const torch::Tensor out_real = d_->forward(real);
  const torch::Tensor err_real = bce(out_real, 1.0);
  err_real.backward();

  torch::Tensor fake = g_->forward(noise);
  const torch::Tensor out_fake = d_->forward(fake.detach());
  const torch::Tensor err_fake = bce(out_fake, 0.0);
  err_fake.backward();
  opt_d_.step();

  stats.loss_d = (err_real + err_fake).detach();
  stats.d_x = torch::sigmoid(out_real.detach()).mean();
  stats.d_g_z1 = torch::sigmoid(out_fake.detach()).mean();
  return fake;
}

void Trainer::update_g(const torch::Tensor& fake, StepStats& stats) {
  g_->zero_grad(/*set_to_none=*/true);
  torch::Tensor out, err;
  {
    const FrozenParameters frozen(*d_);
    out = d_->forward(fake);
    err = bce(out, 1.0);
    err.backward();
  }
  opt_g_.step();

  stats.loss_g = err.detach();
  stats.d_g_z2 = torch::sigmoid(out.detach()).mean();
}

StepStats Trainer::step(const torch::Tensor& real) {
  StepStats stats;
  const torch::Tensor noise = torch::randn({real.size(0), nz(), 1, 1}, real.options());
  const torch::Tensor input = channels_last_ ? real.contiguous(torch::MemoryFormat::ChannelsLast) : real;
  const torch::Tensor fake = update_d(input, noise, stats);
  update_g(fake, stats);
  return stats;
}

}  // namespace dcgan
