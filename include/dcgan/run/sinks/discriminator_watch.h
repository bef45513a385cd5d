// DiscriminatorWatchSink: is D winning? r_t, D on held-back and training images, and warnings.
#pragma once

#include "dcgan/run/sink.h"

#include <torch/torch.h>

namespace dcgan {

/// At every log step (output.log_every, and the last), over the steps since the previous one:
/// - r_t = E[sign(D(x_real))], the overfitting heuristic of Karras et al. 2020 (eq. 1), from the trainer's
///   device-side interval sums (no extra pass over data);
/// - with data.holdout, D's mean probability on the held-back images and on as many training images (a seeded
///   choice), each in batches of train.batch_size, D in training mode as the step runs it, its BatchNorm buffers
///   restored after, so training is unchanged;
/// - with train.augment, the augmentation probability p as it stands after the step (train.augment_p);
/// and leaves them in the event (StepEvent::r_t, d_train, d_holdout, augment_p) for the log line, metrics.csv and
/// TensorBoard after it.
/// Warns, naming the step and what to try, when D(G(z)) after D's update averaged below output.warn_d_g_z over the
/// interval (collapse) and when r_t was above output.warn_rt in each of the last
/// output.warn_rt_intervals intervals, all begun after the first epoch (memorising); each once when it starts,
/// again only after it has ended. Rank 0 only: r_t is rank 0's batches' figure.
class DiscriminatorWatchSink final : public Sink {
 public:
  explicit DiscriminatorWatchSink(const Run& run);
  void on_start(Run& run) override;
  void on_step(Run& run, StepEvent& event) override;

 private:
  torch::Tensor holdout_, train_probe_;  // [-1, 1] on the device (undefined without data.holdout)
  torch::Tensor holdout_labels_, train_probe_labels_;  // their classes on the device (conditional runs only)
  int64_t last_step_ = 0;
  int high_rt_ = 0;  // log intervals in a row with r_t above output.warn_rt
  bool collapsing_ = false, memorising_ = false;
};

}  // namespace dcgan
