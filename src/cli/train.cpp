// `dcgan train`: train a DCGAN from a YAML config with --set overrides.
#include "common.h"

#include "dcgan/config.h"
#include "dcgan/fit.h"

#include <memory>
#include <string>
#include <vector>

namespace dcgan::cli {

struct TrainOptions {
  std::string config_path;        // YAML file; empty = built-in defaults
  std::vector<std::string> sets;  // "section.key=value", applied in order after the file
  bool strict = false;            // same as --set data.strict=true
};

int run_train(const TrainOptions& opts) {
  Config config;
  if (!opts.config_path.empty()) load_config_file(config, opts.config_path);
  for (const auto& s : opts.sets) apply_override(config, s);
  if (opts.strict) config.data.strict = true;
  validate(config);
  fit(config);
  return 0;
}

Command add_train(CLI::App& root) {
  auto opts = std::make_shared<TrainOptions>();
  CLI::App* app = root.add_subcommand("train", "Train a generator and discriminator as the config says");
  app->add_option("-c,--config", opts->config_path, "YAML config file (sections data, model, train, output)")
      ->check(CLI::ExistingFile);
  app->add_option("-s,--set", opts->sets, "Override one config key, e.g. --set train.steps=200 (repeatable)")
      ->type_name("KEY=VALUE");
  app->add_flag("--strict", opts->strict, "Stop at an unreadable image instead of skipping it (data.strict=true)");
  app->footer(describe_config_keys());
  return {app, [opts] { return run_train(*opts); }};
}

}  // namespace dcgan::cli
