// fit: the training loop around Trainer::step, and the sinks it feeds (console, metrics.csv, samples, checkpoints).
#pragma once

#include <cstdint>
#include <string>

namespace dcgan {

struct Config;

struct FitResult {
  int64_t steps = 0;       // steps trained
  double seconds = 0;      // wall time of the loop
  std::string run_dir;     // output.dir
  std::string last_sample; // path of the last sample grid
};

// Runs a whole training run as `config` describes (validated here). Before writing anything it opens the data, so
// an unusable data set leaves no partial run directory behind. Writes into output.dir:
//   config.yaml, metrics.csv (step,epoch,loss_d,loss_g,d_x,d_g_z1,d_g_z2,images_per_s), train.log,
//   samples/step-NNNNNN.png (8x8 grid of G(fixed noise), BatchNorm in eval mode), g.pt, checkpoints/step-NNNNNN.pt.
// Logs through spdlog's default logger. On the CPU with a fixed config and seed, metrics.csv is byte-identical from
// run to run apart from the images_per_s column.
FitResult fit(const Config& config);

}  // namespace dcgan
