// BatchSource: the training loop's batches, from the Loader's background thread or resident on the device.
#pragma once

#include "dcgan/data/dataset.h"
#include "dcgan/data/loader.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

namespace dcgan {

/// A loader batch as the network's input: [count, C, H, W] floats on `device`, [0, 255] mapped to [-1, 1] as the
/// tutorial's ToTensor + Normalize((0.5,)*C, (0.5,)*C) do.
torch::Tensor to_training_batch(const Batch& batch, const ImageShape& shape, torch::Device device);
/// The same mapping for a uint8 [N, C, H, W] tensor already on the device.
torch::Tensor normalize_batch(const torch::Tensor& u8);

/// `wanted` images of `data` (fewer when it holds fewer), a choice fixed by `seed`, unreadable ones passed over with
/// one warning naming `what` and their count: [n, C, H, W] floats in [-1, 1] on the CPU. With `labels`, their
/// classes go there ([n] int64 on the CPU; undefined when the data has no labels).
torch::Tensor choose_images(const Dataset& data, std::int64_t wanted, std::uint64_t seed, const std::string& what,
                            torch::Tensor* labels = nullptr);

/// One training batch, ready for Trainer::step.
struct TrainingBatch {
  torch::Tensor real;       // [B, C, H, W] floats in [-1, 1] on the device
  torch::Tensor labels;     // [B] int64 classes of `real` on the device; undefined when the data has no labels
  std::int64_t epoch = 0;   // 0-based
  std::int64_t index = 0;   // position in the epoch, 0-based
};

/// The batches of a run, in the Loader's order whichever path delivers them: batch b of either is the same images.
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual TrainingBatch next() = 0;
  /// Total seconds next() has waited for data.
  virtual double wait_seconds() const = 0;
  /// Distinct unreadable images passed over so far.
  virtual std::int64_t skipped() const = 0;
  /// "loader" or "resident".
  virtual const char* kind() const = 0;
};

/// The Loader's batches (a background thread assembles them on the host), copied to `device` one at a time.
std::unique_ptr<BatchSource> loader_source(const Dataset& data, const LoaderOptions& options, torch::Device device);
/// The whole data set decoded once and held on `device` as uint8 (ResidentBatches); a batch is one gather there.
std::unique_ptr<BatchSource> resident_source(const Dataset& data, const LoaderOptions& options, torch::Device device);

}  // namespace dcgan
