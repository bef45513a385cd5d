// The sliced Wasserstein distance (SWD) of Karras et al. 2018, on Laplacian pyramids: how close G's images are to real ones.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace dcgan {

// Defaults are those of ProGAN's metrics/sliced_wasserstein.py (Karras et al. 2018, "Progressive Growing of GANs").
struct SwdOptions {
  int descriptors_per_image = 128;  // random 7x7 neighbourhoods taken from each image at each pyramid level
  int patch = 7;                    // neighbourhood side
  int dir_repeats = 4;              // rounds of random projection directions ...
  int dirs_per_repeat = 128;        // ... of this many directions each
  int min_resolution = 16;          // the pyramid stops at this side
  std::uint64_t seed = 0;           // patch positions and directions: a seed gives the same figure every time
};

struct SwdResult {
  std::vector<int64_t> resolutions;  // pyramid levels, finest first (64, 32, 16 for 64x64 images)
  std::vector<double> per_level;     // SWD x 1e3 at each level (ProGAN's tables report x 1e3)
  double mean = 0;                   // their average
};

// SWD between image sets `a` and `b` ([N, C, H, W], same C, H, W; any value range, e.g. [-1, 1]; any N >= 1).
// Each level of each set's Laplacian pyramid (5-tap binomial filter) gives descriptors_per_image patches per image,
// normalised per channel over the set; the distance is the mean, over random unit directions, of the mean absolute
// difference between the sorted projections of the two sets. Throws std::invalid_argument for mismatched shapes
// or images smaller than the patch.
SwdResult sliced_wasserstein(const torch::Tensor& a, const torch::Tensor& b, const SwdOptions& options = {});

}  // namespace dcgan
