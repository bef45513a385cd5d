// DiffAugment (Zhao et al. 2020) and random x-flips: differentiable augmentations of the images D sees.
#pragma once

#include "dcgan/config/config.h"

#include <torch/torch.h>

namespace dcgan {

/// The policies of Zhao et al. 2020 ("Differentiable Augmentation for Data-Efficient GAN Training", the authors'
/// DiffAugment_pytorch.py), in that order, each with its own draws per image. `x` is [B, C, H, W] floats in [-1, 1]
/// (any memory format); the result has x's shape, dtype and device, and is differentiable in x.
/// - color: brightness x + (u - 0.5); saturation (x - mean_c) * 2u + mean_c; contrast (x - mean) * (u + 0.5) + mean.
/// - translation: an integer shift of up to round(side / 8) pixels in each direction, zero padding.
/// - cutout: a zeroed square of round(side / 2) pixels at a uniform centre (clipped at the border).
/// `strength` scales every range (1 = the paper's; 0 = the identity, up to float rounding).
/// `p` (a 0-dim float tensor on x's device, or undefined for 1): each policy applies to each image with
/// probability p, decided by one uniform draw per image after that policy's own draws (StyleGAN2-ADA's per-image,
/// per-augmentation probability); undefined draws nothing more, exactly as the paper's code.
/// Draws come from the default generator of x's device (the training stream, which checkpoints save), as
/// torch::rand and torch::randint; no host sync, so it can run inside a captured CUDA graph.
torch::Tensor diff_augment(const torch::Tensor& x, const AugmentPolicy& policy, double strength = 1.0,
                           const torch::Tensor& p = {});

/// Each image flipped left-right with probability 1/2 (StyleGAN2-ADA's --mirror), from the same stream.
torch::Tensor random_mirror(const torch::Tensor& x);

}  // namespace dcgan
