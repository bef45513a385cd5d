// MetricsCsvSink: metrics.csv, one row per logged step.
#include "dcgan/run/sinks/metrics_csv.h"

#include "dcgan/io/files.h"
#include "dcgan/run/run.h"
#include "dcgan/run/throughput.h"

#include <fmt/format.h>

#include <sstream>
#include <vector>

namespace dcgan {
namespace {

constexpr const char* kHeader =
    "step,epoch,loss_d,loss_g,d_x,d_g_z1,d_g_z2,swd,swd_ema,r_t,d_train,d_holdout,augment_p,images_per_s";

std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

// metrics.csv of a resumed run: the rows up to `step` (those the checkpoint accounts for) are kept, later rows
// (written after the checkpoint by the run that stopped) are dropped. A file an older dcgan wrote, with fewer
// columns, is rewritten under today's header, each cell under its column's name (new columns empty).
void truncate_metrics(const std::string& path, int64_t step) {
  std::ifstream in(path);
  std::string kept, line;
  if (!std::getline(in, line)) return;
  const std::vector<std::string> old = cells_of(line), now = cells_of(kHeader);
  std::vector<int> from(now.size(), -1);
  for (std::size_t i = 0; i < now.size(); ++i)
    for (std::size_t j = 0; j < old.size(); ++j)
      if (old[j] == now[i]) from[i] = static_cast<int>(j);
  kept += std::string(kHeader) + "\n";
  while (std::getline(in, line)) {
    if (std::stoll(line.substr(0, line.find(','))) > step) break;
    if (old == now) {
      kept += line + "\n";
      continue;
    }
    const std::vector<std::string> cells = cells_of(line);
    for (std::size_t i = 0; i < now.size(); ++i) {
      const int j = from[i];
      kept += (i ? "," : "") + (j >= 0 && j < static_cast<int>(cells.size()) ? cells[static_cast<std::size_t>(j)] : "");
    }
    kept += "\n";
  }
  write_file_atomic(path, kept);
}

std::string cell(const std::optional<double>& v, int digits = 3) {
  return v ? fmt::format("{:.{}f}", *v, digits) : std::string();
}

}  // namespace

MetricsCsvSink::MetricsCsvSink(const Run& run) : path_(run.dir() + "/metrics.csv") {
  schedule_ = {run.config.output.log_every, true};
}

void MetricsCsvSink::on_start(Run& run) {
  if (run.resuming()) truncate_metrics(path_, run.start_step);
  csv_.open(path_, run.resuming() ? std::ios::app : std::ios::trunc);
  if (!csv_) throw FileError(path_ + ": cannot open for writing");
  if (!run.resuming()) csv_ << kHeader << "\n";
}

void MetricsCsvSink::on_step(Run&, StepEvent& e) {
  const StepStats& s = *e.stats;
  csv_ << fmt::format("{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{},{},{},{},{:.1f}\n", e.step, e.epoch,
                      s.loss_d.item<double>(), s.loss_g.item<double>(), s.d_x.item<double>(),
                      s.d_g_z1.item<double>(), s.d_g_z2.item<double>(), cell(e.swd), cell(e.swd_ema),
                      cell(e.r_t, 4), cell(e.d_train, 4), cell(e.d_holdout, 4),
                      cell(e.augment_p, 6), e.throughput->at(e.step).images_per_s);
  csv_.flush();
  if (!csv_) throw FileError(path_ + ": write failed");
}

}  // namespace dcgan
