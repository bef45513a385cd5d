// SampleGridSink: 8x8 grids of G (and of its moving average) on the run's fixed noise.
#pragma once

#include "dcgan/run/sink.h"

namespace dcgan {

/// samples/step-NNNNNN.png (G) and samples/ema/step-NNNNNN.png (its moving average, when train.ema_decay > 0) at
/// every output.sample_every steps and the last, BatchNorm in eval mode, on the same fixed noise all run long.
/// Builds without PNG output write none.
class SampleGridSink final : public Sink {
 public:
  explicit SampleGridSink(const Run& run);
  void on_start(Run& run) override;
  void on_step(Run& run, StepEvent& event) override;
};

}  // namespace dcgan
