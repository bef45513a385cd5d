// Metrics of what G learned: the sliced Wasserstein distance (SWD) of Karras et al. 2018, on Laplacian pyramids.
#pragma once

#include "dcgan/generator.h"

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

// G's images of `noise` ([N, nz, 1, 1]) in eval mode (BatchNorm on its running statistics), generated in chunks of
// 256 on `device` and left there. G is put back in train mode afterwards.
torch::Tensor generate_images(Generator& g, const torch::Tensor& noise, torch::Device device);

// Fréchet distance between Gaussians fitted to two feature sets ([N, D] each, N >= 2): |mu_a - mu_b|^2 +
// Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), the FID of Heusel et al. 2017 when the features are Inception-v3 pool3.
// Computed in double precision through symmetric eigendecompositions (S_a^(1/2) S_b S_a^(1/2) is symmetric PSD).
double frechet_distance(const torch::Tensor& a, const torch::Tensor& b);

// Kernel distance (KID, Binkowski et al. 2018): the unbiased MMD^2 with the kernel (x.y / D + 1)^3.
double kernel_distance(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace dcgan
