// StepRunner: eager steps, or one CUDA graph of the whole step replayed (CUDA builds).
#include "dcgan/train/step_runner.h"

#include "dcgan/runtime/compat.h"

#include <spdlog/spdlog.h>

#if DCGAN_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

namespace dcgan {

bool cuda_graphs_built() { return DCGAN_WITH_CUDA != 0; }

struct StepRunner::Impl {
  Trainer& trainer;
  StepRunnerOptions options;
  std::string eager_reason;
  int64_t steps = 0;
#if DCGAN_WITH_CUDA
  std::unique_ptr<at::cuda::CUDAGraph> graph;
  torch::Tensor static_real, static_noise, static_real_classes, static_fake_classes;
  StepStats graph_stats;
#endif

  Impl(Trainer& t, const StepRunnerOptions& o) : trainer(t), options(o) {
    if (!options.cuda_graphs) return;
    if (!cuda_graphs_built()) {
      eager_reason = "this dcgan was built against a LibTorch without CUDA";
    } else if (!trainer.device().is_cuda()) {
      eager_reason = "CUDA graphs need a CUDA device; this run is on " + trainer.device().str();
    } else if (!trainer.settings().fused_adam) {
      eager_reason = "CUDA graphs need train.fused_adam (torch::optim::Adam keeps its step count on the host)";
    }
    if (!eager_reason.empty()) {
      spdlog::warn("train.cuda_graphs: {}; running eagerly", eager_reason);
      options.cuda_graphs = false;
    }
  }

  torch::Tensor draw_noise(const torch::Tensor& real) {
    return torch::randn({real.size(0), trainer.nz(), 1, 1}, real.options());
  }

#if DCGAN_WITH_CUDA
  // Captures one step on the current batch and noise into `graph`; the step itself runs on the first replay.
  bool capture(const torch::Tensor& real, const torch::Tensor& noise, const StepClasses& classes) {
    // Same strides as the eager steps' inputs: cuDNN's benchmark cache is keyed by them, and a miss inside the
    // capture cannot be benchmarked (a 1-channel batch is both NCHW- and NHWC-contiguous, with different strides).
    static_real = real.clone();
    static_noise = noise.clone();
    if (classes.real.defined()) static_real_classes = classes.real.clone();
    if (classes.fake.defined()) static_fake_classes = classes.fake.clone();
    torch::cuda::synchronize(trainer.device().index());
    graph = std::make_unique<at::cuda::CUDAGraph>();
    // Capture is not allowed on the legacy default stream: capture on a side stream; the device is synchronized
    // before and after, so the default stream needs no event to wait on.
    c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, trainer.device().index());
    try {
      c10::cuda::CUDAStreamGuard guard(side);
      graph->capture_begin();  // global capture mode: no other thread of this process touches CUDA meanwhile
      try {
        if (options.inside_capture) options.inside_capture();
        graph_stats = trainer.step(static_real, static_noise, StepClasses{static_real_classes, static_fake_classes});
      } catch (...) {
        try {
          graph->capture_end();
        } catch (...) {
        }
        throw;
      }
      graph->capture_end();
    } catch (const std::exception& e) {
      graph.reset();  // unregisters the graph from the generator's state first
      (void)cudaGetLastError();  // clear the non-sticky error the failed capture left
      eager_reason = std::string("capture failed: ") + e.what();
      eager_reason = eager_reason.substr(0, eager_reason.find('\n'));
      options.cuda_graphs = false;
      torch::cuda::synchronize(trainer.device().index());
      if (!compat::reset_generator_after_failed_capture(trainer.device()))
        throw std::runtime_error("train.cuda_graphs: " + eager_reason +
                                 "; this LibTorch cannot reset its CUDA generator after that: set train.cuda_graphs=false");
      spdlog::warn("train.cuda_graphs: {}; running eagerly", eager_reason);
      return false;
    }
    torch::cuda::synchronize(trainer.device().index());
    spdlog::info("train.cuda_graphs: captured the D+G step after {} eager step(s)", steps);
    return true;
  }
#endif

  StepStats run(const torch::Tensor& real, const torch::Tensor& noise, const StepClasses& classes) {
#if DCGAN_WITH_CUDA
    if (graph) {
      static_real.copy_(real);
      static_noise.copy_(noise);
      if (classes.real.defined()) static_real_classes.copy_(classes.real);
      if (classes.fake.defined()) static_fake_classes.copy_(classes.fake);
      graph->replay();
      ++steps;
      return graph_stats;
    }
    if (options.cuda_graphs && steps >= options.warmup_steps && capture(real, noise, classes)) {
      graph->replay();
      ++steps;
      return graph_stats;
    }
#endif
    ++steps;
    return trainer.step(real, noise, classes);
  }

  StepStats run_drawing(const torch::Tensor& real, const torch::Tensor& labels) {
#if DCGAN_WITH_CUDA
    if (graph) {
      static_noise.normal_();  // the draws torch::randn of this shape would make
      if (static_fake_classes.defined())  // then those of torch::randint(num_classes, {B})
        static_fake_classes.random_(0, trainer.num_classes());
      static_real.copy_(real);
      if (labels.defined()) static_real_classes.copy_(labels);
      graph->replay();
      ++steps;
      return graph_stats;
    }
#endif
    const torch::Tensor noise = draw_noise(real);
    return run(real, noise, StepClasses{labels, trainer.draw_fake_classes(real.size(0))});
  }
};

StepRunner::StepRunner(Trainer& trainer, const StepRunnerOptions& options)
    : impl_(std::make_unique<Impl>(trainer, options)) {}
StepRunner::~StepRunner() = default;

StepStats StepRunner::step(const torch::Tensor& real, const torch::Tensor& labels) {
  return impl_->run_drawing(real, labels);
}
StepStats StepRunner::step(const torch::Tensor& real, const torch::Tensor& noise, const StepClasses& classes) {
  return impl_->run(real, noise, classes);
}

bool StepRunner::graphed() const {
#if DCGAN_WITH_CUDA
  return impl_->graph != nullptr;
#else
  return false;
#endif
}

const std::string& StepRunner::eager_reason() const { return impl_->eager_reason; }

}  // namespace dcgan
