// DiffAugment's colour, translation and cutout, and random x-flips.
#include "dcgan/train/augment.h"

#include <cmath>

namespace dcgan {
namespace {

// One uniform [0, 1) draw per image, broadcastable over [B, C, H, W].
torch::Tensor per_image(const torch::Tensor& x) { return torch::rand({x.size(0), 1, 1, 1}, x.options()); }

torch::Tensor color(torch::Tensor x, double strength) {
  x = x + (per_image(x) - 0.5) * strength;                                  // brightness
  torch::Tensor mean = x.mean(1, /*keepdim=*/true);
  x = (x - mean) * (1.0 + (per_image(x) * 2.0 - 1.0) * strength) + mean;    // saturation
  mean = x.mean({1, 2, 3}, /*keepdim=*/true);
  return (x - mean) * (1.0 + (per_image(x) - 0.5) * strength) + mean;       // contrast
}

// [B, 1, n, n] one-hot rows: row i picks element i + shift[b] (none when that falls outside 0..n-1).
torch::Tensor shift_matrix(const torch::Tensor& shift, int64_t n, const torch::TensorOptions& float_options) {
  const torch::Tensor idx = torch::arange(n, shift.options());
  const torch::Tensor target = idx.view({1, n, 1}) + shift.view({-1, 1, 1});  // [B, n, 1]
  return (idx.view({1, 1, n}) == target).to(float_options).unsqueeze(1);
}

// out[b, c, i, j] = x[b, c, i + dy[b], j + dx[b]], zero outside: two batched products with one-hot matrices, so
// the gradient reaches x and nothing syncs with the host.
torch::Tensor translation(const torch::Tensor& x, double strength) {
  const int64_t h = x.size(2), w = x.size(3);
  const auto max_y = static_cast<int64_t>(h * 0.125 * strength + 0.5);
  const auto max_x = static_cast<int64_t>(w * 0.125 * strength + 0.5);
  const auto long_options = x.options().dtype(torch::kLong);
  const torch::Tensor dy = torch::randint(-max_y, max_y + 1, {x.size(0)}, long_options);
  const torch::Tensor dx = torch::randint(-max_x, max_x + 1, {x.size(0)}, long_options);
  const torch::Tensor rows = shift_matrix(dy, h, x.options());                 // [B, 1, H, H]
  const torch::Tensor cols = shift_matrix(dx, w, x.options()).transpose(2, 3);  // [B, 1, W, W]
  return torch::matmul(torch::matmul(rows, x), cols);
}

// Rows (or columns) 0..n-1 inside a cut of `size` centred at offset - size / 2, offset uniform in
// [0, n + (1 - size % 2)) as the paper's code draws it: [B, n] booleans.
torch::Tensor cut_span(int64_t n, int64_t size, int64_t batch, const torch::TensorOptions& long_options) {
  const torch::Tensor offset = torch::randint(0, n + (1 - size % 2), {batch, 1}, long_options);
  const torch::Tensor idx = torch::arange(n, long_options).view({1, n});
  const torch::Tensor first = offset - size / 2;
  return (idx >= first).logical_and(idx < first + size);
}

torch::Tensor cutout(const torch::Tensor& x, double strength) {
  const int64_t h = x.size(2), w = x.size(3), b = x.size(0);
  const auto size_y = static_cast<int64_t>(h * 0.5 * strength + 0.5);
  const auto size_x = static_cast<int64_t>(w * 0.5 * strength + 0.5);
  const auto long_options = x.options().dtype(torch::kLong);
  const torch::Tensor in_rows = cut_span(h, size_y, b, long_options);  // [B, H]
  const torch::Tensor in_cols = cut_span(w, size_x, b, long_options);  // [B, W]
  const torch::Tensor cut = in_rows.unsqueeze(2).logical_and(in_cols.unsqueeze(1));  // [B, H, W]
  return x * cut.logical_not().to(x.options()).unsqueeze(1);
}

// `augmented` for the images whose draw falls below p, `x` for the others (all of `augmented` when p is undefined).
torch::Tensor with_probability(const torch::Tensor& x, const torch::Tensor& augmented, const torch::Tensor& p) {
  if (!p.defined()) return augmented;
  return torch::where(per_image(x) < p, augmented, x);
}

}  // namespace

torch::Tensor diff_augment(const torch::Tensor& x, const AugmentPolicy& policy, double strength,
                           const torch::Tensor& p) {
  torch::Tensor out = x;
  if (policy.color) out = with_probability(out, color(out, strength), p);
  if (policy.translation) out = with_probability(out, translation(out, strength), p);
  if (policy.cutout) out = with_probability(out, cutout(out, strength), p);
  return out;
}

torch::Tensor random_mirror(const torch::Tensor& x) {
  const torch::Tensor flip = torch::rand({x.size(0), 1, 1, 1}, x.options()) < 0.5;
  return torch::where(flip, x.flip({3}), x);
}

}  // namespace dcgan
