// torch.randn on the CPU reproduced without LibTorch, so that the LibTorch-free `dcgan sample` draws the same noise.
#pragma once

#include <cstdint>
#include <vector>

namespace dcgan {

// What torch.manual_seed(seed); torch.randn(n) returns on the CPU, for n >= 16 (throws std::invalid_argument below:
// torch draws small tensors another way). ATen's recipe (ATen/native/cpu/DistributionTemplates.h, normal_fill):
// the CPU generator is an mt19937 seeded with the seed's low 32 bits; n uniforms u = (r & (2^24 - 1)) / 2^24 fill the
// tensor, and each block of 16 becomes 16 normals by Box-Muller: radius sqrt(-2 log(1 - u[j])), angle 2 pi u[j + 8],
// cos to j and sin to j + 8, j < 8; when 16 does not divide n, the last 16 places are refilled with fresh uniforms
// and transformed again. Agreement: to within about 2e-6, not bitwise: x86 builds of torch transform with
// vectorised log/sin/cos (AVX2 kernels) whose last bits differ from the C library's.
std::vector<float> torch_cpu_randn(std::uint64_t seed, std::int64_t n);

}  // namespace dcgan
