// Config: the key table behind YAML loading, --set overrides, validation and help text.
#include "dcgan/config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

namespace dcgan {
namespace {

enum class Kind { Int, Real, Text, Bool };

struct Field {
  std::string name;
  std::string help;
  Kind kind;
  std::function<std::string(const Config&)> get;
  std::function<void(Config&, const std::string&)> set;  // value already parsed-checked by parse_*
};

[[noreturn]] void fail(const std::string& origin, const std::string& key, const std::string& what) {
  throw ConfigError(origin.empty() ? fmt::format("{}: {}", key, what)
                                   : fmt::format("{}: {}: {}", origin, key, what));
}

long long parse_int(const std::string& origin, const std::string& key, const std::string& s) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (s.empty() || used != s.size()) fail(origin, key, fmt::format("expected an integer, got '{}'", s));
  return v;
}

double parse_real(const std::string& origin, const std::string& key, const std::string& s) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (s.empty() || used != s.size()) fail(origin, key, fmt::format("expected a number, got '{}'", s));
  return v;
}

bool parse_bool(const std::string& origin, const std::string& key, const std::string& s) {
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  fail(origin, key, fmt::format("expected true or false, got '{}'", s));
}

template <class Section, class T>
Field make_field(std::string name, Section Config::*section, T Section::*member, std::string help) {
  Field f;
  f.name = std::move(name);
  f.help = std::move(help);
  if constexpr (std::is_same_v<T, std::string>) {
    f.kind = Kind::Text;
    f.get = [=](const Config& c) { return c.*section.*member; };
    f.set = [=](Config& c, const std::string& v) { c.*section.*member = v; };
  } else if constexpr (std::is_same_v<T, bool>) {
    f.kind = Kind::Bool;
    f.get = [=](const Config& c) { return std::string(c.*section.*member ? "true" : "false"); };
    f.set = [=, key = f.name](Config& c, const std::string& v) { c.*section.*member = parse_bool("", key, v); };
  } else if constexpr (std::is_floating_point_v<T>) {
    f.kind = Kind::Real;
    f.get = [=](const Config& c) { return fmt::format("{}", c.*section.*member); };
    f.set = [=, key = f.name](Config& c, const std::string& v) { c.*section.*member = parse_real("", key, v); };
  } else {
    f.kind = Kind::Int;
    f.get = [=](const Config& c) { return std::to_string(c.*section.*member); };
    f.set = [=, key = f.name](Config& c, const std::string& v) {
      const long long x = parse_int("", key, v);
      if (x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max())
        fail("", key, fmt::format("{} is out of range", v));
      c.*section.*member = static_cast<T>(x);
    };
  }
  return f;
}

