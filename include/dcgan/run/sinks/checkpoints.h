// CheckpointSink: full checkpoints for an exact resume, and g.pt at the end or on a stop.
#pragma once

#include "dcgan/run/sink.h"

namespace dcgan {

/// checkpoints/step-NNNNNN.pt every output.checkpoint_every steps, at the last step and on a stop (written
/// atomically; the newest output.keep_checkpoints kept; checkpoints/latest.pt links the newest), and g.pt at the
/// end or on a stop. Runs on every rank: the checkpoint holds every rank's RNG state, gathered here (a collective);
/// rank 0 writes. Sets run.last_checkpoint.
class CheckpointSink final : public Sink {
 public:
  explicit CheckpointSink(const Run& run);
  void on_start(Run& run) override;
  void on_step(Run& run, StepEvent& event) override;
  void on_stop(Run& run, const StepEvent& event) override;
  void on_end(Run& run) override;

 private:
  void write_checkpoint(Run& run);
  int64_t written_step_ = -1;
};

}  // namespace dcgan
