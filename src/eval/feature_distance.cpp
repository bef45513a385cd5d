// FID and KID between feature sets.
#include "dcgan/eval/feature_distance.h"

#include <stdexcept>

namespace dcgan {
namespace {

torch::Tensor as_features(const torch::Tensor& x, const char* what) {
  if (x.dim() != 2 || x.size(0) < 2) throw std::invalid_argument(std::string(what) + ": expected [N >= 2, D] features");
  return x.detach().to(torch::kCPU, torch::kDouble);
}

// Symmetric square root of a symmetric PSD matrix (negative eigenvalues from rounding clipped to 0).
torch::Tensor sqrt_psd(const torch::Tensor& m) {
  const auto [values, vectors] = torch::linalg_eigh(m, "L");
  return torch::matmul(vectors * values.clamp_min(0).sqrt().unsqueeze(0), vectors.t());
}

}  // namespace

double frechet_distance(const torch::Tensor& a_in, const torch::Tensor& b_in) {
  const torch::Tensor a = as_features(a_in, "frechet_distance"), b = as_features(b_in, "frechet_distance");
  if (a.size(1) != b.size(1)) throw std::invalid_argument("frechet_distance: feature sizes differ");
  const torch::Tensor mu_a = a.mean(0), mu_b = b.mean(0);
  const torch::Tensor ca = a - mu_a, cb = b - mu_b;
  const torch::Tensor sa = torch::matmul(ca.t(), ca) / (a.size(0) - 1), sb = torch::matmul(cb.t(), cb) / (b.size(0) - 1);
  const torch::Tensor root_a = sqrt_psd(sa);
  const torch::Tensor inner = torch::matmul(root_a, torch::matmul(sb, root_a));
  const double trace_sqrt = std::get<0>(torch::linalg_eigh((inner + inner.t()) / 2, "L")).clamp_min(0).sqrt().sum().item<double>();
  return (mu_a - mu_b).pow(2).sum().item<double>() + sa.trace().item<double>() + sb.trace().item<double>() -
         2 * trace_sqrt;
}

double kernel_distance(const torch::Tensor& a_in, const torch::Tensor& b_in) {
  const torch::Tensor a = as_features(a_in, "kernel_distance"), b = as_features(b_in, "kernel_distance");
  if (a.size(1) != b.size(1)) throw std::invalid_argument("kernel_distance: feature sizes differ");
  const double d = static_cast<double>(a.size(1));
  auto k = [d](const torch::Tensor& x, const torch::Tensor& y) { return (torch::matmul(x, y.t()) / d + 1).pow(3); };
  const int64_t m = a.size(0), n = b.size(0);
  const torch::Tensor kaa = k(a, a), kbb = k(b, b), kab = k(a, b);
  const double saa = (kaa.sum() - kaa.diagonal().sum()).item<double>() / static_cast<double>(m * (m - 1));
  const double sbb = (kbb.sum() - kbb.diagonal().sum()).item<double>() / static_cast<double>(n * (n - 1));
  return saa + sbb - 2 * kab.mean().item<double>();
}

}  // namespace dcgan
