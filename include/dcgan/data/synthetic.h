// Synthetic source: deterministic generated images for tests and benchmarks (no files needed).
#pragma once

#include "dcgan/data/dataset.h"

#include <cstdint>
#include <memory>

namespace dcgan {

// `count` images of size x size with `channels`: each a soft-edged bright disc of random centre, radius and colour
// on a dark background, a simple distribution a small GAN learns in a few hundred steps.
// Item i depends only on (seed, i).
std::unique_ptr<Dataset> open_synthetic(std::int64_t count, int size, int channels, std::uint64_t seed);

}  // namespace dcgan
