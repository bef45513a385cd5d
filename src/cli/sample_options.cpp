// `dcgan sample`'s command line.
#include "sample_options.h"

#include "base.h"

#include <cmath>

namespace dcgan::cli {

CLI::App* add_sample_options(CLI::App& root, SampleOptions& opts) {
  CLI::App* app = root.add_subcommand(
      "sample",
      "Generate a PNG grid of images from a trained generator.\n"
      "BatchNorm runs in eval mode: it uses the running statistics gathered in training, not the batch's.");
  app->add_option("--ckpt", opts.ckpt, "g.pt of a run, a full training checkpoint, or a generator state dict (.pth) "
                                       "saved by Python's torch.save(netG.state_dict(), path)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("-n,--num", opts.n, "Number of images")->check(CLI::Range(1, 4096))->capture_default_str();
  app->add_option("-o,--out", opts.out, "Output: a PNG grid, or with --interpolate a .gif that plays the walks")->capture_default_str();
  app->add_option("--seed", opts.seed, "Seed of the latent noise")->capture_default_str();
  app->add_option("--nrow", opts.nrow, "Images per grid row (0 = ceil(sqrt(n)))")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app->add_option("--device", opts.device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  CLI::Option* noise = app->add_option("--noise", opts.noise,
                                       "Latent batch [n, nz, 1, 1] saved by torch.save (replaces -n and --seed)")
                           ->check(CLI::ExistingFile);
  app->add_option("--save-tensor", opts.save_tensor,
                  "Also write the output [n, C, H, W] in [-1, 1] as torch.save does (only it, unless --out is given)");
  app->add_option("--interpolate", opts.interpolate,
                  "Latent walks: n rows, each slerping between two random points in this many steps")
      ->check(CLI::Range(2, 64))
      ->excludes(noise);
  add_ema_flag(app, opts.ema);
  CLI::Option* cls = app->add_option("--class", opts.class_name,
                                     "Conditional G: draw only this class, by name (as in g.pt, e.g. sneaker) or "
                                     "index (default: each class in turn)");
  app->add_option("--classes", opts.classes,
                  "Conditional G: 'all' = one row per class, --nrow images each (default 8), the same noise down "
                  "each column")
      ->check(CLI::IsMember({"all"}))
      ->excludes(cls)
      ->excludes(noise)
      ->excludes("--interpolate");
  return app;
}

void finish_sample_options(const CLI::App& app, SampleOptions& opts) {
  opts.png = opts.save_tensor.empty() || app.count("--out") > 0;
  const std::string& o = opts.out;
  opts.gif = o.size() > 4 && (o.compare(o.size() - 4, 4, ".gif") == 0 || o.compare(o.size() - 4, 4, ".GIF") == 0);
}

int grid_columns(int nrow, int64_t count) {
  return nrow > 0 ? nrow : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
}

}  // namespace dcgan::cli
