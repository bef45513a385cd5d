// `dcgan eval`: the sliced Wasserstein distance between a generator's images and real ones.
#include "common.h"

#include "dcgan/io/checkpoint.h"
#include "dcgan/data/dataset.h"
#include "dcgan/data/loader.h"
#include "dcgan/eval/feature_distance.h"
#include "dcgan/eval/swd.h"
#include "dcgan/runtime/runtime.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/script.h>

#include <cstdio>
#include <memory>
#include <string>

namespace dcgan::cli {

struct EvalOptions {
  std::string ckpt;        // g.pt, checkpoint or .pth
  std::string data;        // a YAML config (its data section) or a data path
  int n = 1024;            // images per set (ProGAN used 16384; fewer gives a noisier figure)
  int64_t seed = 0;        // the real images chosen, G's noise, the patches and the directions
  std::string device = "auto";
  bool ema = false;        // evaluate the moving average of G
  std::string features;    // a TorchScript feature extractor: also print FID and KID on its features
};

namespace {

bool is_yaml(const std::string& p) {
  const auto dot = p.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : p.substr(dot);
  return ext == ".yaml" || ext == ".yml";
}

// `count` images of `data` at the positions `order[first..]`, as floats in [-1, 1].
torch::Tensor real_images(const Dataset& data, const std::vector<int64_t>& order, int64_t first, int64_t count) {
  const ImageShape s = data.shape();
  torch::Tensor u8 = torch::empty({count, s.channels, s.height, s.width}, torch::kUInt8);
  for (int64_t i = 0; i < count; ++i)
    data.read(order[static_cast<std::size_t>(first + i)], u8.data_ptr<uint8_t>() + i * s.bytes());
  return u8.to(torch::kFloat).div_(127.5).sub_(1.0);
}

// The extractor's output for `images` ([N, C, H, W] in [-1, 1]), flattened to [N, D], in chunks of 256.
torch::Tensor features_of(torch::jit::script::Module& net, const torch::Tensor& images, torch::Device device) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += 256) {
    const torch::Tensor chunk = images.slice(0, i, std::min(images.size(0), i + 256)).to(device);
    const c10::IValue y = net.forward({chunk});
    if (!y.isTensor()) throw std::runtime_error("the feature extractor did not return a tensor");
    out.push_back(y.toTensor().reshape({chunk.size(0), -1}).cpu());
  }
  return torch::cat(out);
}

}  // namespace

int run_eval(const EvalOptions& o) {
  LoadedGenerator g = load_generator(o.ckpt);
  Config config;
  if (is_yaml(o.data)) {
    load_config_file(config, o.data);
  } else {
    config.data.path = o.data;
  }
  const int size = g.config.data.image_size, channels = g.config.data.channels;
  if (is_yaml(o.data) && (config.data.image_size != size || config.data.channels != channels))
    throw ConfigError(fmt::format("{}: data is {}x{} with {} channel(s), the generator makes {}x{} with {}", o.data,
                                  config.data.image_size, config.data.image_size, config.data.channels, size, size,
                                  channels));
  config.data.image_size = size;
  config.data.channels = channels;
  const auto data = open_dataset(config.data, static_cast<uint64_t>(o.seed));
  configure_threads(0);
  const torch::Device device = resolve_device(o.device);

  const int64_t n = std::min<int64_t>(o.n, data->size());
  if (n < o.n) spdlog::warn("eval: {} holds {} images, fewer than -n {}: using {}", data->describe(), data->size(), o.n, n);
  const auto order = epoch_permutation(data->size(), static_cast<uint64_t>(o.seed), 0);
  const torch::Tensor real = real_images(*data, order, 0, n);

  torch::manual_seed(static_cast<uint64_t>(o.seed));
  const torch::Tensor z = torch::randn({n, g.config.model.nz, 1, 1});
  Generator& net = choose_generator(g, o.ema, o.ckpt);
  net->options.transpose_via_conv(device.is_cpu());
  net->to(device);
  const torch::Tensor fake = generate_images(net, z, device).cpu();
  SwdOptions so;
  so.seed = static_cast<uint64_t>(o.seed);
  const SwdResult r = sliced_wasserstein(real, fake, so);
  std::printf("images=%lld data=%s ckpt=%s step=%lld\n", static_cast<long long>(n), data->describe().c_str(),
              o.ckpt.c_str(), static_cast<long long>(g.at.step));
  for (std::size_t l = 0; l < r.per_level.size(); ++l)
    std::printf("swd_%lldx%lld=%.3f\n", static_cast<long long>(r.resolutions[l]),
                static_cast<long long>(r.resolutions[l]), r.per_level[l]);
  // The same figure between two disjoint sets of real images: the floor a perfect generator would reach at this n.
  if (data->size() >= 2 * n) {
    const SwdResult floor = sliced_wasserstein(real, real_images(*data, order, n, n), so);
    std::printf("swd_mean_real_vs_real=%.3f\n", floor.mean);
  }
  if (!o.features.empty()) {
    torch::jit::script::Module extractor;
    try {
      extractor = torch::jit::load(o.features, device);
    } catch (const std::exception& e) {
      const std::string what = e.what();
      throw std::runtime_error(fmt::format("{}: cannot load as a TorchScript module ({})", o.features,
                                           what.substr(0, what.find('\n'))));
    }
    extractor.eval();
    const torch::Tensor fr = features_of(extractor, real, device), ff = features_of(extractor, fake, device);
    std::printf("features=%lld fid=%.4f kid=%.6f\n", static_cast<long long>(fr.size(1)), frechet_distance(fr, ff),
                kernel_distance(fr, ff));
  }
  std::printf("swd_mean=%.3f\n", r.mean);
  return 0;
}

Command add_eval(CLI::App& root) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* app = root.add_subcommand(
      "eval",
      "Sliced Wasserstein distance (x 1e3) between generated and real images, per Laplacian-pyramid level and "
      "averaged (Karras et al. 2018); lower is better (last line: swd_mean=...)");
  app->add_option("--ckpt", o->ckpt, "g.pt, a training checkpoint, or a .pth state dict")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--data", o->data, "A YAML config (its data section) or a data path (image folder, idx, cache, ...)")
      ->required();
  app->add_option("-n,--num", o->n, "Images per set")->check(CLI::Range(16, 1 << 20))->capture_default_str();
  app->add_option("--seed", o->seed, "Seed of the image choice, noise, patches and directions")->capture_default_str();
  app->add_option("--device", o->device, "auto | cpu | cuda | cuda:N (for G)")->capture_default_str();
  add_ema_flag(app, o->ema);
  app->add_option("--features", o->features,
                  "TorchScript feature extractor ([N, C, H, W] in [-1, 1] -> [N, ...]): also print FID and KID on its "
                  "features (e.g. a scripted Inception-v3 pool3 for the published FID)")
      ->check(CLI::ExistingFile);
  return {app, [o] { return run_eval(*o); }};
}

}  // namespace dcgan::cli
