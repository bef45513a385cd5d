// ProgressSink: a one-line progress bar on a terminal (step, rate, time left), cleared before every log line.
#pragma once

#include "dcgan/run/sink.h"
#include "dcgan/run/throughput.h"

#include <memory>

namespace dcgan {

/// "step 120/2000 (6%)  3.10 steps/s  ETA 10m06s" on stderr after every step, only when stderr is a terminal. It
/// reads nothing from the device. Any log line (through spdlog's default logger) first clears it.
class ProgressSink final : public Sink {
 public:
  explicit ProgressSink(const Run& run);
  ~ProgressSink() override;
  void on_start(Run& run) override;
  void on_step(Run& run, StepEvent& event) override;
  void on_stop(Run& run, const StepEvent& event) override;
  void on_end(Run& run) override;

 private:
  struct Line;
  std::shared_ptr<Line> line_;
  int64_t first_ = 0;
  int64_t total_ = 0;
  Clock::time_point start_;
};

}  // namespace dcgan
