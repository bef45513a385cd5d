// Python interop: the generator as the tutorial's state dict (main.0.weight, main.1.running_mean, ...), both ways.
#pragma once

#include "dcgan/io/checkpoint.h"
#include "dcgan/io/pth.h"

#include <string>

namespace dcgan {

// G's parameters and BatchNorm buffers under the tutorial's names, in the order Python's netG.state_dict() lists
// them (per layer of main: weight, bias, running_mean, running_var, num_batches_tracked; then a conditional G's
// embed.weight), contiguous CPU tensors.
StateDict generator_state_dict(Generator& generator);

// Rebuilds a generator from such a state dict (e.g. torch.save(netG.state_dict(), p) in Python): nz, ngf, the
// channel count, the image size and (from embed.weight) the number of classes are read off the weights' shapes. Like load_state_dict(strict=True): a missing,
// unexpected or mis-shaped key is a CheckpointError naming `origin` and the key. kind = "state_dict", step 0.
LoadedGenerator generator_from_state_dict(const StateDict& state, const std::string& origin);

}  // namespace dcgan
