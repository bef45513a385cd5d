// Sink: one output of a training run (a log line, a file, a picture), fed by the loop at the steps it asks for.
#pragma once

#include "dcgan/train/trainer.h"

#include <cstdint>
#include <optional>

namespace dcgan {

struct Run;
class Throughput;

/// When the loop calls a sink's on_step. The schedule depends on the config and the build only, never on the rank:
/// every rank of a distributed run takes the same decisions from it (the loop's collectives depend on them).
struct SinkSchedule {
  /// on_step at every multiple of `every` steps; 0: never (at_last still applies).
  int64_t every = 0;
  /// on_step also at the run's last step.
  bool at_last = false;
  /// on_step reads the step's results on the host. The loop checks first that the losses are finite (a host
  /// sync), so a sink never records a diverged step; a sink that reads nothing (a progress bar) keeps the loop free
  /// of syncs.
  bool reads_results = true;
  /// Called on every rank (it takes part in a collective); otherwise on rank 0 only, the rank that writes.
  bool all_ranks = false;
};

/// What the loop hands a sink at a step. Sinks run in the order they are listed; one may leave figures here for
/// those after it (the evaluation's SWD, which the log line and metrics.csv show).
struct StepEvent {
  int64_t step = 0;         // steps completed (1-based)
  int64_t epoch = 0;        // the batch's epoch (0-based)
  int64_t batch_index = 0;  // the batch's position in its epoch (0-based)
  bool last = false;        // the run's last step
  const StepStats* stats = nullptr;  // device tensors: read them only in a sink whose schedule reads_results
  const torch::Tensor* real = nullptr;  // the batch trained on, [B, C, H, W] in [-1, 1] on the device
  Throughput* throughput = nullptr;     // images/s and data wait since the last log step
  std::optional<double> swd, swd_ema;   // set by the evaluation at its steps (SWD x 1e3 of G and of its EMA)
  std::optional<double> r_t;            // set by the discriminator watch at log steps: r_t over the interval
  std::optional<double> d_train, d_holdout;  // and, with data.holdout, D's mean probability on training / held-back
  std::optional<double> augment_p;           // and, with train.augment, the probability p of each policy
};

/// A listener of the training loop, in the way of PyTorch Lightning's or Keras' callbacks. Constructors read what
/// the sink needs and write nothing: a run refused after they ran leaves no files. on_start writes.
class Sink {
 public:
  virtual ~Sink() = default;
  const SinkSchedule& schedule() const { return schedule_; }
  /// After the run folder exists and the log is open, before the first step.
  virtual void on_start(Run& run) { (void)run; }
  /// At the steps the schedule names.
  virtual void on_step(Run& run, StepEvent& event) = 0;
  /// A stop signal after step `event.step` (every rank agreed on it), after that step's on_step calls. The loop
  /// returns next: write what a resume needs.
  virtual void on_stop(Run& run, const StepEvent& event) { (void)run, (void)event; }
  /// The run reached its last step (or had nothing to do).
  virtual void on_end(Run& run) { (void)run; }

 protected:
  SinkSchedule schedule_;  // set by the sink's constructor (the default: never), fixed after
};

/// Whether `schedule` asks for step `step` of `total`.
inline bool due(const SinkSchedule& schedule, int64_t step, int64_t total) {
  return (schedule.every > 0 && step % schedule.every == 0) || (schedule.at_last && step == total);
}

}  // namespace dcgan
