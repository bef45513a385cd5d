// Checkpoints: g.pt (generator + settings to rebuild it) and full training checkpoints; atomic writes, clear errors.
#pragma once

#include "dcgan/config.h"
#include "dcgan/generator.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace dcgan {

class Trainer;

// Thrown when a file is not a usable checkpoint; what() names the file and the problem.
struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Version of the layout below; bumped when it changes incompatibly.
inline constexpr int64_t kCheckpointFormat = 1;

// Where training stood when a checkpoint was written.
struct TrainingPosition {
  int64_t step = 0;   // completed steps
  int64_t epoch = 0;  // 0-based epoch of the next batch
};

// Layout (a torch::serialize archive):
//   kind = "generator" | "checkpoint", format, step, epoch, config (resolved YAML), torch_version,
//   generator/ (G's parameters and BatchNorm buffers);
//   a checkpoint adds discriminator/, optimizer_g/, optimizer_d/ and fixed_noise.
void save_generator(const std::string& path, Generator& generator, const Config& config, const TrainingPosition& at);
void save_checkpoint(const std::string& path, Trainer& trainer, const Config& config, const TrainingPosition& at,
                     const torch::Tensor& fixed_noise);

struct LoadedGenerator {
  Generator generator{nullptr};  // on the CPU, in eval mode
  Config config;                 // the run's resolved config
  std::string kind;              // "generator" or "checkpoint"
  TrainingPosition at;
};

// Loads the generator from a g.pt or a full checkpoint. Throws CheckpointError for a missing, truncated or foreign
// file, or one whose weights do not fit the recorded architecture.
LoadedGenerator load_generator(const std::string& path);

}  // namespace dcgan
