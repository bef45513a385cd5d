// `dcgan train`: train a DCGAN from a YAML config with --set overrides, or resume a run exactly.
#include "common.h"

#include "dcgan/checkpoint.h"
#include "dcgan/config.h"
#include "dcgan/fit.h"
#include "dcgan/signals.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace dcgan::cli {

struct TrainOptions {
  std::string config_path;        // YAML file; empty = built-in defaults (or, resuming, the checkpoint's config)
  std::vector<std::string> sets;  // "section.key=value", applied in order after the file
  bool strict = false;            // same as --set data.strict=true
  std::string resume;             // run directory or checkpoint file to continue from
};

namespace {
bool sets_key(const std::vector<std::string>& sets, const std::string& key) {
  for (const auto& s : sets)
    if (s.rfind(key + "=", 0) == 0) return true;
  return false;
}
}  // namespace

int run_train(const TrainOptions& opts) {
  Config config;
  std::string checkpoint;
  if (!opts.resume.empty()) {
    checkpoint = find_checkpoint(opts.resume);
    const Config saved = read_checkpoint_config(checkpoint);
    config = saved;
    if (!opts.config_path.empty()) {
      config = Config{};
      load_config_file(config, opts.config_path);
    }
    for (const auto& s : opts.sets) apply_override(config, s);
    if (!sets_key(opts.sets, "output.dir")) {
      // Continue in the run directory the checkpoint sits in, wherever it has moved to.
      namespace fs = std::filesystem;
      config.output.dir = fs::is_directory(opts.resume)
                              ? opts.resume
                              : fs::absolute(checkpoint).parent_path().parent_path().string();
    }
    const auto diffs = differing_identity_keys(saved, config);
    if (!diffs.empty())
      throw ConfigError(fmt::format("cannot resume {}: the model, data or optimiser would change ({})", checkpoint,
                                    fmt::join(diffs, "; ")));
  } else {
    if (!opts.config_path.empty()) load_config_file(config, opts.config_path);
    for (const auto& s : opts.sets) apply_override(config, s);
  }
  if (opts.strict) config.data.strict = true;
  validate(config);
  install_stop_handlers();
  const FitResult result = fit(config, checkpoint);
  return result.stopped_by_signal ? exit_status_for_signal(result.stopped_by_signal) : 0;
}

Command add_train(CLI::App& root) {
  auto opts = std::make_shared<TrainOptions>();
  CLI::App* app = root.add_subcommand("train", "Train a generator and discriminator as the config says");
  app->add_option("-c,--config", opts->config_path, "YAML config file (sections data, model, train, output)")
      ->check(CLI::ExistingFile);
  app->add_option("-s,--set", opts->sets, "Override one config key, e.g. --set train.steps=200 (repeatable)")
      ->type_name("KEY=VALUE");
  app->add_option("--resume", opts->resume,
                  "Continue a run exactly from a run directory (its latest checkpoint) or a checkpoint file; "
                  "only keys that do not change the model, data or optimiser may differ")
      ->check(CLI::ExistingPath);
  app->add_flag("--strict", opts->strict, "Stop at an unreadable image instead of skipping it (data.strict=true)");
  app->footer(describe_config_keys() +
              "\nSIGINT/SIGTERM: the step finishes, a checkpoint is written, exit status 130/143; a second Ctrl-C "
              "quits at once.");
  return {app, [opts] { return run_train(*opts); }};
}

}  // namespace dcgan::cli
