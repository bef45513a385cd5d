// MetricsCsvSink: metrics.csv, one row per logged step.
#pragma once

#include "dcgan/run/sink.h"

#include <fstream>

namespace dcgan {

/// <run>/metrics.csv: "step,epoch,loss_d,loss_g,d_x,d_g_z1,d_g_z2,swd,swd_ema,r_t,d_train,d_holdout,images_per_s",
/// a row at every output.log_every steps and the last (swd and swd_ema filled at evaluation steps, d_train and
/// d_holdout with data.holdout; images_per_s, a timing, always last), flushed after each row. A
/// resumed run keeps the rows up to its checkpoint's step and appends after them, so the file reads as one run's.
/// A failed write throws FileError naming the file.
class MetricsCsvSink final : public Sink {
 public:
  explicit MetricsCsvSink(const Run& run);
  void on_start(Run& run) override;
  void on_step(Run& run, StepEvent& event) override;

 private:
  std::string path_;
  std::ofstream csv_;
};

}  // namespace dcgan
