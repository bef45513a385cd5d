// Checkpoints: g.pt (generator + settings to rebuild it) and full training checkpoints; atomic writes, clear errors.
#pragma once

#include "dcgan/config/config.h"
#include "dcgan/model/generator.h"
#include "dcgan/runtime/runtime.h"

#include <torch/torch.h>

#include <limits>
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

// The best evaluation so far (output.eval_every), carried through checkpoints so that a resumed run replaces
// g-best.pt only with a better generator.
struct BestEval {
  double swd = std::numeric_limits<double>::infinity();
  int64_t step = -1;  // -1: none yet
};

// Layout (a torch::serialize archive):
//   kind = "generator" | "checkpoint", format, step, epoch, config (resolved YAML), config_hash (identity_hash),
//   torch_version, generator/ (G's parameters and BatchNorm buffers), generator_ema/ (when train.ema_decay > 0);
//   a checkpoint adds discriminator/, optimizer_g/, optimizer_d/ (Adam moments and step counts), fixed_noise,
//   rng_cpu and rng_cuda_count, rng_cuda_<i> (the generators' states after `step` steps), best_swd, best_step,
//   world_size and, for each rank r > 0 of a distributed run, rank<r>_rng_cpu, rank<r>_rng_cuda_count and
//   rank<r>_rng_cuda_<i> (rank 0's are the rng_* above); with train.augment_p=adaptive, augment_p,
//   augment_sign_sum and augment_steps (AugmentProbability::state()).
// generator_ema, best_swd, best_step and world_size were added without a format change: files without them still
// load (world size 1).
// The epoch position needs no field of its own: the loader's order depends only on the seed and the epoch, and
// training consumes one batch per step, so global batch `step` is where the next step reads.
void save_generator(const std::string& path, Generator& generator, const Config& config, const TrainingPosition& at,
                    Generator* ema = nullptr);
// `rng` is this process's (rank 0's) generator states; `other_ranks` those of ranks 1..W-1 of a distributed run.
void save_checkpoint(const std::string& path, Trainer& trainer, const Config& config, const TrainingPosition& at,
                     const torch::Tensor& fixed_noise, const RngState& rng, const BestEval& best = {},
                     const std::vector<RngState>& other_ranks = {});

// What a full checkpoint restores besides the networks and optimizers.
struct LoadedCheckpoint {
  Config config;
  TrainingPosition at;
  torch::Tensor fixed_noise;  // on the trainer's device
  RngState rng;                      // rank 0's
  int world_size = 1;                // ranks of the run that wrote it
  std::vector<RngState> other_ranks; // ranks 1..world_size-1
  std::string torch_version;
  BestEval best;
  bool had_ema = false;  // false: the file has no average; the trainer's was reset to a copy of G
};

// The config a checkpoint (or g.pt) was written with. Throws CheckpointError for unreadable files.
Config read_checkpoint_config(const std::string& path);

// Loads G, D and both Adam states of a full checkpoint into `trainer` (which must have been built with the same
// identity keys; see differing_identity_keys) on its device. Does not restore the RNG: the caller does, when ready.
LoadedCheckpoint load_checkpoint(const std::string& path, Trainer& trainer);

// Checkpoint files of a run: <run_dir>/checkpoints/step-NNNNNN.pt and the link checkpoints/latest.pt.
std::string checkpoint_path(const std::string& run_dir, int64_t step);
// Points checkpoints/latest.pt at `step`'s file (atomically) and deletes all but the newest `keep` step files.
void publish_checkpoint(const std::string& run_dir, int64_t step, int keep);
// A checkpoint file given itself, or a run directory (its checkpoints/latest.pt). Throws CheckpointError.
std::string find_checkpoint(const std::string& run_dir_or_file);

struct LoadedGenerator {
  Generator generator{nullptr};  // on the CPU, in eval mode, transposed convolutions via conv kernels
  Generator ema{nullptr};        // the moving average of G's weights, when the file has one (same settings)
  Config config;                 // the run's resolved config
  std::string kind;              // "generator", "checkpoint", or "state_dict" (a Python .pth)
  TrainingPosition at;
  std::string torch_version;     // of the LibTorch that wrote it ("" for a .pth)
};

// Loads the generator from a g.pt, a full checkpoint, or a generator state dict saved by Python's torch.save
// (see interop.h; its config holds only what the weights tell: nz, ngf, channels, image size). Throws CheckpointError for a missing, truncated, damaged
// (zip CRC or names) or foreign file, or one whose weights do not fit the recorded architecture. A file crafted to
// pass those checks reaches LibTorch's TorchScript importer: treat checkpoints from others as code, as torch.load's
// own documentation advises.
LoadedGenerator load_generator(const std::string& path);

// The moving average when `ema` (throws CheckpointError naming `path` when the file holds none), else the raw G.
Generator& choose_generator(LoadedGenerator& loaded, bool ema, const std::string& path);

}  // namespace dcgan
