// fit: the training loop. Each step: a batch, the step, what the step must do, then the sinks it is due for.
#include "dcgan/run/fit.h"

#include "dcgan/dist/distributed.h"
#include "dcgan/run/run.h"
#include "dcgan/run/signals.h"
#include "dcgan/run/sink.h"
#include "dcgan/run/sinks/checkpoints.h"
#include "dcgan/run/sinks/console.h"
#include "dcgan/run/sinks/discriminator_watch.h"
#include "dcgan/run/sinks/evaluation.h"
#include "dcgan/run/sinks/metrics_csv.h"
#include "dcgan/run/sinks/pictures.h"
#include "dcgan/run/sinks/progress.h"
#include "dcgan/run/sinks/report.h"
#include "dcgan/run/sinks/sample_grids.h"
#include "dcgan/run/sinks/tensorboard.h"
#include "dcgan/run/throughput.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <csignal>

namespace dcgan {
namespace {

// A stop signal. The ranks of a distributed run agree before acting on one: every step with Gloo (a host-side
// all-reduce), at log steps with NCCL (reading the result syncs with the device).
bool agree_to_stop(Run& run, int64_t step) {
  const bool here = stop_signal() != 0;
  if (!run.group) return here;
  const bool log_step = step % run.config.output.log_every == 0 || step == run.total;
  if (run.group->backend() != "gloo" && !log_step) return false;
  return run.group->all_reduce_sum(here ? 1 : 0) > 0;
}

// The step counts non-finite losses on the device; reading the count syncs, so the loop reads it only at steps
// whose sinks read the step's results. Every rank stops when one diverged.
void check_finite(Run& run, const StepStats& stats, int64_t step, int64_t& checked_step) {
  int64_t bad = run.trainer->nonfinite_steps().item<int64_t>();
  if (run.group) bad = run.group->all_reduce_sum(bad);
  if (bad > 0)
    throw TrainingError(fmt::format(
        "step {}: the loss is not finite (in {} step(s) since step {}, the last check; Loss_D {}, Loss_G {}); "
        "training diverged and stopped. Last good checkpoint: {} (try a lower train.lr)",
        step, bad, checked_step, stats.loss_d.item<double>(), stats.loss_g.item<double>(),
        run.last_checkpoint.empty() ? std::string("none yet") : run.last_checkpoint));
  checked_step = step;
}

// dist.check_every: every rank hashes its G and D weights; all ranks compare all hashes, so all stop together when
// they differ.
void check_identical_weights(Run& run, int64_t step) {
  ProcessGroup& group = *run.group;
  const auto g = group.all_gather(static_cast<int64_t>(hash_tensors(run.trainer->generator()->parameters())));
  const auto d = group.all_gather(static_cast<int64_t>(hash_tensors(run.trainer->discriminator()->parameters())));
  const auto hex = [](const std::vector<int64_t>& v) {
    std::vector<std::string> out;
    for (int64_t x : v) out.push_back(fmt::format("{:016x}", static_cast<uint64_t>(x)));
    return out;
  };
  for (std::size_t r = 1; r < g.size(); ++r)
    if (g[r] != g[0] || d[r] != d[0])
      throw TrainingError(fmt::format("step {}: the ranks hold different weights (G: {}; D: {}); the gradient "
                                      "averaging is broken",
                                      step, fmt::join(hex(g), " "), fmt::join(hex(d), " ")));
  spdlog::info("step {}: G and D weights identical on {} ranks (G {}, D {})", step, g.size(), hex(g)[0], hex(d)[0]);
}

// The end of a distributed run: no rank leaves (closing its connections) while another still reduces; then what
// the gradient all-reduce cost.
void finish_distributed(Run& run, int64_t steps_run, double seconds) {
  ProcessGroup& group = *run.group;
  group.barrier();
  const AllReduceStats& ar = group.gradient_stats();
  if (steps_run > 0)
    spdlog::info("gradient all-reduce ({}): {} calls, {} bytes ({:.2f} MiB) and {:.1f} ms per step, {:.1f}% of the "
                 "loop's time",
                 group.backend(), ar.calls, ar.bytes / steps_run, ar.bytes / 1048576.0 / steps_run,
                 1e3 * ar.seconds / steps_run, 100.0 * ar.seconds / std::max(1e-9, seconds));
}

FitResult stopped(const Run& run, FitResult result) {
  // A rank told to stop by the others (the signal reached another rank) reports SIGTERM's status.
  result.stopped_by_signal = stop_signal() != 0 ? stop_signal() : SIGTERM;
  spdlog::warn("stopped by signal {} after step {} of {}; checkpoint {}", result.stopped_by_signal, result.steps,
               run.total, run.last_checkpoint);
  spdlog::warn("resume with: dcgan train --resume {}", run.dir());
  return result;
}

}  // namespace

std::vector<std::unique_ptr<Sink>> default_sinks(const Run& run) {
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::make_unique<EvaluationSink>(run));
  sinks.push_back(std::make_unique<DiscriminatorWatchSink>(run));
  sinks.push_back(std::make_unique<ConsoleSink>(run));
  sinks.push_back(std::make_unique<MetricsCsvSink>(run));
  sinks.push_back(std::make_unique<SampleGridSink>(run));
  sinks.push_back(std::make_unique<TensorBoardSink>(run));  // after the grids: it reads their PNGs
  sinks.push_back(std::make_unique<PicturesSink>(run));
  sinks.push_back(std::make_unique<CheckpointSink>(run));
  sinks.push_back(std::make_unique<ReportSink>(run));  // after the files it shows
  sinks.push_back(std::make_unique<ProgressSink>(run));
  return sinks;
}

