// FID and KID on Gaussians whose distances are known in closed form.
#include "dcgan/eval/feature_distance.h"

#include <gtest/gtest.h>

#include <cmath>

namespace dcgan {
namespace {

TEST(FeatureDistances, FidAndKidOfKnownGaussians) {
  torch::manual_seed(0);
  const torch::Tensor a = torch::randn({4000, 3}, torch::kDouble);
  const torch::Tensor b = torch::randn({4000, 3}, torch::kDouble);
  EXPECT_NEAR(frechet_distance(a, a), 0.0, 1e-6);
  EXPECT_LT(frechet_distance(a, b), 0.02);  // two samples of one Gaussian
  // Shifted by (1, 2, 2): |delta|^2 = 9; scaled by 2 adds 3 * (1 + 4 - 2 * 2) = 3.
  EXPECT_NEAR(frechet_distance(a, b * 2 + torch::tensor({1.0, 2.0, 2.0}, torch::kDouble)), 12.0, 0.3);
  EXPECT_LT(std::abs(kernel_distance(a, b)), 0.01);
  EXPECT_GT(kernel_distance(a, b + 1), 0.5);
  EXPECT_THROW(frechet_distance(a, torch::zeros({10, 4})), std::invalid_argument);
}

}  // namespace
}  // namespace dcgan
