// SampleGridSink: grids of G and of its moving average on the fixed noise.
#include "dcgan/run/sinks/sample_grids.h"

#include "dcgan/io/files.h"
#include "dcgan/report/image_io.h"
#include "dcgan/run/run.h"

#include <fmt/format.h>

namespace dcgan {
namespace {

void write_samples(Generator& g, const GridInput& in, const std::string& path) {
  torch::NoGradGuard no_grad;
  g->eval();
  const torch::Tensor images = g->forward(in.noise, in.labels);
  g->train();
  write_png(path, make_grid(images, GridOptions{in.columns, 2}));
}

}  // namespace

SampleGridSink::SampleGridSink(const Run& run) {
  if (png_supported()) schedule_ = {run.config.output.sample_every, true};  // start_run warned otherwise
}

void SampleGridSink::on_start(Run& run) {
  ensure_writable_dir(run.dir() + "/samples");
  if (run.trainer->has_ema()) ensure_writable_dir(run.dir() + "/samples/ema");
}

void SampleGridSink::on_step(Run& run, StepEvent& e) {
  run.last_sample = fmt::format("{}/samples/step-{:06d}.png", run.dir(), e.step);
  const GridInput in = sample_grid_input(run);
  write_samples(run.trainer->generator(), in, run.last_sample);
  if (Generator* ema = run.average())
    write_samples(*ema, in, fmt::format("{}/samples/ema/step-{:06d}.png", run.dir(), e.step));
}

}  // namespace dcgan
