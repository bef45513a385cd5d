// ResidentBatches: a whole dataset held on the training device as uint8, batches gathered there.
#pragma once

#include "dcgan/data/dataset.h"
#include "dcgan/data/loader.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace dcgan {

// The Loader's batches without a host in the loop: every image is decoded once into a [N, C, H, W] uint8 tensor on
// `device`; each epoch's epoch_permutation() is uploaded once (one small asynchronous copy), and a batch is one
// index_select on the device. Batch b holds exactly the images the Loader's batch b holds: unreadable images are
// found up front, counted, and replaced by the next readable one of the permutation, as the Loader replaces them.
class ResidentBatches {
 public:
  // Decodes `data` on all CPU threads. Throws UnreadableImage when options.strict and an image cannot be read,
  // DataError when none can or the data holds less than one batch.
  ResidentBatches(const Dataset& data, const LoaderOptions& options, torch::Device device);

  struct Next {
    torch::Tensor u8;      // [batch_size, C, H, W] uint8 on the device
    torch::Tensor labels;  // [batch_size] int64 classes on the device; undefined when the data has no labels
    std::int64_t epoch = 0;
    std::int64_t index = 0;
  };
  // The next batch, starting at options.first_batch. Launches device work only: no host sync.
  Next next();

  std::int64_t batches_per_epoch() const { return batches_per_epoch_; }
  std::int64_t skipped() const { return skipped_; }
  // Bytes the resident copy of `data` takes on the device.
  static std::int64_t bytes_for(const Dataset& data) { return data.size() * data.shape().bytes(); }

 private:
  void start_epoch(std::int64_t epoch);

  LoaderOptions options_;
  torch::Device device_;
  torch::Tensor images_;              // [N, C, H, W] uint8 on the device
  torch::Tensor labels_;              // [N] int64 on the device, or undefined
  std::vector<char> unreadable_;      // per item
  std::int64_t size_ = 0;
  std::int64_t skipped_ = 0;
  std::int64_t batches_per_epoch_ = 0;
  std::int64_t next_batch_ = 0;
  std::int64_t epoch_ = -1;
  torch::Tensor order_;               // this epoch's items, unreadable ones replaced, on the device
};

}  // namespace dcgan
