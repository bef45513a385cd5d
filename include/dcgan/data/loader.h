// Loader: seeded per-epoch shuffling, fixed-size uint8 batches, assembled on a background thread. No torch here.
#pragma once

#include "dcgan/data/dataset.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace dcgan {

struct Config;

// The order of epoch `epoch`: a permutation of 0..n-1 that depends only on (n, seed, epoch).
// Fisher-Yates driven by SplitMix64, so it is the same on every platform and standard library.
std::vector<std::int64_t> epoch_permutation(std::int64_t n, std::uint64_t seed, std::int64_t epoch);

// The half-open range [begin, end) of positions in an epoch's permutation that `rank` of `world_size` reads for
// global batch `index` (distributed training): global batch i covers positions [i * B * W, (i + 1) * B * W), and
// rank r takes the r-th block of B of them. The ranks' shards are disjoint and together cover every full global
// batch; W ranks at batch B read, step for step, the images one process reads at batch W * B.
struct ShardRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
};
ShardRange shard_of_batch(std::int64_t index, int batch_size, int rank, int world_size);

struct Batch {
  std::int64_t epoch = 0;           // 0-based
  std::int64_t index = 0;           // 0-based position within the epoch
  std::int64_t count = 0;           // images in this batch (always the batch size: the partial tail is dropped)
  std::vector<std::uint8_t> pixels;  // count x C x H x W, as Dataset::read writes them
  std::vector<std::int64_t> labels;  // count classes, of the images read (empty when the data has no labels)
};

struct LoaderOptions {
  int batch_size = 128;
  std::uint64_t seed = 0;        // with the epoch, fixes each epoch's order
  std::int64_t first_batch = 0;  // global batch to start at (= epoch * batches_per_epoch + index), for resuming
  int prefetch = 2;              // batches assembled ahead of the consumer
  bool strict = false;           // an UnreadableImage stops the run instead of being skipped
  int rank = 0;                  // distributed training: this process reads shard_of_batch(.., rank, world_size)
  int world_size = 1;
};

// The loader settings a config asks for (batch size, seed, strictness), starting at `first_batch`, for `rank` of
// `world_size`.
LoaderOptions loader_options_for(const Config& config, std::int64_t first_batch = 0, int rank = 0, int world_size = 1);

// Yields the batches of epoch 0, 1, 2 ... without end; each epoch visits epoch_permutation() in order in
// chunks of `batch_size` and drops the last partial chunk (as the tutorial's fixed-size batches do). With
// world_size > 1 a chunk is a global batch of batch_size * world_size and this rank reads its shard_of_batch().
// An unreadable item is warned about once, remembered, and replaced by the next readable item of the permutation
// (deterministically), unless `strict`. Any other read error on the worker is rethrown by next().
class Loader {
 public:
  Loader(const Dataset& data, const LoaderOptions& options);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  std::int64_t batches_per_epoch() const { return batches_per_epoch_; }
  // Full (global) batches of `batch_size` x `world_size` in `data`; throws DataError when there is not even one.
  static std::int64_t batches_per_epoch(const Dataset& data, int batch_size, int world_size = 1);
  // Blocks until the next batch is ready.
  Batch next();
  // Total seconds next() has spent waiting for the worker.
  double wait_seconds() const { return wait_seconds_; }
  // Distinct unreadable items skipped so far.
  std::int64_t skipped() const { return skipped_.load(); }

 private:
  void work();
  // Reads the first readable item from position `pos` of `perm` on into `out`; returns which item that was.
  std::int64_t read_item(const std::vector<std::int64_t>& perm, std::int64_t pos, std::uint8_t* out);

  const Dataset& data_;
  const LoaderOptions options_;
  std::vector<char> unreadable_;  // per item; touched by the worker only
  std::atomic<std::int64_t> skipped_{0};
  std::int64_t batches_per_epoch_ = 0;
  double wait_seconds_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> ready_;
  std::exception_ptr error_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace dcgan
