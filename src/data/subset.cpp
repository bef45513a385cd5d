// SubsetDataset and split_holdout.
#include "dcgan/data/subset.h"

#include "dcgan/data/loader.h"

#include <fmt/format.h>

#include <algorithm>

namespace dcgan {

SubsetDataset::SubsetDataset(std::shared_ptr<const Dataset> base, std::vector<std::int64_t> indices, std::string what)
    : base_(std::move(base)), indices_(std::move(indices)), what_(std::move(what)) {
  if (const ClassLabels* all = base_->labels()) {
    labels_.names = all->names;
    for (std::int64_t i : indices_) labels_.of_item.push_back(all->of_item[static_cast<std::size_t>(i)]);
  }
}

void SubsetDataset::read(std::int64_t index, std::uint8_t* out) const {
  base_->read(indices_[static_cast<std::size_t>(index)], out);
}

std::string SubsetDataset::describe() const {
  return fmt::format("{}, {} {} of them", base_->describe(), what_, indices_.size());
}

HoldoutSplit split_holdout(std::unique_ptr<Dataset> base, std::int64_t holdout, std::uint64_t seed,
                           std::int64_t min_training) {
  const std::int64_t n = base->size();
  if (holdout + min_training > n)
    throw DataError(fmt::format("{}: data.holdout {} leaves {} image(s) to train on, fewer than one batch of {}",
                                base->describe(), holdout, std::max<std::int64_t>(0, n - holdout), min_training));
  std::vector<std::int64_t> order = epoch_permutation(n, seed ^ 0x401d0a7ULL, 0);
  std::vector<std::int64_t> held(order.end() - holdout, order.end());
  order.resize(static_cast<std::size_t>(n - holdout));
  std::sort(held.begin(), held.end());
  std::sort(order.begin(), order.end());
  std::shared_ptr<const Dataset> shared(std::move(base));
  HoldoutSplit split;
  split.training = std::make_unique<SubsetDataset>(shared, std::move(order), "training on");
  split.held_back = std::make_unique<SubsetDataset>(shared, std::move(held), "holding back");
  return split;
}

}  // namespace dcgan
