// Reading a run folder for the report: config.yaml against the defaults, metrics.csv, train.log, the grids.
#include "dcgan/report/run_record.h"

#include "dcgan/config/config.h"
#include "dcgan/data/labels.h"
#include "dcgan/io/files.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace dcgan {
namespace {

constexpr size_t kMaxGridRows = 32;  // run.h's kMaxGridClasses: a conditional grid's rows (no torch header here)

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);) out.push_back(item);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

/// "section.key" -> the value as YAML writes it, in file order.
std::vector<std::pair<std::string, std::string>> flatten_config(const std::string& yaml, const std::string& origin) {
  std::vector<std::pair<std::string, std::string>> out;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw ReportError(origin + ": not YAML (" + e.what() + ")");
  }
  if (!root.IsMap()) throw ReportError(origin + ": not a config (a YAML map of sections)");
  for (const auto& section : root)
    if (section.second.IsMap()) {
      for (const auto& key : section.second)
        out.emplace_back(section.first.as<std::string>() + "." + key.first.as<std::string>(),
                         key.second.IsScalar() ? key.second.as<std::string>() : YAML::Dump(key.second));
    }
  return out;
}

/// What train.log says of the run's length and end, after its last start (a resume appends a new start).
void read_log(RunRecord& r, const std::string& log) {
  static const std::regex start(R"(training (\d+) steps)"), done(R"(done: (\d+) steps in ([0-9hms]+))");
  r.warnings = parse_log_warnings(log);
  std::smatch m;
  for (std::sregex_iterator it(log.begin(), log.end(), start), end; it != end; ++it) {
    r.steps_total = std::stoll((*it)[1]);
    r.finished = false;
    const size_t after = static_cast<size_t>(it->position() + it->length());
    const std::string rest = log.substr(after);
    if (std::regex_search(rest, m, done)) {
      r.finished = true;
      const std::string t = m[2];
      double seconds = 0, value = 0;
      for (char c : t) {
        if (std::isdigit(static_cast<unsigned char>(c))) value = value * 10 + (c - '0');
        else seconds += value * (c == 'h' ? 3600 : c == 'm' ? 60 : 1), value = 0;
      }
      r.seconds = seconds;
    }
  }
}

void read_config(RunRecord& r, const std::string& path) {
  r.config = flatten_config(read_file(path), path);
  std::map<std::string, std::string> defaults;
  for (auto& [key, value] : default_config()) defaults[key] = value;
  std::string classes, names;
  for (const auto& [key, value] : r.config) {
    const auto d = defaults.find(key);
    if (d == defaults.end() || d->second != value) r.changed.push_back(key);
    if (key == "model.num_classes") classes = value;
    if (key == "data.class_names") names = value;
  }
  if (!classes.empty() && classes != "0") {
    r.class_names = parse_class_names(names);
    if (r.class_names.size() > kMaxGridRows) r.class_names.resize(kMaxGridRows);
  }
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& default_config() {
  static const auto defaults = flatten_config(to_yaml(Config{}), "the defaults");  // fixed for the process
  return defaults;
}

std::vector<GridFrame> list_grids(const std::string& dir) {
  static const std::regex name(R"(step-(\d+)\.png)");
  std::vector<GridFrame> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::smatch m;
    const std::string file = entry.path().filename().string();
    if (entry.is_regular_file(ec) && std::regex_match(file, m, name))
      out.push_back({std::stoll(m[1]), entry.path().string()});
  }
  std::sort(out.begin(), out.end(), [](const GridFrame& a, const GridFrame& b) { return a.step < b.step; });
  return out;
}

std::optional<BestFigure> best_evaluation(const MetricsTable& metrics) {
  const auto col = [&](const char* name) {
    const auto it = std::find(metrics.columns.begin(), metrics.columns.end(), name);
    return it == metrics.columns.end() ? -1 : int(it - metrics.columns.begin());
  };
  const int step = col("step"), swd = col("swd"), ema = col("swd_ema");
  std::optional<BestFigure> best;
  for (const auto& row : metrics.rows) {
    for (int c : {swd, ema}) {
      if (c < 0 || step < 0 || !row[c] || !row[step]) continue;
      if (!best || *row[c] < best->swd) best = BestFigure{*row[c], int64_t(*row[step]), c == ema};
    }
  }
  return best;
}

