// Checkpoints: g.pt and full training checkpoints.
#include "dcgan/io/checkpoint.h"

#include "dcgan/plain/archive_check.h"
#include "dcgan/io/files.h"
#include "dcgan/io/interop.h"
#include "dcgan/io/pth.h"
#include "dcgan/runtime/runtime.h"
#include "dcgan/train/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace dcgan {
namespace {

void write_header(torch::serialize::OutputArchive& archive, const char* kind, const Config& config,
                  const TrainingPosition& at) {
  archive.write("kind", c10::IValue(std::string(kind)));
  archive.write("format", c10::IValue(kCheckpointFormat));
  archive.write("step", c10::IValue(at.step));
  archive.write("epoch", c10::IValue(at.epoch));
  archive.write("config", c10::IValue(to_yaml(config)));
  archive.write("config_hash", c10::IValue(fmt::format("{:016x}", identity_hash(config))));
  archive.write("torch_version", c10::IValue(torch_version()));
}

void write_archive(const std::string& path, torch::serialize::OutputArchive& archive) {
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomic(path, bytes.str());
}

torch::serialize::OutputArchive module_archive(torch::nn::Module& module) {
  torch::serialize::OutputArchive out;
  module.save(out);
  return out;
}

std::string short_error(const std::exception& e) {
  if (const auto* c10e = dynamic_cast<const c10::Error*>(&e)) {
    std::string msg = c10e->what_without_backtrace();
    const auto nl = msg.find('\n');
    return nl == std::string::npos ? msg : msg.substr(0, nl);
  }
  return e.what();
}

}  // namespace

void save_generator(const std::string& path, Generator& generator, const Config& config, const TrainingPosition& at,
                    Generator* ema) {
  torch::serialize::OutputArchive archive;
  write_header(archive, "generator", config, at);
  auto g = module_archive(*generator);
  archive.write("generator", g);
  if (ema && !ema->is_empty()) {
    auto e = module_archive(**ema);
    archive.write("generator_ema", e);
  }
  write_archive(path, archive);
}

void save_checkpoint(const std::string& path, Trainer& trainer, const Config& config, const TrainingPosition& at,
                     const torch::Tensor& fixed_noise, const RngState& rng, const BestEval& best,
                     const std::vector<RngState>& other_ranks) {
  torch::serialize::OutputArchive archive;
  write_header(archive, "checkpoint", config, at);
  auto g = module_archive(*trainer.generator());
  auto d = module_archive(*trainer.discriminator());
  torch::serialize::OutputArchive og, od;
  trainer.sync_optimizer_state();
  trainer.optimizer_g().save(og);
  trainer.optimizer_d().save(od);
  archive.write("generator", g);
  archive.write("discriminator", d);
  if (trainer.has_ema()) {
    auto e = module_archive(*trainer.ema());
    archive.write("generator_ema", e);
  }
  for (const auto& [name, value] : trainer.augment_probability().state()) archive.write(name, value.to(torch::kCPU));
  archive.write("best_swd", c10::IValue(best.swd));
  archive.write("best_step", c10::IValue(best.step));
  archive.write("optimizer_g", og);
  archive.write("optimizer_d", od);
  archive.write("fixed_noise", fixed_noise.to(torch::kCPU));
  auto write_rng = [&](const std::string& prefix, const RngState& r) {
    archive.write(prefix + "rng_cpu", r.cpu);
    archive.write(prefix + "rng_cuda_count", c10::IValue(static_cast<int64_t>(r.cuda.size())));
    for (std::size_t i = 0; i < r.cuda.size(); ++i) archive.write(fmt::format("{}rng_cuda_{}", prefix, i), r.cuda[i]);
  };
  write_rng("", rng);
  archive.write("world_size", c10::IValue(static_cast<int64_t>(1 + other_ranks.size())));
  for (std::size_t r = 0; r < other_ranks.size(); ++r) write_rng(fmt::format("rank{}_", r + 1), other_ranks[r]);
  write_archive(path, archive);
}

