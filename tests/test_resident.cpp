// Tests of ResidentBatches: the Loader's batches, gathered on the device, unreadable images replaced alike.
#include "dcgan/data/resident.h"

#include <set>

#include "test_util.h"

namespace dcgan {
namespace {

// Item i is 1 byte with value i; items in `unreadable` throw UnreadableImage.
class CountingDataset final : public Dataset {
 public:
  CountingDataset(int64_t n, std::set<int64_t> unreadable) : n_(n), unreadable_(std::move(unreadable)) {}
  int64_t size() const override { return n_; }
  ImageShape shape() const override { return {1, 1, 1}; }
  void read(int64_t index, uint8_t* out) const override {
    if (unreadable_.count(index)) throw UnreadableImage("item " + std::to_string(index) + ": corrupt");
    *out = static_cast<uint8_t>(index);
  }
  std::string describe() const override { return "counting"; }

 private:
  int64_t n_;
  std::set<int64_t> unreadable_;
};

TEST(ResidentBatches, YieldTheLoadersBatchesFromAnyStartingBatch) {
  const CountingDataset data(23, {4, 5, 17});
  for (int64_t first : {0, 5}) {
    LoaderOptions o;
    o.batch_size = 4;
    o.seed = 9;
    o.first_batch = first;
    Loader loader(data, o);
    ResidentBatches resident(data, o, torch::kCPU);
    EXPECT_EQ(resident.skipped(), 3);
    EXPECT_EQ(resident.batches_per_epoch(), loader.batches_per_epoch());
    for (int b = 0; b < 12; ++b) {  // over two epoch boundaries
      const Batch expected = loader.next();
      const ResidentBatches::Next got = resident.next();
      EXPECT_EQ(got.epoch, expected.epoch);
      EXPECT_EQ(got.index, expected.index);
      ASSERT_EQ(got.u8.sizes(), (std::vector<int64_t>{4, 1, 1, 1}));
      const torch::Tensor want = torch::from_blob(const_cast<uint8_t*>(expected.pixels.data()), {4, 1, 1, 1}, torch::kUInt8);
      EXPECT_TRUE(torch::equal(got.u8, want)) << "batch " << first + b;
    }
  }
}

TEST(ResidentBatches, StrictStopsAtAnUnreadableImageAndNoneReadableIsAnError) {
  LoaderOptions o;
  o.batch_size = 2;
  o.strict = true;
  EXPECT_THROW(ResidentBatches(CountingDataset(6, {3}), o, torch::kCPU), UnreadableImage);
  o.strict = false;
  EXPECT_NE(test::message_of<DataError>([&] { ResidentBatches(CountingDataset(4, {0, 1, 2, 3}), o, torch::kCPU); })
                .find("none of its 4 images"),
            std::string::npos);
}

}  // namespace
}  // namespace dcgan
