// dcgan: the command-line entry point; each subcommand lives in its own file.
#include "common.h"

#include "dcgan/runtime/runtime.h"

#include <vector>

int main(int argc, char** argv) {
  dcgan::keep_freed_memory();
  CLI::App app{"dcgan: train Deep Convolutional GANs (Radford et al. 2015) with LibTorch"};
  app.set_version_flag("--version", dcgan::cli::version_text, "Print the version, the LibTorch version and CUDA status");
  app.require_subcommand(1);
  std::vector<dcgan::cli::Command> commands = {dcgan::cli::add_train(app), dcgan::cli::add_sample(app),
                                               dcgan::cli::add_prepare(app), dcgan::cli::add_bench(app),
                                               dcgan::cli::add_export(app), dcgan::cli::add_info(app),
                                               dcgan::cli::add_eval(app), dcgan::cli::add_report(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  dcgan::cli::init_logging();
  for (const auto& c : commands)
    if (c.app->parsed()) return dcgan::cli::run_guarded(c.run);
  return 1;
}
