// Shared CLI code.
#include "common.h"

#include "dcgan/runtime.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#ifndef DCGAN_VERSION
#define DCGAN_VERSION "0.0.0"
#endif

namespace dcgan::cli {

void init_logging() {
  auto logger = spdlog::stdout_logger_mt("dcgan");
  logger->set_pattern("[%H:%M:%S] %v");
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

namespace {
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}
}  // namespace

int run_guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "dcgan: error: %s\n", one_line(e.what_without_backtrace()).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dcgan: error: %s\n", one_line(e.what()).c_str());
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
         ", CUDA available: " + (cuda_available() ? "yes" : "no") + ")";
}

void add_ema_flag(CLI::App* app, bool& ema) {
  app->add_flag("--ema", ema, "Use the moving average of G's weights (train.ema_decay) instead of the raw G");
}

}  // namespace dcgan::cli
