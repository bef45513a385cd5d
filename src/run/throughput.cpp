// Throughput: images per second between log steps, sinks' time left out.
#include "dcgan/run/throughput.h"

#include <fmt/format.h>

namespace dcgan {

std::string format_duration(double s) {
  const auto total = static_cast<int64_t>(s + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total / 60) % 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

Throughput::Throughput(int64_t images_per_step, std::function<double()> data_wait)
    : images_per_step_(images_per_step), data_wait_(std::move(data_wait)), wait_at_start_(data_wait_()) {}

void Throughput::pause() {
  if (paused_) return;
  active_s_ += seconds_since(resumed_);
  paused_ = true;
}

void Throughput::resume() {
  if (!paused_) return;
  resumed_ = Clock::now();
  paused_ = false;
}

const Throughput::Interval& Throughput::at(int64_t step) {
  if (step == taken_step_) return taken_;
  double active = active_s_;
  if (!paused_) {
    active += seconds_since(resumed_);
    resumed_ = Clock::now();
  }
  const double wait = data_wait_();
  taken_.images_per_s = active > 0 ? static_cast<double>(steps_ * images_per_step_) / active : 0.0;
  taken_.data_wait_s = wait - wait_at_start_;
  taken_step_ = step;
  steps_ = 0;
  active_s_ = 0;
  wait_at_start_ = wait;
  return taken_;
}

}  // namespace dcgan
