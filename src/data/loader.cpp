// Loader: seeded shuffling and background batch assembly.
#include "dcgan/data/loader.h"

#include <fmt/format.h>

#include <chrono>

namespace dcgan {
namespace {
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

std::vector<std::int64_t> epoch_permutation(std::int64_t n, std::uint64_t seed, std::int64_t epoch) {
  std::vector<std::int64_t> perm(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
  std::uint64_t state = seed * 0x100000001b3ULL + static_cast<std::uint64_t>(epoch) + 1;
  for (std::int64_t i = n - 1; i > 0; --i) {
    // Modulo of a 64-bit draw: the bias is below n / 2^64, far under anything measurable.
    const auto j = static_cast<std::int64_t>(splitmix64(state) % static_cast<std::uint64_t>(i + 1));
    std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
  }
  return perm;
}

Loader::Loader(const Dataset& data, int batch_size, std::uint64_t seed, std::int64_t first_batch, int prefetch)
    : data_(data), batch_size_(batch_size), seed_(seed), prefetch_(static_cast<std::size_t>(std::max(1, prefetch))) {
  if (batch_size <= 0) throw DataError(fmt::format("train.batch_size: must be at least 1, got {}", batch_size));
  batches_per_epoch_ = data.size() / batch_size;
  if (batches_per_epoch_ == 0)
    throw DataError(fmt::format("{}: {} images, fewer than one batch of {} (lower train.batch_size)", data.describe(),
                                data.size(), batch_size));
  worker_ = std::thread([this, first_batch] { work(first_batch); });
}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Loader::work(std::int64_t first_batch) {
  try {
    const std::int64_t item_bytes = data_.shape().bytes();
    std::int64_t epoch = -1;
    std::vector<std::int64_t> perm;
    for (std::int64_t b = first_batch;; ++b) {
      Batch batch;
      batch.epoch = b / batches_per_epoch_;
      batch.index = b % batches_per_epoch_;
      batch.count = batch_size_;
      if (batch.epoch != epoch) {
        epoch = batch.epoch;
        perm = epoch_permutation(data_.size(), seed_, epoch);
      }
      batch.pixels.resize(static_cast<std::size_t>(batch_size_ * item_bytes));
      for (int i = 0; i < batch_size_; ++i) {
        const auto item = perm[static_cast<std::size_t>(batch.index * batch_size_ + i)];
        data_.read(item, batch.pixels.data() + i * item_bytes);
      }
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || ready_.size() < prefetch_; });
      if (stop_) return;
      ready_.push_back(std::move(batch));
      cv_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = std::current_exception();
    cv_.notify_all();
  }
}

Batch Loader::next() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !ready_.empty() || error_; });
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (ready_.empty()) std::rethrow_exception(error_);
  Batch batch = std::move(ready_.front());
  ready_.pop_front();
  cv_.notify_all();
  return batch;
}

}  // namespace dcgan
