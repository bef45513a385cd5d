// MirrorCheck: the SWD between two halves of a set, with and without one half flipped left-right.
#include "dcgan/eval/mirror_check.h"

#include "dcgan/data/batch_source.h"
#include "dcgan/eval/swd.h"

#include <chrono>

namespace dcgan {

MirrorCheck check_mirror(const Dataset& data, double max_ratio, std::uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  MirrorCheck out;
  const int64_t wanted = std::min<int64_t>(data.size(), kMirrorCheckImages) / 2 * 2;
  if (wanted < kMirrorCheckMinImages) return out;
  torch::NoGradGuard no_grad;
  torch::Tensor x = choose_images(data, wanted, seed, "data.mirror=auto");
  const int64_t have = x.size(0) / 2 * 2;
  if (have < kMirrorCheckMinImages) return out;
  x = x.slice(0, 0, have);
  if (x.size(3) > kMirrorCheckSide)
    x = torch::adaptive_avg_pool2d(x, {kMirrorCheckSide * x.size(2) / x.size(3), kMirrorCheckSide});
  const torch::Tensor a = x.slice(0, 0, have / 2), b = x.slice(0, have / 2, have);
  SwdOptions options;  // a quarter of ProGAN's descriptors and half its directions: 8x less sorting, a few seconds
  options.descriptors_per_image = kMirrorCheckDescriptors;
  options.dir_repeats = kMirrorCheckDirRepeats;
  options.seed = seed;
  out.images = have;
  out.side = static_cast<int>(x.size(3));
  out.halves = sliced_wasserstein(a, b, options).mean;
  out.flipped = sliced_wasserstein(a, b.flip({3}), options).mean;
  out = decide_mirror(out, max_ratio);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

MirrorCheck decide_mirror(MirrorCheck figures, double max_ratio) {
  figures.ratio = figures.halves > 0 ? figures.flipped / figures.halves : 0;
  figures.mirror = figures.images > 0 && figures.halves > 0 && figures.ratio <= max_ratio;
  return figures;
}

}  // namespace dcgan
