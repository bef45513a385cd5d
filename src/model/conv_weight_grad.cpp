// The weight gradient of a 2-d convolution: oneDNN's, or im2col and one GEMM for bf16 on the CPU.
#include "dcgan/model/conv_weight_grad.h"

#include "dcgan/runtime/compat.h"

namespace dcgan {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

bool gemm_path(const torch::Tensor& input, const torch::Tensor& grad_output) {
  return input.is_cpu() && input.scalar_type() == torch::kBFloat16 &&
         grad_output.scalar_type() == torch::kBFloat16 &&
         grad_output.size(2) * grad_output.size(3) <= kGemmWeightGradMaxPixels;
}

// dW by one GEMM over the patches of the zero-padded input, in NHWC order: column (kh, kw, c) of patch (n, ho, wo)
// is input[n, c, ho*stride + kh - padding, wo*stride + kw - padding]. The product [C_out, k*k*C_in] viewed as
// [C_out, k, k, C_in] and permuted to [C_out, C_in, k, k] is W's channels_last layout.
torch::Tensor weight_grad_by_gemm(const torch::Tensor& input, const torch::Tensor& grad_output, int64_t k,
                                  int64_t stride, int64_t padding) {
  const int64_t n = input.size(0), c = input.size(1);
  const int64_t ho = grad_output.size(2), wo = grad_output.size(3);
  const torch::Tensor padded = at::constant_pad_nd(input, {padding, padding, padding, padding}, 0)
                                   .contiguous(torch::MemoryFormat::ChannelsLast);
  const auto st = padded.strides();  // NCHW strides of NHWC memory
  const torch::Tensor cols =
      padded.as_strided({n, ho, wo, k, k, c}, {st[0], stride * st[2], stride * st[3], st[2], st[3], st[1]})
          .reshape({n * ho * wo, k * k * c});
  const torch::Tensor dy = grad_output.permute({0, 2, 3, 1}).reshape({n * ho * wo, grad_output.size(1)});
  return dy.t().matmul(cols).view({grad_output.size(1), k, k, c}).permute({0, 3, 1, 2});
}

class Conv2dFastWeightGrad : public torch::autograd::Function<Conv2dFastWeightGrad> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               int64_t stride, int64_t padding) {
    ctx->save_for_backward({x, weight});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    return at::convolution(x, weight, /*bias=*/torch::Tensor(), {stride, stride}, {padding, padding}, {1, 1}, false,
                           {0, 0}, 1);
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& weight = saved[1];
    const int64_t stride = ctx->saved_data["stride"].toInt(), padding = ctx->saved_data["padding"].toInt();
    const torch::Tensor dy = grads[0].contiguous(x.suggest_memory_format());
    torch::Tensor dx, dw;
    if (ctx->needs_input_grad(0))
      dx = std::get<0>(at::convolution_backward(dy, x, weight, at::OptionalIntArrayRef(), {stride, stride},
                                                {padding, padding}, {1, 1}, false, {0, 0}, 1, {true, false, false}));
    if (ctx->needs_input_grad(1)) dw = conv2d_weight_grad(x, dy, weight, stride, padding);
    return {dx, dw, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor conv2d_weight_grad(const torch::Tensor& input, const torch::Tensor& grad_output,
                                 const torch::Tensor& weight, int64_t stride, int64_t padding) {
  if (gemm_path(input, grad_output))
    return weight_grad_by_gemm(input, grad_output, weight.size(2), stride, padding)
        .contiguous(weight.suggest_memory_format());
  return std::get<1>(at::convolution_backward(grad_output, input, weight, at::OptionalIntArrayRef(), {stride, stride},
                                              {padding, padding}, {1, 1}, false, {0, 0}, 1, {false, true, false}));
}

torch::Tensor conv2d_fast_weight_grad(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride,
                                      int64_t padding) {
  const c10::DeviceType type = x.device().type();
  if (compat::autocast_enabled(type)) {
    const at::ScalarType dtype = compat::autocast_dtype(type);
    return Conv2dFastWeightGrad::apply(x.to(dtype), weight.to(dtype), stride, padding);
  }
  return Conv2dFastWeightGrad::apply(x, weight, stride, padding);
}

}  // namespace dcgan
