// Tests of the CIFAR-10 reader on the real sample (the first 100 records of data_batch_1) and on bad files.
#include "dcgan/data/cifar10.h"

#include <filesystem>
#include <fstream>
#include <numeric>

#include "test_util.h"

namespace dcgan {
namespace {

const std::string kCifar = test::source_path("tests/data/cifar10/data_batch_1_first100.bin");

TEST(Cifar10, ReadsTheRealSample) {
  const Cifar10Records r = read_cifar10(kCifar);
  EXPECT_EQ(r.count, 100);
  ASSERT_EQ(r.labels.size(), 100u);
  // The well-known start of data_batch_1: frog truck truck deer automobile.
  EXPECT_EQ(std::vector<int>(r.labels.begin(), r.labels.begin() + 5), (std::vector<int>{6, 9, 9, 4, 1}));
  ASSERT_EQ(r.pixels.size(), 100u * 3072u);
  EXPECT_EQ(std::accumulate(r.pixels.begin(), r.pixels.begin() + 3072, 0LL), 317790);
}

TEST(Cifar10, DatasetAtNativeSizeIsTheRecordBytes) {
  const auto data = open_cifar10(kCifar, 32, 3);
  std::vector<uint8_t> item(3072);
  data->read(1, item.data());
  std::ifstream in(kCifar, std::ios::binary);
  std::vector<char> rec(3073);
  in.seekg(3073);
  in.read(rec.data(), 3073);
  EXPECT_TRUE(std::equal(item.begin(), item.end(), reinterpret_cast<const uint8_t*>(rec.data()) + 1));
  const auto big = open_cifar10(kCifar, 64, 1);
  EXPECT_EQ(big->shape().bytes(), 64 * 64);
  std::vector<uint8_t> gray(64 * 64);
  EXPECT_NO_THROW(big->read(99, gray.data()));
}

TEST(Cifar10, FolderOfBatchesInOrder) {
  test::ScratchDir dir;
  std::filesystem::copy_file(kCifar, dir / "data_batch_2.bin");
  std::filesystem::copy_file(kCifar, dir / "data_batch_1.bin");
  std::filesystem::copy_file(kCifar, dir / "test_batch.bin");
  std::ofstream(dir / "batches.meta.txt") << "airplane\n";
  const auto files = cifar10_files(dir.str());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_NE(files[0].find("data_batch_1.bin"), std::string::npos);
  EXPECT_NE(files[2].find("test_batch.bin"), std::string::npos);
  EXPECT_EQ(read_cifar10(dir.str()).count, 300);
}

TEST(Cifar10, BadFilesAreErrorsNamingTheFile) {
  test::ScratchDir dir;
  std::ofstream(dir / "short.bin", std::ios::binary) << std::string(3073 * 2 + 5, 'x');
  EXPECT_NE(test::message_of<DataError>([&] { read_cifar10(dir / "short.bin"); }).find("short.bin: 6151 bytes is not a whole number"),
            std::string::npos);
  std::ofstream(dir / "empty.bin", std::ios::binary);
  EXPECT_NE(test::message_of<DataError>([&] { read_cifar10(dir / "empty.bin"); }).find("empty.bin: 0 bytes"), std::string::npos);
  std::filesystem::create_directories(dir / "nothing");
  EXPECT_NE(test::message_of<DataError>([&] { read_cifar10(dir / "nothing"); }).find("no data_batch_*.bin"), std::string::npos);
}

}  // namespace
}  // namespace dcgan
