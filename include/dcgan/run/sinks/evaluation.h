// EvaluationSink: SWD of G and of its moving average on a fixed evaluation set; the best generator as g-best.pt.
#pragma once

#include "dcgan/eval/swd.h"
#include "dcgan/run/sink.h"

namespace dcgan {

/// Every output.eval_every steps and at the last step (when the run reaches eval_every steps): SWD x 1e3 of G and
/// of its EMA between up to output.eval_images real images, chosen once by a seed, and output.eval_images of G's
/// images of fixed noise drawn from a generator of its own (so the training run's random stream is the same with
/// evaluation on or off). The real images are the data.holdout images when the run holds some back (never trained
/// on: a G that reproduces training images scores no better for it, so g-best.pt is not chosen for memorising),
/// else training images. The figures go to the
/// event (metrics.csv's swd, swd_ema) and the log; the better of the two, when better than every earlier one (a
/// resumed run's included), saves G and its EMA as g-best.pt and becomes run.best.
class EvaluationSink final : public Sink {
 public:
  /// Reads the evaluation set (rank 0 only; unreadable images passed over with a count).
  explicit EvaluationSink(const Run& run);
  void on_step(Run& run, StepEvent& event) override;

 private:
  torch::Tensor real_;   // [N, C, H, W] in [-1, 1] on the training device (sorting is the cost; GPUs sort fast)
  torch::Tensor noise_;  // [N, nz, 1, 1] on the CPU
  torch::Tensor labels_;  // conditional runs: real_'s classes on the CPU, which G draws for; else undefined
  SwdOptions options_;
  const char* against_ = "";  // "held-back images" or "training images", for the log
};

}  // namespace dcgan
