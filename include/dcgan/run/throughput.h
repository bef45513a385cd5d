// Throughput: training images per second between log steps, without the time the sinks take. No torch here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace dcgan {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

/// "42s", "3m07s", "2h05m".
std::string format_duration(double seconds);

/// The loop counts steps and pauses the clock while its sinks run (evaluation, grids, checkpoints), so the figure
/// is the training step's speed, data waits included. On CUDA the step is asynchronous: the figure is right at
/// steps where the loop synced with the device (every log step).
class Throughput {
 public:
  /// `images_per_step`: every rank's images in one step; `data_wait`: the batch source's total wait so far.
  Throughput(int64_t images_per_step, std::function<double()> data_wait);

  void step_done() { ++steps_; }
  void pause();
  void resume();

  struct Interval {
    double images_per_s = 0;
    double data_wait_s = 0;  // seconds the loop waited for batches in the interval
  };
  /// The interval that ends at `step` (since the previous call, or the start), then a new interval starts. Asked
  /// again at the same step, returns the same figures, so all sinks of a step agree.
  const Interval& at(int64_t step);

 private:
  int64_t images_per_step_;
  std::function<double()> data_wait_;
  int64_t steps_ = 0;
  double active_s_ = 0;
  Clock::time_point resumed_ = Clock::now();
  bool paused_ = false;
  double wait_at_start_ = 0;
  int64_t taken_step_ = -1;
  Interval taken_;
};

}  // namespace dcgan
