// Checkpoints: g.pt and full training checkpoints.
#include "dcgan/checkpoint.h"

#include "dcgan/files.h"
#include "dcgan/runtime.h"
#include "dcgan/trainer.h"

#include <fmt/format.h>

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

void save_generator(const std::string& path, Generator& generator, const Config& config, const TrainingPosition& at) {
  torch::serialize::OutputArchive archive;
  write_header(archive, "generator", config, at);
  auto g = module_archive(*generator);
  archive.write("generator", g);
  write_archive(path, archive);
}

void save_checkpoint(const std::string& path, Trainer& trainer, const Config& config, const TrainingPosition& at,
                     const torch::Tensor& fixed_noise) {
  torch::serialize::OutputArchive archive;
  write_header(archive, "checkpoint", config, at);
  auto g = module_archive(*trainer.generator());
  auto d = module_archive(*trainer.discriminator());
  torch::serialize::OutputArchive og, od;
  trainer.optimizer_g().save(og);
  trainer.optimizer_d().save(od);
  archive.write("generator", g);
  archive.write("discriminator", d);
  archive.write("optimizer_g", og);
  archive.write("optimizer_d", od);
  archive.write("fixed_noise", fixed_noise.to(torch::kCPU));
  write_archive(path, archive);
}

LoadedGenerator load_generator(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw CheckpointError(fmt::format("{}: no such file", path));
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path, torch::kCPU);
  } catch (const std::exception& e) {
    throw CheckpointError(fmt::format("{}: not a readable checkpoint (truncated or not a torch archive: {})", path,
                                      short_error(e)));
  }
  LoadedGenerator out;
  c10::IValue v;
  try {
    if (!archive.try_read("kind", v) || !v.isString())
      throw CheckpointError(fmt::format("{}: not a dcgan g.pt or checkpoint (no 'kind' entry)", path));
    out.kind = v.toStringRef();
    if (out.kind != "generator" && out.kind != "checkpoint")
      throw CheckpointError(fmt::format("{}: unknown kind '{}'", path, out.kind));
    archive.read("format", v);
    if (v.toInt() > kCheckpointFormat)
      throw CheckpointError(fmt::format("{}: written by a newer dcgan (format {}, this build reads up to {})", path,
                                        v.toInt(), kCheckpointFormat));
    archive.read("step", v);
    out.at.step = v.toInt();
    archive.read("epoch", v);
    out.at.epoch = v.toInt();
    archive.read("config", v);
    load_config_yaml(out.config, v.toStringRef(), path + " (embedded config)");
    validate(out.config);
    out.generator = Generator(GeneratorOptions()
                                  .nz(out.config.model.nz)
                                  .ngf(out.config.model.ngf)
                                  .channels(out.config.data.channels)
                                  .image_size(out.config.data.image_size));
    torch::serialize::InputArchive g;
    archive.read("generator", g);
    out.generator->load(g);
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    throw CheckpointError(fmt::format("{}: damaged or incompatible checkpoint ({})", path, short_error(e)));
  }
  out.generator->eval();
  return out;
}

}  // namespace dcgan
