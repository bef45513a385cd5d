// `dcgan sample`'s options and their command line, shared by the LibTorch path and the LibTorch-free one.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace dcgan::cli {

struct SampleOptions {
  std::string ckpt;                // g.pt or checkpoints/step-N.pt
  int n = 64;                      // images to generate
  std::string out = "samples.png";
  int64_t seed = 999;              // noise seed (tutorial: manualSeed = 999)
  int nrow = 0;                    // images per row; 0 = ceil(sqrt(n))
  std::string device = "auto";
  std::string noise;               // a [n, nz, 1, 1] (or [n, nz]) tensor saved by torch.save, instead of drawing
  std::string save_tensor;         // also write the raw output [n, C, H, W] in [-1, 1] with torch.save's format
  bool png = true;                 // false when only --save-tensor was asked for
  bool gif = false;                // --out names a .gif: the latent walks as an animation (needs --interpolate)
  int interpolate = 0;             // > 1: n latent walks of this many steps, one row each (slerp)
  bool ema = false;                // sample the moving average of G
  std::string class_name;          // conditional G: every image of this class (a name or an index)
  std::string classes;             // conditional G: "all" = one row per class, the same noise down each column
};

// Registers the subcommand "sample" on `root`, filling `opts`; call finish_sample_options once parsed.
CLI::App* add_sample_options(CLI::App& root, SampleOptions& opts);
// Settles what depends on several options (png).
void finish_sample_options(const CLI::App& app, SampleOptions& opts);

// Images per grid row: `nrow`, or ceil(sqrt(count)) when it is 0.
int grid_columns(int nrow, int64_t count);

}  // namespace dcgan::cli
