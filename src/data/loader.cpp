// Loader: seeded shuffling and background batch assembly.
#include "dcgan/data/loader.h"

#include "dcgan/config/config.h"
#include "dcgan/data/splitmix.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace dcgan {
std::vector<std::int64_t> epoch_permutation(std::int64_t n, std::uint64_t seed, std::int64_t epoch) {
  std::vector<std::int64_t> perm(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
  std::uint64_t state = seed * 0x100000001b3ULL + static_cast<std::uint64_t>(epoch) + 1;
  for (std::int64_t i = n - 1; i > 0; --i) {
    // Modulo of a 64-bit draw: the bias is below n / 2^64, far under anything measurable.
    const auto j = static_cast<std::int64_t>(splitmix64_next(state) % static_cast<std::uint64_t>(i + 1));
    std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
  }
  return perm;
}

ShardRange shard_of_batch(std::int64_t index, int batch_size, int rank, int world_size) {
  const std::int64_t begin = (index * world_size + rank) * static_cast<std::int64_t>(batch_size);
  return {begin, begin + batch_size};
}

LoaderOptions loader_options_for(const Config& config, std::int64_t first_batch, int rank, int world_size) {
  LoaderOptions o;
  o.batch_size = config.train.batch_size;
  o.seed = static_cast<std::uint64_t>(config.train.seed);
  o.strict = config.data.strict;
  o.first_batch = first_batch;
  o.rank = rank;
  o.world_size = world_size;
  return o;
}

std::int64_t Loader::batches_per_epoch(const Dataset& data, int batch_size, int world_size) {
  if (batch_size <= 0) throw DataError(fmt::format("train.batch_size: must be at least 1, got {}", batch_size));
  const std::int64_t global = static_cast<std::int64_t>(batch_size) * std::max(1, world_size);
  const std::int64_t n = data.size() / global;
  if (n == 0)
    throw DataError(world_size > 1
                        ? fmt::format("{}: {} images, fewer than one global batch of {} ({} ranks x train.batch_size "
                                      "{}; lower train.batch_size)",
                                      data.describe(), data.size(), global, world_size, batch_size)
                        : fmt::format("{}: {} images, fewer than one batch of {} (lower train.batch_size)",
                                      data.describe(), data.size(), batch_size));
  return n;
}

Loader::Loader(const Dataset& data, const LoaderOptions& options) : data_(data), options_(options) {
  batches_per_epoch_ = batches_per_epoch(data, options.batch_size, options.world_size);
  unreadable_.assign(static_cast<std::size_t>(data.size()), 0);
  worker_ = std::thread([this] { work(); });
}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::int64_t Loader::read_item(const std::vector<std::int64_t>& perm, std::int64_t pos, std::uint8_t* out) {
  const std::int64_t n = data_.size();
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t item = perm[static_cast<std::size_t>((pos + k) % n)];
    if (unreadable_[static_cast<std::size_t>(item)]) continue;
    try {
      data_.read(item, out);
      return item;
    } catch (const UnreadableImage& e) {
      if (options_.strict) throw;
      unreadable_[static_cast<std::size_t>(item)] = 1;
      ++skipped_;
      spdlog::warn("skipping unreadable image ({} so far): {}", skipped_.load(), e.what());
    }
  }
  throw DataError(fmt::format("{}: none of its {} images could be read", data_.describe(), n));
}

void Loader::work() {
  try {
    const int batch_size = options_.batch_size;
    const std::int64_t item_bytes = data_.shape().bytes();
    std::int64_t epoch = -1;
    std::vector<std::int64_t> perm;
    for (std::int64_t b = options_.first_batch;; ++b) {
      Batch batch;
      batch.epoch = b / batches_per_epoch_;
      batch.index = b % batches_per_epoch_;
      batch.count = batch_size;
      if (batch.epoch != epoch) {
        epoch = batch.epoch;
        perm = epoch_permutation(data_.size(), options_.seed, epoch);
      }
      batch.pixels.resize(static_cast<std::size_t>(batch_size * item_bytes));
      const ShardRange shard = shard_of_batch(batch.index, batch_size, options_.rank, options_.world_size);
      const ClassLabels* labels = data_.labels();
      for (int i = 0; i < batch_size; ++i) {
        const std::int64_t item = read_item(perm, shard.begin + i, batch.pixels.data() + i * item_bytes);
        if (labels) batch.labels.push_back(labels->of_item[static_cast<std::size_t>(item)]);
      }
      std::unique_lock<std::mutex> lock(mu_);
      const auto capacity = static_cast<std::size_t>(std::max(1, options_.prefetch));
      cv_.wait(lock, [this, capacity] { return stop_ || ready_.size() < capacity; });
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
