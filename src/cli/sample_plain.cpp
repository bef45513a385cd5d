// `dcgan sample` without LibTorch.
#include "sample_plain.h"

#include "base.h"
#include "dcgan/io/files.h"
#include "dcgan/report/grid.h"
#include "dcgan/plain/plain_generator.h"
#include "dcgan/plain/torch_random.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace dcgan::cli {

std::optional<int> try_sample_plain(const SampleOptions& opts, std::string& why_not) {
  if (!opts.noise.empty() || opts.interpolate > 1 || opts.gif || !opts.save_tensor.empty() || !opts.png ||
      !opts.class_name.empty() || !opts.classes.empty()) {
    why_not = "--noise, --interpolate, a .gif, --save-tensor, --class and --classes need LibTorch";
    return std::nullopt;
  }
  if (opts.device != "cpu" && !(opts.device == "auto" && !DCGAN_WITH_CUDA)) {
    why_not = "device " + opts.device + " needs LibTorch";
    return std::nullopt;
  }
  std::optional<PlainGenerator> g;
  try {
    g = PlainGenerator::load(opts.ckpt, opts.ema);
  } catch (const std::exception& e) {  // unsupported or damaged: the LibTorch path handles or explains it
    why_not = e.what();
    return std::nullopt;
  }
  const int64_t count = opts.n;
  if (count * g->nz() < 16) {
    why_not = "fewer than 16 noise values (torch draws those another way)";
    return std::nullopt;
  }
  try {
    // As the LibTorch path: torch::manual_seed(seed); torch::randn({n, nz, 1, 1}) on the CPU.
    const std::vector<float> z = torch_cpu_randn(static_cast<std::uint64_t>(opts.seed), count * g->nz());
    const std::vector<float> images = g->forward(z.data(), count);
    const int nrow = grid_columns(opts.nrow, count);
    const GridImage grid = tile_grid(images.data(), count, g->channels(), g->image_size(), g->image_size(),
                                     GridOptions{nrow, 2});
    const auto parent = std::filesystem::path(opts.out).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    write_file_atomic(opts.out, encode_png(grid));
    spdlog::info("wrote {} images ({} per row) from {} (step {}) to {} (plain C++ forward, LibTorch not loaded)",
                 count, nrow, opts.ckpt, g->step(), opts.out);
    return 0;
  } catch (const std::exception& e) {
    print_error(e.what());
    return 1;
  }
}

}  // namespace dcgan::cli