const std::vector<Field>& fields() {
  using C = Config;
  static const std::vector<Field> table = {
      make_field("data.path", &C::data, &DataConfig::path, "image folder, idx file, CIFAR-10 batches or cache (relative: beside the config file, else the working dir)"),
      make_field("data.format", &C::data, &DataConfig::format, "auto | folder | idx | cifar10 | cache | synthetic"),
      make_field("data.cache", &C::data, &DataConfig::cache, "cache file from `dcgan prepare` to read instead"),
      make_field("data.image_size", &C::data, &DataConfig::image_size, "32 | 64 | 128 (tutorial: 64)"),
      make_field("data.channels", &C::data, &DataConfig::channels, "1 (gray) | 3 (RGB)"),
      make_field("data.synthetic_count", &C::data, &DataConfig::synthetic_count, "images in the synthetic source"),
      make_field("data.strict", &C::data, &DataConfig::strict, "unreadable images stop the run instead of being skipped"),
      make_field("data.max_image_pixels", &C::data, &DataConfig::max_image_pixels,
                 "images declaring more pixels are skipped (PIL's limit; 0 = none)"),
      make_field("data.mirror", &C::data, &DataConfig::mirror,
                 "true | false | auto: random x-flips of real images (auto: measured, where flips look like the set)"),
      make_field("data.mirror_max_ratio", &C::data, &DataConfig::mirror_max_ratio,
                 "mirror=auto flips when SWD(half, other half flipped) / SWD(halves) is at most this"),
      make_field("data.holdout", &C::data, &DataConfig::holdout,
                 "images held back from training to watch D memorise (0 = none)"),
      make_field("data.labels", &C::data, &DataConfig::labels,
                 "conditional runs: idx labels file (\"\" = the one beside data.path)"),
      make_field("data.class_names", &C::data, &DataConfig::class_names,
                 "conditional runs: class names, comma-separated (\"\" = the data's)"),
      make_field("model.nz", &C::model, &ModelConfig::nz, "latent size (tutorial: 100)"),
      make_field("model.ngf", &C::model, &ModelConfig::ngf, "generator width (tutorial: 64)"),
      make_field("model.ndf", &C::model, &ModelConfig::ndf, "discriminator width (tutorial: 64)"),
      make_field("model.num_classes", &C::model, &ModelConfig::num_classes,
                 "0 = unconditional | auto = the data's labels | N classes (projection D)"),
      make_field("train.batch_size", &C::train, &TrainConfig::batch_size, "images per step (tutorial: 128)"),
      make_field("train.epochs", &C::train, &TrainConfig::epochs, "passes over the data (tutorial: 5)"),
      make_field("train.steps", &C::train, &TrainConfig::steps, "> 0: total steps, overrides epochs"),
      make_field("train.lr", &C::train, &TrainConfig::lr, "Adam learning rate (DCGAN paper: 0.0002)"),
      make_field("train.lr_d", &C::train, &TrainConfig::lr_d, "D's learning rate; 0 = train.lr (TTUR: Heusel 2017)"),
      make_field("train.beta1", &C::train, &TrainConfig::beta1, "Adam beta1 (DCGAN paper: 0.5)"),
      make_field("train.beta2", &C::train, &TrainConfig::beta2, "Adam beta2"),
      make_field("train.seed", &C::train, &TrainConfig::seed, "RNG seed (tutorial: 999)"),
      make_field("train.device", &C::train, &TrainConfig::device, "auto | cpu | cuda | cuda:N"),
      make_field("train.threads", &C::train, &TrainConfig::threads, "CPU threads, 0 = all cores"),
      make_field("train.transpose_via_conv", &C::train, &TrainConfig::transpose_via_conv,
                 "auto | true | false: G's ConvTranspose2d via conv kernels"),
      make_field("train.channels_last", &C::train, &TrainConfig::channels_last, "auto | true | false: NHWC layout"),
      make_field("train.precision", &C::train, &TrainConfig::precision, "fp32 | bf16 | auto (bf16 autocast; CPU: needs AVX512_BF16 or AMX; auto: bf16 on such a CPU)"),
      make_field("train.cuda_graphs", &C::train, &TrainConfig::cuda_graphs,
                 "auto | true | false: replay the step as one CUDA graph"),
      make_field("train.fused_adam", &C::train, &TrainConfig::fused_adam,
                 "auto | true | false: one fused Adam kernel, step count on the device"),
      make_field("train.data_on_device", &C::train, &TrainConfig::data_on_device,
                 "auto | true | false: dataset resident on the GPU as uint8"),
      make_field("train.data_on_device_max_mib", &C::train, &TrainConfig::data_on_device_max_mib,
                 "largest dataset (MiB) that data_on_device=auto puts on the GPU"),
      make_field("train.cudnn_benchmark", &C::train, &TrainConfig::cudnn_benchmark,
                 "auto | true | false: cuDNN picks the fastest algorithm per shape"),
      make_field("train.ema_halflife_images", &C::train, &TrainConfig::ema_halflife_images,
                 "half-life of G's moving average in images (0 = off; StyleGAN2-ADA: 10k)"),
      make_field("train.ema_rampup", &C::train, &TrainConfig::ema_rampup,
                 "half-life at most this share of images seen (StyleGAN2-ADA: 0.05)"),
      make_field("train.ema_decay", &C::train, &TrainConfig::ema_decay,
                 "auto (the half-life) | a fixed per-step decay in [0, 1) (0 = off)"),
      make_field("train.ema_bn_images", &C::train, &TrainConfig::ema_bn_images,
                 "noise vectors for the average's own BatchNorm statistics (0 = copy G's)"),
      make_field("train.augment", &C::train, &TrainConfig::augment,
                 "DiffAugment policies: color,translation,cutout (\"\" or none = none)"),
      make_field("train.augment_p", &C::train, &TrainConfig::augment_p,
                 "probability of each policy per image: a number in [0, 1] | adaptive (StyleGAN2-ADA)"),
      make_field("train.augment_target", &C::train, &TrainConfig::augment_target,
                 "adaptive p: the r_t it steers towards (Karras et al. 2020: 0.6)"),
      make_field("train.augment_interval", &C::train, &TrainConfig::augment_interval,
                 "adaptive p: steps between adjustments (StyleGAN2-ADA: 4)"),
      make_field("train.augment_speed_images", &C::train, &TrainConfig::augment_speed_images,
                 "adaptive p: images over which p can go from 0 to 1"),
      make_field("output.dir", &C::output, &OutputConfig::dir, "run directory"),
      make_field("output.log_every", &C::output, &OutputConfig::log_every, "steps between log lines"),
      make_field("output.sample_every", &C::output, &OutputConfig::sample_every, "steps between sample grids"),
      make_field("output.checkpoint_every", &C::output, &OutputConfig::checkpoint_every,
                 "steps between checkpoints"),
      make_field("output.keep_checkpoints", &C::output, &OutputConfig::keep_checkpoints,
                 "newest checkpoints kept (plus latest)"),
      make_field("output.tensorboard", &C::output, &OutputConfig::tensorboard,
                 "write a TensorBoard event file (scalars, sample grids) into the run folder"),
      make_field("output.eval_every", &C::output, &OutputConfig::eval_every,
                 "steps between SWD evaluations (multiple of log_every; 0 = never)"),
      make_field("output.eval_images", &C::output, &OutputConfig::eval_images, "real and generated images per evaluation"),
      make_field("output.warn_d_g_z", &C::output, &OutputConfig::warn_d_g_z,
                 "warn when D(G(z)) averages below this over a log interval (0 = never)"),
      make_field("output.warn_rt", &C::output, &OutputConfig::warn_rt,
                 "warn when r_t = E[sign D(real)] stays above this (0 = never)"),
      make_field("output.warn_rt_intervals", &C::output, &OutputConfig::warn_rt_intervals,
                 "log intervals in a row (after epoch 1) r_t must stay above warn_rt"),
      make_field("dist.backend", &C::dist, &DistConfig::backend,
                 "auto | gloo | nccl (auto: NCCL on CUDA, Gloo on the CPU)"),
      make_field("dist.timeout_s", &C::dist, &DistConfig::timeout_s,
                 "seconds a rank waits for the others before it fails"),
      make_field("dist.check_every", &C::dist, &DistConfig::check_every,
                 "steps between cross-rank weight hash checks (0 = never)"),
  };
  return table;
}

