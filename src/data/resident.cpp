// ResidentBatches: decode once, keep uint8 on the device, gather batches with an uploaded permutation.
#include "dcgan/data/resident.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace dcgan {

ResidentBatches::ResidentBatches(const Dataset& data, const LoaderOptions& options, torch::Device device)
    : options_(options), device_(device) {
  batches_per_epoch_ = Loader::batches_per_epoch(data, options.batch_size, options.world_size);
  size_ = data.size();
  const std::int64_t item = data.shape().bytes();
  const ImageShape shape = data.shape();
  torch::Tensor host = torch::empty({size_, shape.channels, shape.height, shape.width}, torch::kUInt8);
  std::uint8_t* base = host.data_ptr<std::uint8_t>();
  unreadable_.assign(static_cast<std::size_t>(size_), 0);

  // Decode on all cores, each thread taking the next index; remember the first error that is not a skippable one.
  std::atomic<std::int64_t> next{0};
  std::mutex mu;
  std::exception_ptr error;
  auto worker = [&] {
    for (std::int64_t i = next++; i < size_; i = next++) {
      try {
        data.read(i, base + i * item);
      } catch (const UnreadableImage& e) {
        std::lock_guard<std::mutex> lock(mu);
        if (options_.strict) {
          if (!error) error = std::current_exception();
          next = size_;
          return;
        }
        unreadable_[static_cast<std::size_t>(i)] = 1;
        spdlog::warn("skipping unreadable image: {}", e.what());
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
        next = size_;
        return;
      }
    }
  };
  const int threads = static_cast<int>(std::max(1u, std::min(16u, std::thread::hardware_concurrency())));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  for (char u : unreadable_) skipped_ += u;
  if (skipped_ == size_) throw DataError(fmt::format("{}: none of its {} images could be read", data.describe(), size_));

  images_ = device_.is_cpu() ? host : host.to(device_);
  if (const ClassLabels* labels = data.labels())
    labels_ = torch::tensor(std::vector<std::int64_t>(labels->of_item.begin(), labels->of_item.end()), torch::kLong)
                  .to(device_);
  next_batch_ = options_.first_batch;
}

void ResidentBatches::start_epoch(std::int64_t epoch) {
  const std::vector<std::int64_t> perm = epoch_permutation(size_, options_.seed, epoch);
  // The Loader's rule: position p takes the first readable item of perm[p], perm[p+1], ... (cyclically).
  // This rank's shard of each global batch (all of it in a single process), batch after batch.
  const std::int64_t b = options_.batch_size;
  const std::int64_t used = batches_per_epoch_ * b;
  std::vector<std::int64_t> order(static_cast<std::size_t>(used));
  for (std::int64_t i = 0; i < batches_per_epoch_; ++i) {
    const ShardRange shard = shard_of_batch(i, options_.batch_size, options_.rank, options_.world_size);
    for (std::int64_t j = 0; j < b; ++j) {
      const std::int64_t p = shard.begin + j;
      std::int64_t k = 0;
      while (unreadable_[static_cast<std::size_t>(perm[static_cast<std::size_t>((p + k) % size_)])]) ++k;
      order[static_cast<std::size_t>(i * b + j)] = perm[static_cast<std::size_t>((p + k) % size_)];
    }
  }
  torch::Tensor host = torch::from_blob(order.data(), {used}, torch::kLong).clone();
  if (device_.is_cuda()) host = host.pin_memory();
  order_ = host.to(device_, /*non_blocking=*/true);
  epoch_ = epoch;
}

ResidentBatches::Next ResidentBatches::next() {
  Next out;
  out.epoch = next_batch_ / batches_per_epoch_;
  out.index = next_batch_ % batches_per_epoch_;
  if (out.epoch != epoch_) start_epoch(out.epoch);
  const std::int64_t b = options_.batch_size;
  const torch::Tensor items = order_.slice(0, out.index * b, (out.index + 1) * b);
  out.u8 = images_.index_select(0, items);
  if (labels_.defined()) out.labels = labels_.index_select(0, items);
  ++next_batch_;
  return out;
}

}  // namespace dcgan
