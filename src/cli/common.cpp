// Shared CLI code.
#include "common.h"

#include "dcgan/config/config_files.h"
#include "dcgan/runtime/cpu_features.h"
#include "dcgan/runtime/runtime.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#ifndef DCGAN_VERSION
#define DCGAN_VERSION "0.0.0"
#endif

namespace dcgan::cli {

int run_guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const c10::Error& e) {
    print_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    print_error(e.what());
  }
  return 1;
}

CLI::Validator config_file_check() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        const auto dirs = shipped_config_dirs();
        if (const auto found = find_config(value, dirs)) {
          value = *found;
          return "";
        }
        if (std::filesystem::path(value).has_parent_path()) return "no such file: " + value;
        std::vector<std::string> names;
        for (const auto& c : list_configs(dirs)) names.push_back(c.name);
        return fmt::format("no file {} here and no shipped config of that name (shipped: {}; see dcgan train "
                           "--list-configs)",
                           value, names.empty() ? std::string("none found") : fmt::format("{}", fmt::join(names, ", ")));
      },
      "FILE|NAME");
}

void check_data_path(const Config& config, const std::string& config_path) {
  namespace fs = std::filesystem;
  const std::string& path = config.data.path;
  std::error_code ec;
  if (config.data.format == "synthetic" || !config.data.cache.empty() || path.empty() || fs::exists(path, ec)) return;
  // The config file's own words about its data, when the path is the one it names (not a --set).
  std::string from_file;
  if (!config_path.empty()) {
    Config file;
    load_config_file(file, config_path);
    if (file.data.path == path) from_file = config_path;
  }
  const std::string cwd = fs::current_path(ec).string();
  std::string where;
  if (!fs::path(path).is_absolute())
    where = from_file.empty() ? fmt::format(" (from the working folder {})", cwd)
                              : fmt::format(" (looked beside {} and in the working folder {})", from_file, cwd);
  std::string expects;
  if (std::string summary = from_file.empty() ? "" : config_summary(from_file); !summary.empty()) {
    if (summary.back() == '.') summary.pop_back();
    expects = fmt::format(". {} is: {}", fs::path(from_file).filename().string(), summary);
  }
  throw ConfigError(fmt::format("data.path {}: no such file or directory{}{}. Point data.path at your data: --set "
                                "data.path=PATH (an image folder, an idx file, CIFAR-10 batches or a cache)",
                                path, where, expects));
}

void add_data_source_options(CLI::App* app, DataSourceOptions& opts, const std::string& data_help) {
  auto* config = app->add_option("-c,--config", opts.config_path, "Take data.* from this config (a file, or a shipped config's name)")
                     ->transform(config_file_check());
  app->add_option("-s,--set", opts.sets, "Override a config key (repeatable)")->type_name("KEY=VALUE");
  auto* data = app->add_option("--data", opts.data, data_help)->excludes(config);
  app->add_option("--image-size", opts.image_size, "Side of the images (with --data)")
      ->check(CLI::IsMember({32, 64, 128}))
      ->capture_default_str()
      ->needs(data);
  app->add_option("--channels", opts.channels, "1 (gray) or 3 (RGB) (with --data)")
      ->check(CLI::IsMember({1, 3}))
      ->capture_default_str()
      ->needs(data);
  app->callback([config, data] {
    if (config->count() == 0 && data->count() == 0) throw CLI::RequiredError("--config or --data");
  });
}

Config config_from(const DataSourceOptions& opts) {
  Config config;
  if (!opts.config_path.empty()) load_config_file(config, opts.config_path);
  for (const auto& s : opts.sets) apply_override(config, s);
  if (!opts.data.empty()) {
    config.data.path = opts.data;
    config.data.image_size = opts.image_size;
    config.data.channels = opts.channels;
  }
  check_data_path(config, opts.config_path);
  return config;
}

std::string version_text() {
  return std::string("dcgan ") + DCGAN_VERSION + " (LibTorch " + torch_version() +
         (DCGAN_WITH_CUDA ? ", CUDA build" : ", CPU build") + ", CUDA available: " + (cuda_available() ? "yes" : "no") +
         ", CPU features: " + cpu_features().describe() +
         ", native bf16: " + (cpu_features().native_bf16() ? "yes" : "no") + ")";
}

}  // namespace dcgan::cli
