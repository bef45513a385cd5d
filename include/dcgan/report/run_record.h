// What a run folder holds, read for the report page: config, metrics, log warnings, sample grids. No torch here.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dcgan {

/// A folder that cannot be reported on at all (not a run). what() names the folder and what it lacks.
struct ReportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// metrics.csv as read: its header and one row of numbers per step (nullopt for an empty cell).
struct MetricsTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<double>>> rows;
  int64_t damaged = 0;               // lines that could not be read (skipped, counted)
  std::string first_damage;          // the first of them: "line N: why"
};

/// A warning of train.log with the step it came at (0: before the first step).
struct LogWarning {
  int64_t step = 0;
  std::string text;
};

/// One fixed-noise grid of samples/ (or samples/ema/): its step and the file.
struct GridFrame {
  int64_t step = 0;
  std::string path;
};

/// A run folder as the report shows it. Missing parts are listed in `missing`, never fatal alone.
struct RunRecord {
  std::string dir;
  std::string name;                                        // the folder's name
  std::vector<std::pair<std::string, std::string>> config; // every key of config.yaml, "section.key" -> value
  std::vector<std::string> changed;                        // the keys whose value differs from Config{}'s
  MetricsTable metrics;
  std::vector<LogWarning> warnings;
  std::vector<GridFrame> grids, grids_ema;                 // by step
  std::string real_vs_fake;                                // its path, or "" when absent
  int64_t steps_total = 0;                                 // the step the run was to reach (train.log), 0: unknown
  std::optional<double> seconds;                           // the run's time when train.log says it finished
  bool finished = false;                                   // train.log's "done:" after its last start
  std::vector<std::string> class_names;                    // a conditional model's rows, top to bottom
  std::vector<std::string> missing;                        // "metrics.csv (no steps logged yet)", ...
};

/// The best evaluation of a run: the lower SWD of G and of its average over metrics.csv's rows (as g-best.pt keeps).
struct BestFigure {
  double swd = 0;
  int64_t step = 0;
  bool ema = false;
};
std::optional<BestFigure> best_evaluation(const MetricsTable& metrics);

/// Config{} as a run folder's config.yaml holds it: "section.key" -> value, in schema order.
const std::vector<std::pair<std::string, std::string>>& default_config();

/// Reads metrics.csv text. A line of the wrong width or with a cell that is
/// not a number is damaged: skipped and counted.
MetricsTable parse_metrics(const std::string& text);

/// The warnings of train.log's text, each with the step it names ("step N") or else the step of the progress line
/// before it ("[e/E][b/B]", with the "N batches of B per epoch" of the log's start; 0 before the first).
std::vector<LogWarning> parse_log_warnings(const std::string& log);

/// The grids step-N.png in `dir` (a run's samples/ or samples/ema/), by step; none when `dir` is absent.
std::vector<GridFrame> list_grids(const std::string& dir);

/// Reads the run folder `dir`. Throws ReportError when `dir` is not a folder or holds neither config.yaml nor
/// train.log nor metrics.csv (not a run); a damaged or absent part is named in `missing` and the rest is read.
RunRecord read_run(const std::string& dir);

}  // namespace dcgan
