// Runtime: device choice, CPU threads, device-wide settings and RNG states (version differences: compat.h).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace dcgan {

// "auto" -> CUDA device 0 when available, else CPU; "cpu"; "cuda"; "cuda:N".
// Throws std::runtime_error when CUDA is asked for but not available, or N is out of range.
torch::Device resolve_device(const std::string& spec);

// Sets LibTorch's intra-op threads: 0 means every core this process may use. Returns the count in force.
int configure_threads(int requested);

// Makes glibc's malloc keep the memory LibTorch frees for reuse instead of returning it to the kernel: no mmap for
// large blocks (M_MMAP_MAX 0) and no trimming of the heap (M_TRIM_THRESHOLD). A training step frees and reallocates
// the same large activations every step; by default each comes back as fresh pages the kernel must zero. Measured
// (scripts/bench.sh's step, batch 128, 5 steps): 1.19M page faults -> 0.15M, 12% less CPU time. The resident set
// stays at its peak. Does nothing where the C library is not glibc, or where the user set MALLOC_* variables or
// GLIBC_TUNABLES (theirs win). Call once, early, before threads start.
void keep_freed_memory();

struct Config;

// Device-wide settings a config asks for: on CUDA, cuDNN's benchmark mode (train.cudnn_benchmark, auto: on).
void configure_device(const Config& config, torch::Device device);

// Seeds the CPU generator and, when present, every CUDA generator.
void seed_everything(std::uint64_t seed);

// The states of the CPU generator and of every CUDA generator (empty where CUDA is absent).
struct RngState {
  torch::Tensor cpu;
  std::vector<torch::Tensor> cuda;
};
RngState capture_rng();
// Restores states captured by capture_rng(). Throws std::runtime_error when the CUDA device count differs.
void restore_rng(const RngState& state);
// The states as one run of bytes (the CPU state, then each CUDA device's), e.g. for an all-gather between ranks;
// rng_from_bytes reads them back, taking the tensors' sizes from `like` (a state of the same layout).
std::vector<uint8_t> rng_to_bytes(const RngState& state);
RngState rng_from_bytes(const std::vector<uint8_t>& bytes, const RngState& like);

// Waits for the device's queued work (a no-op on the CPU): for timing.
void synchronize(torch::Device device);

// "1.13.1" style version of the LibTorch this binary was built against.
std::string torch_version();
bool cuda_available();

}  // namespace dcgan
