// fit: a whole training run, as `dcgan train` runs it: set up, the loop over steps, the sinks it feeds.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace dcgan {

struct Config;
struct DistEnv;
struct Run;
class Sink;

/// Training could not go on (a non-finite loss); what() names the step and the last good checkpoint.
struct TrainingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct FitResult {
  int64_t steps = 0;          // the step reached
  int stopped_by_signal = 0;  // SIGINT/SIGTERM that stopped the run after a checkpoint, or 0
  double seconds = 0;         // wall time of the loop
  std::string run_dir;        // output.dir
  std::string last_sample;    // path of the last sample grid
};

/// Runs a whole training run as `config` describes (validated here). Before writing anything it opens the data, so
/// an unusable data set leaves no partial run directory behind. Writes into output.dir what default_sinks lists:
///   config.yaml, train.log, metrics.csv, samples/step-NNNNNN.png (8x8 grid of G(fixed noise), BatchNorm in eval
///   mode), the pictures, g-best.pt, g.pt, checkpoints/step-NNNNNN.pt.
/// Logs through spdlog's default logger. On the CPU with a fixed config and seed, metrics.csv is byte-identical from
/// run to run apart from the images_per_s column.
///
/// Resuming (`resume_from` names a full checkpoint whose identity keys equal config's): loads G, D, both Adam states,
/// the fixed noise and the RNG states, restarts the batches at the checkpoint's step, keeps metrics.csv rows up to
/// that step and appends after them. On the CPU the result is the same, byte for byte, as a run never interrupted.
/// The run claims output.dir first (run_folder.h): a folder locked by another run, or holding a run when neither
/// resuming nor `overwrite`, is refused with RunFolderError before anything is set up; with `overwrite` the old
/// run's files are removed once the new run is set up, just before it writes.
/// A SIGINT/SIGTERM (see signals.h) ends the run after the current step with a checkpoint and g.pt written.
/// A non-finite loss throws TrainingError without writing a checkpoint of the diverged state.
///
/// Distributed (`dist` names a world of more than one rank, as torchrun describes it): every rank calls fit with the
/// same config. The ranks meet through c10d (dist.backend), start from rank 0's weights, read disjoint shards of each
/// epoch (train.batch_size per rank), average G's and D's gradients before every optimizer step, and agree on
/// stopping (a signal, a non-finite loss) so that they stop together. Only rank 0 writes anything; its checkpoints
/// hold every rank's RNG state, and a resume needs the same world size. train.threads = 0 gives each rank its share
/// of the machine's cores (LOCAL_WORLD_SIZE ranks share them); device auto/cuda picks cuda:LOCAL_RANK.
FitResult fit(const Config& config, const std::string& resume_from = "", const DistEnv* dist = nullptr,
              bool overwrite = false);

/// The outputs of a run, in the order the loop calls them (the evaluation first: the log line and metrics.csv show
/// its figures). A new output is one sink and one line here.
std::vector<std::unique_ptr<Sink>> default_sinks(const Run& run);

/// The loop: from run.start_step to run.total, each step handed to the sinks whose schedule names it. `run` comes
/// from open_run and start_run.
FitResult run_loop(Run& run, const std::vector<std::unique_ptr<Sink>>& sinks);

}  // namespace dcgan
