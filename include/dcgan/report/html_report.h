// report.html: one self-contained page showing one run or comparing several (uPlot charts, grid animation).
#pragma once

#include "dcgan/report/run_record.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dcgan {

/// What a running run knows of itself beyond its folder (the report sink's view); a finished folder needs none.
struct LiveStatus {
  int64_t step = 0;      // steps completed
  int64_t total = 0;     // the step the run is to reach
  double seconds = 0;    // this process's time so far
  std::string state = "running";  // or "finished", "stopped (resume with dcgan train --resume)"
};

/// How much of each run the page carries.
struct ReportOptions {
  /// Sample grids per run and network (G, its average) in the animation, evenly spaced, the first and the last
  /// always among them. A 64x64 RGB grid is ~0.4 MB of PNG: 40 keep a long run's page near 20 MB per network.
  int max_frames = 40;
};

/// The page for `runs` (one: that run's report; several: their configs side by side with differences marked, their
/// curves overlaid, their grids next to each other), self-contained: the chart library (uPlot 1.6.32, MIT, kept in
/// src/report/assets/uplot), the page's script and every image are inside it, so it opens from disk with no network.
/// `live` applies to the first run. Images that cannot be read are left out and named on the page.
std::string render_report(const std::vector<RunRecord>& runs, const std::optional<LiveStatus>& live,
                          const ReportOptions& options = {});

/// Indices of at most `max` of `n` items, evenly spaced, the first and the last included.
std::vector<size_t> spread_indices(size_t n, size_t max);

/// The base64 of `bytes` (RFC 4648, with padding), for data: URIs.
std::string base64(const std::string& bytes);

}  // namespace dcgan
