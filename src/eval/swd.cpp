// Sliced Wasserstein distance on Laplacian pyramids (Karras et al. 2018).
#include "dcgan/eval/swd.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

namespace dcgan {
namespace {

namespace F = torch::nn::functional;

// The 5x5 binomial kernel [1 4 6 4 1]^T [1 4 6 4 1] / 256, one per channel (depthwise).
torch::Tensor binomial(int64_t channels, double gain, torch::Device device) {
  const torch::Tensor k1 = torch::tensor({1.0, 4.0, 6.0, 4.0, 1.0}, torch::kFloat) / 16.0;
  return (torch::outer(k1, k1) * gain).expand({channels, 1, 5, 5}).contiguous().to(device);
}

torch::Tensor blur(const torch::Tensor& x, double gain) {
  const torch::Tensor padded = F::pad(x, F::PadFuncOptions({2, 2, 2, 2}).mode(torch::kReflect));
  return F::conv2d(padded, binomial(x.size(1), gain, x.device()), F::Conv2dFuncOptions().groups(x.size(1)));
}

torch::Tensor pyr_down(const torch::Tensor& x) { return blur(x, 1.0).slice(2, 0, x.size(2), 2).slice(3, 0, x.size(3), 2); }

torch::Tensor pyr_up(const torch::Tensor& x) {
  torch::Tensor up = torch::zeros({x.size(0), x.size(1), x.size(2) * 2, x.size(3) * 2}, x.options());
  up.slice(2, 0, up.size(2), 2).slice(3, 0, up.size(3), 2).copy_(x);
  return blur(up, 4.0);
}

// Laplacian pyramid, finest level first; the last level is the coarsest Gaussian level.
std::vector<torch::Tensor> laplacian_pyramid(const torch::Tensor& x, int min_resolution) {
  std::vector<torch::Tensor> levels;
  torch::Tensor g = x;
  while (g.size(2) > min_resolution && g.size(2) % 2 == 0 && g.size(3) % 2 == 0) {
    const torch::Tensor down = pyr_down(g);
    levels.push_back(g - pyr_up(down));
    g = down;
  }
  levels.push_back(g);
  return levels;
}

// descriptors_per_image random patch x patch neighbourhoods of each image: [N * d, C * patch * patch], normalised
// per channel over the whole set (zero mean, unit deviation), as ProGAN's finalize_descriptors does.
torch::Tensor descriptors(const torch::Tensor& level, const SwdOptions& o, at::Generator& gen) {
  const int64_t n = level.size(0), c = level.size(1), h = level.size(2), w = level.size(3), p = o.patch;
  const int64_t d = o.descriptors_per_image;
  const torch::Tensor ys = torch::randint(0, h - p + 1, {n, d}, gen, torch::kLong).to(level.device());
  const torch::Tensor xs = torch::randint(0, w - p + 1, {n, d}, gen, torch::kLong).to(level.device());
  // All patches via unfold: [N, C, H-p+1, W-p+1, p, p]; pick the chosen corners.
  const torch::Tensor patches = level.unfold(2, p, 1).unfold(3, p, 1);
  const torch::Tensor idx_n = torch::arange(n, ys.options()).unsqueeze(1).expand({n, d});
  torch::Tensor desc = patches.permute({0, 2, 3, 1, 4, 5}).index({idx_n, ys, xs});  // [N, d, C, p, p]
  desc = desc.reshape({n * d, c, p, p});
  desc = desc - desc.mean({0, 2, 3}, /*keepdim=*/true);
  desc = desc / desc.std({0, 2, 3}, /*unbiased=*/false, /*keepdim=*/true).clamp_min(1e-8);
  return desc.reshape({n * d, c * p * p});
}

// Each row of `x` ([rows, n] float) sorted ascending. On the CPU with std::sort, the rows split over
// torch::get_num_threads() threads: LibTorch 1.13's sort (which also tracks indices) took most of the time of the
// whole distance. std::thread, not at::parallel_for: with LibTorch's OpenMP backend at::parallel_for is inline
// code that runs serially in a file not built with -fopenmp, as this one is not (measured: user time = wall time).
torch::Tensor sorted_rows(torch::Tensor x) {
  x = x.contiguous();
  if (!x.is_cpu() || x.scalar_type() != torch::kFloat) return std::get<0>(x.sort(1));
  float* p = x.data_ptr<float>();
  const int64_t rows = x.size(0), n = x.size(1);
  const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(torch::get_num_threads(), rows));
  auto sort_from = [p, rows, n, workers](int64_t first) {
    for (int64_t r = first; r < rows; r += workers) std::sort(p + r * n, p + (r + 1) * n);
  };
  std::vector<std::thread> threads;
  for (int64_t w = 1; w < workers; ++w) threads.emplace_back(sort_from, w);
  sort_from(0);
  for (std::thread& t : threads) t.join();
  return x;
}

double swd(const torch::Tensor& a, const torch::Tensor& b, const SwdOptions& o, at::Generator& gen) {
  double total = 0;
  for (int r = 0; r < o.dir_repeats; ++r) {
    torch::Tensor dirs = torch::randn({a.size(1), o.dirs_per_repeat}, gen, torch::kFloat).to(a.device());
    dirs = dirs / dirs.norm(2, 0, /*keepdim=*/true);
    // [dirs, descriptors], each projection contiguous: sorting rows is several times faster than columns.
    const torch::Tensor pa = sorted_rows(torch::matmul(dirs.t(), a.t())).t();
    const torch::Tensor pb = sorted_rows(torch::matmul(dirs.t(), b.t())).t();
    // Sets of different sizes: compare at matching quantiles of the smaller one.
    torch::Tensor qa = pa, qb = pb;
    if (pa.size(0) != pb.size(0)) {
      const int64_t m = std::min(pa.size(0), pb.size(0));
      auto pick = [m](const torch::Tensor& s) {
        return s.index_select(0, torch::linspace(0, s.size(0) - 1, m).round().to(s.device(), torch::kLong));
      };
      qa = pick(pa);
      qb = pick(pb);
    }
    total += (qa - qb).abs().mean().item<double>();
  }
  return total / o.dir_repeats;
}

}  // namespace

SwdResult sliced_wasserstein(const torch::Tensor& a, const torch::Tensor& b, const SwdOptions& o) {
  if (a.dim() != 4 || b.dim() != 4 || a.sizes().slice(1) != b.sizes().slice(1) || a.size(0) < 1 || b.size(0) < 1)
    throw std::invalid_argument("sliced_wasserstein: expected two [N, C, H, W] sets of the same C, H, W");
  if (a.size(2) < o.patch || a.size(3) < o.patch)
    throw std::invalid_argument("sliced_wasserstein: images smaller than the patch");
  torch::NoGradGuard no_grad;
  at::Generator gen = at::detail::createCPUGenerator(o.seed);
  // Computed on a's device (the GPU in a CUDA run); the random draws come from a CPU generator either way.
  const auto pa = laplacian_pyramid(a.detach().to(torch::kFloat), o.min_resolution);
  const auto pb = laplacian_pyramid(b.detach().to(a.device(), torch::kFloat), o.min_resolution);
  SwdResult out;
  for (std::size_t l = 0; l < pa.size(); ++l) {
    if (pa[l].size(2) < o.patch) break;
    const torch::Tensor da = descriptors(pa[l], o, gen), db = descriptors(pb[l], o, gen);
    out.resolutions.push_back(pa[l].size(2));
    out.per_level.push_back(1e3 * swd(da, db, o, gen));
  }
  for (double v : out.per_level) out.mean += v / static_cast<double>(out.per_level.size());
  return out;
}

}  // namespace dcgan
