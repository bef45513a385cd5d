// Distributed: torchrun's environment, the TCPStore rendezvous, and Gloo/NCCL collectives through c10d.
#include "dcgan/dist/distributed.h"

#include "dcgan/runtime/compat.h"

// c10d declares its backends only under these macros (torch's own build defines them); the build defines
// DCGAN_WITH_GLOO / DCGAN_WITH_NCCL where the headers (libgloo-dev; NCCL's) were found.
#if DCGAN_WITH_GLOO
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if DCGAN_WITH_NCCL
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>  // Work, the collectives' options (and Backend, in 2.x)
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace dcgan {
namespace {

using Clock = std::chrono::steady_clock;

// The first line of an exception's text (c10::Error appends a C++ backtrace).
std::string first_line(const char* what) {
  std::string s(what);
  const auto nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.pop_back();
  return s;
}

const char* env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

int env_int(const char* name, int fallback, long lo, long hi) {
  const char* v = env_or_null(name);
  if (v == nullptr) return fallback;
  char* end = nullptr;
  errno = 0;
  const long x = std::strtol(v, &end, 10);
  if (errno != 0 || end == v || *end != '\0' || x < lo || x > hi)
    throw DistributedError(fmt::format("environment: {}='{}' is not an integer in {}..{}", name, v, lo, hi));
  return static_cast<int>(x);
}

std::string seconds_text(std::chrono::milliseconds t) { return fmt::format("{:g}s", t.count() / 1000.0); }

}  // namespace

DistEnv dist_env_from_environment() {
  DistEnv env;
  const bool has_rank = env_or_null("RANK") != nullptr, has_world = env_or_null("WORLD_SIZE") != nullptr;
  if (!has_rank && !has_world) return env;
  if (has_rank != has_world)
    throw DistributedError(fmt::format("environment: {} is set but {} is not; torchrun sets both (or unset both to "
                                       "train in one process)",
                                       has_rank ? "RANK" : "WORLD_SIZE", has_rank ? "WORLD_SIZE" : "RANK"));
  env.world_size = env_int("WORLD_SIZE", 1, 1, 1 << 20);
  env.rank = env_int("RANK", 0, 0, 1 << 20);
  if (env.rank >= env.world_size)
    throw DistributedError(
        fmt::format("environment: RANK={} is not below WORLD_SIZE={} (ranks are 0..WORLD_SIZE-1)", env.rank,
                    env.world_size));
  env.local_rank = env_int("LOCAL_RANK", env.rank, 0, 1 << 20);
  env.local_world_size = env_int("LOCAL_WORLD_SIZE", env.world_size, 1, 1 << 20);
  if (const char* addr = env_or_null("MASTER_ADDR")) env.master_addr = addr;
  else if (env.distributed()) throw DistributedError("environment: WORLD_SIZE > 1 but MASTER_ADDR is not set");
  if (env_or_null("MASTER_PORT") == nullptr && env.distributed())
    throw DistributedError("environment: WORLD_SIZE > 1 but MASTER_PORT is not set");
  env.master_port = env_int("MASTER_PORT", env.master_port, 1, 65535);
  const char* agent = env_or_null("TORCHELASTIC_USE_AGENT_STORE");
  env.agent_store = agent != nullptr && std::string(agent) == "True";  // torch compares with str(True)
  env.restart_count = env_int("TORCHELASTIC_RESTART_COUNT", 0, 0, 1 << 20);
  return env;
}

bool has_gloo() { return DCGAN_WITH_GLOO != 0; }
bool has_nccl() { return DCGAN_WITH_NCCL != 0; }

std::uint64_t hash_tensors(const std::vector<torch::Tensor>& tensors) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (const auto& t : tensors) {
    const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    const auto* p = static_cast<const unsigned char*>(c.data_ptr());
    const std::size_t n = c.numel() * c.element_size();
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  }
  return h;
}

struct ProcessGroup::Impl {
  DistEnv env;
  ProcessGroupOptions options;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<compat::C10dBackend> backend;
  torch::Device device{torch::kCPU};  // where collective buffers live
  torch::Tensor flat;                 // average_gradients' buffer
  AllReduceStats stats;

  // Runs one collective to completion; any failure becomes a DistributedError that says which.
  template <class F>
  void run(const char* what, F&& launch) {
    try {
      c10::intrusive_ptr<c10d::Work> work = launch();
      work->wait(options.timeout);
    } catch (const DistributedError&) {
      throw;
    } catch (const std::exception& e) {
      // Two ranks: the lost one is the other; more: a collective's error does not say which.
      const std::string lost = env.world_size == 2 ? fmt::format("rank {}", 1 - env.rank) : "another rank";
      throw DistributedError(fmt::format(
          "rank {}: {} across {} ranks failed ({} backend, timeout {}): {}. Lost {}: it stopped or its host became "
          "unreachable (its own output says why where it still runs)",
          env.rank, what, env.world_size, options.backend, seconds_text(options.timeout), first_line(e.what()), lost));
    }
  }

