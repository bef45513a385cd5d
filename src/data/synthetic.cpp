// Synthetic source: soft discs drawn from a per-item hash.
#include "dcgan/data/synthetic.h"

#include "dcgan/data/splitmix.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace dcgan {
namespace {

class SyntheticDataset final : public Dataset {
 public:
  SyntheticDataset(std::int64_t count, int size, int channels, std::uint64_t seed)
      : count_(count), size_(size), channels_(channels), seed_(seed) {}

  std::int64_t size() const override { return count_; }
  ImageShape shape() const override { return {channels_, size_, size_}; }
  void read(std::int64_t index, std::uint8_t* out) const override {
    std::uint64_t state = splitmix64(seed_ ^ splitmix64(static_cast<std::uint64_t>(index)));
    auto uniform = [&state] {
      state = splitmix64(state);
      return static_cast<double>(state >> 11) * 0x1.0p-53;
    };
    const double s = size_;
    const double cx = s * (0.3 + 0.4 * uniform()), cy = s * (0.3 + 0.4 * uniform());
    const double radius = s * (0.15 + 0.15 * uniform());
    double colour[3];
    for (double& c : colour) c = 0.5 + 0.5 * uniform();
    for (int c = 0; c < channels_; ++c) {
      for (int y = 0; y < size_; ++y) {
        for (int x = 0; x < size_; ++x) {
          const double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
          const double inside = std::clamp((radius - d) / 1.5 + 0.5, 0.0, 1.0);  // 1.5 px soft edge
          const double v = 16.0 + inside * (colour[c] * 239.0 - 16.0);
          out[(static_cast<std::int64_t>(c) * size_ + y) * size_ + x] = static_cast<std::uint8_t>(std::lround(v));
        }
      }
    }
  }
  std::string describe() const override {
    return fmt::format("synthetic discs ({} images, seed {})", count_, seed_);
  }

 private:
  std::int64_t count_;
  int size_;
  int channels_;
  std::uint64_t seed_;
};

}  // namespace

std::unique_ptr<Dataset> open_synthetic(std::int64_t count, int size, int channels, std::uint64_t seed) {
  return std::make_unique<SyntheticDataset>(count, size, channels, seed);
}

}  // namespace dcgan
