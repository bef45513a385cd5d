// LibTorch version differences, in one place: autocast, optimizer state keys, fused Adam's devices, c10d's classes
// and TCPStore backend, profiler event times.
// Built and tested against Debian 12's LibTorch 1.13, Debian 13's 2.6 (CPU and CUDA) and the PyTorch 2.x wheel's.
#pragma once

#include <torch/torch.h>
#include <torch/version.h>
#include <ATen/autocast_mode.h>

#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#define DCGAN_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// glog's minimum severity, where c10 logs through glog (Debian 12's LibTorch); a weak reference, null where it does not
// (Debian 13's, the wheel's). See compat::QuietC10Log.
namespace fLI {
extern int FLAGS_minloglevel __attribute__((weak));
}  // namespace fLI

namespace c10d {
class ProcessGroup;
class Backend;
}  // namespace c10d

namespace dcgan::compat {

// The class c10d's Gloo and NCCL process groups derive from: ProcessGroup in 1.x, Backend from 2.0 on (where
// ProcessGroup became a dispatcher over backends). Both declare the collectives distributed.cpp calls.
#if TORCH_VERSION_MAJOR >= 2
using C10dBackend = ::c10d::Backend;
#else
using C10dBackend = ::c10d::ProcessGroup;
#endif

// TCPStore's libuv backend is the default from LibTorch 2.4 on, but Debian 13's LibTorch is built without libuv:
// every store fails there ("use_libuv was requested but PyTorch was build without libuv support"). The classic
// backend is in every release and speaks the same protocol, so a store made with it also serves and joins stores of
// builds that use libuv (torchrun's agent from the wheel). Call on a c10d::TCPStoreOptions before making the store.
template <class Options, class = void>
struct HasUseLibUV : std::false_type {};
template <class Options>
struct HasUseLibUV<Options, std::void_t<decltype(std::declval<Options&>().useLibUV)>> : std::true_type {};
template <class Options>
void use_classic_tcp_store(Options& options) {
  if constexpr (HasUseLibUV<Options>::value) options.useLibUV = false;
  (void)options;
}

// Silences c10's logging below FATAL for the object's lifetime: glog's (Debian 12's LibTorch 1.13 logs through glog)
// and c10's own (Debian 13's 2.6 has no glog; its c10d logs each failed connection attempt and failed read of a
// TCPStore, with a stack trace, through it). dcgan reports such failures itself, in one line.
class QuietC10Log {
 public:
  QuietC10Log() : saved_level_(::FLAGS_caffe2_log_level) {
    ::FLAGS_caffe2_log_level = 3;  // c10::GLOG_FATAL
    if (&fLI::FLAGS_minloglevel != nullptr) {
      saved_glog_ = fLI::FLAGS_minloglevel;
      fLI::FLAGS_minloglevel = 3;  // google::GLOG_FATAL
    }
  }
  ~QuietC10Log() {
    ::FLAGS_caffe2_log_level = saved_level_;
    if (&fLI::FLAGS_minloglevel != nullptr) fLI::FLAGS_minloglevel = saved_glog_;
  }
  QuietC10Log(const QuietC10Log&) = delete;
  QuietC10Log& operator=(const QuietC10Log&) = delete;

 private:
  int saved_level_ = 0;
  int saved_glog_ = 0;
};

// at::_fused_adam_ has a CUDA kernel from 1.13 and a CPU kernel from 2.4.
inline bool fused_adam_supported(const torch::Device& device) {
  if (device.is_cuda()) return true;
  return device.is_cpu() && DCGAN_TORCH_AT_LEAST(2, 4);
}

// Whether autocast is on for `type` (CUDA or CPU) in this thread, and the dtype it casts to.
inline bool autocast_enabled(c10::DeviceType type) {
#if DCGAN_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(type);
#else
  return type == c10::DeviceType::CPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}
inline at::ScalarType autocast_dtype(c10::DeviceType type) {
#if DCGAN_TORCH_AT_LEAST(2, 4)
  return at::autocast::get_autocast_dtype(type);
#else
  return type == c10::DeviceType::CPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
#endif
}

// bf16 autocast of the ops of one device type (CUDA or CPU) for the lifetime of the object; restores the previous
// state after. The cast cache is off, so no cast weight outlives the scope (required when the scope is captured into
// a CUDA graph).
class Autocast {
 public:
  Autocast(bool enabled, c10::DeviceType type) : active_(enabled), type_(type) {
    if (!active_) return;
    was_enabled_ = autocast_enabled(type_);
    was_dtype_ = autocast_dtype(type_);
    set(true, at::kBFloat16);
    was_cache_ = at::autocast::is_autocast_cache_enabled();
    at::autocast::set_autocast_cache_enabled(false);
    at::autocast::increment_nesting();
  }
  ~Autocast() {
    if (!active_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_autocast_cache_enabled(was_cache_);
    set(was_enabled_, was_dtype_);
  }
  Autocast(const Autocast&) = delete;
  Autocast& operator=(const Autocast&) = delete;

 private:
  void set(bool enabled, at::ScalarType dtype) const {
#if DCGAN_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_dtype(type_, dtype);
    at::autocast::set_autocast_enabled(type_, enabled);
#else
    if (type_ == c10::DeviceType::CPU) {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(enabled);
    } else {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(enabled);
    }
#endif
  }

  bool active_;
  c10::DeviceType type_;
  bool was_enabled_ = false;
  bool was_cache_ = true;
  at::ScalarType was_dtype_ = at::kBFloat16;
};

// After a failed CUDA graph capture, LibTorch 2.x can leave the device's default generator marked as capturing, and
// every later random op fails ("Offset increment outside graph capture"). Swaps in a copy of its state (same seed
// and offset, not capturing). Returns false where this LibTorch has no graph-safe state API (before 2.5).
inline bool reset_generator_after_failed_capture(const torch::Device& device) {
#if DCGAN_TORCH_AT_LEAST(2, 5)
  at::Generator gen = at::globalContext().defaultGenerator(device);
  std::lock_guard<std::mutex> lock(gen.mutex());
  at::Generator copy = gen.clone();
  gen.unsafeGetGeneratorImpl()->graphsafe_set_state(copy.getIntrusivePtr());
  return true;
#else
  (void)device;
  return false;
#endif
}

// The key under which torch::optim::Optimizer::state() keeps a parameter's state: its TensorImpl address, as a
// string in 1.13 and as a pointer in 2.x.
template <class StateMap>
typename StateMap::key_type optimizer_state_key(const StateMap&, const torch::Tensor& param) {
  using Key = typename StateMap::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream out;  // what 1.13's c10::guts::to_string(TensorImpl*) writes
    out << param.unsafeGetTensorImpl();
    return out.str();
  } else {
    return static_cast<Key>(param.unsafeGetTensorImpl());
  }
}

// A profiler event's start and length in nanoseconds: Kineto's events count microseconds (startUs, durationUs) in
// 1.13 and nanoseconds (startNs, durationNs) in 2.x. Call with 0 as the second argument.
template <class Event>
auto event_span_ns(const Event& e, int) -> decltype(e.durationNs(), std::pair<uint64_t, uint64_t>()) {
  return {e.startNs(), e.durationNs()};
}
template <class Event>
std::pair<uint64_t, uint64_t> event_span_ns(const Event& e, long) {
  return {e.startUs() * 1000, e.durationUs() * 1000};
}

}  // namespace dcgan::compat
