// Distances between feature sets: FID (Heusel et al. 2017) and KID (Binkowski et al. 2018).
#pragma once

#include <torch/torch.h>

namespace dcgan {

// Fréchet distance between Gaussians fitted to two feature sets ([N, D] each, N >= 2): |mu_a - mu_b|^2 +
// Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), the FID of Heusel et al. 2017 when the features are Inception-v3 pool3.
// Computed in double precision through symmetric eigendecompositions (S_a^(1/2) S_b S_a^(1/2) is symmetric PSD).
double frechet_distance(const torch::Tensor& a, const torch::Tensor& b);

// Kernel distance (KID, Binkowski et al. 2018): the unbiased MMD^2 with the kernel (x.y / D + 1)^3.
double kernel_distance(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace dcgan