namespace {

torch::serialize::InputArchive open_archive(const std::string& path, torch::Device device) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw CheckpointError(fmt::format("{}: no such file", path));
  if (const std::string problem = torch_archive_problem(path); !problem.empty())
    throw CheckpointError(fmt::format("{}: not a readable checkpoint ({})", path, problem));
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path, device);
  } catch (const std::exception& e) {
    throw CheckpointError(fmt::format("{}: not a readable checkpoint (truncated or not a torch archive: {})", path,
                                      short_error(e)));
  }
  return archive;
}

struct Header {
  std::string kind;
  TrainingPosition at;
  Config config;
  std::string torch_version;
};

// Reads the common entries; throws CheckpointError (foreign file) or c10::Error/ConfigError (damaged entries).
Header read_header(const std::string& path, torch::serialize::InputArchive& archive) {
  Header h;
  c10::IValue v;
  if (!archive.try_read("kind", v) || !v.isString())
    throw CheckpointError(fmt::format("{}: not a dcgan g.pt or checkpoint (no 'kind' entry)", path));
  h.kind = v.toStringRef();
  if (h.kind != "generator" && h.kind != "checkpoint")
    throw CheckpointError(fmt::format("{}: unknown kind '{}'", path, h.kind));
  archive.read("format", v);
  if (v.toInt() > kCheckpointFormat)
    throw CheckpointError(fmt::format("{}: written by a newer dcgan (format {}, this build reads up to {})", path,
                                      v.toInt(), kCheckpointFormat));
  archive.read("step", v);
  h.at.step = v.toInt();
  archive.read("epoch", v);
  h.at.epoch = v.toInt();
  archive.read("config", v);
  load_config_yaml(h.config, v.toStringRef(), path + " (embedded config)");
  validate(h.config);
  archive.read("torch_version", v);
  h.torch_version = v.toStringRef();
  return h;
}

// Runs `body`, turning every failure but CheckpointError into one "damaged or incompatible" CheckpointError.
template <class F>
auto guarded(const std::string& path, F&& body) {
  try {
    return body();
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    throw CheckpointError(fmt::format("{}: damaged or incompatible checkpoint ({})", path, short_error(e)));
  }
}

}  // namespace

Config read_checkpoint_config(const std::string& path) {
  auto archive = open_archive(path, torch::kCPU);
  return guarded(path, [&] { return read_header(path, archive).config; });
}

LoadedCheckpoint load_checkpoint(const std::string& path, Trainer& trainer) {
  auto archive = open_archive(path, trainer.device());
  return guarded(path, [&] {
    const Header h = read_header(path, archive);
    if (h.kind != "checkpoint")
      throw CheckpointError(fmt::format("{}: a g.pt holds only the generator; resume needs a full checkpoint from "
                                        "checkpoints/",
                                        path));
    LoadedCheckpoint out;
    out.config = h.config;
    out.at = h.at;
    out.torch_version = h.torch_version;
    torch::serialize::InputArchive g, d, og, od;
    archive.read("generator", g);
    archive.read("discriminator", d);
    archive.read("optimizer_g", og);
    archive.read("optimizer_d", od);
    trainer.generator()->load(g);
    trainer.discriminator()->load(d);
    trainer.optimizer_g().load(og);
    trainer.optimizer_d().load(od);
    trainer.reload_optimizer_state();
    if (trainer.has_ema()) {
      torch::serialize::InputArchive e;
      out.had_ema = archive.try_read("generator_ema", e);
      if (out.had_ema) trainer.ema()->load(e);
      else trainer.reset_ema();
    }
    std::vector<std::pair<std::string, torch::Tensor>> augment;
    for (const auto& entry : trainer.augment_probability().state()) {
      torch::Tensor t;
      if (archive.try_read(entry.first, t)) augment.emplace_back(entry.first, t);
    }
    trainer.augment_probability().load_state(augment);
    c10::IValue best;
    if (archive.try_read("best_swd", best)) out.best.swd = best.toDouble();
    if (archive.try_read("best_step", best)) out.best.step = best.toInt();
    archive.read("fixed_noise", out.fixed_noise);
    auto read_rng = [&](const std::string& prefix) {
      RngState r;
      archive.read(prefix + "rng_cpu", r.cpu);
      r.cpu = r.cpu.to(torch::kCPU);
      c10::IValue v;
      archive.read(prefix + "rng_cuda_count", v);
      for (int64_t i = 0; i < v.toInt(); ++i) {
        torch::Tensor t;
        archive.read(fmt::format("{}rng_cuda_{}", prefix, i), t);
        r.cuda.push_back(t.to(torch::kCPU));
      }
      return r;
    };
    out.rng = read_rng("");
    c10::IValue ws;
    if (archive.try_read("world_size", ws)) out.world_size = static_cast<int>(ws.toInt());
    for (int r = 1; r < out.world_size; ++r) out.other_ranks.push_back(read_rng(fmt::format("rank{}_", r)));
    return out;
  });
}

