// The weight gradient of a 2-d convolution, with a faster path for bf16 on the CPU than oneDNN's.
#pragma once

#include <torch/torch.h>

namespace dcgan {

// Output pixels (H_out * W_out) at or below which conv2d_weight_grad takes the GEMM path for bf16 on the CPU. At
// these sizes oneDNN's bf16 backward-weights kernel (LibTorch 1.13, 2 threads, AMX) reached 17-350 GFLOP/s while
// im2col and one bf16 GEMM reached 460-690; at 16x16 outputs and above oneDNN was as fast or faster. Measured per
// layer of the 64x64 tutorial model at batch 128: docs/performance.md, "CPU bf16".
inline constexpr int64_t kGemmWeightGradMaxPixels = 64;

// dW of y = conv2d(input, W, stride, padding) at grad_output = dL/dy, for W of `weight`'s shape [C_out, C_in, k, k]
// (square kernel, no bias, dilation 1, groups 1). Returns a tensor of W's shape and `input`'s dtype, channels_last
// where `input` is.
//
// For a bf16 CPU input with at most kGemmWeightGradMaxPixels output pixels it is one GEMM,
//   dW[C_out, k*k*C_in] = grad_output[N*H_out*W_out, C_out]^T  x  im2col(input)[N*H_out*W_out, k*k*C_in],
// accumulated in fp32 and rounded once to bf16, as oneDNN's own bf16 kernel does; elsewhere it is oneDNN's
// (at::convolution_backward), so fp32 and CUDA runs are unchanged.
torch::Tensor conv2d_weight_grad(const torch::Tensor& input, const torch::Tensor& grad_output,
                                 const torch::Tensor& weight, int64_t stride, int64_t padding);

// y = conv2d(x, weight, stride, padding) (no bias), whose backward computes the weight gradient with
// conv2d_weight_grad and the input gradient with oneDNN. Under autocast both operands are cast to the autocast dtype
// first, as autocast casts conv2d. The forward and the input gradient are the same kernels as torch::conv2d's.
torch::Tensor conv2d_fast_weight_grad(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride,
                                      int64_t padding);

}  // namespace dcgan