const Field* find_field(const std::string& name) {
  for (const auto& f : fields())
    if (f.name == name) return &f;
  return nullptr;
}

std::string known_keys_of(const std::string& section) {
  std::string out;
  for (const auto& f : fields())
    if (f.name.rfind(section + ".", 0) == 0) out += (out.empty() ? "" : ", ") + f.name.substr(section.size() + 1);
  return out;
}

void set_checked(Config& cfg, const std::string& origin, const std::string& key, const std::string& value) {
  const Field* f = find_field(key);
  if (!f) {
    const auto dot = key.find('.');
    const std::string section = key.substr(0, dot);
    const std::string known = dot == std::string::npos ? "" : known_keys_of(section);
    if (known.empty()) fail(origin, key, "unknown key (sections: data, model, train, output, dist)");
    fail(origin, key, fmt::format("unknown key (known in {}: {})", section, known));
  }
  try {
    f->set(cfg, value);
  } catch (const ConfigError& e) {
    // Re-raise with the origin in front: the setters name only the key.
    if (origin.empty()) throw;
    throw ConfigError(fmt::format("{}: {}", origin, e.what()));
  }
}

}  // namespace

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = [] {
    std::vector<ConfigKey> out;
    const Config defaults;
    for (const auto& f : fields()) out.push_back({f.name, f.get(defaults), f.help});
    return out;
  }();
  return keys;
}

