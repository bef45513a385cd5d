// Tests of Loader: seeded permutations, fixed-size batches, resuming mid-run and error propagation.
#include "dcgan/data/loader.h"

#include "dcgan/data/synthetic.h"

#include <atomic>
#include <set>

#include "test_util.h"

namespace dcgan {
namespace {

// Item i is 1 byte with value i, so a batch shows which items it holds.
class CountingDataset final : public Dataset {
 public:
  explicit CountingDataset(int64_t n, int64_t fatal = -1, std::set<int64_t> unreadable = {})
      : n_(n), fatal_(fatal), unreadable_(std::move(unreadable)) {}
  int64_t size() const override { return n_; }
  ImageShape shape() const override { return {1, 1, 1}; }
  void read(int64_t index, uint8_t* out) const override {
    if (index == fatal_) throw DataError("item " + std::to_string(index) + ": broken");
    if (unreadable_.count(index)) throw UnreadableImage("item " + std::to_string(index) + ": corrupt");
    ++reads;
    *out = static_cast<uint8_t>(index);
  }
  std::string describe() const override { return "counting"; }

 private:
  int64_t n_, fatal_;
  std::set<int64_t> unreadable_;

 public:
  mutable std::atomic<int> reads{0};
};

TEST(EpochPermutation, IsAPermutationFixedBySeedAndEpoch) {
  const auto p = epoch_permutation(100, 1, 0);
  std::set<int64_t> seen(p.begin(), p.end());
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(*seen.begin(), 0);
  EXPECT_EQ(*seen.rbegin(), 99);
  EXPECT_EQ(p, epoch_permutation(100, 1, 0));
  EXPECT_NE(p, epoch_permutation(100, 1, 1));
  EXPECT_NE(p, epoch_permutation(100, 2, 0));
}

TEST(Loader, BatchesFollowThePermutationAndDropTheTail) {
  CountingDataset data(10);
  Loader loader(data, {3, 42});
  EXPECT_EQ(loader.batches_per_epoch(), 3);
  const auto perm0 = epoch_permutation(10, 42, 0), perm1 = epoch_permutation(10, 42, 1);
  for (int64_t b = 0; b < 6; ++b) {
    const Batch batch = loader.next();
    EXPECT_EQ(batch.epoch, b / 3);
    EXPECT_EQ(batch.index, b % 3);
    ASSERT_EQ(batch.pixels.size(), 3u);
    const auto& perm = batch.epoch == 0 ? perm0 : perm1;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(batch.pixels[i], perm[batch.index * 3 + i]);
  }
}

TEST(Loader, StartingMidRunContinuesTheSameSequence) {
  CountingDataset data(20);
  Loader full(data, {4, 9});
  std::vector<std::vector<uint8_t>> expected;
  for (int i = 0; i < 12; ++i) expected.push_back(full.next().pixels);
  Loader resumed(data, {4, 9, /*first_batch=*/7});
  for (int i = 7; i < 12; ++i) EXPECT_EQ(resumed.next().pixels, expected[i]) << i;
}

TEST(Loader, TooFewImagesForOneBatchIsAnError) {
  CountingDataset data(5);
  EXPECT_THROW(Loader(data, {8, 0}), DataError);
}

TEST(Loader, ReadErrorsReachTheConsumer) {
  CountingDataset data(8, /*fatal=*/3);
  Loader loader(data, {8, 0});
  EXPECT_THROW(loader.next(), DataError);
}

TEST(Loader, SkipsUnreadableItemsOnceAndCountsThem) {
  CountingDataset data(10, -1, {2, 5});
  Loader loader(data, {2, 11});
  std::multiset<int> seen;
  for (int b = 0; b < 8; ++b)  // all of epoch 0 (5 batches) and most of epoch 1
    for (uint8_t v : loader.next().pixels) seen.insert(v);
  EXPECT_EQ(seen.count(2), 0u);
  EXPECT_EQ(seen.count(5), 0u);
  EXPECT_EQ(loader.skipped(), 2);  // each bad item warned about and counted once, not once per epoch
}

TEST(Loader, StrictMakesUnreadableItemsFatal) {
  CountingDataset data(4, -1, {0, 1, 2, 3});
  Loader loader(data, {2, 0, 0, 2, /*strict=*/true});
  EXPECT_THROW(loader.next(), UnreadableImage);
}

TEST(Loader, AllItemsUnreadableIsAnError) {
  CountingDataset data(4, -1, {0, 1, 2, 3});
  Loader loader(data, {2, 0});
  EXPECT_THROW(loader.next(), DataError);
}

TEST(Loader, StopsCleanlyWhileTheWorkerWaits) {
  const auto data = open_synthetic(64, 32, 3, 1);
  for (int i = 0; i < 5; ++i) {
    Loader loader(*data, {8, 0});
    EXPECT_EQ(loader.next().count, 8);
  }  // each destructor joins a worker blocked on a full queue; a hang here fails the test by ctest's timeout
}

}  // namespace
}  // namespace dcgan
