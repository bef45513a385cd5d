// `dcgan info`: what a g.pt, a training checkpoint or a .pth holds.
#include "common.h"

#include "dcgan/io/checkpoint.h"
#include "dcgan/model/discriminator.h"
#include "dcgan/io/pth.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <sstream>
#include <string>

namespace dcgan::cli {

struct InfoOptions {
  std::string file;
};

namespace {
int64_t parameter_count(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

// The average's schedule as the config that wrote the file set it.
std::string describe_ema(const TrainConfig& t) {
  const EmaSchedule s = ema_schedule(t);
  const std::string bn = s.standing_statistics
                             ? fmt::format("BatchNorm statistics from {} noise vectors", t.ema_bn_images)
                             : std::string("BatchNorm statistics copied from G");
  if (s.fixed_decay >= 0) return fmt::format("fixed decay {} per step; {}", s.fixed_decay, bn);
  return fmt::format("half-life {} images, ramp-up {}; {}", s.halflife_images, s.rampup, bn);
}

}  // namespace

int run_info(const InfoOptions& o) {
  if (is_pth_file(o.file)) {
    const PthContent content = load_pth(o.file);
    if (content.tensor.defined()) {
      std::cout << fmt::format("file: {}\nkind: tensor (torch.save)\nshape: {}\ndtype: {}\n", o.file,
                               c10::str(content.tensor.sizes()), c10::toString(content.tensor.scalar_type()));
      return 0;
    }
  }
  LoadedGenerator g = load_generator(o.file);
  std::ostringstream arch;
  arch << *g.generator;
  std::cout << fmt::format("file: {}\nkind: {}\n", o.file, g.kind);
  if (g.kind != "state_dict") {
    std::cout << fmt::format("step: {}\nepoch: {}\nwritten by: LibTorch {}\n", g.at.step, g.at.epoch,
                             g.torch_version);
  }
  std::cout << fmt::format("generator: {}x{}, {} channel(s), nz {}, ngf {}, {} parameters\n", g.config.data.image_size,
                           g.config.data.image_size, g.config.data.channels, g.config.model.nz, g.config.model.ngf,
                           parameter_count(*g.generator));
  if (const int64_t classes = g.generator->options.num_classes(); classes > 0)
    std::cout << fmt::format("classes: {} ({})\n", classes,
                             g.config.data.class_names.empty() ? "numbered" : g.config.data.class_names);
  if (g.kind == "checkpoint") {
    Discriminator d(DiscriminatorOptions()
                        .num_classes(g.generator->options.num_classes())
                        .ndf(g.config.model.ndf)
                        .channels(g.config.data.channels)
                        .image_size(g.config.data.image_size));
    std::cout << fmt::format("discriminator: ndf {}, {} parameters; both Adam states, fixed noise and RNG states\n",
                             g.config.model.ndf, parameter_count(*d));
  }
  std::cout << (g.ema.is_empty() ? std::string("ema: absent\n")
                                 : "ema: present (moving average, " + describe_ema(g.config.train) + ")\n");
  std::cout << "architecture:\n" << arch.str() << "\n";
  if (g.kind != "state_dict") std::cout << "config:\n" << to_yaml(g.config);
  return 0;
}

Command add_info(CLI::App& root) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* app = root.add_subcommand("info", "Print what a g.pt, a training checkpoint or a .pth holds");
  app->add_option("file", o->file, "g.pt, checkpoints/step-N.pt or a .pth")->required()->check(CLI::ExistingFile);
  return {app, [o] { return run_info(*o); }};
}

}  // namespace dcgan::cli
