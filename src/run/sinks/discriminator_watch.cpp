// DiscriminatorWatchSink: r_t, D on held-back vs training images, and the collapse and memorising warnings.
#include "dcgan/run/sinks/discriminator_watch.h"

#include "dcgan/data/batch_source.h"
#include "dcgan/run/run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace dcgan {
namespace {

// D's mean probability on `images`, in training mode (batch statistics, as in the step) in batches of `batch`.
// D's BatchNorm buffers are put back afterwards, so the probe leaves no trace in D.
double mean_probability(Trainer& trainer, const torch::Tensor& images, const torch::Tensor& labels, int64_t batch) {
  torch::NoGradGuard no_grad;
  Discriminator& d = trainer.discriminator();
  std::vector<torch::Tensor> saved;
  for (const auto& b : d->buffers()) saved.push_back(b.clone());
  double sum = 0;
  for (int64_t i = 0; i < images.size(0); i += batch) {
    const int64_t end = std::min(images.size(0), i + batch);
    torch::Tensor x = images.slice(0, i, end);
    if (trainer.channels_last()) x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    const torch::Tensor y = labels.defined() ? labels.slice(0, i, end) : torch::Tensor();
    sum += torch::sigmoid(d->forward(x, y).to(torch::kFloat)).sum().item<double>();
  }
  auto buffers = d->buffers();
  for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved[i]);
  return sum / static_cast<double>(images.size(0));
}

constexpr const char* kRemedies =
    "try train.augment=color,translation,cutout, data.mirror=true where left and right do not matter, a smaller "
    "train.lr_d, or more data";

}  // namespace

DiscriminatorWatchSink::DiscriminatorWatchSink(const Run& run) {
  schedule_ = {run.config.output.log_every, true};
  if (!run.leader() || !run.holdout) return;
  const auto seed = static_cast<uint64_t>(run.config.train.seed);
  holdout_ = choose_images(*run.holdout, run.holdout->size(), seed, "held-back images", &holdout_labels_)
                 .to(run.device);
  train_probe_ = choose_images(*run.data, holdout_.size(0), seed + 7, "training probe", &train_probe_labels_)
                     .to(run.device);
  if (holdout_labels_.defined()) {
    holdout_labels_ = holdout_labels_.to(run.device);
    train_probe_labels_ = train_probe_labels_.to(run.device);
  }
}

void DiscriminatorWatchSink::on_start(Run& run) {
  run.trainer->reset_interval();
  last_step_ = run.start_step;
}

void DiscriminatorWatchSink::on_step(Run& run, StepEvent& e) {
  const OutputConfig& o = run.config.output;
  const IntervalStats& sums = run.trainer->interval();
  const int64_t first = last_step_ + 1, steps = e.step - last_step_;
  const double rt = sums.sign_real_sum.item<double>() / static_cast<double>(std::max<int64_t>(1, steps));
  const double d_g_z2 = sums.d_g_z2_sum.item<double>() / static_cast<double>(std::max<int64_t>(1, steps));
  run.trainer->reset_interval();
  last_step_ = e.step;
  e.r_t = rt;
  if (run.trainer->settings().augment.any()) {
    const torch::Tensor& p = run.trainer->augment_probability().tensor();
    e.augment_p = p.defined() ? p.item<double>() : 1.0;
  }
  if (holdout_.defined()) {
    const int64_t batch = run.config.train.batch_size;
    e.d_train = mean_probability(*run.trainer, train_probe_, train_probe_labels_, batch);
    e.d_holdout = mean_probability(*run.trainer, holdout_, holdout_labels_, batch);
  }

  const bool collapsing = o.warn_d_g_z > 0 && d_g_z2 < o.warn_d_g_z;
  if (collapsing && !collapsing_)
    spdlog::warn("step {}: D(G(z)) after D's update averaged {:.2g} over steps {}..{}, below {}: D rejects the "
                 "generated images with certainty and G's images tend to collapse to a few (collapse); {}",
                 e.step, d_g_z2, first, e.step, o.warn_d_g_z, kRemedies);
  // Intervals that began in the first epoch do not count: D has not seen the images twice yet.
  const bool after_first_epoch = first - 1 >= run.per_epoch;
  high_rt_ = o.warn_rt > 0 && rt > o.warn_rt && after_first_epoch ? high_rt_ + 1 : 0;
  const bool memorising = high_rt_ >= o.warn_rt_intervals;
  if (memorising && !memorising_)
    spdlog::warn("step {}: r_t = E[sign(D(x))] has been above output.warn_rt {} for {} log intervals ({:.3f} over "
                 "steps {}..{}): D tells the training images apart from everything else (memorising{}); {}",
                 e.step, o.warn_rt, high_rt_, rt, first, e.step,
                 e.d_holdout ? fmt::format("; D(x) {:.3f} on training images, {:.3f} on held-back ones", *e.d_train,
                                           *e.d_holdout)
                             : std::string(),
                 kRemedies);
  collapsing_ = collapsing;
  memorising_ = memorising;
}

}  // namespace dcgan
