// Transposed convolution computed with the matching convolution's kernels.
#include "dcgan/model/conv_transpose.h"

#include "dcgan/model/conv_weight_grad.h"

namespace dcgan {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

class ConvTransposeViaConv : public torch::autograd::Function<ConvTransposeViaConv> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               int64_t stride, int64_t padding) {
    ctx->save_for_backward({x, weight});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    const int64_t k = weight.size(2);
    const int64_t h = (x.size(2) - 1) * stride - 2 * padding + k, w = (x.size(3) - 1) * stride - 2 * padding + k;
    // Only the shape and memory format of the convolution's "input" matter for its input gradient.
    const torch::Tensor like = at::empty({x.size(0), weight.size(1), h, w}, x.options(), x.suggest_memory_format());
    return std::get<0>(at::convolution_backward(x, like, weight, at::OptionalIntArrayRef(), {stride, stride}, {padding, padding},
                                                {1, 1}, false, {0, 0}, 1, {true, false, false}));
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& weight = saved[1];
    const int64_t stride = ctx->saved_data["stride"].toInt(), padding = ctx->saved_data["padding"].toInt();
    const torch::Tensor dy = grads[0].contiguous(x.suggest_memory_format());
    torch::Tensor dx, dw;
    if (ctx->needs_input_grad(0))
      dx = at::convolution(dy, weight, /*bias=*/torch::Tensor(), {stride, stride}, {padding, padding}, {1, 1}, false, {0, 0}, 1);
    if (ctx->needs_input_grad(1)) dw = conv2d_weight_grad(/*input=*/dy, /*grad_output=*/x, weight, stride, padding);
    return {dx, dw, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor conv_transpose2d_via_conv(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride,
                                        int64_t padding) {
  return ConvTransposeViaConv::apply(x, weight, stride, padding);
}

}  // namespace dcgan
