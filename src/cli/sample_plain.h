// `dcgan sample` without LibTorch: the plain C++ generator (plain_generator.h), for the common case on the CPU.
#pragma once

#include "sample_options.h"

#include <optional>
#include <string>

namespace dcgan::cli {

// Runs `opts` without LibTorch when this path handles them: a PNG of drawn noise (no --noise, --interpolate or
// --save-tensor) on the CPU (--device cpu, or auto in a build without CUDA), from a file PlainGenerator reads, with
// n x nz >= 16. Returns the exit status, or nullopt (and the reason in `why_not`) when the LibTorch path must run;
// nothing has been written then. The images are those of the LibTorch path to float rounding: the same seeded noise
// (torch_random.h) through the same network.
std::optional<int> try_sample_plain(const SampleOptions& opts, std::string& why_not);

}  // namespace dcgan::cli