LoadedGenerator load_generator(const std::string& path) {
  if (is_pth_file(path)) {
    try {
      return generator_from_state_dict(load_pth(path).state_dict, path);
    } catch (const PthError& e) {
      throw CheckpointError(e.what());
    }
  }
  auto archive = open_archive(path, torch::kCPU);
  return guarded(path, [&] {
    const Header h = read_header(path, archive);
    LoadedGenerator out;
    out.kind = h.kind;
    out.at = h.at;
    out.config = h.config;
    out.torch_version = h.torch_version;
    out.generator = Generator(GeneratorOptions()
                                  .transpose_via_conv(true)  // the CPU's fast path; callers may switch it per device
                                  .nz(out.config.model.nz)
                                  .num_classes(class_count(out.config.model))
                                  .ngf(out.config.model.ngf)
                                  .channels(out.config.data.channels)
                                  .image_size(out.config.data.image_size));
    torch::serialize::InputArchive g, e;
    archive.read("generator", g);
    out.generator->load(g);
    out.generator->eval();
    if (archive.try_read("generator_ema", e)) {
      out.ema = Generator(out.generator->options);
      out.ema->load(e);
      out.ema->eval();
    }
    return out;
  });
}

Generator& choose_generator(LoadedGenerator& loaded, bool ema, const std::string& path) {
  if (!ema) return loaded.generator;
  if (loaded.ema.is_empty())
    throw CheckpointError(fmt::format("{}: holds no moving average of G (written with train.ema_decay 0, or by Python)",
                                      path));
  return loaded.ema;
}

std::string checkpoint_path(const std::string& run_dir, int64_t step) {
  return fmt::format("{}/checkpoints/step-{:06d}.pt", run_dir, step);
}

void publish_checkpoint(const std::string& run_dir, int64_t step, int keep) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(run_dir) / "checkpoints";
  const std::string target = fs::path(checkpoint_path(run_dir, step)).filename().string();
  const fs::path tmp = dir / ".latest.pt.tmp";
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_symlink(target, tmp, ec);
  if (!ec) fs::rename(tmp, dir / "latest.pt", ec);
  if (ec) throw FileError(fmt::format("{}: cannot point latest.pt at {}: {}", dir.string(), target, ec.message()));

  std::vector<fs::path> steps;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("step-", 0) == 0 && e.path().extension() == ".pt" && !e.is_symlink()) steps.push_back(e.path());
  }
  std::sort(steps.begin(), steps.end());  // zero-padded step numbers sort in step order
  for (std::size_t i = 0; i + static_cast<std::size_t>(keep) < steps.size(); ++i) {
    if (steps[i].filename() == target) continue;
    fs::remove(steps[i], ec);
  }
}

std::string find_checkpoint(const std::string& run_dir_or_file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(run_dir_or_file, ec)) {
    const fs::path latest = fs::path(run_dir_or_file) / "checkpoints" / "latest.pt";
    if (!fs::exists(latest, ec))
      throw CheckpointError(fmt::format("{}: no checkpoints/latest.pt in this run directory", run_dir_or_file));
    return fs::canonical(latest, ec).string();
  }
  if (!fs::exists(run_dir_or_file, ec)) throw CheckpointError(fmt::format("{}: no such file", run_dir_or_file));
  return run_dir_or_file;
}

}  // namespace dcgan
