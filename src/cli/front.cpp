// dcgan: the entry point. `dcgan sample` on the CPU runs here without loading LibTorch (whose loading alone takes
// about 0.5 s on Debian); every other command, and what this path does not handle, runs in dcgan-torch beside this
// binary, exec'd with the same arguments (same process id, so signals and exit statuses are unchanged).
#include "base.h"
#include "sample_options.h"
#include "sample_plain.h"

#include "dcgan/config/config_files.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace {

[[noreturn]] void exec_torch_binary(char** argv) {
  const std::string self = dcgan::executable_path();
  const std::string full = std::filesystem::path(self.empty() ? argv[0] : self).parent_path() / "dcgan-torch";
  ::execv(full.c_str(), argv);
  dcgan::cli::print_error("cannot run " + full + ": " + std::strerror(errno));
  std::_Exit(127);
}

}  // namespace

int main(int argc, char** argv) {
  const char* plain = std::getenv("DCGAN_PLAIN_SAMPLE");  // "0": always the LibTorch path
  if (argc >= 2 && std::strcmp(argv[1], "sample") == 0 && !(plain && std::strcmp(plain, "0") == 0)) {
    CLI::App root;
    dcgan::cli::SampleOptions opts;
    CLI::App* app = dcgan::cli::add_sample_options(root, opts);
    bool parsed = true;
    try {
      root.parse(argc, argv);
    } catch (const CLI::Error&) {  // --help and mistakes: the LibTorch binary prints the one text for them
      parsed = false;
    }
    if (parsed) {
      dcgan::cli::finish_sample_options(*app, opts);
      dcgan::cli::init_logging();
      std::string why_not;
      if (const auto status = dcgan::cli::try_sample_plain(opts, why_not)) return *status;
      spdlog::debug("sample: LibTorch path ({})", why_not);
    }
  }
  exec_torch_binary(argv);
}
