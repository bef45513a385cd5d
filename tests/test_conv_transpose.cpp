// Tests of the fast transposed convolution: equal to ConvTranspose2d in value and gradient, and one whole training
// step of the fast path equal to the plain one.
#include "dcgan/model/conv_transpose.h"

#include "dcgan/config/config.h"
#include "dcgan/train/trainer.h"

#include "test_util.h"

namespace dcgan {
namespace {

class ConvTransposeTest : public test::Seeded {};

TEST_F(ConvTransposeTest, MatchesConvTranspose2dInValueAndGradients) {
  for (const auto& [in, out, stride, padding, hw] :
       std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>>{{7, 5, 1, 0, 1}, {6, 4, 2, 1, 5}}) {
    torch::nn::ConvTranspose2d ref(torch::nn::ConvTranspose2dOptions(in, out, 4).stride(stride).padding(padding).bias(false));
    const auto x = torch::randn({3, in, hw, hw}, torch::kDouble).requires_grad_(true);
    ref->to(torch::kDouble);
    const auto y_ref = ref->forward(x);
    const auto w = ref->weight.detach().clone().requires_grad_(true);
    const auto x2 = x.detach().clone().requires_grad_(true);
    const auto y = conv_transpose2d_via_conv(x2, w, stride, padding);
    ASSERT_EQ(y.sizes(), y_ref.sizes());
    EXPECT_TRUE(torch::allclose(y, y_ref, 1e-12, 1e-12));
    const auto dy = torch::randn_like(y);
    y_ref.backward(dy);
    y.backward(dy);
    EXPECT_TRUE(torch::allclose(x2.grad(), x.grad(), 1e-12, 1e-12));
    EXPECT_TRUE(torch::allclose(w.grad(), ref->weight.grad(), 1e-12, 1e-12));
  }
}

TEST_F(ConvTransposeTest, GradcheckAgainstFiniteDifferences) {
  const auto x = torch::randn({2, 3, 3, 3}, torch::kDouble).requires_grad_(true);
  const auto w = torch::randn({3, 2, 4, 4}, torch::kDouble).requires_grad_(true);
  const auto y = conv_transpose2d_via_conv(x, w, 2, 1);
  y.pow(2).sum().backward();
  const double eps = 1e-6;
  for (int64_t i : {0, 7, 20}) {
    torch::NoGradGuard no_grad;
    auto wp = w.detach().clone(), wm = w.detach().clone();
    wp.view(-1)[i] += eps;
    wm.view(-1)[i] -= eps;
    const double numeric = (conv_transpose2d_via_conv(x.detach(), wp, 2, 1).pow(2).sum().item<double>() -
                            conv_transpose2d_via_conv(x.detach(), wm, 2, 1).pow(2).sum().item<double>()) /
                           (2 * eps);
    EXPECT_NEAR(w.grad().view(-1)[i].item<double>(), numeric, 1e-5 * std::max(1.0, std::abs(numeric)));
  }
}

// The same seed builds identical networks; one plain and one fast training step must agree in losses, gradients
// and updated weights up to float rounding. The fast trainer also uses channels_last when asked.
TEST_F(ConvTransposeTest, OneTrainingStepOfTheFastPathEqualsThePlainOne) {
  for (const std::string channels_last : {"false", "true"}) {
    Config plain_cfg = test::small_config(32, 3, 16, 8);
    plain_cfg.train.transpose_via_conv = "false";
    plain_cfg.train.channels_last = "false";
    Config fast_cfg = plain_cfg;
    fast_cfg.train.transpose_via_conv = "true";
    fast_cfg.train.channels_last = channels_last;
    torch::manual_seed(3);
    Trainer plain(plain_cfg, torch::kCPU);
    torch::manual_seed(3);
    Trainer fast(fast_cfg, torch::kCPU);
    const auto real = torch::rand({8, 3, 32, 32}) * 2 - 1;
    const auto noise = torch::randn({8, 16, 1, 1});
    const auto input = fast.channels_last() ? real.contiguous(torch::MemoryFormat::ChannelsLast) : real;
    auto close = [](const torch::Tensor& a, const torch::Tensor& b) {
      return torch::allclose(a, b, /*rtol=*/1e-4, /*atol=*/1e-6);
    };
    StepStats sp, sf;
    const auto fake_p = plain.update_d(real, noise, sp);
    const auto fake_f = fast.update_d(input, noise, sf);
    EXPECT_TRUE(close(fake_p, fake_f)) << channels_last;
    EXPECT_NEAR(sp.loss_d.item<double>(), sf.loss_d.item<double>(), 1e-5);
    const auto dp = plain.discriminator()->named_parameters(), df = fast.discriminator()->named_parameters();
    for (const auto& kv : dp) {
      EXPECT_TRUE(close(kv.value().grad(), df[kv.key()].grad())) << "D grad " << kv.key();
      EXPECT_TRUE(close(kv.value(), df[kv.key()])) << "D weight " << kv.key();
    }
    std::vector<torch::Tensor> d_grads_before;
    for (const auto& p : fast.discriminator()->parameters()) d_grads_before.push_back(p.grad().clone());
    plain.update_g(fake_p, sp);
    fast.update_g(fake_f, sf);
    EXPECT_NEAR(sp.loss_g.item<double>(), sf.loss_g.item<double>(), 1e-5);
    const auto gp = plain.generator()->named_parameters(), gf = fast.generator()->named_parameters();
    ASSERT_EQ(gp.keys(), gf.keys()) << "parameter names stay those of ConvTranspose2d";
    for (const auto& kv : gp) {
      EXPECT_TRUE(close(kv.value().grad(), gf[kv.key()].grad())) << "G grad " << kv.key();
      EXPECT_TRUE(close(kv.value(), gf[kv.key()])) << "G weight " << kv.key();
    }
    // The G update computed no D weight gradients: D's .grad still holds exactly what its own update left.
    const auto d_params = fast.discriminator()->parameters();
    for (std::size_t i = 0; i < d_params.size(); ++i) EXPECT_TRUE(torch::equal(d_params[i].grad(), d_grads_before[i]));
  }
}

}  // namespace
}  // namespace dcgan
