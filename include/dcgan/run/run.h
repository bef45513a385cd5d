// Run: a training run as set up before its first step (who this process is, the trainer, the data, the run folder).
#pragma once

#include "dcgan/run/run_folder.h"
#include "dcgan/config/config.h"
#include "dcgan/data/batch_source.h"
#include "dcgan/data/dataset.h"
#include "dcgan/io/checkpoint.h"
#include "dcgan/train/step_runner.h"
#include "dcgan/train/trainer.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

namespace dcgan {

struct DistEnv;
class ProcessGroup;

/// The sample grid is 8x8, as the tutorial's fixed_noise of 64 vectors.
inline constexpr int kSampleCount = 64;
inline constexpr int kSampleRows = 8;

/// Classes a conditional run's sample grids show, a row each (the first ones, when there are more).
inline constexpr int kMaxGridClasses = 32;

/// What the sample grids draw: the fixed noise in kSampleRows rows; for a conditional run one row per class
/// (up to kMaxGridClasses), each the first kSampleRows vectors of the fixed noise, so a column keeps its noise.
struct GridInput {
  torch::Tensor noise;   // [N, nz, 1, 1] on the device
  torch::Tensor labels;  // [N] int64 on the device; undefined when unconditional
  int columns = kSampleRows;
};

/// Everything a run holds between its set-up and its end. The loop and the sinks share it; the sinks update the
/// "written so far" fields. Members are destroyed in reverse order: the batch source (its thread joined) before the
/// log file its warnings go to, the trainer (whose gradient hook holds the group) before the process group.
struct Run {
  Run();
  ~Run();
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  Config config;            // validated
  std::string resume_from;  // the checkpoint this run continues, or ""
  bool overwrite = false;   // train --overwrite: start_run removes the folder's old run first
  RunFolderLock folder;     // rank 0's lock on output.dir, for the run's life (run_folder.h)
  int rank = 0;             // this process in a distributed run (0 of 1 otherwise)
  int world = 1;
  std::string master;       // MASTER_ADDR:MASTER_PORT of a distributed run
  bool leader() const { return rank == 0; }  // rank 0: the only rank that writes
  bool resuming() const { return !resume_from.empty(); }
  const std::string& dir() const { return config.output.dir; }
  /// G's moving average as of the last completed step, its standing BatchNorm statistics refreshed for that step
  /// (Trainer::refresh_ema_statistics), or nullptr when the run keeps none. What evaluates, samples or saves it.
  Generator* average();

  torch::Device device{torch::kCPU};
  int threads = 0;                      // intra-op CPU threads in force
  std::unique_ptr<ProcessGroup> group;  // distributed runs only
  std::unique_ptr<Trainer> trainer;
  std::unique_ptr<StepRunner> runner;   // eager steps or a CUDA graph's replays
  torch::Tensor fixed_noise;            // [kSampleCount, nz, 1, 1] on the device: the sample grids' noise
  std::unique_ptr<Dataset> data;        // the training images (data.holdout ones left out)
  std::unique_ptr<Dataset> holdout;     // the data.holdout images never trained on, or null
  int64_t start_step = 0;               // steps done before this process started (a resume's checkpoint)
  int64_t total = 0;                    // the step to reach
  int64_t per_epoch = 0;                // (global) batches per epoch
  int64_t epochs = 0;                   // epochs `total` steps span
  std::string mirror_decision;          // data.mirror=auto's decision and figures, for the log ("" otherwise)

  // Written so far.
  TrainingPosition at;                  // the last completed step
  BestEval best;                        // the best evaluation (g-best.pt)
  std::string last_checkpoint;          // the newest complete checkpoint ("" before the first)
  std::string last_sample;              // the newest sample grid ("" before the first)

  std::shared_ptr<void> quiet_rank;     // ranks > 0 log warnings and errors only, until the run ends
  std::shared_ptr<void> log_file;       // train.log beside the console (rank 0), until the run ends
  std::unique_ptr<BatchSource> source;  // set by start_run
};

/// The sample grids' input for `run` (see GridInput).
GridInput sample_grid_input(const Run& run);

/// Sets a run up without writing anything: device and threads, the process group (a distributed run meets first,
/// so a bad launch fails before anything else), the seeded trainer and fixed noise, a resume's checkpoint (refused
/// when the model, data or optimiser differ, or the world size), the data set and the step count. Throws
/// ConfigError, DataError, CheckpointError, DistributedError with a message naming the file or key.
std::unique_ptr<Run> open_run(const Config& config, const std::string& resume_from, const DistEnv* dist,
                              bool overwrite = false);

/// Rank 0 writes the run folder (config.yaml, train.log, appended to when resuming); every rank opens its batch
/// source (resident on the device, or the Loader's thread) at the run's first batch and logs the run's settings.
void start_run(Run& run);

}  // namespace dcgan