void load_config_yaml(Config& cfg, const std::string& yaml, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: invalid YAML at line {}: {}", origin, e.mark.line + 1, e.msg));
  }
  if (root.IsNull()) return;  // an empty file keeps the defaults
  if (!root.IsMap()) throw ConfigError(fmt::format("{}: expected a mapping of sections at the top level", origin));
  // Keys must be plain scalars: YAML also allows null, sequence and mapping keys ("? [a]: 1"), which name nothing.
  auto key_of = [&](const YAML::Node& key, const std::string& where) {
    if (!key.IsScalar()) throw ConfigError(fmt::format("{}: {}: keys must be plain names", origin, where));
    return key.Scalar();
  };
  for (const auto& section : root) {
    const std::string sname = key_of(section.first, "top level");
    if (sname != "data" && sname != "model" && sname != "train" && sname != "output" && sname != "dist")
      fail(origin, sname, "unknown section (sections: data, model, train, output, dist)");
    if (section.second.IsNull()) continue;
    if (!section.second.IsMap()) fail(origin, sname, "expected a mapping of keys");
    for (const auto& kv : section.second) {
      const std::string key = sname + "." + key_of(kv.first, sname);
      if (!kv.second.IsScalar() && !kv.second.IsNull()) fail(origin, key, "expected a single value");
      set_checked(cfg, origin, key, kv.second.IsNull() ? std::string() : kv.second.Scalar());
    }
  }
}

