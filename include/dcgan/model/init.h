// DCGAN weight initialisation (Radford et al. 2015, sec. 4; the PyTorch tutorial's weights_init).
#pragma once

#include <torch/torch.h>

namespace dcgan {

// Standard deviation of the initial weights: "all weights were initialized from a zero-centered
// Normal distribution with standard deviation 0.02" (DCGAN paper, sec. 4).
inline constexpr double kInitStd = 0.02;

// Conv and ConvTranspose weights ~ N(0, kInitStd); BatchNorm weight ~ N(1, kInitStd), bias = 0; Embedding weights
// (a conditional model's class embeddings) ~ N(0, kInitStd), as the paper's "all weights".
// Applies to every submodule of `module`; draws from the global torch generator.
void dcgan_init(torch::nn::Module& module);

}  // namespace dcgan
