// `dcgan sample`: generate an image grid from a g.pt or a training checkpoint.
#include "common.h"

#include "dcgan/checkpoint.h"
#include "dcgan/image_io.h"
#include "dcgan/runtime.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

namespace dcgan::cli {

struct SampleOptions {
  std::string ckpt;                // g.pt or checkpoints/step-N.pt
  int n = 64;                      // images to generate
  std::string out = "samples.png";
  int64_t seed = 999;              // noise seed (tutorial: manualSeed = 999)
  int nrow = 0;                    // images per row; 0 = ceil(sqrt(n))
  std::string device = "auto";
};

int run_sample(const SampleOptions& opts) {
  LoadedGenerator loaded = load_generator(opts.ckpt);
  const torch::Device device = resolve_device(opts.device);
  configure_threads(0);
  // The noise is drawn on the CPU, so a seed gives the same images on every device.
  torch::manual_seed(static_cast<uint64_t>(opts.seed));
  const torch::Tensor noise = torch::randn({opts.n, loaded.config.model.nz, 1, 1});
  Generator& g = loaded.generator;
  g->options.transpose_via_conv(device.is_cpu());
  g->to(device);
  g->eval();
  torch::Tensor images;
  {
    torch::NoGradGuard no_grad;
    images = g->forward(noise.to(device));
  }
  const int nrow = opts.nrow > 0 ? opts.nrow : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(opts.n))));
  const auto parent = std::filesystem::path(opts.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  write_png(opts.out, make_grid(images, GridOptions{nrow, 2}));
  spdlog::info("wrote {} images ({} per row) from {} (step {}) to {}", opts.n, nrow, opts.ckpt, loaded.at.step,
               opts.out);
  return 0;
}

Command add_sample(CLI::App& root) {
  auto opts = std::make_shared<SampleOptions>();
  CLI::App* app = root.add_subcommand(
      "sample",
      "Generate a PNG grid of images from a trained generator.\n"
      "BatchNorm runs in eval mode: it uses the running statistics gathered in training, not the batch's.");
  app->add_option("--ckpt", opts->ckpt, "g.pt of a run, or a full training checkpoint")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("-n,--num", opts->n, "Number of images")->check(CLI::Range(1, 4096))->capture_default_str();
  app->add_option("-o,--out", opts->out, "Output PNG path")->capture_default_str();
  app->add_option("--seed", opts->seed, "Seed of the latent noise")->capture_default_str();
  app->add_option("--nrow", opts->nrow, "Images per grid row (0 = ceil(sqrt(n)))")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app->add_option("--device", opts->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  return {app, [opts] { return run_sample(*opts); }};
}

}  // namespace dcgan::cli
