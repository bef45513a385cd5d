// Profile: where a stretch of work spends its time, per CUDA kernel or per LibTorch operator, through LibTorch's
// Kineto profiler (`dcgan bench --profile`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dcgan {

struct ProfileRow {
  std::string name;      // a kernel's name, or an operator's (aten::convolution_backward, ...)
  int64_t calls = 0;
  double self_ms = 0;    // its own time: an operator's children (the operators it calls) are not counted
};

struct Profile {
  bool cuda = false;             // rows are CUDA kernels and copies (device time); else CPU operators
  int64_t calls = 0;             // all rows' calls
  double total_ms = 0;           // all rows' self_ms
  std::vector<ProfileRow> rows;  // one per name, the largest self_ms first
};

// Records from construction until stop(): LibTorch's CPU operators, and with `cuda` also the kernels, copies and
// fills the CUDA devices ran. One Profiler at a time per process. Throws std::runtime_error when LibTorch cannot
// profile (another profiler is active).
class Profiler {
 public:
  explicit Profiler(bool cuda);
  ~Profiler();  // stops recording if stop() was not called, and drops the events
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  // Stops recording and returns the summary: per kernel for a CUDA profile, per operator's self time for a CPU
  // one. The caller synchronizes the device first, so that the stretch's kernels have finished.
  Profile stop();

 private:
  bool cuda_;
  bool active_ = false;
};

// The first `top` rows as a table for a terminal: share of the total, ms per step, calls per step, name (cut to
// 100 characters), then a line with the totals. `steps` >= 1 is how many steps the profile spans.
std::string format_profile(const Profile& profile, int steps, int top);

}  // namespace dcgan
