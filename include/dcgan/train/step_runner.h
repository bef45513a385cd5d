// StepRunner: runs a Trainer's steps eagerly, or captures the whole D+G step once as a CUDA graph and replays it.
#pragma once

#include "dcgan/train/trainer.h"

#include <functional>
#include <memory>
#include <string>

namespace dcgan {

struct StepRunnerOptions {
  StepRunnerOptions(bool graphs = false, int warmup = 3) : cuda_graphs(graphs), warmup_steps(warmup) {}
  bool cuda_graphs = false;  // capture and replay (CUDA devices, CUDA builds only; otherwise eager with a reason)
  int warmup_steps = 3;      // eager steps before the capture (cuDNN algorithm choice, allocator warm-up)
  std::function<void()> inside_capture;  // tests only: runs inside the capture (e.g. to make it fail)
};

// The training step as the loop runs it. Each step draws its noise from the device's default generator into a
// buffer of [B, nz, 1, 1] (the same draws torch::randn would make), then, for a conditional run, the fake batch's
// classes (as Trainer::draw_fake_classes), then runs Trainer::step. With cuda_graphs,
// step warmup_steps + 1 is captured into one CUDA graph (D update, G update, both fused Adam steps, statistics)
// and every later step is a copy of the batch into the graph's input, a noise draw, and one replay: no host
// sync and one launch. If the capture fails the runner warns once and stays eager.
// Contract: the batch shape is fixed after the first step; the trainer's parameters, buffers and optimizer state
// must not be replaced (e.g. by loading a checkpoint) after the capture.
class StepRunner {
 public:
  StepRunner(Trainer& trainer, const StepRunnerOptions& options);
  ~StepRunner();
  StepRunner(const StepRunner&) = delete;
  StepRunner& operator=(const StepRunner&) = delete;

  // One step on `real` ([B, C, S, S] floats in [-1, 1] on the trainer's device) and, for a conditional run, its
  // `labels` ([B] int64). The returned statistics may be the graph's own outputs, overwritten by the next step:
  // read them before calling step() again.
  StepStats step(const torch::Tensor& real, const torch::Tensor& labels = {});
  // The same with the noise and classes given instead of drawn.
  StepStats step(const torch::Tensor& real, const torch::Tensor& noise, const StepClasses& classes);

  // Whether steps replay a captured graph now.
  bool graphed() const;
  // Why graphs are off although asked for ("" when they are on or were not asked for).
  const std::string& eager_reason() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether this build can capture CUDA graphs (a LibTorch with CUDA).
bool cuda_graphs_built();

}  // namespace dcgan
