// The classification accuracy score (Ravuri & Vinyals 2019, simplest form): a small classifier trained on real
// labelled images labels a conditional G's images; does G draw the class it was asked for?
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dcgan {

struct ClassifierOptions {
  int epochs = 3;          // passes over the real training images (Fashion-MNIST at 32x32: ~90% held-out accuracy)
  int batch_size = 128;
  double lr = 1e-3;        // Adam's default step size (Kingma & Ba 2015)
  int width = 32;          // channels of the first convolution; each of the three doubles it
  std::uint64_t seed = 0;  // initial weights and the order of the images
};

// Three blocks of Conv(3x3, stride 2) BatchNorm ReLU (width, 2x, 4x channels), global average pooling and a
// linear layer: [N, C, S, S] in [-1, 1] -> [N, num_classes] logits. Small enough to train in seconds on a CPU.
class ImageClassifierImpl : public torch::nn::Module {
 public:
  ImageClassifierImpl(int64_t channels, int64_t num_classes, int64_t width);
  torch::Tensor forward(const torch::Tensor& images);

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(ImageClassifier);

// Trains a classifier on `images` ([N, C, S, S] in [-1, 1], CPU) of `labels` ([N] int64 in 0..num_classes-1)
// with cross-entropy and Adam, on `device`; returns it in eval mode. Deterministic for a given seed and device.
ImageClassifier train_classifier(const torch::Tensor& images, const torch::Tensor& labels, int64_t num_classes,
                                 const ClassifierOptions& options, torch::Device device);

// The classes `classifier` gives `images` ([N] int64 on the CPU), in chunks of 256 on `device`.
torch::Tensor classify(ImageClassifier& classifier, const torch::Tensor& images, torch::Device device);

// Accuracy of `predicted` against `truth` ([N] int64 each): overall, and per true class (NaN for a class with no
// images).
struct ClassAccuracy {
  double overall = 0;
  std::vector<double> per_class;
  std::vector<int64_t> count;  // images of each true class
};
ClassAccuracy accuracy_by_class(const torch::Tensor& predicted, const torch::Tensor& truth, int64_t num_classes);

}  // namespace dcgan
