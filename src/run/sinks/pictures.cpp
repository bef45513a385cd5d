// PicturesSink: losses.png, d_outputs.png, real_vs_fake.png and progress.png, redrawn at each sample step.
#include "dcgan/run/sinks/pictures.h"

#include "dcgan/report/plots.h"
#include "dcgan/run/run.h"

#include <spdlog/spdlog.h>

namespace dcgan {

PicturesSink::PicturesSink(const Run& run) {
  if (DCGAN_WITH_OPENCV) schedule_ = {run.config.output.sample_every, true};
}

void PicturesSink::on_step(Run& run, StepEvent& e) {
  const std::string& dir = run.dir();
  try {
    write_metric_plots(dir);
    write_progress_strip(dir, dir + "/progress.png");
    Generator& g = run.trainer->generator();
    torch::NoGradGuard no_grad;
    g->eval();
    const GridInput in = sample_grid_input(run);
    const torch::Tensor fake = g->forward(in.noise, in.labels);
    g->train();
    const torch::Tensor& real = *e.real;
    const int64_t n = std::min<int64_t>(real.size(0), fake.size(0));
    write_real_vs_fake(dir + "/real_vs_fake.png", real.slice(0, 0, n), fake.slice(0, 0, n));
  } catch (const std::exception& ex) {
    spdlog::warn("plots not updated: {}", ex.what());
  }
}

}  // namespace dcgan
