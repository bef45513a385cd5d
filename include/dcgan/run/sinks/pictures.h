// PicturesSink: the tutorial's figures in the run folder, redrawn at each sample step.
#pragma once

#include "dcgan/run/sink.h"

namespace dcgan {

/// losses.png, d_outputs.png (from metrics.csv), real_vs_fake.png (the step's batch beside G's fixed-noise images)
/// and progress.png (the sample grids over time), at every output.sample_every steps and the last; listed after
/// SampleGridSink so that the strip shows the step's grid. They are conveniences: a failure to draw one is a
/// warning, not the end of the run. OpenCV builds only.
class PicturesSink final : public Sink {
 public:
  explicit PicturesSink(const Run& run);
  void on_step(Run& run, StepEvent& event) override;
};

}  // namespace dcgan
