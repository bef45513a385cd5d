// ConsoleSink: the tutorial's log line (losses, D's outputs, images/s, data wait) every output.log_every steps.
#pragma once

#include "dcgan/run/sink.h"

namespace dcgan {

/// Logs "[epoch/epochs][batch/per_epoch] Loss_D ... Loss_G ... D(x) ... D(G(z)) z1 / z2 images/s data wait" at every
/// output.log_every steps and the last, through spdlog (the console and train.log), then r_t and D on training and
/// held-back images where the discriminator watch set them.
class ConsoleSink final : public Sink {
 public:
  explicit ConsoleSink(const Run& run);
  void on_step(Run& run, StepEvent& event) override;
};

}  // namespace dcgan
