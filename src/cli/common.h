// Shared CLI code: subcommand registration, logging set-up and the one-line error handler.
#pragma once

#include "base.h"

#include "dcgan/config/config.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace dcgan::cli {

// A registered subcommand and what runs it once its arguments are parsed.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_train(CLI::App& root);
Command add_sample(CLI::App& root);
Command add_prepare(CLI::App& root);
Command add_bench(CLI::App& root);
Command add_export(CLI::App& root);
Command add_info(CLI::App& root);
Command add_eval(CLI::App& root);
Command add_report(CLI::App& root);

// Where `prepare` and `bench data` read from: a config's data section, or a path with a size and channel count.
struct DataSourceOptions {
  std::string config_path;        // YAML config whose data.* (and data.cache) to use
  std::vector<std::string> sets;  // overrides after the file
  std::string data;               // or: the source path (excludes --config)
  int image_size = 64;
  int channels = 3;
};
// Registers -c/--config, -s/--set, --data, --image-size, --channels on `app`; one of --config/--data is required.
void add_data_source_options(CLI::App* app, DataSourceOptions& opts, const std::string& data_help);
// The config those options describe (not validated).
Config config_from(const DataSourceOptions& opts);

// -c/--config's check: an existing file, or the name of a shipped config (config/config_files.h), which it becomes.
CLI::Validator config_file_check();

// Throws ConfigError when data.path names nothing: the path, where it was looked for, and what the config file
// (when one was given) says it expects, with how to point it elsewhere.
void check_data_path(const Config& config, const std::string& config_path);

// Runs `body`; any exception becomes one line "dcgan: error: ..." on stderr and exit status 1.
int run_guarded(const std::function<int()>& body);

// "dcgan X.Y.Z (LibTorch A.B.C, CUDA build|CPU build, CUDA available: yes|no, CPU features: ..., native bf16: ...)".
std::string version_text();

}  // namespace dcgan::cli
