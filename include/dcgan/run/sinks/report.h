// ReportSink: report.html in the run folder, kept up to date by the run; progress.gif at its end.
#pragma once

#include "dcgan/run/sink.h"

#include <chrono>

namespace dcgan {

/// report.html (report/html_report.h: summary, charts of metrics.csv, the grids as an animation, real beside fake)
/// at the run's start, at every output.sample_every and output.eval_every step, at a stop and at the end, written
/// atomically so that a browser reloading it never sees half a page; listed after the sinks whose files it shows.
/// progress.gif of the sample grids at the end. Both are conveniences: a failure is a warning, not the end of the run.
class ReportSink final : public Sink {
 public:
  explicit ReportSink(const Run& run);
  void on_start(Run& run) override;
  void on_step(Run& run, StepEvent& event) override;
  void on_stop(Run& run, const StepEvent& event) override;
  void on_end(Run& run) override;

 private:
  void write(const Run& run, int64_t step, const char* state);
  std::chrono::steady_clock::time_point start_;
};

}  // namespace dcgan
