// ProgressSink: the progress bar on a terminal, cleared by every log line.
#include "dcgan/run/sinks/progress.h"

#include "dcgan/run/run.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>

namespace dcgan {

// The line on stderr, and a logger sink, ahead of the console's, that clears it before a message is printed.
struct ProgressSink::Line final : spdlog::sinks::base_sink<std::mutex> {
  std::atomic<bool> shown{false};
  void clear() {
    if (!shown.exchange(false)) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg&) override { clear(); }
  void flush_() override {}
};

ProgressSink::ProgressSink(const Run& run) : first_(run.start_step), total_(run.total) {
  schedule_ = {1, false, /*reads_results=*/false, false};
}

ProgressSink::~ProgressSink() {
  if (!line_) return;
  line_->clear();
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), line_), sinks.end());
}

void ProgressSink::on_start(Run&) {
  start_ = Clock::now();
  if (::isatty(STDERR_FILENO) != 1) return;
  line_ = std::make_shared<Line>();
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.insert(sinks.begin(), line_);
}

void ProgressSink::on_step(Run&, StepEvent& e) {
  if (!line_) return;
  const double elapsed = seconds_since(start_);
  const double rate = elapsed > 0 ? static_cast<double>(e.step - first_) / elapsed : 0;
  const double eta = rate > 0 ? static_cast<double>(total_ - e.step) / rate : 0;
  std::fprintf(stderr, "\r\033[Kstep %lld/%lld (%.0f%%)  %.2f steps/s  ETA %s", static_cast<long long>(e.step),
               static_cast<long long>(total_), 100.0 * static_cast<double>(e.step) / static_cast<double>(total_),
               rate, format_duration(eta).c_str());
  std::fflush(stderr);
  line_->shown = true;
}

void ProgressSink::on_stop(Run&, const StepEvent&) {
  if (line_) line_->clear();
}

void ProgressSink::on_end(Run&) {
  if (line_) line_->clear();
}

}  // namespace dcgan
