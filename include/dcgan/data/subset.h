// Subset: some images of another Dataset, and the split of a data set into training and held-back images.
#pragma once

#include "dcgan/data/dataset.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dcgan {

/// The images of `base` at `indices`, in that order: item i is base item indices[i], of its class. Shares `base`.
/// Contract: indices is non-empty and every index is in 0..base->size()-1.
class SubsetDataset : public Dataset {
 public:
  SubsetDataset(std::shared_ptr<const Dataset> base, std::vector<std::int64_t> indices, std::string what);
  std::int64_t size() const override { return static_cast<std::int64_t>(indices_.size()); }
  ImageShape shape() const override { return base_->shape(); }
  void read(std::int64_t index, std::uint8_t* out) const override;
  std::string describe() const override;
  const ClassLabels* labels() const override { return base_->labels() ? &labels_ : nullptr; }

 private:
  std::shared_ptr<const Dataset> base_;
  std::vector<std::int64_t> indices_;
  std::string what_;
  ClassLabels labels_;  // base's, for these items
};

/// A data set split for data.holdout: `holdout` images of `base` chosen by a seeded permutation (the same for a
/// given size and seed) are held back, the rest are the training set, in base's order.
struct HoldoutSplit {
  std::unique_ptr<Dataset> training;
  std::unique_ptr<Dataset> held_back;
};
/// Throws DataError naming the data set when fewer than `holdout` + `min_training` images would remain.
HoldoutSplit split_holdout(std::unique_ptr<Dataset> base, std::int64_t holdout, std::uint64_t seed,
                           std::int64_t min_training);

}  // namespace dcgan
