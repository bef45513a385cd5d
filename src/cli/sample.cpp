// `dcgan sample`: generate an image grid from a g.pt or a training checkpoint.
#include "common.h"
#include "sample_options.h"

#include "dcgan/data/labels.h"
#include "dcgan/io/checkpoint.h"
#include "dcgan/io/files.h"
#include "dcgan/report/animation.h"
#include "dcgan/report/image_io.h"
#include "dcgan/io/pth.h"
#include "dcgan/runtime/runtime.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

namespace dcgan::cli {

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

// The class --class names among the generator's (g.pt's data.class_names, else the class numbers). Throws
// std::invalid_argument naming the known ones when it names none.
int64_t chosen_class(const std::string& arg, const LoadedGenerator& loaded, int64_t classes, const std::string& path) {
  std::vector<std::string> names = parse_class_names(loaded.config.data.class_names);
  while (static_cast<int64_t>(names.size()) < classes) names.push_back(std::to_string(names.size()));
  if (const auto c = find_class(names, arg)) return *c;
  throw std::invalid_argument(fmt::format("--class {}: {} has no such class (its {}: {})", arg, path, classes,
                                          fmt::join(names, ", ")));
}

// The classes of `count` images for a conditional G: all --class K, else each class in turn. Undefined for an
// unconditional G, which refuses --class and --classes.
torch::Tensor sample_classes(const SampleOptions& opts, const LoadedGenerator& loaded, int64_t classes, int64_t count) {
  if (classes == 0) {
    if (!opts.class_name.empty() || !opts.classes.empty())
      throw std::invalid_argument(fmt::format("{}: an unconditional generator (trained with model.num_classes 0) "
                                              "draws no particular class; --class and --classes need a conditional one",
                                              opts.ckpt));
    return {};
  }
  if (opts.class_name.empty()) return cycled_labels(count, classes);
  return torch::full({count}, chosen_class(opts.class_name, loaded, classes, opts.ckpt), torch::kLong);
}

}  // namespace

int run_sample(const SampleOptions& opts) {
  if (opts.gif && opts.interpolate < 2)
    throw std::runtime_error(opts.out + ": a GIF is an animation of latent walks: add --interpolate K (or name a .png)");
  LoadedGenerator loaded = load_generator(opts.ckpt);
  const torch::Device device = resolve_device(opts.device);
  configure_threads(0);
  // The noise is drawn on the CPU, so a seed gives the same images on every device.
  torch::manual_seed(static_cast<uint64_t>(opts.seed));
  const int64_t nz = loaded.config.model.nz;
  const int64_t classes = choose_generator(loaded, opts.ema, opts.ckpt)->options.num_classes();
  torch::Tensor noise, labels;
  int nrow = opts.nrow;
  if (!opts.classes.empty() && classes > 0) {  // one row per class, the same noise down each column
    if (nrow == 0) nrow = 8;
    noise = torch::randn({nrow, nz, 1, 1}).repeat({classes, 1, 1, 1});
    labels = labels_per_class(classes, nrow);
  } else if (!opts.noise.empty()) {
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
  if (!labels.defined()) labels = sample_classes(opts, loaded, classes, count);
  Generator& g = choose_generator(loaded, opts.ema, opts.ckpt);
  g->options.transpose_via_conv(device.is_cpu());
  g->to(device);
  g->eval();
  torch::Tensor images;
  {
    torch::NoGradGuard no_grad;
    images = g->forward(noise.to(device), labels.defined() ? labels.to(device) : labels);
  }
  nrow = grid_columns(nrow, count);
  for (const std::string& out : {opts.save_tensor, opts.png ? opts.out : std::string()}) {
    const auto parent = std::filesystem::path(out).parent_path();
    if (!out.empty() && !parent.empty()) std::filesystem::create_directories(parent);
  }
  if (!opts.save_tensor.empty()) {
    save_tensor(opts.save_tensor, images);
    spdlog::info("wrote the output tensor [{}, {}, {}, {}] to {}", count, images.size(1), images.size(2),
                 images.size(3), opts.save_tensor);
  }
  if (opts.png && opts.gif) {
    const torch::Tensor cpu = images.to(torch::kCPU, torch::kFloat).contiguous();
    const int columns = grid_columns(opts.nrow, opts.n);
    write_file_atomic(opts.out, encode_gif(walk_frames(cpu.data_ptr<float>(), opts.n, opts.interpolate, cpu.size(1),
                                                       cpu.size(2), cpu.size(3), columns)));
    spdlog::info("wrote {} latent walks of {} steps ({} per row) from {} (step {}) to {}, an animation there and back",
                 opts.n, opts.interpolate, columns, opts.ckpt, loaded.at.step, opts.out);
  } else if (opts.png) {
    write_png(opts.out, make_grid(images, GridOptions{nrow, 2}));
    spdlog::info("wrote {} images ({} per row) from {} (step {}) to {}", count, nrow, opts.ckpt, loaded.at.step,
                 opts.out);
  }
  return 0;
}

Command add_sample(CLI::App& root) {
  auto opts = std::make_shared<SampleOptions>();
  CLI::App* app = add_sample_options(root, *opts);
  return {app, [app, opts] {
            finish_sample_options(*app, *opts);
            return run_sample(*opts);
          }};
}

}  // namespace dcgan::cli
