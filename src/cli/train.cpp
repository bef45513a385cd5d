// `dcgan train`: train a DCGAN from a YAML config with --set overrides, or resume a run exactly.
#include "common.h"
#include "launch.h"

#include "dcgan/io/checkpoint.h"
#include "dcgan/config/config.h"
#include "dcgan/config/config_files.h"
#include "dcgan/dist/distributed.h"
#include "dcgan/run/fit.h"
#include "dcgan/run/signals.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
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
  bool overwrite = false;         // replace the run already in output.dir
  int nproc = 0;                  // > 0: start this many local ranks (data-parallel) instead of training here
  bool list_configs = false;      // print the shipped configs and exit
};

namespace {
bool sets_key(const std::vector<std::string>& sets, const std::string& key) {
  for (const auto& s : sets)
    if (s.rfind(key + "=", 0) == 0) return true;
  return false;
}
}  // namespace

int run_train(const TrainOptions& opts) {
  if (opts.list_configs) {
    fmt::print("{}", describe_shipped_configs(shipped_config_dirs()));
    return 0;
  }
  const DistEnv env = dist_env_from_environment();  // torchrun's variables, or a single process
  if (opts.nproc > 0 && (env.distributed() || std::getenv("RANK") != nullptr))
    throw ConfigError("--nproc starts ranks itself; it cannot be combined with torchrun's RANK/WORLD_SIZE");
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
    // What a run resolves when it opens (auto) is what the run being resumed resolved.
    if (config.data.mirror == "auto") config.data.mirror = saved.data.mirror;
    if (config.model.num_classes == "auto") config.model.num_classes = saved.model.num_classes;
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
  check_data_path(config, opts.config_path);
  if (!opts.config_path.empty() && env.rank == 0 && opts.nproc <= 1)
    spdlog::info("config: {}", std::filesystem::absolute(opts.config_path).string());
  if (opts.nproc > 1) {
    // The ranks read the same arguments; rank 0 checked them above, so a bad config fails here, once.
    LaunchOptions launch;
    launch.nproc = opts.nproc;
    launch.args = {"train"};
    if (!opts.config_path.empty()) launch.args.insert(launch.args.end(), {"--config", opts.config_path});
    for (const auto& s : opts.sets) launch.args.insert(launch.args.end(), {"--set", s});
    if (opts.strict) launch.args.push_back("--strict");
    if (!opts.resume.empty()) launch.args.insert(launch.args.end(), {"--resume", opts.resume});
    if (opts.overwrite) launch.args.push_back("--overwrite");
    launch.grace_s = std::min(30, config.dist.timeout_s);
    return launch_local_ranks(launch);
  }
  install_stop_handlers();
  const FitResult result = fit(config, checkpoint, &env, opts.overwrite);
  return result.stopped_by_signal ? exit_status_for_signal(result.stopped_by_signal) : 0;
}

Command add_train(CLI::App& root) {
  auto opts = std::make_shared<TrainOptions>();
  CLI::App* app = root.add_subcommand("train", "Train a generator and discriminator as the config says");
  app->add_option("-c,--config", opts->config_path,
                  "YAML config file (sections data, model, train, output, dist), or the name of a shipped config "
                  "(celeba, fashion-mnist, fashion-mnist-conditional, small-folder, tiny: see --list-configs)")
      ->transform(config_file_check());
  app->add_option("-s,--set", opts->sets, "Override one config key, e.g. --set train.steps=200 (repeatable)")
      ->type_name("KEY=VALUE");
  app->add_option("--resume", opts->resume,
                  "Continue a run exactly from a run directory (its latest checkpoint) or a checkpoint file; "
                  "only keys that do not change the model, data or optimiser may differ")
      ->check(CLI::ExistingPath);
  app->add_flag("--overwrite", opts->overwrite,
                "Replace the run already in output.dir (its files are removed once this run has set up; other files "
                "stay). Without it such a folder is refused: --resume continues it")
      ->excludes("--resume");
  app->add_flag("--list-configs", opts->list_configs, "Name the shipped configs, each with its first comment line");
  app->add_flag("--strict", opts->strict, "Stop at an unreadable image instead of skipping it (data.strict=true)");
  app->add_option("--nproc", opts->nproc,
                  "Data-parallel training in N local processes (c10d; as torchrun --nproc_per_node N would start "
                  "them); train.batch_size is per process")
      ->check(CLI::Range(1, 1024));
  app->footer(describe_config_keys() +
              "\nSIGINT/SIGTERM: the step finishes, a checkpoint is written, exit status 130/143; a second Ctrl-C "
              "quits at once.\nDistributed: torchrun --nproc_per_node N --no-python dcgan train ... (RANK, "
              "WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT are read), or --nproc N; see docs/distributed.md.");
  return {app, [opts] { return run_train(*opts); }};
}

}  // namespace dcgan::cli
