// Tests of check_mirror (data.mirror=auto): a set with a handedness is told apart from one whose flips belong.
#include "dcgan/eval/mirror_check.h"

#include "test_util.h"

#include <cstring>

namespace dcgan {
namespace {

// Images held in memory: [N, C, H, W] uint8.
class TensorDataset final : public Dataset {
 public:
  explicit TensorDataset(torch::Tensor images) : images_(images.contiguous()) {}
  int64_t size() const override { return images_.size(0); }
  ImageShape shape() const override {
    return {static_cast<int>(images_.size(1)), static_cast<int>(images_.size(2)), static_cast<int>(images_.size(3))};
  }
  void read(int64_t index, uint8_t* out) const override {
    std::memcpy(out, images_[index].data_ptr<uint8_t>(), static_cast<size_t>(images_[index].numel()));
  }
  std::string describe() const override { return "test images"; }

 private:
  torch::Tensor images_;
};

// `n` gray images of noise, each with a bright bar near its left edge: a "handed" set. With `mirrored`, every
// second one is flipped, so the set is its own mirror image.
TensorDataset handed_set(int64_t n, bool mirrored, int side = 32) {
  torch::manual_seed(7);
  torch::Tensor x = torch::rand({n, 1, side, side}) * 0.4;
  x.index_put_({torch::indexing::Slice(), 0, torch::indexing::Slice(), torch::indexing::Slice(2, 6)}, 0.9);
  if (mirrored) {
    const torch::Tensor flip = (torch::arange(n) % 2 == 0).view({n, 1, 1, 1});
    x = torch::where(flip, x.flip({3}), x);
  }
  return TensorDataset((x * 255).round().to(torch::kUInt8));
}

TEST(MirrorCheck, AHandedSetIsKeptUnflippedAndItsMirroredVersionIsFlipped) {
  const MirrorCheck handed = check_mirror(handed_set(200, false), 1.5);
  EXPECT_EQ(handed.images, 200);
  EXPECT_EQ(handed.side, 32);
  EXPECT_GT(handed.ratio, 3.0) << handed.halves << " " << handed.flipped;
  EXPECT_FALSE(handed.mirror);
  const MirrorCheck symmetric = check_mirror(handed_set(200, true), 1.5);
  EXPECT_LT(symmetric.ratio, 1.3) << symmetric.halves << " " << symmetric.flipped;
  EXPECT_TRUE(symmetric.mirror);
  // The threshold is the only judge; the same data and seed give the same figures.
  EXPECT_FALSE(check_mirror(handed_set(200, true), symmetric.ratio * 0.99).mirror);
  EXPECT_EQ(check_mirror(handed_set(200, true), 1.5).flipped, symmetric.flipped);
}

// Larger images are shrunk to 32 a side first; too few images measure nothing and leave flips off.
TEST(MirrorCheck, LargeImagesAreShrunkAndTooFewImagesAreNotMeasured) {
  const MirrorCheck large = check_mirror(handed_set(64, false, 64), 1.5);
  EXPECT_EQ(large.side, 32);
  EXPECT_FALSE(large.mirror);
  const MirrorCheck few = check_mirror(handed_set(kMirrorCheckMinImages - 1, true), 1.5);
  EXPECT_EQ(few.images, 0);
  EXPECT_FALSE(few.mirror);
}

}  // namespace
}  // namespace dcgan
