// Discriminator: the DCGAN tutorial's discriminator network.
#include "dcgan/model/discriminator.h"

#include "dcgan/model/conv_weight_grad.h"

#include "dcgan/model/generator.h"
#include "dcgan/model/init.h"
#include "dcgan/runtime/compat.h"

namespace dcgan {

namespace {
torch::nn::Conv2d down(int64_t in, int64_t out, int64_t stride, int64_t padding) {
  // kernel 4, no bias: the tutorial's Conv2d(in, out, 4, stride, padding, bias=False)
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 4).stride(stride).padding(padding).bias(false));
}
torch::nn::LeakyReLU leaky() {
  return torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(kLeakySlope).inplace(true));
}
}  // namespace

DiscriminatorImpl::DiscriminatorImpl(const DiscriminatorOptions& opts) : options(opts) {
  TORCH_CHECK(options.ndf() > 0, "Discriminator: ndf must be positive");
  TORCH_CHECK(options.channels() == 1 || options.channels() == 3, "Discriminator: channels must be 1 or 3, got ",
              options.channels());
  const int64_t k = hidden_blocks_for(options.image_size());
  int64_t width = options.ndf();
  main = torch::nn::Sequential();
  auto push_down = [&](int64_t in, int64_t out, int64_t stride, int64_t padding) {
    auto conv = down(in, out, stride, padding);
    down_layers_.push_back({main->size(), conv, stride, padding});
    main->push_back(conv);
  };
  push_down(options.channels(), width, 2, 1);
  main->push_back(leaky());
  for (int64_t i = 0; i < k; ++i) {
    push_down(width, width * 2, 2, 1);
    main->push_back(torch::nn::BatchNorm2d(width * 2));
    main->push_back(leaky());
    width *= 2;
  }
  push_down(width, 1, 1, 0);
  register_module("main", main);
  TORCH_CHECK(options.num_classes() >= 0, "Discriminator: num_classes must be 0 or more");
  if (options.num_classes() > 0)
    embed = register_module("embed", torch::nn::Embedding(options.num_classes(), width));
  reset_parameters();
}

void DiscriminatorImpl::reset_parameters() { dcgan_init(*this); }

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  const int64_t s = options.image_size();
  TORCH_CHECK(images.dim() == 4 && images.size(1) == options.channels() && images.size(2) == s && images.size(3) == s,
              "Discriminator: expected images of shape [N, ", options.channels(), ", ", s, ", ", s, "], got ",
              images.sizes());
  // Under CPU autocast the convolutions take conv2d_fast_weight_grad (the same forward, a faster bf16 weight
  // gradient); everywhere else the modules' own forward, unchanged.
  const bool fast = images.is_cpu() && compat::autocast_enabled(c10::DeviceType::CPU);
  if (!fast && !embed) return main->forward(images).view({-1});
  if (embed)
    TORCH_CHECK(labels.defined() && labels.dim() == 1 && labels.size(0) == images.size(0),
                "Discriminator: a conditional D needs one class label per image, got ",
                labels.defined() ? c10::str(labels.sizes()) : std::string("none"));
  torch::Tensor x = images, features;
  std::size_t i = 0, next_down = 0;
  for (auto& layer : *main) {
    if (i + 1 == main->size()) features = x;  // the last block's output, before the final convolution
    if (next_down < down_layers_.size() && down_layers_[next_down].index == i) {
      const DownLayer& l = down_layers_[next_down++];
      x = fast ? conv2d_fast_weight_grad(x, l.conv->weight, l.stride, l.padding) : layer.forward(x);
    } else {
      x = layer.forward(x);
    }
    ++i;
  }
  x = x.view({-1});
  if (!embed) return x;
  // Miyato & Koyama 2018, eq. 3: the projection of the class embedding on the globally sum-pooled features.
  return x + (embed->forward(labels) * features.sum({2, 3}).to(torch::kFloat)).sum(1);
}

}  // namespace dcgan
