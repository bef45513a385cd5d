// ReportSink: report.html at the start, the sample and evaluation steps, a stop and the end; progress.gif at the end.
#include "dcgan/run/sinks/report.h"

#include "dcgan/io/files.h"
#include "dcgan/report/animation.h"
#include "dcgan/report/html_report.h"
#include "dcgan/run/run.h"

#include <spdlog/spdlog.h>

#include <numeric>

namespace dcgan {

ReportSink::ReportSink(const Run& run) {
  const OutputConfig& o = run.config.output;
  // The grids' and the evaluations' steps: the page changes only there (and at the end).
  schedule_ = {std::gcd(std::max(o.sample_every, 0), std::max(o.eval_every, 0)), true, false};
}

void ReportSink::write(const Run& run, int64_t step, const char* state) {
  try {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const LiveStatus live{step, run.total, seconds, state};
    write_file_atomic(run.dir() + "/report.html", render_report({read_run(run.dir())}, live));
  } catch (const std::exception& e) {
    spdlog::warn("report.html not updated: {}", e.what());
  }
}

void ReportSink::on_start(Run& run) {
  start_ = std::chrono::steady_clock::now();
  write(run, run.start_step, "running");
}

void ReportSink::on_step(Run& run, StepEvent& e) { write(run, e.step, e.last ? "finished" : "running"); }

void ReportSink::on_stop(Run& run, const StepEvent& e) {
  write(run, e.step, "stopped (resume with dcgan train --resume)");
}

void ReportSink::on_end(Run& run) {
  write(run, run.at.step, "finished");
  try {
    if (write_progress_gif(run.dir(), run.dir() + "/progress.gif"))
      spdlog::info("report: {}/report.html, the grids' animation in {}/progress.gif", run.dir(), run.dir());
  } catch (const std::exception& e) {
    spdlog::warn("progress.gif not written: {}", e.what());
  }
}

}  // namespace dcgan
