// Generator: the DCGAN tutorial's generator network.
#include "dcgan/model/generator.h"

#include "dcgan/model/conv_transpose.h"
#include "dcgan/model/init.h"
#include "dcgan/runtime/compat.h"

#include <algorithm>

namespace dcgan {

int64_t hidden_blocks_for(int64_t image_size) {
  switch (image_size) {
    case 32: return 2;
    case 64: return 3;
    case 128: return 4;
  }
  TORCH_CHECK(false, "image_size must be 32, 64 or 128, got ", image_size);
}

namespace {
torch::nn::ConvTranspose2d up(int64_t in, int64_t out, int64_t stride, int64_t padding) {
  // kernel 4, no bias: the tutorial's ConvTranspose2d(in, out, 4, stride, padding, bias=False)
  return torch::nn::ConvTranspose2d(
      torch::nn::ConvTranspose2dOptions(in, out, 4).stride(stride).padding(padding).bias(false));
}
}  // namespace

GeneratorImpl::GeneratorImpl(const GeneratorOptions& opts) : options(opts) {
  TORCH_CHECK(options.nz() > 0 && options.ngf() > 0, "Generator: nz and ngf must be positive");
  TORCH_CHECK(options.channels() == 1 || options.channels() == 3, "Generator: channels must be 1 or 3, got ",
              options.channels());
  const int64_t k = hidden_blocks_for(options.image_size());
  int64_t width = options.ngf() << k;
  main = torch::nn::Sequential();
  auto push_up = [&](int64_t in, int64_t out, int64_t stride, int64_t padding) {
    auto conv = up(in, out, stride, padding);
    up_layers_.push_back({main->size(), conv, stride, padding});
    main->push_back(conv);
  };
  TORCH_CHECK(options.num_classes() >= 0, "Generator: num_classes must be 0 or more");
  const bool conditional = options.num_classes() > 0;
  push_up(conditional ? 2 * options.nz() : options.nz(), width, 1, 0);
  main->push_back(torch::nn::BatchNorm2d(width));
  main->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
  for (int64_t i = 0; i < k; ++i) {
    push_up(width, width / 2, 2, 1);
    main->push_back(torch::nn::BatchNorm2d(width / 2));
    main->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
    width /= 2;
  }
  push_up(width, options.channels(), 2, 1);
  main->push_back(torch::nn::Tanh());
  register_module("main", main);
  if (conditional) embed = register_module("embed", torch::nn::Embedding(options.num_classes(), options.nz()));
  reset_parameters();
}

void GeneratorImpl::reset_parameters() { dcgan_init(*this); }

torch::Tensor GeneratorImpl::forward(torch::Tensor z, const torch::Tensor& labels) {
  if (z.dim() == 2) z = z.view({z.size(0), z.size(1), 1, 1});
  TORCH_CHECK(z.dim() == 4 && z.size(1) == options.nz() && z.size(2) == 1 && z.size(3) == 1,
              "Generator: expected noise of shape [N, ", options.nz(), ", 1, 1], got ", z.sizes());
  if (embed) {
    TORCH_CHECK(labels.defined() && labels.dim() == 1 && labels.size(0) == z.size(0),
                "Generator: a conditional G needs one class label per noise vector, got ",
                labels.defined() ? c10::str(labels.sizes()) : std::string("none"));
    z = torch::cat({z, embed->forward(labels).to(z.dtype()).view({z.size(0), options.nz(), 1, 1})}, 1);
  }
  if (!options.transpose_via_conv()) return main->forward(z);
  torch::Tensor x = z;
  const c10::DeviceType type = z.device().type();
  const bool autocast = compat::autocast_enabled(type);
  std::size_t i = 0, next_up = 0;
  for (auto& layer : *main) {
    if (next_up < up_layers_.size() && up_layers_[next_up].index == i) {
      const UpLayer& l = up_layers_[next_up++];
      torch::Tensor w = l.conv->weight;
      if (autocast) {  // as autocast casts a convolution, but the first layers in fp32 (kFp32MaxInputPixels)
        const at::ScalarType dtype =
            x.size(2) * x.size(3) <= kFp32MaxInputPixels ? torch::kFloat : compat::autocast_dtype(type);
        x = x.to(dtype);
        w = w.to(dtype);
      }
      x = conv_transpose2d_via_conv(x, w, l.stride, l.padding);
    } else {
      x = layer.forward(x);
    }
    ++i;
  }
  return x;
}

torch::Tensor generate_images(Generator& g, const torch::Tensor& noise, torch::Device device,
                              const torch::Tensor& labels) {
  torch::NoGradGuard no_grad;
  g->eval();
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < noise.size(0); i += 256) {
    const int64_t end = std::min(noise.size(0), i + 256);
    out.push_back(g->forward(noise.slice(0, i, end).to(device),
                             labels.defined() ? labels.slice(0, i, end).to(device) : torch::Tensor()));
  }
  g->train();
  return torch::cat(out);
}

torch::Tensor cycled_labels(int64_t count, int64_t num_classes) {
  if (num_classes <= 0) return {};
  return torch::arange(count, torch::kLong).remainder(num_classes);
}

torch::Tensor labels_per_class(int64_t num_classes, int64_t per_class) {
  return torch::arange(num_classes, torch::kLong).repeat_interleave(per_class);
}

void recompute_batchnorm_statistics(Generator& g, const torch::Tensor& noise, int64_t chunk) {
  TORCH_CHECK(chunk >= 1, "recompute_batchnorm_statistics: chunk must be at least 1, got ", chunk);
  torch::NoGradGuard no_grad;
  std::vector<std::pair<torch::nn::BatchNorm2dImpl*, c10::optional<double>>> layers;
  for (const auto& m : g->modules(/*include_self=*/false))
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
      layers.emplace_back(bn, bn->options.momentum());
      bn->reset_running_stats();
      bn->options.momentum(c10::nullopt);  // running = the mean of the chunks' statistics so far
    }
  const bool was_training = g->is_training();
  g->train();
  torch::Tensor labels = cycled_labels(noise.size(0), g->options.num_classes());
  if (labels.defined()) labels = labels.to(noise.device());
  for (int64_t i = 0; i < noise.size(0); i += chunk) {
    const int64_t end = std::min(noise.size(0), i + chunk);
    g->forward(noise.slice(0, i, end), labels.defined() ? labels.slice(0, i, end) : labels);
  }
  g->train(was_training);
  for (auto& [bn, momentum] : layers) bn->options.momentum(momentum);
}

}  // namespace dcgan
