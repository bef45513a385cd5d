// Generator: the DCGAN tutorial's generator network, for 32, 64 or 128 pixel images.
#pragma once

#include <torch/torch.h>

namespace dcgan {

// Under autocast (train.precision bf16) with transpose_via_conv, the transposed convolutions whose input has at most
// this many pixels (the 1x1 -> 4x4 projection of z: under 1% of G's FLOPs) run in fp32, the rest in bf16. With all
// of G in bf16 the first layer's weight gradient had a cosine similarity of 0.986 to fp32's (tutorial model, batch 64
// and 128, at init); with the first layer in fp32 every gradient's is above 0.99 (TrainerPrecision, lowest 0.9909),
// as with the first two in fp32 (16 pixels, until 2026-12-07), which cost 8% of the bf16 step (docs/performance.md).
inline constexpr int64_t kFp32MaxInputPixels = 1;

struct GeneratorOptions {
  TORCH_ARG(int64_t, nz) = 100;         // latent size (tutorial: nz = 100)
  TORCH_ARG(int64_t, ngf) = 64;         // feature maps of the last hidden block (tutorial: ngf = 64)
  TORCH_ARG(int64_t, channels) = 3;     // output channels (tutorial: nc = 3)
  TORCH_ARG(int64_t, image_size) = 64;  // 32, 64 or 128
  // > 0: a class-conditional G (model.num_classes): a learned embedding of the class, nz long, is stacked onto z
  // before the first layer, which takes 2 * nz channels. 0: the tutorial's network, unchanged.
  TORCH_ARG(int64_t, num_classes) = 0;
  // Run the transposed convolutions through conv_transpose2d_via_conv (the fast CPU path); the parameters and
  // their names stay those of ConvTranspose2d either way.
  TORCH_ARG(bool, transpose_via_conv) = false;
};

// z [N, nz] or [N, nz, 1, 1] -> images [N, channels, image_size, image_size] in [-1, 1] (tanh).
// Layers, under the submodule "main" as in the tutorial (main.0 = first ConvTranspose2d, main.1 its BatchNorm ...):
//   ConvT(nz -> ngf*M, 4, 1, 0) BN ReLU, then k blocks ConvT(x2 up, channels halve) BN ReLU, then ConvT(ngf -> C) Tanh,
// with k = log2(image_size) - 3 and M = 2^k (64 px: k = 3, M = 8, exactly the tutorial's network).
// Construction applies dcgan_init. A conditional G adds "embed" (nn.Embedding(num_classes, nz)), initialised
// N(0, 0.02) by dcgan_init after main's weights. Not PyTorch's default N(0, 1), the scale of z: with it, G ignored z
// within each class on Fashion-MNIST (every image of a class the same; docs/quality.md).
class GeneratorImpl : public torch::nn::Module {
 public:
  explicit GeneratorImpl(const GeneratorOptions& options = {});
  /// `labels`: [N] int64 classes in 0..num_classes-1, required when num_classes > 0 and ignored otherwise.
  torch::Tensor forward(torch::Tensor z, const torch::Tensor& labels = {});
  void reset_parameters();

  GeneratorOptions options;
  torch::nn::Sequential main{nullptr};
  torch::nn::Embedding embed{nullptr};  // conditional only

 private:
  struct UpLayer {
    std::size_t index;  // position in main
    torch::nn::ConvTranspose2d conv;
    int64_t stride, padding;
  };
  std::vector<UpLayer> up_layers_;
};
TORCH_MODULE(Generator);

// Number of stride-2 blocks between the 4x4 start and the output layer; throws for unsupported sizes.
int64_t hidden_blocks_for(int64_t image_size);

// G's images of `noise` ([N, nz, 1, 1]) and, for a conditional G, `labels` ([N]), in eval mode (BatchNorm on its
// running statistics), generated in chunks of 256 on `device` and left there. G is put back in train mode afterwards.
torch::Tensor generate_images(Generator& g, const torch::Tensor& noise, torch::Device device,
                              const torch::Tensor& labels = {});

// Classes for `count` images of a G with `num_classes` classes, in turn: 0, 1, ..., num_classes-1, 0, 1, ... (the
// same number of each, give or take one). Undefined when num_classes is 0.
torch::Tensor cycled_labels(int64_t count, int64_t num_classes);

// Classes 0..num_classes-1, each `per_class` times in a row (0, 0, 1, 1, ...): a grid with a row per class.
torch::Tensor labels_per_class(int64_t num_classes, int64_t per_class);

// Standing statistics (torch.optim.swa_utils.update_bn; BigGAN's, Brock et al. 2019): `noise` (on g's device) goes
// through g in training mode `chunk` vectors at a time, and every BatchNorm layer's running mean and (unbiased)
// variance become the mean over those passes of each pass's batch statistics, in place of whatever they held, as
// update_bn does over a loader (a shorter last chunk counts as much as a full one). No gradients; g's mode and the
// layers' momentum are restored after. A conditional G takes the classes of cycled_labels. chunk >= 1.
void recompute_batchnorm_statistics(Generator& g, const torch::Tensor& noise, int64_t chunk);

}  // namespace dcgan
