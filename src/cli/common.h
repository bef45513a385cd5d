// Shared CLI code: subcommand registration, logging set-up and the one-line error handler.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

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

// Console logging through spdlog to stdout.
void init_logging();

// Runs `body`; any exception becomes one line "dcgan: error: ..." on stderr and exit status 1.
int run_guarded(const std::function<int()>& body);

// "dcgan X.Y.Z (LibTorch A.B.C, CUDA available: yes|no)".
std::string version_text();

}  // namespace dcgan::cli
