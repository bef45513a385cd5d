// Tests of diff_augment and random_mirror: identity at zero strength, gradients, seeds, independent draws, ranges, p.
#include "dcgan/train/augment.h"

#include "test_util.h"

namespace dcgan {
namespace {

class AugmentTest : public test::Seeded {
 protected:
  AugmentPolicy all = parse_augment("color,translation,cutout");
  torch::Tensor images(int64_t n = 8, int64_t side = 16) { return torch::rand({n, 3, side, side}) * 2 - 1; }
};

TEST_F(AugmentTest, ZeroStrengthIsTheIdentity) {
  const torch::Tensor x = images();
  for (const char* p : {"color", "translation", "cutout", "color,translation,cutout"}) {
    const torch::Tensor y = diff_augment(x, parse_augment(p), 0.0);
    EXPECT_EQ(y.sizes(), x.sizes()) << p;
    EXPECT_TRUE(torch::allclose(y, x, 1e-6, 1e-6)) << p;
  }
  EXPECT_TRUE(torch::equal(diff_augment(x, AugmentPolicy{}), x));  // no policy: untouched
}

TEST_F(AugmentTest, FullStrengthChangesEveryImage) {
  const torch::Tensor x = images();
  for (const char* p : {"color", "translation", "cutout"}) {
    const torch::Tensor y = diff_augment(x, parse_augment(p));
    int changed = 0;
    for (int64_t i = 0; i < x.size(0); ++i) changed += !torch::allclose(y[i], x[i]);
    EXPECT_GE(changed, 6) << p << ": most of 8 images should change";  // a zero shift has odds 1/81 per image
  }
}

// A gradient check against central differences, in double precision with the draws replayed by the seed.
TEST_F(AugmentTest, GradientMatchesFiniteDifferences) {
  const torch::Tensor x = images(2, 8).to(torch::kDouble).requires_grad_(true);
  const torch::Tensor weights = torch::rand({2, 3, 8, 8}, torch::kDouble);
  auto f = [&](const torch::Tensor& input) {
    torch::manual_seed(42);
    return (diff_augment(input, all) * weights).sum();
  };
  f(x).backward();
  const torch::Tensor grad = x.grad().clone();
  EXPECT_GT(grad.abs().sum().item<double>(), 0.0);
  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  for (const int64_t flat : {0, 17, 64, 100, 191, 250, 383}) {
    torch::Tensor plus = x.detach().clone(), minus = x.detach().clone();
    plus.view({-1})[flat] += h;
    minus.view({-1})[flat] -= h;
    const double numeric = (f(plus).item<double>() - f(minus).item<double>()) / (2 * h);
    EXPECT_NEAR(grad.view({-1})[flat].item<double>(), numeric, 1e-6) << "element " << flat;
  }
}

TEST_F(AugmentTest, TheSameSeedGivesTheSameImagesAndEachCallNewDraws) {
  const torch::Tensor x = images();
  torch::manual_seed(9);
  const torch::Tensor a = diff_augment(x, all);
  const torch::Tensor b = diff_augment(x, all);  // the next draws: a real and a fake batch of one step
  torch::manual_seed(9);
  EXPECT_TRUE(torch::equal(a, diff_augment(x, all)));
  EXPECT_FALSE(torch::allclose(a, b));
}

// Translation moves each image by whole pixels, at most round(side / 8), filling with zeros.
TEST_F(AugmentTest, TranslationIsAShiftWithZeroPadding) {
  const torch::Tensor x = images(16, 16) + 3;  // no zeros of its own
  const torch::Tensor y = diff_augment(x, parse_augment("translation"));
  for (int64_t i = 0; i < x.size(0); ++i) {
    bool found = false;
    for (int64_t dy = -2; dy <= 2 && !found; ++dy)
      for (int64_t dx = -2; dx <= 2 && !found; ++dx) {
        torch::Tensor expect = torch::zeros_like(x[i]);
        const int64_t y0 = std::max<int64_t>(0, -dy), y1 = std::min<int64_t>(16, 16 - dy);
        const int64_t x0 = std::max<int64_t>(0, -dx), x1 = std::min<int64_t>(16, 16 - dx);
        expect.slice(1, y0, y1).slice(2, x0, x1).copy_(x[i].slice(1, y0 + dy, y1 + dy).slice(2, x0 + dx, x1 + dx));
        found = torch::equal(expect, y[i]);
      }
    EXPECT_TRUE(found) << "image " << i << " is not a shift of at most 2 pixels";
  }
}

// Cutout zeroes one square of half the side (clipped at the border) and leaves the rest.
TEST_F(AugmentTest, CutoutZeroesOneSquareOfHalfTheSide) {
  const torch::Tensor x = torch::ones({32, 1, 16, 16});
  const torch::Tensor y = diff_augment(x, parse_augment("cutout"));
  int whole = 0;
  for (int64_t i = 0; i < x.size(0); ++i) {
    const torch::Tensor zero = y[i][0] == 0;
    const int64_t n = zero.sum().item<int64_t>();
    EXPECT_GT(n, 0);
    EXPECT_LE(n, 64);
    const torch::Tensor rows = zero.any(1).nonzero(), cols = zero.any(0).nonzero();
    EXPECT_EQ(rows.size(0) * cols.size(0), n) << "image " << i << ": the zeros form a rectangle";
    whole += n == 64;
  }
  EXPECT_GT(whole, 4) << "most squares lie inside the image";
}

TEST_F(AugmentTest, ColorKeepsTheShapeAndStaysNearTheRange) {
  const torch::Tensor x = images(64);
  const torch::Tensor y = diff_augment(x, parse_augment("color"));
  EXPECT_EQ(y.sizes(), x.sizes());
  EXPECT_LT(y.abs().max().item<double>(), 6.0);  // brightness +-0.5, saturation x2, contrast x1.5 of [-1, 1]
}

TEST_F(AugmentTest, MirrorFlipsSomeImagesLeftRight) {
  const torch::Tensor x = images(64);
  const torch::Tensor y = random_mirror(x);
  int flipped = 0;
  for (int64_t i = 0; i < x.size(0); ++i) {
    const bool same = torch::equal(y[i], x[i]), flip = torch::equal(y[i], x[i].flip({2}));
    EXPECT_TRUE(same || flip) << "image " << i;
    flipped += flip;
  }
  EXPECT_GT(flipped, 16);
  EXPECT_LT(flipped, 48);
}

// With p, each policy applies to an image with probability p: p = 0 leaves every image as it was, p = 1 changes
// as many as no p does, p = 1/2 about half (cutout: an image either has its square zeroed or is untouched).
TEST_F(AugmentTest, EachPolicyAppliesToAnImageWithProbabilityP) {
  const torch::Tensor x = images(400, 16);
  const AugmentPolicy cut = parse_augment("cutout");
  EXPECT_TRUE(torch::equal(diff_augment(x, all, 1.0, torch::zeros({})), x));
  auto share_changed = [&](double p) {
    const torch::Tensor y = diff_augment(x, cut, 1.0, torch::full({}, p));
    return (y != x).flatten(1).any(1).to(torch::kFloat).mean().item<double>();
  };
  EXPECT_DOUBLE_EQ(share_changed(1.0), 1.0);
  const double half = share_changed(0.5);
  EXPECT_NEAR(half, 0.5, 0.08) << "400 draws: 3 standard deviations is 0.075";
  EXPECT_NEAR(share_changed(0.1), 0.1, 0.05);
  // The images a policy passes over are exactly the input, and the gradient still reaches x through both.
  const torch::Tensor xg = x.clone().requires_grad_(true);
  diff_augment(xg, all, 1.0, torch::full({}, 0.5)).sum().backward();
  ASSERT_TRUE(xg.grad().defined());
  EXPECT_GT(xg.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace dcgan
