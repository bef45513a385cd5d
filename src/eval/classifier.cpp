// The classification accuracy score's classifier: a small CNN, its training, and accuracy per class.
#include "dcgan/eval/classifier.h"

#include "dcgan/data/loader.h"

#include <cmath>
#include <limits>

namespace dcgan {

ImageClassifierImpl::ImageClassifierImpl(int64_t channels, int64_t num_classes, int64_t width) {
  features_ = torch::nn::Sequential();
  int64_t in = channels;
  for (int64_t out : {width, 2 * width, 4 * width}) {
    features_->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(2).padding(1).bias(false)));
    features_->push_back(torch::nn::BatchNorm2d(out));
    features_->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
    in = out;
  }
  register_module("features", features_);
  head_ = register_module("head", torch::nn::Linear(in, num_classes));
}

torch::Tensor ImageClassifierImpl::forward(const torch::Tensor& images) {
  return head_->forward(features_->forward(images).mean({2, 3}));
}

ImageClassifier train_classifier(const torch::Tensor& images, const torch::Tensor& labels, int64_t num_classes,
                                 const ClassifierOptions& options, torch::Device device) {
  torch::manual_seed(options.seed);
  ImageClassifier net(images.size(1), num_classes, options.width);
  net->to(device);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(options.lr));
  const int64_t n = images.size(0), b = options.batch_size;
  net->train();
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    const std::vector<int64_t> order = epoch_permutation(n, options.seed, epoch);
    const torch::Tensor index = torch::tensor(order, torch::kLong);
    for (int64_t i = 0; i + b <= n || (i == 0 && n > 0); i += b) {  // full batches; all of a set smaller than one
      const torch::Tensor pick = index.slice(0, i, std::min(n, i + b));
      const torch::Tensor x = images.index_select(0, pick).to(device);
      const torch::Tensor y = labels.index_select(0, pick).to(device);
      opt.zero_grad();
      torch::nn::functional::cross_entropy(net->forward(x), y).backward();
      opt.step();
    }
  }
  net->eval();
  return net;
}

torch::Tensor classify(ImageClassifier& classifier, const torch::Tensor& images, torch::Device device) {
  torch::NoGradGuard no_grad;
  classifier->eval();
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += 256)
    out.push_back(classifier->forward(images.slice(0, i, std::min(images.size(0), i + 256)).to(device))
                      .argmax(1)
                      .cpu());
  return torch::cat(out);
}

ClassAccuracy accuracy_by_class(const torch::Tensor& predicted, const torch::Tensor& truth, int64_t num_classes) {
  ClassAccuracy out;
  const torch::Tensor right = predicted.eq(truth).to(torch::kLong);
  out.overall = right.to(torch::kDouble).mean().item<double>();
  for (int64_t c = 0; c < num_classes; ++c) {
    const torch::Tensor mine = truth.eq(c);
    const int64_t count = mine.sum().item<int64_t>();
    out.count.push_back(count);
    out.per_class.push_back(count == 0 ? std::numeric_limits<double>::quiet_NaN()
                                       : right.masked_select(mine).sum().item<double>() / static_cast<double>(count));
  }
  return out;
}

}  // namespace dcgan