FitResult run_loop(Run& run, const std::vector<std::unique_ptr<Sink>>& all_sinks) {
  std::vector<Sink*> sinks;  // those that run on this rank
  for (const auto& s : all_sinks)
    if (run.leader() || s->schedule().all_ranks) sinks.push_back(s.get());
  for (Sink* s : sinks) s->on_start(run);
  Throughput throughput(static_cast<int64_t>(run.config.train.batch_size) * run.world,
                        [&run] { return run.source->wait_seconds(); });
  FitResult result;
  result.run_dir = run.dir();
  result.steps = run.start_step;
  const auto start = Clock::now();
  int64_t checked_step = run.start_step;
  for (int64_t step = run.start_step + 1; step <= run.total; ++step) {
    const TrainingBatch batch = run.source->next();
    const StepStats stats = run.runner->step(batch.real, batch.labels);
    throughput.step_done();
    run.at = {step, step / run.per_epoch};
    result.steps = step;

    // What this step must do: decided from the schedules alone, so every rank decides alike.
    const bool stopping = agree_to_stop(run, step);
    bool reads = stopping;
    for (const auto& s : all_sinks) reads |= s->schedule().reads_results && due(s->schedule(), step, run.total);
    if (reads) check_finite(run, stats, step, checked_step);
    if (run.group && run.config.dist.check_every > 0 && step % run.config.dist.check_every == 0)
      check_identical_weights(run, step);

    StepEvent event;
    event.step = step;
    event.epoch = batch.epoch;
    event.batch_index = batch.index;
    event.last = step == run.total;
    event.stats = &stats;
    event.real = &batch.real;
    event.throughput = &throughput;
    throughput.pause();  // images/s counts the training only
    for (Sink* s : sinks)
      if (due(s->schedule(), step, run.total)) s->on_step(run, event);
    if (stopping) {
      for (Sink* s : sinks) s->on_stop(run, event);
      result.seconds = seconds_since(start);
      result.last_sample = run.last_sample;
      return stopped(run, result);
    }
    throughput.resume();
  }
  if (run.start_step >= run.total)
    spdlog::info("nothing to do: the checkpoint is at step {}, train.steps is {}", run.start_step, run.total);
  if (run.group) finish_distributed(run, result.steps - run.start_step, seconds_since(start));
  for (Sink* s : sinks) s->on_end(run);
  result.seconds = seconds_since(start);
  result.last_sample = run.last_sample;
  spdlog::info("data: skipped {} unreadable image(s); waited {:.1f}s for data in all", run.source->skipped(),
               run.source->wait_seconds());
  spdlog::info("done: {} steps in {}; generator in {}/g.pt, last samples in {}", result.steps,
               format_duration(result.seconds), run.dir(),
               result.last_sample.empty() ? std::string("(none written)") : result.last_sample);
  return result;
}

FitResult fit(const Config& config, const std::string& resume_from, const DistEnv* dist, bool overwrite) {
  const std::unique_ptr<Run> run = open_run(config, resume_from, dist, overwrite);
  const auto sinks = default_sinks(*run);  // they read what they need (the evaluation set); nothing is written yet
  start_run(*run);
  try {
    return run_loop(*run, sinks);
  } catch (const DistributedError& e) {  // a lost rank: say where the run can go on from
    throw DistributedError(fmt::format("{}; the last checkpoint: {}", e.what(),
                                       run->last_checkpoint.empty()
                                           ? std::string("none yet")
                                           : run->last_checkpoint + " (every rank: dcgan train --resume " +
                                                 run->dir() + ")"));
  }
}

}  // namespace dcgan
