// TensorBoardSink: a TensorBoard event file in the run folder, with the log's scalars and the sample grids.
#pragma once

#include "dcgan/io/tfevents.h"
#include "dcgan/run/sink.h"

#include <memory>
#include <string>

namespace dcgan {

/// With output.tensorboard, <run>/events.out.tfevents.<unix time>.<host> (io/tfevents.h; `tensorboard --logdir`
/// on the run's parent folder reads it):
/// - at each log step, the scalars loss/d, loss/g, d/x, d/g_z1, d/g_z2, speed/images_per_s, and where the run has
///   them d/r_t, overfitting/d_train, overfitting/d_holdout; at evaluation steps eval/swd and eval/swd_ema: the
///   figures of metrics.csv's row;
/// - at each sample step, the fixed-noise grids of G and of its average (samples/g, samples/ema) as the PNG bytes
///   SampleGridSink wrote (it runs first);
/// - at each checkpoint step (output.checkpoint_every and the last), a histogram of each of G's and D's weight
///   tensors (weights/G/<name>, weights/D/<name>, the tutorial's parameter names; 30 equal buckets from the
///   tensor's min to its max).
/// A new file per process start. Resuming, the records after the checkpoint's step are first removed from the
/// earlier files (each rewritten atomically), so every step appears once. Rank 0 only. A failed write throws
/// FileError naming the file, as every other output does.
class TensorBoardSink final : public Sink {
 public:
  explicit TensorBoardSink(const Run& run);
  void on_start(Run& run) override;
  void on_step(Run& run, StepEvent& event) override;

 private:
  void scalar(int64_t step, const char* tag, double value);
  void image(int64_t step, const char* tag, const std::string& png_path);
  void histograms(int64_t step, const std::string& prefix, const torch::nn::Module& module);

  int64_t log_every_ = 0, sample_every_ = 0, checkpoint_every_ = 0, total_ = 0;
  std::unique_ptr<EventFileWriter> writer_;
};

/// Rewrites the event files in `dir` keeping the records up to `step` (and the whole records of a cut file);
/// files already within it are left untouched. Returns how many records were dropped.
int64_t truncate_event_files(const std::string& dir, int64_t step);

}  // namespace dcgan
