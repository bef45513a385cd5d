// EvaluationSink: SWD of G and of its EMA every output.eval_every steps; g-best.pt.
#include "dcgan/run/sinks/evaluation.h"

#include "dcgan/data/batch_source.h"
#include "dcgan/data/loader.h"
#include "dcgan/io/checkpoint.h"
#include "dcgan/run/run.h"
#include "dcgan/run/throughput.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>

namespace dcgan {

EvaluationSink::EvaluationSink(const Run& run) {
  const Config& c = run.config;
  if (c.output.eval_every == 0 || run.total < c.output.eval_every) return;
  schedule_ = {c.output.eval_every, true};  // eval_every is a multiple of log_every (validate); and the last step
  if (!run.leader()) return;
  const auto seed = static_cast<uint64_t>(c.train.seed);
  options_.seed = seed;
  against_ = run.holdout ? "held-back images" : "training images";
  real_ = choose_images(run.holdout ? *run.holdout : *run.data, c.output.eval_images, seed, "evaluation set", &labels_)
              .to(run.device);
  if (real_.size(0) < c.output.eval_images)
    spdlog::info("evaluation set: {} real {} (output.eval_images is {})", real_.size(0), against_,
                 c.output.eval_images);
  const int64_t n = c.output.eval_images;
  if (labels_.defined())  // G draws for the real images' classes, in turn
    labels_ = labels_.repeat({(n + labels_.size(0) - 1) / labels_.size(0)}).slice(0, 0, n);
  at::Generator gen = at::detail::createCPUGenerator(seed + 1);
  noise_ = torch::randn({n, c.model.nz, 1, 1}, gen, torch::kFloat);
}

void EvaluationSink::on_step(Run& run, StepEvent& e) {
  const auto start = Clock::now();
  Trainer& trainer = *run.trainer;
  Generator* ema = run.average();
  const double swd = sliced_wasserstein(real_, generate_images(trainer.generator(), noise_, run.device, labels_), options_).mean;
  e.swd = swd;
  if (ema) e.swd_ema = sliced_wasserstein(real_, generate_images(*ema, noise_, run.device, labels_), options_).mean;
  // The better of the two: early in a run the average lags behind G, later it is usually ahead.
  const bool ema_better = ema && *e.swd_ema < swd;
  const double figure = ema_better ? *e.swd_ema : swd;
  const bool better = figure < run.best.swd;
  if (better) {
    run.best = {figure, e.step};
    save_generator(run.dir() + "/g-best.pt", trainer.generator(), run.config, run.at, ema);
  }
  spdlog::info("eval at step {}: SWD x1e3 of G {:.3f}{} against {} real {} in {:.1f}s; best {:.3f} at step {}{}",
               e.step, swd, ema ? fmt::format(", of its EMA {:.3f}", *e.swd_ema) : std::string(), real_.size(0),
               against_, seconds_since(start), run.best.swd, run.best.step,
               better ? fmt::format(" (saved g-best.pt; the better there is {})",
                                    ema_better ? "the EMA: sample it with --ema" : "G")
                      : "");
}

}  // namespace dcgan
