// torch.randn on the CPU reproduced without LibTorch (mt19937 + ATen's blockwise Box-Muller).
#include "dcgan/plain/torch_random.h"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace dcgan {
namespace {

constexpr double kPi = 3.14159265358979323846;

// ATen's normal_fill_16 with mean 0, std 1.
void box_muller_16(float* data) {
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1 - data[j];  // [0, 1) -> (0, 1] for the log
    const float u2 = data[j + 8];
    const float radius = std::sqrt(-2 * std::log(u1));
    const float theta = 2.0f * static_cast<float>(kPi) * u2;
    data[j] = radius * std::cos(theta);
    data[j + 8] = radius * std::sin(theta);
  }
}

}  // namespace

std::vector<float> torch_cpu_randn(std::uint64_t seed, std::int64_t n) {
  if (n < 16) throw std::invalid_argument("torch_cpu_randn: n must be at least 16, got " + std::to_string(n));
  std::mt19937 engine(static_cast<std::uint32_t>(seed));
  // at::uniform_real_distribution<float>(0, 1): the low 24 bits of one 32-bit draw, over 2^24.
  auto uniform = [&engine] { return static_cast<float>(engine() & ((1u << 24) - 1)) * (1.0f / (1u << 24)); };
  std::vector<float> data(static_cast<std::size_t>(n));
  for (float& x : data) x = uniform();
  for (std::int64_t i = 0; i + 16 <= n; i += 16) box_muller_16(data.data() + i);
  if (n % 16 != 0) {
    for (std::int64_t i = n - 16; i < n; ++i) data[static_cast<std::size_t>(i)] = uniform();
    box_muller_16(data.data() + n - 16);
  }
  return data;
}

}  // namespace dcgan
