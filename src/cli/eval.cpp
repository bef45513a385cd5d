// `dcgan eval`: the sliced Wasserstein distance between a generator's images and real ones; with --classifier, the
// classification accuracy score of a conditional generator.
#include "common.h"

#include "dcgan/config/config_files.h"
#include "dcgan/io/checkpoint.h"
#include "dcgan/data/dataset.h"
#include "dcgan/data/batch_source.h"
#include "dcgan/data/labels.h"
#include "dcgan/data/loader.h"
#include "dcgan/data/subset.h"
#include "dcgan/eval/classifier.h"
#include "dcgan/eval/feature_distance.h"
#include "dcgan/eval/swd.h"
#include "dcgan/runtime/runtime.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/script.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
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
  // Score these real images (a data path, e.g. the training set) in place of G's, at G's size and channels: the
  // figure a generator that reproduced exactly them would reach against --data.
  std::string real;
  std::string features;    // a TorchScript feature extractor: also print FID and KID on its features
  bool classifier = false; // the classification accuracy score instead of the SWD (conditional G)
  int classifier_epochs = ClassifierOptions{}.epochs;
  int holdout = 2000;      // real labelled images held out of the classifier's training, to measure it on
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

// The data config of --data (a YAML config's data section, a shipped config's name, or a data path) at the
// generator's image size and channels.
DataConfig eval_data_config(const EvalOptions& o, const LoadedGenerator& g) {
  Config config;
  std::string source = o.data;
  bool yaml = is_yaml(source);
  std::error_code ec;
  if (!std::filesystem::exists(source, ec))
    if (const auto found = find_config(source, shipped_config_dirs())) {
      source = *found;
      yaml = true;
    }
  if (yaml) {
    load_config_file(config, source);
  } else {
    config.data.path = source;
  }
  const int size = g.config.data.image_size, channels = g.config.data.channels;
  if (yaml && (config.data.image_size != size || config.data.channels != channels))
    throw ConfigError(fmt::format("{}: data is {}x{} with {} channel(s), the generator makes {}x{} with {}", source,
                                  config.data.image_size, config.data.image_size, config.data.channels, size, size,
                                  channels));
  config.data.image_size = size;
  config.data.channels = channels;
  return config.data;
}

// `per_class` images of each class from `net` on `device` (noise from the seeded CPU stream), and their classes.
std::pair<torch::Tensor, torch::Tensor> images_per_class(Generator& net, int64_t per_class, torch::Device device) {
  const int64_t classes = net->options.num_classes();
  const torch::Tensor labels = labels_per_class(classes, per_class);
  const torch::Tensor z = torch::randn({labels.size(0), net->options.nz(), 1, 1});
  return {generate_images(net, z, device, labels).cpu(), labels};
}

int run_classifier_score(const EvalOptions& o, LoadedGenerator& g) {
  Generator& net = choose_generator(g, o.ema, o.ckpt);
  const int64_t classes = net->options.num_classes();
  if (classes == 0)
    throw ConfigError(fmt::format("{}: an unconditional generator (model.num_classes 0): --classifier measures "
                                  "whether a conditional G draws the class it is asked for",
                                  o.ckpt));
  auto data = open_dataset(eval_data_config(o, g), static_cast<uint64_t>(o.seed), LabelMode::Required);
  if (data->labels()->count() > classes)
    throw DataError(fmt::format("{}: has {} classes, the generator {}", data->describe(), data->labels()->count(),
                                classes));
  configure_threads(0);
  const torch::Device device = resolve_device(o.device);
  const auto start = std::chrono::steady_clock::now();
  HoldoutSplit split = split_holdout(std::move(data), o.holdout, static_cast<uint64_t>(o.seed), 1);
  torch::Tensor train_labels, test_labels;
  const torch::Tensor train = choose_images(*split.training, split.training->size(), o.seed, "classifier training",
                                            &train_labels);
  const torch::Tensor test = choose_images(*split.held_back, o.holdout, o.seed, "classifier test", &test_labels);
  ClassifierOptions co;
  co.epochs = o.classifier_epochs;
  co.seed = static_cast<uint64_t>(o.seed);
  ImageClassifier classifier = train_classifier(train, train_labels, classes, co, device);
  const ClassAccuracy real = accuracy_by_class(classify(classifier, test, device), test_labels, classes);
  std::printf("classifier: trained on %lld real images for %d epoch(s) in %.1fs; accuracy %.4f on %lld held-out "
              "real images\n",
              static_cast<long long>(train.size(0)), co.epochs,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), real.overall,
              static_cast<long long>(test.size(0)));

  torch::manual_seed(static_cast<uint64_t>(o.seed));
  net->options.transpose_via_conv(device.is_cpu());
  net->to(device);
  const int64_t per_class = std::max<int64_t>(1, o.n / classes);
  const auto [fake, fake_labels] = images_per_class(net, per_class, device);
  const ClassAccuracy gen = accuracy_by_class(classify(classifier, fake, device), fake_labels, classes);
  const std::vector<std::string> names = parse_class_names(g.config.data.class_names);
  int64_t worst = 0;
  for (int64_t c = 0; c < classes; ++c) {
    if (gen.per_class[c] < gen.per_class[worst]) worst = c;
    std::printf("class %lld (%s): accuracy %.4f on %lld generated, %.4f on %lld held-out real\n",
                static_cast<long long>(c), c < static_cast<int64_t>(names.size()) ? names[c].c_str() : "",
                gen.per_class[c], static_cast<long long>(gen.count[c]), real.per_class[c],
                static_cast<long long>(real.count[c]));
  }
  std::printf("images=%lld ckpt=%s step=%lld%s\n", static_cast<long long>(fake.size(0)), o.ckpt.c_str(),
              static_cast<long long>(g.at.step), o.ema ? " (moving average)" : "");
  std::printf("accuracy_real=%.4f accuracy_generated_min=%.4f (class %lld)\n", real.overall, gen.per_class[worst],
              static_cast<long long>(worst));
  std::printf("accuracy_generated=%.4f\n", gen.overall);
  return 0;
}