namespace {
// model.num_classes as a number: up to 5 decimal digits, or nothing.
std::optional<int> parse_class_count(const std::string& v) {
  if (v.empty() || v.size() > 5 || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoi(v);
}

// An input path the file set (not the one it had before) that is relative and exists beside the file becomes that
// path; anything else is left to resolve from the working directory.
void resolve_beside(std::string& value, const std::string& before, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  if (value.empty() || value == before || fs::path(value).is_absolute()) return;
  const fs::path beside = (dir / value).lexically_normal();
  std::error_code ec;
  if (fs::exists(beside, ec)) value = beside.string();
}
}  // namespace

void load_config_file(Config& cfg, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("{}: cannot open config file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  const DataConfig before = cfg.data;
  load_config_yaml(cfg, ss.str(), path);
  const auto dir = std::filesystem::path(path).parent_path();
  resolve_beside(cfg.data.path, before.path, dir);
  resolve_beside(cfg.data.cache, before.cache, dir);
  resolve_beside(cfg.data.labels, before.labels, dir);
}

void apply_override(Config& cfg, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(fmt::format("--set {}: expected section.key=value", assignment));
  set_checked(cfg, "--set", assignment.substr(0, eq), assignment.substr(eq + 1));
}

void validate(const Config& c) {
  auto need = [](bool ok, const char* key, const std::string& rule) {
    if (!ok) throw ConfigError(fmt::format("{}: {}", key, rule));
  };
  const auto& d = c.data;
  need(d.format == "auto" || d.format == "folder" || d.format == "idx" || d.format == "cifar10" ||
           d.format == "cache" || d.format == "synthetic",
       "data.format", fmt::format("must be auto, folder, idx, cifar10, cache or synthetic, got '{}'", d.format));
  need(d.format == "synthetic" || !d.path.empty(), "data.path", "is required (or set data.format=synthetic)");
  need(d.image_size == 32 || d.image_size == 64 || d.image_size == 128, "data.image_size",
       fmt::format("must be 32, 64 or 128, got {}", d.image_size));
  need(d.channels == 1 || d.channels == 3, "data.channels", fmt::format("must be 1 or 3, got {}", d.channels));
  need(d.synthetic_count >= 1, "data.synthetic_count", "must be at least 1");
  need(d.holdout >= 0, "data.holdout", fmt::format("must be 0 or more, got {}", d.holdout));
  need(d.mirror == "auto" || d.mirror == "true" || d.mirror == "false", "data.mirror",
       fmt::format("must be true, false or auto, got '{}'", d.mirror));
  need(std::isfinite(d.mirror_max_ratio) && d.mirror_max_ratio > 0, "data.mirror_max_ratio",
       fmt::format("must be a positive number, got {}", d.mirror_max_ratio));
  need(d.max_image_pixels >= 0, "data.max_image_pixels", fmt::format("must be 0 (no limit) or more, got {}", d.max_image_pixels));

  need(c.model.nz >= 1 && c.model.nz <= 8192, "model.nz", fmt::format("must be in 1..8192, got {}", c.model.nz));
  need(c.model.ngf >= 1 && c.model.ngf <= 1024, "model.ngf", fmt::format("must be in 1..1024, got {}", c.model.ngf));
  need(c.model.ndf >= 1 && c.model.ndf <= 1024, "model.ndf", fmt::format("must be in 1..1024, got {}", c.model.ndf));

  const std::string& nc = c.model.num_classes;
  const std::optional<int> classes = parse_class_count(nc);
  need(nc == "auto" || (classes && *classes <= 10000), "model.num_classes",
       fmt::format("must be 0 (unconditional), auto or a number of classes up to 10000, got '{}'", nc));

  const auto& t = c.train;
  need(t.batch_size >= 1, "train.batch_size", fmt::format("must be at least 1, got {}", t.batch_size));
  need(t.steps >= 0, "train.steps", fmt::format("must be 0 or more, got {}", t.steps));
  need(t.steps > 0 || t.epochs >= 1, "train.epochs", fmt::format("must be at least 1 when train.steps is 0, got {}", t.epochs));
  need(std::isfinite(t.lr) && t.lr > 0, "train.lr", fmt::format("must be a positive number, got {}", t.lr));
  need(t.beta1 >= 0 && t.beta1 < 1, "train.beta1", fmt::format("must be in [0, 1), got {}", t.beta1));
  need(t.beta2 >= 0 && t.beta2 < 1, "train.beta2", fmt::format("must be in [0, 1), got {}", t.beta2));
  int cuda_index = 0;
  need(parse_device_spec(t.device, &cuda_index), "train.device",
       fmt::format("must be auto, cpu, cuda or cuda:N, got '{}'", t.device));
  need(t.threads >= 0, "train.threads", fmt::format("must be 0 (all cores) or more, got {}", t.threads));
  for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"train.transpose_via_conv",
                                                                              t.transpose_via_conv},
                                   {"train.channels_last", t.channels_last},
                                   {"train.cuda_graphs", t.cuda_graphs},
                                   {"train.fused_adam", t.fused_adam},
                                   {"train.data_on_device", t.data_on_device},
                                   {"train.cudnn_benchmark", t.cudnn_benchmark}})
    need(value == "auto" || value == "true" || value == "false", key,
         fmt::format("must be auto, true or false, got '{}'", value));

  need(t.precision == "fp32" || t.precision == "bf16" || t.precision == "auto", "train.precision",
       fmt::format("must be fp32, bf16 or auto, got '{}'", t.precision));
  need(std::isfinite(t.lr_d) && t.lr_d >= 0, "train.lr_d", fmt::format("must be 0 or a positive number, got {}", t.lr_d));
  if (t.ema_decay != "auto") {
    char* end = nullptr;
    const double decay = std::strtod(t.ema_decay.c_str(), &end);
    need(!t.ema_decay.empty() && *end == '\0' && decay >= 0 && decay < 1, "train.ema_decay",
         fmt::format("must be auto or a number in [0, 1), got '{}'", t.ema_decay));
  }
  need(t.ema_halflife_images >= 0, "train.ema_halflife_images",
       fmt::format("must be 0 (no average) or more, got {}", t.ema_halflife_images));
  need(std::isfinite(t.ema_rampup) && t.ema_rampup >= 0, "train.ema_rampup",
       fmt::format("must be 0 (no ramp-up) or more, got {}", t.ema_rampup));
  need(t.ema_bn_images >= 0 && t.ema_bn_images <= 65536, "train.ema_bn_images",
       fmt::format("must be in 0..65536, got {}", t.ema_bn_images));
  parse_augment(t.augment);
  parse_augment_p(t.augment_p);
  need(t.augment_target > 0 && t.augment_target < 1, "train.augment_target",
       fmt::format("must be in (0, 1), got {}", t.augment_target));
  need(t.augment_interval >= 1, "train.augment_interval", fmt::format("must be at least 1, got {}", t.augment_interval));
  need(t.augment_speed_images >= 1, "train.augment_speed_images",
       fmt::format("must be at least 1, got {}", t.augment_speed_images));
  need(t.data_on_device_max_mib >= 0, "train.data_on_device_max_mib",
       fmt::format("must be 0 or more, got {}", t.data_on_device_max_mib));

  const auto& o = c.output;
  need(!o.dir.empty(), "output.dir", "must not be empty");
  need(o.log_every >= 1, "output.log_every", fmt::format("must be at least 1, got {}", o.log_every));
  need(o.sample_every >= 1, "output.sample_every", fmt::format("must be at least 1, got {}", o.sample_every));
  need(o.checkpoint_every >= 1, "output.checkpoint_every",
       fmt::format("must be at least 1, got {}", o.checkpoint_every));
  need(o.keep_checkpoints >= 1, "output.keep_checkpoints",
       fmt::format("must be at least 1, got {}", o.keep_checkpoints));
  need(o.eval_every >= 0 && (o.eval_every == 0 || o.log_every < 1 || o.eval_every % o.log_every == 0),
       "output.eval_every",
       fmt::format("must be 0 or a multiple of output.log_every ({}), got {}", o.log_every, o.eval_every));
  need(o.eval_images >= 16, "output.eval_images", fmt::format("must be at least 16, got {}", o.eval_images));
  need(o.warn_d_g_z >= 0 && o.warn_d_g_z < 1, "output.warn_d_g_z",
       fmt::format("must be in [0, 1), got {}", o.warn_d_g_z));
  need(o.warn_rt >= 0 && o.warn_rt <= 1, "output.warn_rt", fmt::format("must be in [0, 1], got {}", o.warn_rt));
  need(o.warn_rt_intervals >= 1, "output.warn_rt_intervals",
       fmt::format("must be at least 1, got {}", o.warn_rt_intervals));

  const auto& d2 = c.dist;
  need(d2.backend == "auto" || d2.backend == "gloo" || d2.backend == "nccl", "dist.backend",
       fmt::format("must be auto, gloo or nccl, got '{}'", d2.backend));
  need(d2.timeout_s >= 1, "dist.timeout_s", fmt::format("must be at least 1, got {}", d2.timeout_s));
  need(d2.check_every >= 0, "dist.check_every", fmt::format("must be 0 or more, got {}", d2.check_every));
}

