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

std::string version_text() {
  return std::string("dcgan ") + DCGAN_VERSION + " (LibTorch " + torch_version() +
         ", CUDA available: " + (cuda_available() ? "yes" : "no") + ")";
}

}  // namespace dcgan::cli
