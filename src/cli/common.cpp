// Shared CLI code.
#include "common.h"

#include "dcgan/runtime/cpu_features.h"
#include "dcgan/runtime/runtime.h"

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

void add_data_source_options(CLI::App* app, DataSourceOptions& opts, const std::string& data_help) {
  auto* config = app->add_option("-c,--config", opts.config_path, "Take data.* from this config")
                     ->check(CLI::ExistingFile);
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
  return config;
}

std::string version_text() {
  return std::string("dcgan ") + DCGAN_VERSION + " (LibTorch " + torch_version() +
         ", CUDA available: " + (cuda_available() ? "yes" : "no") + ", CPU features: " + cpu_features().describe() +
         ", native bf16: " + (cpu_features().native_bf16() ? "yes" : "no") + ")";
}

}  // namespace dcgan::cli
