// The generator's transposed convolution, with a faster CPU path than LibTorch 1.13's ConvTranspose2d.
#pragma once

#include <torch/torch.h>

namespace dcgan {

// y = conv_transpose2d(x, weight, stride, padding) for weight [C_in, C_out, k, k], no bias, dilation 1, groups 1,
// output_padding 0; x [N, C_in, H, W] -> y [N, C_out, (H-1)*stride - 2*padding + k, ...].
//
// A transposed convolution is the input gradient of the convolution that has the same weight, so this computes
//   forward:  y  = grad_input of conv2d(., weight) at grad_output x   (at::convolution_backward, mask {1,0,0})
//   backward: dx = conv2d(dy, weight);  dW = grad_weight of conv2d(dy, weight) at grad_output x.
// Computes in the dtype of x and weight as given (no autocast cast: GeneratorImpl::forward picks each layer's
// dtype). The results equal ConvTranspose2d's up to float rounding. On the CPU these run on oneDNN's convolution
// kernels instead of slow_conv_transpose2d (im2col + GEMM); see docs/performance.md for the measured gain. The
// weight gradient is conv2d_weight_grad's (model/conv_weight_grad.h).
torch::Tensor conv_transpose2d_via_conv(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride,
                                        int64_t padding);

}  // namespace dcgan
