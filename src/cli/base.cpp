// Shared CLI code that needs no LibTorch.
#include "base.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace dcgan::cli {

void init_logging() {
  auto logger = spdlog::stdout_logger_mt("dcgan");
  logger->set_pattern("[%H:%M:%S] %v");
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void print_error(const std::string& what) {
  std::string s = what;
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::fprintf(stderr, "dcgan: error: %s\n", s.c_str());
}

void add_ema_flag(CLI::App* app, bool& ema) {
  app->add_flag("--ema", ema, "Use the moving average of G's weights (train.ema_halflife_images) instead of the raw G");
}

}  // namespace dcgan::cli
