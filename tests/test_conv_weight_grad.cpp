// Tests of the convolution weight gradient: the bf16 GEMM path against oneDNN's in fp64, layouts, and the
// convolution function that uses it.
#include "dcgan/model/conv_weight_grad.h"

#include "dcgan/runtime/compat.h"
#include "dcgan/runtime/cpu_features.h"

#include "test_util.h"

namespace dcgan {
namespace {

class ConvWeightGradTest : public test::Seeded {};

double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a.to(torch::kDouble) - b.to(torch::kDouble)).norm() / b.to(torch::kDouble).norm()).item<double>();
}

torch::Tensor reference_weight_grad(const torch::Tensor& x, const torch::Tensor& dy, const torch::Tensor& w,
                                    int64_t stride, int64_t padding) {
  return std::get<1>(at::convolution_backward(dy.to(torch::kDouble), x.to(torch::kDouble), w.to(torch::kDouble),
                                              at::OptionalIntArrayRef(), {stride, stride}, {padding, padding}, {1, 1},
                                              false, {0, 0}, 1, {false, true, false}));
}

// The layer shapes where the GEMM path applies (output 1x1 to 8x8) and one where it does not (16x16), for both of
// the model's convolution kinds (k4 s2 p1, k4 s1 p0). With native bf16 (AVX512_BF16 or AMX) the products accumulate
// in fp32 and are rounded once to bf16 (8 bits of mantissa): about 2^-9 relative, bounded at 4e-3. Without it
// LibTorch 1.13's bf16 kernels (the GEMM's and oneDNN's alike) are less exact: 1.0%, 2.1% and 4.3% on the first three
// shapes on a Zen 1 CPU (AVX2 only), bounded at 0.1; a wrong layout (uncorrelated values) is off by about 1.4.
TEST_F(ConvWeightGradTest, Bf16MatchesTheFp64GradientWithinBf16Rounding) {
  const double bound = cpu_features().native_bf16() ? 4e-3 : 0.1;
  for (const auto& [cin, cout, hw, stride, padding] : std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>>{
           {24, 40, 8, 2, 1}, {16, 8, 16, 2, 1}, {3, 16, 32, 2, 1}, {40, 1, 4, 1, 0}, {32, 12, 4, 1, 0}}) {
    SCOPED_TRACE(std::to_string(cin) + "->" + std::to_string(cout) + " at " + std::to_string(hw));
    const auto cl = torch::MemoryFormat::ChannelsLast;
    const auto x = torch::randn({5, cin, hw, hw}).to(torch::kBFloat16).contiguous(cl);
    const auto w = (torch::randn({cout, cin, 4, 4}) * 0.02).to(torch::kBFloat16).contiguous(cl);
    const auto y = at::convolution(x, w, torch::Tensor(), {stride, stride}, {padding, padding}, {1, 1}, false, {0, 0}, 1);
    const auto dy = torch::randn(y.sizes()).to(torch::kBFloat16).contiguous(cl);
    const auto dw = conv2d_weight_grad(x, dy, w, stride, padding);
    EXPECT_EQ(dw.sizes(), w.sizes());
    EXPECT_EQ(dw.scalar_type(), torch::kBFloat16);
    EXPECT_TRUE(dw.is_contiguous(cl));
    EXPECT_LT(relative_error(dw, reference_weight_grad(x, dy, w, stride, padding)), bound)
        << "CPU: " << cpu_features().describe();
  }
}

TEST_F(ConvWeightGradTest, Fp32TakesOneDnnsKernelBitForBit) {
  const auto x = torch::randn({3, 8, 8, 8}), w = torch::randn({6, 8, 4, 4});
  const auto dy = torch::randn({3, 6, 4, 4});
  const auto mine = conv2d_weight_grad(x, dy, w, 2, 1);
  const auto theirs = std::get<1>(at::convolution_backward(dy, x, w, at::OptionalIntArrayRef(), {2, 2}, {1, 1}, {1, 1},
                                                           false, {0, 0}, 1, {false, true, false}));
  EXPECT_TRUE(torch::equal(mine, theirs));
}

TEST_F(ConvWeightGradTest, TheConvolutionMatchesConv2dInValueAndGradients) {
  const auto x = torch::randn({3, 6, 8, 8}, torch::kDouble).requires_grad_(true);
  const auto w = torch::randn({5, 6, 4, 4}, torch::kDouble).requires_grad_(true);
  const auto x2 = x.detach().clone().requires_grad_(true), w2 = w.detach().clone().requires_grad_(true);
  const auto y = conv2d_fast_weight_grad(x, w, 2, 1);
  const auto y_ref = torch::conv2d(x2, w2, {}, 2, 1);
  EXPECT_TRUE(torch::allclose(y, y_ref, 1e-12, 1e-12));
  const auto dy = torch::randn_like(y);
  y.backward(dy);
  y_ref.backward(dy);
  EXPECT_TRUE(torch::allclose(x.grad(), x2.grad(), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(w.grad(), w2.grad(), 1e-12, 1e-12));
}

TEST_F(ConvWeightGradTest, UnderCpuAutocastItRunsInBf16AndTheMasterGradientIsFp32) {
  const auto x = torch::randn({4, 16, 8, 8}).requires_grad_(true);
  const auto w = (torch::randn({24, 16, 4, 4}) * 0.1).requires_grad_(true);
  torch::Tensor y;
  {
    const compat::Autocast autocast(true, c10::DeviceType::CPU);
    y = conv2d_fast_weight_grad(x, w, 2, 1);
  }
  EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
  y.to(torch::kFloat).square().sum().backward();
  EXPECT_EQ(w.grad().scalar_type(), torch::kFloat);
  EXPECT_EQ(x.grad().scalar_type(), torch::kFloat);
  const auto x2 = x.detach().clone().requires_grad_(true), w2 = w.detach().clone().requires_grad_(true);
  torch::conv2d(x2, w2, {}, 2, 1).square().sum().backward();
  EXPECT_LT(relative_error(w.grad(), w2.grad()), 2e-2);
  EXPECT_LT(relative_error(x.grad(), x2.grad()), 2e-2);
}

}  // namespace
}  // namespace dcgan
