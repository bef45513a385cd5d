// CheckpointSink: checkpoints every output.checkpoint_every steps, at the end and on a stop; g.pt.
#include "dcgan/run/sinks/checkpoints.h"

#include "dcgan/dist/distributed.h"
#include "dcgan/io/checkpoint.h"
#include "dcgan/io/files.h"
#include "dcgan/run/run.h"
#include "dcgan/runtime/runtime.h"

namespace dcgan {
namespace {

void write_generator(Run& run) {
  if (!run.leader()) return;
  save_generator(run.dir() + "/g.pt", run.trainer->generator(), run.config, run.at, run.average());
}

}  // namespace

CheckpointSink::CheckpointSink(const Run& run) {
  schedule_ = {run.config.output.checkpoint_every, true, true, /*all_ranks=*/true};
}

void CheckpointSink::on_start(Run& run) {
  if (run.leader()) ensure_writable_dir(run.dir() + "/checkpoints");
}

void CheckpointSink::write_checkpoint(Run& run) {
  const RngState rng = capture_rng();
  std::vector<RngState> others;
  if (run.group) {  // every rank's state, for an exact resume
    const auto all = run.group->all_gather(rng_to_bytes(rng));
    for (std::size_t r = 1; r < all.size(); ++r) others.push_back(rng_from_bytes(all[r], rng));
  }
  written_step_ = run.at.step;
  if (!run.leader()) return;
  const std::string path = checkpoint_path(run.dir(), run.at.step);
  run.average();  // the average is saved with its standing statistics
  save_checkpoint(path, *run.trainer, run.config, run.at, run.fixed_noise, rng, run.best, others);
  publish_checkpoint(run.dir(), run.at.step, run.config.output.keep_checkpoints);
  run.last_checkpoint = path;
}

void CheckpointSink::on_step(Run& run, StepEvent&) { write_checkpoint(run); }

void CheckpointSink::on_stop(Run& run, const StepEvent& e) {
  if (written_step_ != e.step) write_checkpoint(run);
  write_generator(run);
}

void CheckpointSink::on_end(Run& run) { write_generator(run); }

}  // namespace dcgan
