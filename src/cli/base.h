// Shared CLI code that needs no LibTorch: console logging, the one-line error, flags several subcommands share.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace dcgan::cli {

// Console logging through spdlog to stdout ("[HH:MM:SS] message").
void init_logging();

// Prints "dcgan: error: <what>" on stderr, on one line (newlines become spaces).
void print_error(const std::string& what);

// Adds --ema ("use the moving average of G's weights") to a subcommand that reads a generator.
void add_ema_flag(CLI::App* app, bool& ema);

}  // namespace dcgan::cli