std::string to_yaml(const Config& cfg) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::string open_section;
  for (const auto& f : fields()) {
    const auto dot = f.name.find('.');
    const std::string section = f.name.substr(0, dot);
    if (section != open_section) {
      if (!open_section.empty()) out << YAML::EndMap;
      out << YAML::Key << section << YAML::Value << YAML::BeginMap;
      open_section = section;
    }
    out << YAML::Key << f.name.substr(dot + 1) << YAML::Value;
    if (f.kind == Kind::Text)
      out << YAML::DoubleQuoted << f.get(cfg);
    else
      out << f.get(cfg);
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

bool parse_device_spec(const std::string& spec, int* cuda_index) {
  *cuda_index = -1;
  if (spec == "auto" || spec == "cpu") return true;
  if (spec == "cuda") {
    *cuda_index = 0;
    return true;
  }
  if (spec.rfind("cuda:", 0) != 0 || spec.size() == 5 || spec.size() > 9) return false;
  const std::string digits = spec.substr(5);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return false;
  *cuda_index = std::stoi(digits);
  return true;
}

int class_count(const ModelConfig& model) {
  const std::optional<int> classes = parse_class_count(model.num_classes);
  if (!classes)
    throw ConfigError(fmt::format("model.num_classes: '{}' is not a number of classes (auto is resolved from the data "
                                  "when a run opens it)",
                                  model.num_classes));
  return *classes;
}

bool resolve_switch(const std::string& value, bool auto_value) { return value == "auto" ? auto_value : value == "true"; }

bool is_identity_key(const std::string& key) {
  static const std::vector<std::string> keys = {
      "data.path",  "data.format", "data.image_size", "data.channels",    "data.synthetic_count",
      "data.mirror", "data.mirror_max_ratio", "data.holdout", "data.labels", "model.nz",   "model.ngf",        "model.ndf",
      "model.num_classes",
      "train.batch_size", "train.lr", "train.lr_d",   "train.beta1",      "train.beta2",
      "train.seed", "train.augment", "train.augment_p", "train.augment_target", "train.augment_interval",
      "train.augment_speed_images"};
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::vector<std::string> differing_identity_keys(const Config& a, const Config& b) {
  std::vector<std::string> out;
  for (const auto& f : fields()) {
    if (!is_identity_key(f.name)) continue;
    const std::string va = f.get(a), vb = f.get(b);
    if (va != vb) out.push_back(fmt::format("{}: {} -> {}", f.name, va, vb));
  }
  return out;
}

std::uint64_t identity_hash(const Config& cfg) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (const auto& f : fields()) {
    if (!is_identity_key(f.name)) continue;
    for (char c : f.name + "=" + f.get(cfg) + "\n") h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  return h;
}

std::string describe_config_keys() {
  std::string out = "Config keys (YAML section.key, or --set section.key=value), with defaults:\n";
  std::size_t width = 0;
  for (const auto& k : config_keys()) width = std::max(width, k.name.size());
  for (const auto& k : config_keys())
    out += fmt::format("  {:<{}} {:<12} {}\n", k.name, width, k.default_value.empty() ? "\"\"" : k.default_value,
                       k.help);
  return out;
}

}  // namespace dcgan
