// Tests of class labels: idx label files, CIFAR-10 label bytes and names, class subfolders, caches, subsets, loaders.
#include "dcgan/data/labels.h"

#include "dcgan/config/config.h"
#include "dcgan/data/cache.h"
#include "dcgan/data/cifar10.h"
#include "dcgan/data/idx.h"
#include "dcgan/data/image_folder.h"
#include "dcgan/data/loader.h"
#include "dcgan/data/resident.h"
#include "dcgan/data/subset.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;

const std::string kMnist = test::source_path("tests/data/mnist/t10k-images-256-idx3-ubyte.gz");
const std::string kMnistLabels = test::source_path("tests/data/mnist/t10k-labels-256-idx1-ubyte.gz");
const std::string kCifar = test::source_path("tests/data/cifar10/data_batch_1_first100.bin");

DataConfig mnist_config() {
  DataConfig d;
  d.path = kMnist;
  d.image_size = 32;
  d.channels = 1;
  return d;
}

void write_file(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// An idx1-ubyte file of `labels`, raw.
std::string idx1(const std::vector<uint8_t>& labels) {
  std::string s = {0, 0, 8, 1};
  const auto n = static_cast<uint32_t>(labels.size());
  for (int shift : {24, 16, 8, 0}) s.push_back(static_cast<char>((n >> shift) & 0xff));
  s.append(labels.begin(), labels.end());
  return s;
}

TEST(Labels, IdxLabelsFileFoundByMnistsNaming) {
  EXPECT_EQ(idx_labels_path_for("/d/train-images-idx3-ubyte.gz"), "/d/train-labels-idx1-ubyte.gz");
  EXPECT_EQ(idx_labels_path_for(kMnist), kMnistLabels);
  EXPECT_EQ(idx_labels_path_for("/d/digits.gz"), "");
  const auto data = open_dataset(mnist_config(), 0, LabelMode::Required);
  ASSERT_NE(data->labels(), nullptr);
  const std::vector<uint8_t> raw = read_idx_labels(kMnistLabels);
  EXPECT_EQ(data->labels()->of_item, std::vector<int32_t>(raw.begin(), raw.end()));
  EXPECT_EQ(data->labels()->names, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
  // MNIST's test set starts 7 2 1 0 4 (LeCun's t10k-labels).
  EXPECT_EQ(std::vector<int32_t>(raw.begin(), raw.begin() + 5), (std::vector<int32_t>{7, 2, 1, 0, 4}));
  EXPECT_EQ(open_dataset(mnist_config(), 0)->labels(), nullptr);  // an unconditional run reads none
}

TEST(Labels, IdxErrorsNameTheFile) {
  test::ScratchDir dir;
  fs::copy_file(kMnist, dir / "digits-images-idx3-ubyte.gz");
  DataConfig d = mnist_config();
  d.path = dir / "digits-images-idx3-ubyte.gz";
  EXPECT_EQ(test::message_of<DataError>([&] { open_dataset(d, 0, LabelMode::Required); }),
            d.path + ": no labels file found beside it (looked for " + (dir / "digits-labels-idx1-ubyte.gz") +
                "); name one with data.labels");
  EXPECT_EQ(open_dataset(d, 0, LabelMode::IfPresent)->labels(), nullptr);
  write_file(dir / "short.idx1", idx1(std::vector<uint8_t>(255, 3)));
  d.labels = dir / "short.idx1";
  EXPECT_EQ(test::message_of<DataError>([&] { open_dataset(d, 0, LabelMode::Required); }),
            d.labels + ": holds 255 labels, but " + d.path + " holds 256 images");
  write_file(dir / "right.idx1", idx1(std::vector<uint8_t>(256, 4)));
  d.labels = dir / "right.idx1";
  EXPECT_EQ(open_dataset(d, 0, LabelMode::Required)->labels()->count(), 5);
}

TEST(Labels, CifarLabelBytesAndNames) {
  DataConfig d;
  d.path = kCifar;
  d.image_size = 32;
  const auto data = open_dataset(d, 0, LabelMode::Required);
  ASSERT_NE(data->labels(), nullptr);
  EXPECT_EQ(data->labels()->count(), 10);
  EXPECT_EQ(data->labels()->names[6], "frog");
  EXPECT_EQ(data->labels()->of_item[0], 6);  // data_batch_1 starts with a frog and two trucks
  EXPECT_EQ(data->labels()->names[static_cast<std::size_t>(data->labels()->of_item[1])], "truck");

  test::ScratchDir dir;
  std::string record(kCifarRecordBytes, '\0');
  record[0] = 12;
  write_file(dir / "bad.bin", record + record);
  d.path = dir / "bad.bin";
  EXPECT_EQ(test::message_of<DataError>([&] { open_dataset(d, 0, LabelMode::Required); }),
            d.path + ": record 0 has label byte 12, outside CIFAR-10's classes 0..9");
  EXPECT_EQ(open_dataset(d, 0, LabelMode::IfPresent)->labels(), nullptr);
  EXPECT_EQ(open_dataset(d, 0)->size(), 2);
}

TEST(Labels, OneClassPerSubfolderSorted) {
  test::ScratchDir dir;
  for (const char* f : {"dog/b.png", "dog/a.png", "cat/x/deep.jpg", "cat/y.jpg", "emu/z.png"}) write_file(dir / f, "");
  const std::vector<std::string> files = list_image_files(dir.str());
  const ClassLabels l = folder_class_labels(dir.str(), files);
  EXPECT_EQ(l.names, (std::vector<std::string>{"cat", "dog", "emu"}));
  // Sorted files: cat/x/deep.jpg, cat/y.jpg, dog/a.png, dog/b.png, emu/z.png.
  EXPECT_EQ(l.of_item, (std::vector<int32_t>{0, 0, 1, 1, 2}));

  fs::create_directories(dir / "empty");
  EXPECT_EQ(test::message_of<DataError>([&] { folder_class_labels(dir.str(), files); }),
            dir.str() + "/empty: class folder holds no images (remove it, or add images)");
  fs::remove(dir / "empty");
  write_file(dir / "loose.png", "");
  EXPECT_NE(test::message_of<DataError>([&] { folder_class_labels(dir.str(), list_image_files(dir.str())); })
                .find("loose.png: is not in a class subfolder"),
            std::string::npos);
}

TEST(Labels, ClassNamesRenameAndMustCoverEveryClass) {
  DataConfig d = mnist_config();
  d.class_names = "zero, one,two,3,4,5,6,7,8,nine";
  const auto data = open_dataset(d, 0, LabelMode::Required);
  EXPECT_EQ(data->labels()->names.front(), "zero");
  EXPECT_EQ(data->labels()->names[1], "one");
  EXPECT_EQ(data->labels()->names.back(), "nine");
  EXPECT_EQ(data->describe().find("10 classes"), data->describe().rfind("10 classes"));  // said once
  d.class_names = "a,b";
  EXPECT_NE(test::message_of<DataError>([&] { open_dataset(d, 0, LabelMode::Required); })
                .find("data.class_names: names 2 classes"),
            std::string::npos);
  EXPECT_EQ(find_class({"T-shirt/top", "Sneaker"}, "sneaker"), 1);
  EXPECT_EQ(find_class({"a", "b"}, "1"), 1);
  EXPECT_EQ(find_class({"a", "b"}, "2"), std::nullopt);
  EXPECT_EQ(find_class({"a", "b"}, "c"), std::nullopt);
}

TEST(Labels, SyntheticDataHasNone) {
  DataConfig d;
  d.format = "synthetic";
  d.image_size = 32;
  EXPECT_NE(test::message_of<DataError>([&] { open_dataset(d, 0, LabelMode::Required); })
                .find("a synthetic source has no class labels"),
            std::string::npos);
}

TEST(Labels, CacheKeepsLabelsAndNames) {
  test::ScratchDir dir;
  DataConfig d = mnist_config();
  d.class_names = "a,b,c,d,e,f,g,h,i,j";
  const auto source = open_dataset(d, 0, LabelMode::IfPresent);
  prepare_cache(*source, kMnist, dir / "m.cache", 2, false);
  EXPECT_EQ(read_cache_info(dir / "m.cache").classes, 10);
  const auto cache = open_cache(dir / "m.cache", source->shape(), "", true);
  ASSERT_NE(cache->labels(), nullptr);
  EXPECT_EQ(cache->labels()->of_item, source->labels()->of_item);
  EXPECT_EQ(cache->labels()->names, source->labels()->names);
  EXPECT_EQ(open_cache(dir / "m.cache", source->shape(), "")->labels(), nullptr);

  // A cache made from a source without labels is refused for a conditional run, with what to do.
  prepare_cache(*open_dataset(mnist_config(), 0), kMnist, dir / "plain.cache", 2, false);
  DataConfig c = mnist_config();
  c.cache = dir / "plain.cache";
  EXPECT_NE(test::message_of<DataError>([&] { open_dataset(c, 0, LabelMode::Required); })
                .find("holds no class labels (its source had none, or an older dcgan prepare made it); rerun dcgan "
                      "prepare on the labelled source"),
            std::string::npos);
}

TEST(Labels, SubsetsLoaderAndResidentBatchesCarryEachImagesLabel) {
  auto data = open_dataset(mnist_config(), 0, LabelMode::Required);
  const std::vector<int32_t> all = data->labels()->of_item;
  HoldoutSplit split = split_holdout(std::move(data), 56, 3, 32);
  ASSERT_NE(split.training->labels(), nullptr);
  ASSERT_EQ(split.training->labels()->of_item.size(), 200u);
  ASSERT_EQ(split.held_back->labels()->of_item.size(), 56u);
  // Each item's label is its image's: compare through the pixels of the original items.
  const auto whole = open_dataset(mnist_config(), 0);
  const int64_t bytes = whole->shape().bytes();
  std::vector<uint8_t> a(static_cast<std::size_t>(bytes)), b(a.size());
  LoaderOptions lo;
  lo.batch_size = 32;
  lo.seed = 5;
  Loader loader(*split.training, lo);
  ResidentBatches resident(*split.training, lo, torch::kCPU);
  for (int step = 0; step < 8; ++step) {  // past the end of the first epoch (6 batches)
    const Batch batch = loader.next();
    const ResidentBatches::Next next = resident.next();
    ASSERT_EQ(batch.labels.size(), 32u);
    EXPECT_EQ(torch::tensor(batch.labels, torch::kLong).equal(next.labels), true);
    for (int i = 0; i < 32; ++i) {
      // Find the original item with these pixels; its label must be the batch's.
      bool found = false;
      for (int64_t item = 0; item < whole->size() && !found; ++item) {
        whole->read(item, a.data());
        if (std::equal(a.begin(), a.end(), batch.pixels.begin() + i * bytes) &&
            all[static_cast<std::size_t>(item)] == batch.labels[static_cast<std::size_t>(i)])
          found = true;
      }
      EXPECT_TRUE(found) << "batch " << step << " image " << i;
    }
  }
}

}  // namespace
}  // namespace dcgan