// What run_eval scores against the real images: n images of G (its average with --ema) from the seeded noise, or
// with --real up to n images of that data, read at G's size and channels.
torch::Tensor images_to_score(const EvalOptions& o, LoadedGenerator& g, int64_t n, torch::Device device) {
  if (!o.real.empty()) {
    EvalOptions other = o;
    other.data = o.real;
    const auto data = open_dataset(eval_data_config(other, g), static_cast<uint64_t>(o.seed) + 1);
    const int64_t m = std::min<int64_t>(n, data->size());
    return real_images(*data, epoch_permutation(data->size(), static_cast<uint64_t>(o.seed) + 1, 0), 0, m);
  }
  torch::manual_seed(static_cast<uint64_t>(o.seed));
  const torch::Tensor z = torch::randn({n, g.config.model.nz, 1, 1});
  Generator& net = choose_generator(g, o.ema, o.ckpt);
  net->options.transpose_via_conv(device.is_cpu());
  net->to(device);
  // A conditional G draws each class in turn (as many images of each, give or take one).
  return generate_images(net, z, device, cycled_labels(n, net->options.num_classes())).cpu();
}

}  // namespace

int run_eval(const EvalOptions& o) {
  LoadedGenerator g = load_generator(o.ckpt);
  if (o.classifier) return run_classifier_score(o, g);
  const auto data = open_dataset(eval_data_config(o, g), static_cast<uint64_t>(o.seed));
  configure_threads(0);
  const torch::Device device = resolve_device(o.device);

  const int64_t n = std::min<int64_t>(o.n, data->size());
  if (n < o.n) spdlog::warn("eval: {} holds {} images, fewer than -n {}: using {}", data->describe(), data->size(), o.n, n);
  const auto order = epoch_permutation(data->size(), static_cast<uint64_t>(o.seed), 0);
  const torch::Tensor real = real_images(*data, order, 0, n);

  const torch::Tensor fake = images_to_score(o, g, n, device);
  SwdOptions so;
  so.seed = static_cast<uint64_t>(o.seed);
  const SwdResult r = sliced_wasserstein(real, fake, so);
  std::printf("images=%lld data=%s ckpt=%s step=%lld\n", static_cast<long long>(n), data->describe().c_str(),
              o.ckpt.c_str(), static_cast<long long>(g.at.step));
  if (!o.real.empty())
    std::printf("scored=%lld real images of %s in place of G's\n", static_cast<long long>(fake.size(0)), o.real.c_str());
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
  app->add_option("--data", o->data,
                  "A YAML config (its data section), a shipped config's name, or a data path (image folder, idx, "
                  "cache, ...)")
      ->required();
  app->add_option("-n,--num", o->n, "Images per set")->check(CLI::Range(16, 1 << 20))->capture_default_str();
  app->add_option("--seed", o->seed, "Seed of the image choice, noise, patches and directions")->capture_default_str();
  app->add_option("--device", o->device, "auto | cpu | cuda | cuda:N (for G)")->capture_default_str();
  add_ema_flag(app, o->ema);
  app->add_option("--real", o->real,
                  "Score these real images (a data path, e.g. the training set) in place of G's, at G's size and "
                  "channels: the figure a generator that reproduced exactly them would reach against --data")
      ->excludes("--ema");
  app->add_option("--features", o->features,
                  "TorchScript feature extractor ([N, C, H, W] in [-1, 1] -> [N, ...]): also print FID and KID on its "
                  "features (e.g. a scripted Inception-v3 pool3 for the published FID)")
      ->check(CLI::ExistingFile);
  app->add_flag("--classifier", o->classifier,
                "Classification accuracy score of a conditional G (Ravuri & Vinyals 2019): train a small classifier "
                "on the real labelled images of --data, then report its accuracy on --holdout held-out real images "
                "and on -n generated images, per class and overall (last line: accuracy_generated=...)")
      ->excludes("--real");
  app->add_option("--classifier-epochs", o->classifier_epochs, "Epochs of the classifier's training")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app->add_option("--holdout", o->holdout, "Real images held out of the classifier's training")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  return {app, [o] { return run_eval(*o); }};
}

}  // namespace dcgan::cli
