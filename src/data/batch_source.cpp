// BatchSource: the Loader and ResidentBatches behind one interface.
#include "dcgan/data/batch_source.h"

#include "dcgan/data/resident.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace dcgan {

torch::Tensor to_training_batch(const Batch& batch, const ImageShape& shape, torch::Device device) {
  // from_blob borrows the batch's bytes; .to(device) copies them (or, on the CPU, .to(kFloat) does) before the
  // batch can go away.
  const torch::Tensor u8 = torch::from_blob(const_cast<uint8_t*>(batch.pixels.data()),
                                            {batch.count, shape.channels, shape.height, shape.width}, torch::kUInt8);
  return normalize_batch(u8.to(device));
}

torch::Tensor normalize_batch(const torch::Tensor& u8) { return u8.to(torch::kFloat).div_(127.5).sub_(1.0); }

torch::Tensor choose_images(const Dataset& data, std::int64_t wanted, std::uint64_t seed, const std::string& what,
                            torch::Tensor* labels) {
  const auto order = epoch_permutation(data.size(), seed ^ 0x5eedULL, 0);
  const ImageShape s = data.shape();
  torch::Tensor u8 =
      torch::empty({std::min<std::int64_t>(wanted, data.size()), s.channels, s.height, s.width}, torch::kUInt8);
  std::int64_t have = 0, skipped = 0;
  std::vector<std::int64_t> classes;
  for (std::int64_t i = 0; i < data.size() && have < u8.size(0); ++i) {
    const std::int64_t item = order[static_cast<std::size_t>(i)];
    try {
      data.read(item, u8.data_ptr<uint8_t>() + have * s.bytes());
      ++have;
      if (data.labels()) classes.push_back(data.labels()->of_item[static_cast<std::size_t>(item)]);
    } catch (const UnreadableImage&) {
      ++skipped;  // the loader warns about each file once
    }
  }
  if (skipped > 0) spdlog::warn("{}: passed over {} unreadable image(s)", what, skipped);
  if (labels) *labels = classes.empty() ? torch::Tensor() : torch::tensor(classes, torch::kLong);
  return normalize_batch(u8.slice(0, 0, have));
}

namespace {

class LoaderSource final : public BatchSource {
 public:
  LoaderSource(const Dataset& data, const LoaderOptions& options, torch::Device device)
      : shape_(data.shape()), device_(device), loader_(data, options) {}
  TrainingBatch next() override {
    const Batch batch = loader_.next();
    torch::Tensor labels;
    if (!batch.labels.empty()) labels = torch::tensor(batch.labels, torch::kLong).to(device_);
    return {to_training_batch(batch, shape_, device_), labels, batch.epoch, batch.index};
  }
  double wait_seconds() const override { return loader_.wait_seconds(); }
  std::int64_t skipped() const override { return loader_.skipped(); }
  const char* kind() const override { return "loader"; }

 private:
  ImageShape shape_;
  torch::Device device_;
  Loader loader_;
};

class ResidentSource final : public BatchSource {
 public:
  ResidentSource(const Dataset& data, const LoaderOptions& options, torch::Device device)
      : batches_(data, options, device) {}
  TrainingBatch next() override {
    ResidentBatches::Next next = batches_.next();
    return {normalize_batch(next.u8), next.labels, next.epoch, next.index};
  }
  double wait_seconds() const override { return 0.0; }
  std::int64_t skipped() const override { return batches_.skipped(); }
  const char* kind() const override { return "resident"; }

 private:
  ResidentBatches batches_;
};

}  // namespace

std::unique_ptr<BatchSource> loader_source(const Dataset& data, const LoaderOptions& options, torch::Device device) {
  return std::make_unique<LoaderSource>(data, options, device);
}

std::unique_ptr<BatchSource> resident_source(const Dataset& data, const LoaderOptions& options,
                                             torch::Device device) {
  return std::make_unique<ResidentSource>(data, options, device);
}

}  // namespace dcgan