  torch::Tensor on_device(torch::Tensor t) const { return device.is_cpu() ? t : t.to(device); }
};

namespace {

// Joins (or, on rank 0, hosts) the TCPStore and checks that the ranks that joined agree on the world. c10d's own
// reports of failed connections and reads stay quiet: the errors below name what failed, in one line.
c10::intrusive_ptr<c10d::Store> rendezvous(const DistEnv& env, std::chrono::milliseconds timeout) {
  const compat::QuietC10Log quiet;
  const std::string where = fmt::format("{}:{}", env.master_addr, env.master_port);
  c10::intrusive_ptr<c10d::Store> store;
  const bool host = env.rank == 0 && !env.agent_store;
  try {
    c10d::TCPStoreOptions o;
    o.port = static_cast<std::uint16_t>(env.master_port);
    o.isServer = host;
    o.waitWorkers = false;  // the joining is checked below, with errors that name the missing ranks
    o.timeout = timeout;
    o.multiTenant = false;
    compat::use_classic_tcp_store(o);
    store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, o);
  } catch (const std::exception& e) {
    throw DistributedError(
        host ? fmt::format("rank 0: cannot host the store at {} (MASTER_ADDR:MASTER_PORT): {}. Is the port in use, "
                           "or the address not one of this machine's?",
                           where, first_line(e.what()))
             : fmt::format("rank {}: cannot reach the store at {} (MASTER_ADDR:MASTER_PORT) within {}: {}. Check "
                           "that rank 0 runs and that every rank has the same MASTER_ADDR and MASTER_PORT",
                           env.rank, where, seconds_text(timeout), first_line(e.what())));
  }
  if (env.agent_store)
    store = c10::make_intrusive<c10d::PrefixStore>(fmt::format("/worker/attempt_{}", env.restart_count), store);
  store = c10::make_intrusive<c10d::PrefixStore>("dcgan", store);

  try {
    const int64_t same_rank = store->add(fmt::format("rank/{}", env.rank), 1);
    if (same_rank > 1)
      throw DistributedError(fmt::format("rank {}: another process already joined {} as RANK={}; every rank needs "
                                         "its own RANK",
                                         env.rank, where, env.rank));
    if (same_rank != 1)
      throw DistributedError(fmt::format("rank {}: {} does not answer as a c10d store (MASTER_ADDR:MASTER_PORT "
                                         "names another service?)",
                                         env.rank, where));
    store->set(fmt::format("world_size/{}", env.rank),
               [&] {
                 const std::string s = std::to_string(env.world_size);
                 return std::vector<uint8_t>(s.begin(), s.end());
               }());
    store->add("joined", 1);
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const int64_t joined = store->add("joined", 0);
      if (joined == env.world_size) break;
      if (joined > env.world_size)
        throw DistributedError(fmt::format("rank {}: {} processes joined {}, more than WORLD_SIZE={}; the ranks "
                                           "disagree on WORLD_SIZE",
                                           env.rank, joined, where, env.world_size));
      if (Clock::now() > deadline) {
        std::vector<int> missing;
        for (int r = 0; r < env.world_size; ++r)
          if (!store->check({fmt::format("rank/{}", r)})) missing.push_back(r);
        throw DistributedError(fmt::format(
            "rank {}: only {} of WORLD_SIZE={} ranks joined {} within {} (missing: rank {}). Check that as many "
            "ranks were started as WORLD_SIZE says, with the same MASTER_ADDR and MASTER_PORT",
            env.rank, joined, env.world_size, where, seconds_text(timeout), fmt::join(missing, ", ")));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (int r = 0; r < env.world_size; ++r) {
      const std::vector<uint8_t> v = store->get(fmt::format("world_size/{}", r));
      const std::string s(v.begin(), v.end());
      if (s != std::to_string(env.world_size))
        throw DistributedError(fmt::format("rank {}: rank {} has WORLD_SIZE={}, this one {}; all ranks need the same",
                                           env.rank, r, s, env.world_size));
    }
  } catch (const DistributedError&) {
    throw;
  } catch (const std::exception& e) {
    throw DistributedError(fmt::format("rank {}: lost the store at {} during the rendezvous ({}); {}", env.rank, where,
                                       first_line(e.what()),
                                       host ? "a rank may have sent something else than c10d's protocol"
                                            : "its host (rank 0 or torchrun's agent) has probably stopped: its "
                                              "output says why"));
  }
  return store;
}

// The address this host sends from to reach `host`:`port` (the kernel's route: a UDP connect sends nothing), or ""
// when it cannot tell. On rank 0 it is MASTER_ADDR itself; on another host the interface that reaches it. Gloo binds
// there, as a two-machine run needs, where the hostname may resolve to an address the other host cannot reach.
[[maybe_unused]] std::string address_towards(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) return "";
  std::string out;
  const int fd = ::socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_storage local{};
  socklen_t size = sizeof local;
  char text[INET6_ADDRSTRLEN] = {};
  if (fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size) == 0 &&
      ::getnameinfo(reinterpret_cast<sockaddr*>(&local), size, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0)
    out = text;
  if (fd >= 0) ::close(fd);
  ::freeaddrinfo(found);
  return out;
}

