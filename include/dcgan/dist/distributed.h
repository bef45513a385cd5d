// Distributed: torchrun's environment contract, and a c10d process group (Gloo or NCCL) for data-parallel training.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace dcgan {

// A distributed run cannot start or go on (bad launch settings, a rank that left, a collective that timed out);
// what() says which rank, what it waited for and what to check.
struct DistributedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What torchrun tells each worker through its environment (torch.distributed.run's documented contract):
// RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT, and TORCHELASTIC_USE_AGENT_STORE /
// TORCHELASTIC_RESTART_COUNT when the agent hosts the store.
struct DistEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;  // torch's default (TCPStoreOptions::kDefaultPort)
  // True: torchrun's agent already hosts a TCPStore at MASTER_ADDR:MASTER_PORT; every rank joins it as a client,
  // under the prefix /worker/attempt_<restart_count>, as torch.distributed does.
  bool agent_store = false;
  int restart_count = 0;
  bool distributed() const { return world_size > 1; }
};

// Reads DistEnv from the environment. No RANK and no WORLD_SIZE: a single process (world size 1). Throws
// DistributedError naming the variable when one is set but malformed or inconsistent (RANK >= WORLD_SIZE, a port
// outside 1..65535, RANK without WORLD_SIZE, ...).
DistEnv dist_env_from_environment();

struct ProcessGroupOptions {
  std::string backend = "gloo";  // gloo | nccl (nccl only in builds with CUDA and NCCL; see has_nccl())
  // Longest wait for the rendezvous (all ranks joining the store) and for any collective; past it the rank throws
  // DistributedError instead of hanging.
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  torch::Device device{torch::kCPU};  // where the tensors to reduce live (NCCL: this rank's CUDA device)
};

// Whether this build can create a backend.
bool has_gloo();
bool has_nccl();

// Cumulative cost of the gradient all-reduces, for the log and docs/performance.md.
struct AllReduceStats {
  std::int64_t calls = 0;
  std::int64_t bytes = 0;  // payload bytes per rank (the flat buffer's size), summed over calls
  double seconds = 0;      // host wall time from the start of the copy into the flat buffer to the copy back
};

// A c10d process group over a TCPStore (rank 0 hosts it, or torchrun's agent does): the same store, rendezvous and
// Gloo/NCCL wire protocol as torch.distributed. All collectives are blocking and must be called by every rank in
// the same order.
class ProcessGroup {
 public:
  // Joins the store and checks that every rank agrees on WORLD_SIZE and that no RANK is taken twice, then builds
  // the backend. Throws DistributedError naming MASTER_ADDR:MASTER_PORT when the store cannot be reached or hosted,
  // and the missing ranks when fewer than WORLD_SIZE join within the timeout.
  ProcessGroup(const DistEnv& env, const ProcessGroupOptions& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const;
  int size() const;
  const std::string& backend() const;

  // Replaces each parameter's gradient by its mean over the ranks, in one all-reduce of one flat buffer (the
  // parameters' gradients concatenated; an undefined gradient counts as zeros). The flat buffer is reused.
  void average_gradients(const std::vector<torch::Tensor>& params);
  // Copies rank `root`'s values of `tensors` into every rank's (one flat broadcast).
  void broadcast(const std::vector<torch::Tensor>& tensors, int root = 0);
  // Every rank's `value`, indexed by rank.
  std::vector<std::int64_t> all_gather(std::int64_t value);
  // Every rank's bytes, indexed by rank; all ranks must pass the same number of bytes.
  std::vector<std::vector<std::uint8_t>> all_gather(const std::vector<std::uint8_t>& bytes);
  // The sum of `value` over the ranks.
  std::int64_t all_reduce_sum(std::int64_t value);
  // The mean of `value` (a dense tensor on the run's device) over the ranks, as a new tensor; `value` is kept.
  torch::Tensor all_reduce_mean(const torch::Tensor& value);
  void barrier();

  const AllReduceStats& gradient_stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A 64-bit FNV-1a hash of the bytes of `tensors` (copied to the CPU, contiguous, in order): equal weights on two
// ranks give equal hashes.
std::uint64_t hash_tensors(const std::vector<torch::Tensor>& tensors);

}  // namespace dcgan
