// Runtime: device choice, CPU threads, and LibTorch-version differences.
#include "dcgan/runtime/runtime.h"

#include "dcgan/config/config.h"

#include <torch/version.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <sched.h>
#include <stdexcept>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#include <unistd.h>  // environ
#endif

namespace dcgan {

torch::Device resolve_device(const std::string& spec) {
  if (spec == "auto") return cuda_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (spec == "cpu") return torch::Device(torch::kCPU);
  int index = -1;
  if (!parse_device_spec(spec, &index) || index < 0)
    throw std::runtime_error("train.device: must be auto, cpu, cuda or cuda:N, got '" + spec + "'");
  if (!cuda_available())
    throw std::runtime_error("train.device: '" + spec + "' asked for, but this LibTorch build has no usable CUDA device");
  const int count = static_cast<int>(torch::cuda::device_count());
  if (index >= count)
    throw std::runtime_error("train.device: '" + spec + "' asked for, but only " + std::to_string(count) +
                             " CUDA device(s) exist");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

void keep_freed_memory() {
#if defined(__GLIBC__)
  for (char** e = ::environ; *e; ++e)
    if (std::strncmp(*e, "MALLOC_", 7) == 0 || std::strncmp(*e, "GLIBC_TUNABLES=", 15) == 0) return;
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
#endif
}

int configure_threads(int requested) {
  int n = requested;
  if (n <= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
    if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  torch::set_num_threads(n);
  return torch::get_num_threads();
}

void configure_device(const Config& config, torch::Device device) {
  if (device.is_cuda()) at::globalContext().setBenchmarkCuDNN(resolve_switch(config.train.cudnn_benchmark, true));
}

void seed_everything(std::uint64_t seed) {
  torch::manual_seed(seed);  // seeds the CPU generator and, where CUDA is present, every CUDA generator
}

namespace {
at::Generator default_generator(torch::Device device) { return at::globalContext().defaultGenerator(device); }
}  // namespace

RngState capture_rng() {
  RngState state;
  {
    auto gen = default_generator(torch::kCPU);
    std::lock_guard<std::mutex> lock(gen.mutex());
    state.cpu = gen.get_state();
  }
  if (cuda_available()) {
    const auto count = static_cast<std::size_t>(torch::cuda::device_count());
    for (std::size_t i = 0; i < count; ++i) {
      auto gen = default_generator(torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(i)));
      std::lock_guard<std::mutex> lock(gen.mutex());
      state.cuda.push_back(gen.get_state());
    }
  }
  return state;
}

void restore_rng(const RngState& state) {
  {
    auto gen = default_generator(torch::kCPU);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state.cpu);
  }
  if (state.cuda.empty()) return;
  const std::size_t count = cuda_available() ? static_cast<std::size_t>(torch::cuda::device_count()) : 0;
  if (count < state.cuda.size())
    throw std::runtime_error("the checkpoint holds the RNG states of " + std::to_string(state.cuda.size()) +
                             " CUDA device(s), this machine has " + std::to_string(count));
  for (std::size_t i = 0; i < state.cuda.size(); ++i) {
    auto gen = default_generator(torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(i)));
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state.cuda[i]);
  }
}

std::vector<uint8_t> rng_to_bytes(const RngState& state) {
  std::vector<uint8_t> out;
  auto add = [&](const torch::Tensor& t) {
    const torch::Tensor c = t.to(torch::kCPU).contiguous();
    TORCH_CHECK(c.scalar_type() == torch::kByte, "a generator state is not a byte tensor");
    out.insert(out.end(), c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + c.numel());
  };
  add(state.cpu);
  for (const auto& t : state.cuda) add(t);
  return out;
}

RngState rng_from_bytes(const std::vector<uint8_t>& bytes, const RngState& like) {
  RngState out;
  std::size_t at = 0;
  auto take = [&](const torch::Tensor& shape) {
    torch::Tensor t = torch::empty({shape.numel()}, torch::kByte);
    TORCH_CHECK(at + static_cast<std::size_t>(t.numel()) <= bytes.size(), "a generator state is short");
    std::memcpy(t.data_ptr<uint8_t>(), bytes.data() + at, static_cast<std::size_t>(t.numel()));
    at += static_cast<std::size_t>(t.numel());
    return t;
  };
  out.cpu = take(like.cpu);
  for (const auto& t : like.cuda) out.cuda.push_back(take(t));
  return out;
}

void synchronize(torch::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

std::string torch_version() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

bool cuda_available() { return torch::cuda::is_available(); }

}  // namespace dcgan
