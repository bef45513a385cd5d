// DCGAN weight initialisation.
#include "dcgan/model/init.h"

namespace dcgan {

void dcgan_init(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* conv = m->as<torch::nn::Conv2d>()) {
      conv->weight.normal_(0.0, kInitStd);
    } else if (auto* convt = m->as<torch::nn::ConvTranspose2d>()) {
      convt->weight.normal_(0.0, kInitStd);
    } else if (auto* bn = m->as<torch::nn::BatchNorm2d>()) {
      bn->weight.normal_(1.0, kInitStd);
      bn->bias.zero_();
    } else if (auto* embedding = m->as<torch::nn::Embedding>()) {
      embedding->weight.normal_(0.0, kInitStd);
    }
  }
}

}  // namespace dcgan