[[maybe_unused]] bool is_loopback(const std::string& addr) {
  return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1";
}

}  // namespace

ProcessGroup::ProcessGroup(const DistEnv& env, const ProcessGroupOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->env = env;
  impl_->options = options;
  if (options.backend != "gloo" && options.backend != "nccl")
    throw DistributedError(fmt::format("dist.backend: unknown backend '{}' (gloo or nccl)", options.backend));
  if (options.backend == "gloo" && !has_gloo())
    throw DistributedError("dist.backend: this dcgan was built without Gloo (install libgloo-dev and rebuild)");
  if (options.backend == "nccl" && !has_nccl())
    throw DistributedError("dist.backend: this dcgan was built without NCCL (a CUDA LibTorch and NCCL's headers "
                           "are needed); use dist.backend=gloo");
  if (options.backend == "nccl" && !options.device.is_cuda())
    throw DistributedError("dist.backend: nccl needs a CUDA device; this rank runs on " + options.device.str());
  impl_->device = options.backend == "nccl" ? options.device : torch::Device(torch::kCPU);

  impl_->store = rendezvous(env, options.timeout);
  auto backend_store = c10::make_intrusive<c10d::PrefixStore>(options.backend, impl_->store);
  try {
#if DCGAN_WITH_GLOO
    if (options.backend == "gloo") {
      auto o = c10d::ProcessGroupGloo::Options::create(options.timeout);
      if (const char* ifname = env_or_null("GLOO_SOCKET_IFNAME"))
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else if (is_loopback(env.master_addr))
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else if (const std::string local = address_towards(env.master_addr, env.master_port); !local.empty())
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(local));
      else
        o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      impl_->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(backend_store, env.rank, env.world_size, o);
    }
#endif
#if DCGAN_WITH_NCCL
    if (options.backend == "nccl") {
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = options.timeout;
      impl_->backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(backend_store, env.rank, env.world_size, o);
    }
#endif
  } catch (const std::exception& e) {
    throw DistributedError(fmt::format("rank {}: cannot connect the {} backend between the {} ranks: {}", env.rank,
                                       options.backend, env.world_size, first_line(e.what())));
  }
  TORCH_CHECK(impl_->backend, "no backend was built for ", options.backend);
}

ProcessGroup::~ProcessGroup() = default;

int ProcessGroup::rank() const { return impl_->env.rank; }
int ProcessGroup::size() const { return impl_->env.world_size; }
const std::string& ProcessGroup::backend() const { return impl_->options.backend; }
const AllReduceStats& ProcessGroup::gradient_stats() const { return impl_->stats; }

void ProcessGroup::average_gradients(const std::vector<torch::Tensor>& params) {
  if (params.empty()) return;
  const auto start = Clock::now();
  int64_t total = 0;
  for (const auto& p : params) total += p.numel();
  const auto options = params.front().options().requires_grad(false);
  if (!impl_->flat.defined() || impl_->flat.numel() < total || impl_->flat.options().dtype() != options.dtype() ||
      impl_->flat.device() != options.device())
    impl_->flat = torch::empty({total}, options);
  torch::Tensor flat = impl_->flat.narrow(0, 0, total);
  torch::NoGradGuard no_grad;
  // Each gradient is copied in its own memory order (channels_last or not): all ranks use the same layouts, and
  // the all-reduce is elementwise.
  int64_t offset = 0;
  std::vector<torch::Tensor> grads;
  grads.reserve(params.size());
  for (const auto& p : params) {
    torch::Tensor g = p.grad();
    if (!g.defined()) {
      g = torch::zeros_like(p, torch::MemoryFormat::Preserve);
      const_cast<torch::Tensor&>(p).mutable_grad() = g;
    }
    TORCH_CHECK(g.is_non_overlapping_and_dense(), "average_gradients: a gradient is not dense");
    grads.push_back(g.as_strided({g.numel()}, {1}, g.storage_offset()));
    flat.narrow(0, offset, g.numel()).copy_(grads.back());
    offset += g.numel();
  }
  std::vector<torch::Tensor> bufs{flat};
  impl_->run("the gradient all-reduce", [&] { return impl_->backend->allreduce(bufs, c10d::AllreduceOptions()); });
  flat.div_(static_cast<double>(size()));
  offset = 0;
  for (auto& g : grads) {
    g.copy_(flat.narrow(0, offset, g.numel()));
    offset += g.numel();
  }
  impl_->stats.calls += 1;
  impl_->stats.bytes += total * static_cast<int64_t>(flat.element_size());
  impl_->stats.seconds += std::chrono::duration<double>(Clock::now() - start).count();
}