MetricsTable parse_metrics(const std::string& text) {
  MetricsTable t;
  std::stringstream in(text);
  std::string line;
  if (!std::getline(in, line)) return t;
  t.columns = split(line, ',');
  for (int64_t number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split(line, ',');
    std::vector<std::optional<double>> row;
    std::string why = cells.size() != t.columns.size()
                          ? std::to_string(cells.size()) + " cells where the header has " +
                                std::to_string(t.columns.size())
                          : "";
    for (size_t i = 0; why.empty() && i < cells.size(); ++i) {
      if (cells[i].empty()) {
        row.emplace_back();
        continue;
      }
      char* end = nullptr;
      const double v = std::strtod(cells[i].c_str(), &end);
      if (end != cells[i].c_str() + cells[i].size() || !std::isfinite(v))
        why = "\"" + cells[i] + "\" in column " + t.columns[i] + " is not a number";
      row.push_back(v);
    }
    if (why.empty() && (!row[0] || (!t.rows.empty() && *row[0] <= *t.rows.back()[0])))
      why = "its step does not follow the line before";
    if (!why.empty()) {
      if (t.damaged++ == 0) t.first_damage = "line " + std::to_string(number) + ": " + why;
      continue;
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::vector<LogWarning> parse_log_warnings(const std::string& log) {
  static const std::regex progress(R"(\[(\d+)/\d+\]\[(\d+)/\d+\])"), per_epoch(R"((\d+) batches of \d+ per epoch)"),
      named(R"(\bstep (\d+)\b)"), level(R"(\] \[warning\] )");
  std::vector<LogWarning> out;
  int64_t batches = 0, step = 0;
  std::stringstream in(log);
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, m, per_epoch)) batches = std::stoll(m[1]);
    if (std::regex_search(line, m, level)) {
      const std::string text = m.suffix();
      std::smatch s;
      out.push_back({std::regex_search(text, s, named) ? std::stoll(s[1]) : step, text});
    } else if (batches > 0 && std::regex_search(line, m, progress)) {
      step = std::stoll(m[1]) * batches + std::stoll(m[2]) + 1;
    }
  }
  return out;
}

RunRecord read_run(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw ReportError(dir + ": not a folder");
  RunRecord r;
  r.dir = dir;
  r.name = fs::path(dir).lexically_normal().filename().string();
  if (r.name.empty()) r.name = fs::path(dir).lexically_normal().parent_path().filename().string();
  const std::string config = dir + "/config.yaml", log = dir + "/train.log", csv = dir + "/metrics.csv";
  if (!fs::exists(config, ec) && !fs::exists(log, ec) && !fs::exists(csv, ec))
    throw ReportError(dir + ": not a run folder (no config.yaml, train.log or metrics.csv; dcgan train writes them)");
  if (fs::exists(config, ec)) read_config(r, config);
  else r.missing.push_back("config.yaml");
  if (fs::exists(log, ec)) read_log(r, read_file(log));
  else r.missing.push_back("train.log");
  if (fs::exists(csv, ec)) {
    r.metrics = parse_metrics(read_file(csv));
    if (r.metrics.damaged > 0)
      r.missing.push_back("metrics.csv: " + std::to_string(r.metrics.damaged) + " damaged line(s) skipped, " +
                          r.metrics.first_damage);
    if (r.metrics.rows.empty() && r.metrics.damaged == 0) r.missing.push_back("metrics.csv (no steps logged yet)");
  } else {
    r.missing.push_back("metrics.csv (no steps logged yet)");
  }
  r.grids = list_grids(dir + "/samples");
  r.grids_ema = list_grids(dir + "/samples/ema");
  if (r.grids.empty()) r.missing.push_back("samples/step-*.png (no sample grid yet)");
  if (fs::exists(dir + "/real_vs_fake.png", ec)) r.real_vs_fake = dir + "/real_vs_fake.png";
  else if (!r.grids.empty()) r.missing.push_back("real_vs_fake.png (drawn at each sample step)");
  return r;
}

}  // namespace dcgan
