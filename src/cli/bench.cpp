// `dcgan bench`: time the full training step on an in-memory synthetic batch; `dcgan bench data`: time batch reading.
#include "common.h"

#include "dcgan/config/config.h"
#include "dcgan/data/dataset.h"
#include "dcgan/data/batch_source.h"
#include "dcgan/data/loader.h"
#include "dcgan/runtime/profile.h"
#include "dcgan/runtime/runtime.h"
#include "dcgan/train/step_runner.h"
#include "dcgan/train/trainer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <memory>

namespace dcgan::cli {

struct BenchStepOptions {
  int batch = 128;        // tutorial: batch_size = 128
  int threads = 0;        // 0 = all cores
  int image_size = 64;
  int channels = 3;
  int steps = 5;          // timed steps
  int warmup = 3;         // untimed steps first (allocator, kernel selection, graph capture)
  std::string device = "auto";
  std::vector<std::string> sets;  // config overrides, e.g. train.channels_last=true
  int profile = 0;        // steps profiled after the timed ones (0 = none): table of kernels or operators
  int profile_top = 30;   // rows of that table
};

struct BenchDataOptions {
  DataSourceOptions source;
  int batch = 128;
  int batches = 50;       // timed batches
  int threads = 0;
};

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

int run_bench_step(const BenchStepOptions& o) {
  Config config;
  config.data.format = "synthetic";
  config.data.image_size = o.image_size;
  config.data.channels = o.channels;
  config.train.batch_size = o.batch;
  config.train.device = o.device;
  config.train.threads = o.threads;
  for (const auto& s : o.sets) apply_override(config, s);
  validate(config);
  // The step's cost hardly depends on the number of classes; bench opens no data to count them.
  if (config.model.num_classes == "auto") config.model.num_classes = "10";
  if (config.data.mirror == "auto") config.data.mirror = "true";  // synthetic data: time the flips too
  const int threads = configure_threads(o.threads);
  const torch::Device device = resolve_device(o.device);
  configure_device(config, device);
  seed_everything(static_cast<uint64_t>(config.train.seed));
  Trainer trainer(config, device);
  // Graph capture happens after 3 eager steps; keep it inside the untimed warm-up.
  const bool graphs = resolve_switch(config.train.cuda_graphs, device.is_cuda());
  StepRunner runner(trainer, StepRunnerOptions{graphs, std::max(0, std::min(3, o.warmup - 1))});
  const torch::Tensor real = torch::rand({o.batch, o.channels, o.image_size, o.image_size}, device) * 2 - 1;
  torch::Tensor labels = cycled_labels(o.batch, trainer.num_classes());
  if (labels.defined()) labels = labels.to(device);
  for (int i = 0; i < o.warmup; ++i) runner.step(real, labels);
  synchronize(device);
  const auto start = std::chrono::steady_clock::now();
  StepStats stats;
  for (int i = 0; i < o.steps; ++i) stats = runner.step(real, labels);
  synchronize(device);
  const double seconds = seconds_since(start);
  if (!std::isfinite(stats.loss_g.item<double>())) throw std::runtime_error("bench: the loss is not finite");
  if (o.profile > 0) {
    // After the timed steps, so the profiler's overhead is not in the figures.
    Profiler profiler(device.is_cuda());
    for (int i = 0; i < o.profile; ++i) stats = runner.step(real, labels);
    synchronize(device);
    std::fputs(format_profile(profiler.stop(), o.profile, o.profile_top).c_str(), stdout);
  }
  const TrainerSettings& ts = trainer.settings();
  std::printf("torch=%s device=%s threads=%d batch=%d image_size=%d channels=%d precision=%s channels_last=%d "
              "fused_adam=%d cuda_graphs=%d steps=%d ms_per_step=%.3f\n",
              torch_version().c_str(), device.str().c_str(), threads, o.batch, o.image_size, o.channels,
              ts.bf16 ? "bf16" : "fp32", ts.channels_last, ts.fused_adam, runner.graphed(), o.steps,
              1000.0 * seconds / o.steps);
  std::printf("images_per_s=%.1f\n", o.steps * o.batch / seconds);
  return 0;
}

int run_bench_data(const BenchDataOptions& o) {
  Config config = config_from(o.source);
  if (o.batch > 0) config.train.batch_size = o.batch;
  validate(config);
  configure_threads(o.threads);
  const auto data = open_dataset(config.data, static_cast<uint64_t>(config.train.seed));
  const ImageShape shape = data->shape();
  const LoaderOptions lo = loader_options_for(config);
  Loader loader(*data, lo);
  // The first batch pays for thread start and cold caches; time the ones after it, each turned into the float
  // tensor training consumes.
  to_training_batch(loader.next(), shape, torch::kCPU);
  const auto start = std::chrono::steady_clock::now();
  double checksum = 0;
  for (int i = 0; i < o.batches; ++i) checksum += to_training_batch(loader.next(), shape, torch::kCPU)[0][0][0][0].item<double>();
  const double seconds = seconds_since(start);
  std::printf("data=%s batch=%d batches=%d skipped=%lld seconds=%.3f checksum=%.3f\n", data->describe().c_str(),
              lo.batch_size, o.batches, static_cast<long long>(loader.skipped()), seconds, checksum);
  std::printf("images_per_s=%.1f\n", static_cast<double>(o.batches) * lo.batch_size / seconds);
  return 0;
}

Command add_bench(CLI::App& root) {
  auto step = std::make_shared<BenchStepOptions>();
  auto data = std::make_shared<BenchDataOptions>();
  CLI::App* app = root.add_subcommand(
      "bench", "Time the full training step on a synthetic batch already in memory (last line: images_per_s=...)");
  app->add_option("--batch", step->batch, "Images per step")->check(CLI::Range(1, 65536))->capture_default_str();
  app->add_option("--threads", step->threads, "CPU threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app->add_option("--image-size", step->image_size, "32, 64 or 128")
      ->check(CLI::IsMember({32, 64, 128}))
      ->capture_default_str();
  app->add_option("--channels", step->channels, "1 or 3")->check(CLI::IsMember({1, 3}))->capture_default_str();
  app->add_option("--steps", step->steps, "Timed steps")->check(CLI::Range(1, 1000000))->capture_default_str();
  app->add_option("--warmup", step->warmup, "Untimed steps first")->check(CLI::Range(0, 1000))->capture_default_str();
  app->add_option("--device", step->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  app->add_option("-s,--set", step->sets, "Config override, e.g. train.channels_last=true (repeatable)")
      ->type_name("KEY=VALUE");
  app->add_option("--profile", step->profile,
                  "Profile this many more steps after the timed ones and print where their time goes: per CUDA "
                  "kernel on a GPU, per LibTorch operator on the CPU (0 = off)")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  app->add_option("--profile-top", step->profile_top, "Rows of the profile table")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app->require_subcommand(0, 1);

  CLI::App* sub = app->add_subcommand("data", "Time reading batches the way training does (last line: images_per_s=...)");
  add_data_source_options(sub, data->source, "Image folder, idx file, CIFAR-10 batches or cache");
  sub->add_option("--batch", data->batch, "Images per batch")->check(CLI::Range(1, 65536))->capture_default_str();
  sub->add_option("--batches", data->batches, "Timed batches")->check(CLI::Range(1, 1000000))->capture_default_str();
  sub->add_option("--threads", data->threads, "CPU threads for LibTorch (0 = all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  return {app, [app, sub, step, data] { return sub->parsed() ? run_bench_data(*data) : run_bench_step(*step); }};
}

}  // namespace dcgan::cli