void ProcessGroup::broadcast(const std::vector<torch::Tensor>& tensors, int root) {
  if (tensors.empty()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat_parts;
  for (const auto& t : tensors) {
    TORCH_CHECK(t.scalar_type() == tensors.front().scalar_type(), "broadcast: the tensors must share one dtype");
    flat_parts.push_back(t.detach().reshape({-1}));
  }
  std::vector<torch::Tensor> bufs{impl_->on_device(torch::cat(flat_parts))};
  c10d::BroadcastOptions o;
  o.rootRank = root;
  impl_->run("a broadcast", [&] { return impl_->backend->broadcast(bufs, o); });
  const torch::Tensor flat = bufs[0];
  int64_t offset = 0;
  for (const auto& t : tensors) {
    torch::Tensor dst = t.detach();
    dst.copy_(flat.narrow(0, offset, t.numel()).view(t.sizes()));
    offset += t.numel();
  }
}

std::vector<std::int64_t> ProcessGroup::all_gather(std::int64_t value) {
  std::vector<torch::Tensor> in{impl_->on_device(torch::full({1}, value, torch::kLong))};
  std::vector<std::vector<torch::Tensor>> out(1);
  for (int r = 0; r < size(); ++r) out[0].push_back(torch::empty_like(in[0]));
  impl_->run("an all-gather", [&] { return impl_->backend->allgather(out, in, c10d::AllgatherOptions()); });
  std::vector<std::int64_t> values;
  for (const auto& t : out[0]) values.push_back(t.item<std::int64_t>());
  return values;
}

std::vector<std::vector<std::uint8_t>> ProcessGroup::all_gather(const std::vector<std::uint8_t>& bytes) {
  const std::vector<std::int64_t> sizes = all_gather(static_cast<std::int64_t>(bytes.size()));
  for (int r = 0; r < size(); ++r)
    if (sizes[static_cast<std::size_t>(r)] != static_cast<std::int64_t>(bytes.size()))
      throw DistributedError(fmt::format("rank {}: rank {} sent {} bytes to an all-gather, this rank {}", rank(), r,
                                         sizes[static_cast<std::size_t>(r)], bytes.size()));
  torch::Tensor host = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  if (!bytes.empty()) std::memcpy(host.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  std::vector<torch::Tensor> in{impl_->on_device(host)};
  std::vector<std::vector<torch::Tensor>> out(1);
  for (int r = 0; r < size(); ++r) out[0].push_back(torch::empty_like(in[0]));
  impl_->run("an all-gather", [&] { return impl_->backend->allgather(out, in, c10d::AllgatherOptions()); });
  std::vector<std::vector<std::uint8_t>> result;
  for (const auto& t : out[0]) {
    const torch::Tensor c = t.to(torch::kCPU);
    result.emplace_back(c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + c.numel());
  }
  return result;
}

std::int64_t ProcessGroup::all_reduce_sum(std::int64_t value) {
  std::vector<torch::Tensor> bufs{impl_->on_device(torch::full({1}, value, torch::kLong))};
  impl_->run("an all-reduce", [&] { return impl_->backend->allreduce(bufs, c10d::AllreduceOptions()); });
  return bufs[0].item<std::int64_t>();
}

torch::Tensor ProcessGroup::all_reduce_mean(const torch::Tensor& value) {
  std::vector<torch::Tensor> bufs{value.detach().clone()};
  impl_->run("an all-reduce", [&] { return impl_->backend->allreduce(bufs, c10d::AllreduceOptions()); });
  return bufs[0].div_(static_cast<double>(size()));
}

void ProcessGroup::barrier() { all_reduce_sum(0); }

}  // namespace dcgan
