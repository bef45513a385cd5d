// Discriminator: the DCGAN tutorial's discriminator network, for 32, 64 or 128 pixel images.
#pragma once

#include <torch/torch.h>

namespace dcgan {

// Slope of LeakyReLU for negative inputs: "the slope of the leak was set to 0.2" (DCGAN paper, sec. 4).
inline constexpr double kLeakySlope = 0.2;

struct DiscriminatorOptions {
  TORCH_ARG(int64_t, ndf) = 64;         // feature maps of the first block (tutorial: ndf = 64)
  TORCH_ARG(int64_t, channels) = 3;     // input channels (tutorial: nc = 3)
  TORCH_ARG(int64_t, image_size) = 64;  // 32, 64 or 128
  // > 0: a projection discriminator (model.num_classes; Miyato & Koyama 2018): the logit gains
  // <embed(y), sum over positions of the last block's features>. 0: the tutorial's network, unchanged.
  TORCH_ARG(int64_t, num_classes) = 0;
};

// images [N, channels, S, S] -> logits [N]: one real/fake score per image, before the sigmoid.
// The tutorial ends with nn.Sigmoid and uses BCELoss; we return the logit and use BCE-with-logits, which is the
// same function computed stably. Layers under "main" mirror the tutorial's names (main.0 Conv, main.1 LeakyReLU,
// main.2 Conv, main.3 BatchNorm ...): Conv(C -> ndf, 4, 2, 1) LReLU, k blocks Conv(x2 down, channels double) BN LReLU,
// Conv(ndf*M -> 1, 4, 1, 0), with k = log2(S) - 3 and M = 2^k. Construction applies dcgan_init. Under CPU autocast
// the convolutions compute their weight gradient with conv2d_weight_grad (model/conv_weight_grad.h).
// A conditional D adds "embed" (nn.Embedding(num_classes, ndf*M)), initialised N(0, 0.02) by dcgan_init.
class DiscriminatorImpl : public torch::nn::Module {
 public:
  explicit DiscriminatorImpl(const DiscriminatorOptions& options = {});
  /// `labels`: [N] int64 classes of `images`, required when num_classes > 0 and ignored otherwise.
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& labels = {});
  void reset_parameters();

  DiscriminatorOptions options;
  torch::nn::Sequential main{nullptr};
  torch::nn::Embedding embed{nullptr};  // conditional only

 private:
  struct DownLayer {
    std::size_t index;  // position in main
    torch::nn::Conv2d conv;
    int64_t stride, padding;
  };
  std::vector<DownLayer> down_layers_;
};
TORCH_MODULE(Discriminator);

}  // namespace dcgan
