// `dcgan sample`: generate an image grid from a g.pt or a training checkpoint.
#include "common.h"

#include "dcgan/checkpoint.h"
#include "dcgan/image_io.h"
#include "dcgan/pth.h"
#include "dcgan/runtime.h"

#include <fmt/format.h>
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
  std::string noise;               // a [n, nz, 1, 1] (or [n, nz]) tensor saved by torch.save, instead of drawing
  std::string save_tensor;         // also write the raw output [n, C, H, W] in [-1, 1] with torch.save's format
  bool png = true;                 // false when only --save-tensor was asked for
  int interpolate = 0;             // > 1: n latent walks of this many steps, one row each (slerp)
  bool ema = false;                // sample the moving average of G
};

namespace {

// Spherical interpolation between latent vectors, the path that keeps Gaussian samples' norms typical
// (White 2016, "Sampling generative networks"). a, b: [nz]; t in [0, 1].
torch::Tensor slerp(const torch::Tensor& a, const torch::Tensor& b, double t) {
  const double cos_omega = torch::dot(a / a.norm(), b / b.norm()).clamp(-1.0, 1.0).item<double>();
  const double omega = std::acos(cos_omega);
  if (omega < 1e-6) return a * (1 - t) + b * t;
  return (std::sin((1 - t) * omega) * a + std::sin(t * omega) * b) / std::sin(omega);
}

torch::Tensor read_noise(const std::string& path, int64_t nz) {
  const PthContent c = load_pth(path);
  if (!c.tensor.defined()) throw PthError(path + ": holds a state dict, not a noise tensor");
  torch::Tensor z = c.tensor.to(torch::kFloat);
  if (z.dim() == 2) z = z.view({z.size(0), z.size(1), 1, 1});
  if (z.dim() != 4 || z.size(1) != nz || z.size(2) != 1 || z.size(3) != 1 || z.size(0) < 1)
    throw PthError(fmt::format("{}: noise of shape {} does not fit this generator: expected [n, {}, 1, 1]", path,
                               c10::str(c.tensor.sizes()), nz));
  return z;
}

}  // namespace

int run_sample(const SampleOptions& opts) {
  LoadedGenerator loaded = load_generator(opts.ckpt);
  const torch::Device device = resolve_device(opts.device);
  configure_threads(0);
  // The noise is drawn on the CPU, so a seed gives the same images on every device.
  torch::manual_seed(static_cast<uint64_t>(opts.seed));
  const int64_t nz = loaded.config.model.nz;
  torch::Tensor noise;
  int nrow = opts.nrow;
  if (!opts.noise.empty()) {
    noise = read_noise(opts.noise, nz);
  } else if (opts.interpolate > 1) {
    std::vector<torch::Tensor> rows;
    for (int w = 0; w < opts.n; ++w) {
      const torch::Tensor a = torch::randn({nz}), b = torch::randn({nz});
      for (int k = 0; k < opts.interpolate; ++k) rows.push_back(slerp(a, b, k / double(opts.interpolate - 1)));
    }
    noise = torch::stack(rows).view({-1, nz, 1, 1});
    if (nrow == 0) nrow = opts.interpolate;
  } else {
    noise = torch::randn({opts.n, nz, 1, 1});
  }
  const int64_t count = noise.size(0);
  Generator& g = choose_generator(loaded, opts.ema, opts.ckpt);
  g->options.transpose_via_conv(device.is_cpu());
  g->to(device);
  g->eval();
  torch::Tensor images;
  {
    torch::NoGradGuard no_grad;
    images = g->forward(noise.to(device));
  }
  if (nrow == 0) nrow = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
  for (const std::string& out : {opts.save_tensor, opts.png ? opts.out : std::string()}) {
    const auto parent = std::filesystem::path(out).parent_path();
    if (!out.empty() && !parent.empty()) std::filesystem::create_directories(parent);
  }
  if (!opts.save_tensor.empty()) {
    save_tensor(opts.save_tensor, images);
    spdlog::info("wrote the output tensor [{}, {}, {}, {}] to {}", count, images.size(1), images.size(2),
                 images.size(3), opts.save_tensor);
  }
  if (opts.png) {
    write_png(opts.out, make_grid(images, GridOptions{nrow, 2}));
    spdlog::info("wrote {} images ({} per row) from {} (step {}) to {}", count, nrow, opts.ckpt, loaded.at.step,
                 opts.out);
  }
  return 0;
}

Command add_sample(CLI::App& root) {
  auto opts = std::make_shared<SampleOptions>();
  CLI::App* app = root.add_subcommand(
      "sample",
      "Generate a PNG grid of images from a trained generator.\n"
      "BatchNorm runs in eval mode: it uses the running statistics gathered in training, not the batch's.");
  app->add_option("--ckpt", opts->ckpt, "g.pt of a run, a full training checkpoint, or a generator state dict (.pth) "
                                        "saved by Python's torch.save(netG.state_dict(), path)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("-n,--num", opts->n, "Number of images")->check(CLI::Range(1, 4096))->capture_default_str();
  app->add_option("-o,--out", opts->out, "Output PNG path")->capture_default_str();
  app->add_option("--seed", opts->seed, "Seed of the latent noise")->capture_default_str();
  app->add_option("--nrow", opts->nrow, "Images per grid row (0 = ceil(sqrt(n)))")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app->add_option("--device", opts->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  CLI::Option* noise = app->add_option("--noise", opts->noise,
                                       "Latent batch [n, nz, 1, 1] saved by torch.save (replaces -n and --seed)")
                           ->check(CLI::ExistingFile);
  app->add_option("--save-tensor", opts->save_tensor,
                  "Also write the output [n, C, H, W] in [-1, 1] as torch.save does (only it, unless --out is given)");
  app->add_option("--interpolate", opts->interpolate,
                  "Latent walks: n rows, each slerping between two random points in this many steps")
      ->check(CLI::Range(2, 64))
      ->excludes(noise);
  add_ema_flag(app, opts->ema);
  return {app, [app, opts] {
            opts->png = opts->save_tensor.empty() || app->count("--out") > 0;
            return run_sample(*opts);
          }};
}

}  // namespace dcgan::cli
