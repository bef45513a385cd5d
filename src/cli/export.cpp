// `dcgan export`: write a run's generator as the tutorial's Python state dict (.pth).
#include "common.h"

#include "dcgan/io/checkpoint.h"
#include "dcgan/io/interop.h"
#include "dcgan/io/pth.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace dcgan::cli {

struct ExportOptions {
  std::string ckpt;  // g.pt, a training checkpoint, or a .pth state dict
  std::string out;   // .pth to write
  bool ema = false;  // export the moving average of G
};

int run_export(const ExportOptions& o) {
  LoadedGenerator loaded = load_generator(o.ckpt);
  const StateDict state = generator_state_dict(choose_generator(loaded, o.ema, o.ckpt));
  save_state_dict(o.out, state);
  spdlog::info("wrote {} tensors of the {}x{} generator (nz {}, ngf {}, step {}) from {} to {}", state.size(),
               loaded.config.data.image_size, loaded.config.data.image_size, loaded.config.model.nz,
               loaded.config.model.ngf, loaded.at.step, o.ckpt, o.out);
  return 0;
}

Command add_export(CLI::App& root) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* app = root.add_subcommand(
      "export",
      "Write the generator as a state dict with the tutorial's parameter names (main.0.weight, ...).\n"
      "Python:  netG = Generator(ngpu); netG.load_state_dict(torch.load(\"g.pth\")); netG.eval()\n"
      "(torch.load's weights_only=True, the default from torch 2.6, accepts the file: it holds only tensors in an "
      "OrderedDict)");
  app->add_option("--ckpt", o->ckpt, "g.pt of a run, a training checkpoint, or a .pth state dict")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("-o,--out", o->out, "The .pth file to write")->required();
  add_ema_flag(app, o->ema);
  return {app, [o] { return run_export(*o); }};
}

}  // namespace dcgan::cli
