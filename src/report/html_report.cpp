// report.html: the runs' data as JSON inside one page with uPlot and the page's script (src/report/assets).
#include "dcgan/report/html_report.h"

#include "dcgan/config/config.h"
#include "dcgan/io/files.h"
#include "report_assets.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>

namespace dcgan {
namespace {

using nlohmann::json;

/// A data: URI of the PNG at `path`, or "" (and a note in `missing`) when it cannot be read.
std::string png_uri(const std::string& path, json& missing) {
  try {
    const std::string bytes = read_file(path);
    if (bytes.size() < 8 || bytes.compare(1, 3, "PNG") != 0) throw FileError(path + ": not a PNG");
    return "data:image/png;base64," + base64(bytes);
  } catch (const std::exception& e) {
    missing.push_back(std::string(e.what()));
    return "";
  }
}

json frames_json(const std::vector<GridFrame>& grids, int max_frames, json& missing) {
  json out = json::array();
  for (size_t i : spread_indices(grids.size(), static_cast<size_t>(std::max(1, max_frames)))) {
    std::string src = png_uri(grids[i].path, missing);
    if (!src.empty()) out.push_back({{"step", grids[i].step}, {"src", std::move(src)}});
  }
  return out;
}

json metrics_json(const MetricsTable& m) {
  json rows = json::array();
  for (const auto& row : m.rows) {
    json r = json::array();
    for (const auto& v : row) r.push_back(v ? json(*v) : json(nullptr));
    rows.push_back(std::move(r));
  }
  return {{"columns", m.columns}, {"rows", std::move(rows)}};
}

/// The median of a metrics column over its non-empty cells.
std::optional<double> column_median(const MetricsTable& m, const std::string& column) {
  const auto it = std::find(m.columns.begin(), m.columns.end(), column);
  if (it == m.columns.end()) return std::nullopt;
  std::vector<double> v;
  for (const auto& row : m.rows)
    if (const auto& cell = row[it - m.columns.begin()]) v.push_back(*cell);
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

json status_json(const RunRecord& r, const std::optional<LiveStatus>& live) {
  json s;
  const int64_t logged = r.metrics.rows.empty() ? 0 : int64_t(*r.metrics.rows.back()[0]);
  s["step"] = live ? live->step : logged;
  s["total"] = live ? live->total : r.steps_total;
  s["state"] = live ? live->state
                    : (r.finished ? "finished" : "not finished (running, stopped or killed)");
  if (live) s["seconds"] = live->seconds;
  else if (r.seconds) s["seconds"] = *r.seconds;
  if (const auto ips = column_median(r.metrics, "images_per_s")) s["images_per_s"] = *ips;
  if (const auto best = best_evaluation(r.metrics)) {
    std::error_code ec;
    s["best"] = {{"swd", best->swd}, {"step", best->step}, {"network", best->ema ? "the average of G" : "G"},
                 {"file", std::filesystem::exists(r.dir + "/g-best.pt", ec)}};
  }
  return s;
}

json config_json(const RunRecord& r, const std::map<std::string, std::string>& defaults) {
  json out = json::array();
  for (const auto& [key, value] : r.config) {
    const bool changed = std::find(r.changed.begin(), r.changed.end(), key) != r.changed.end();
    const auto d = defaults.find(key);
    out.push_back({{"key", key}, {"value", value}, {"changed", changed},
                   {"default", d == defaults.end() ? json(nullptr) : json(d->second)}});
  }
  return out;
}

json run_json(const RunRecord& r, const std::optional<LiveStatus>& live, const ReportOptions& options,
              const std::map<std::string, std::string>& defaults) {
  json missing = r.missing;
  json run = {{"name", r.name}, {"dir", r.dir}, {"status", status_json(r, live)}};
  run["config"] = config_json(r, defaults);
  run["warnings"] = json::array();
  for (const auto& w : r.warnings) run["warnings"].push_back({{"step", w.step}, {"text", w.text}});
  run["metrics"] = metrics_json(r.metrics);
  run["frames"] = frames_json(r.grids, options.max_frames, missing);
  run["frames_ema"] = frames_json(r.grids_ema, options.max_frames, missing);
  run["frames_total"] = r.grids.size();
  run["real_vs_fake"] = r.real_vs_fake.empty() ? json(nullptr) : json(png_uri(r.real_vs_fake, missing));
  run["class_names"] = r.class_names;
  run["missing"] = std::move(missing);
  return run;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

/// JSON for inside a <script> element: "</" would end the element, "<!--" open a comment.
std::string script_safe(std::string s) {
  for (size_t at = 0; (at = s.find('<', at)) != std::string::npos; at += 6) s.replace(at, 1, "\\u003c");
  return s;
}

}  // namespace

std::vector<size_t> spread_indices(size_t n, size_t max) {
  std::vector<size_t> out;
  if (n == 0 || max == 0) return out;
  if (n <= max) {
    for (size_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  if (max == 1) return {n - 1};
  for (size_t k = 0; k < max; ++k) out.push_back((k * (n - 1) + (max - 1) / 2) / (max - 1));
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string base64(const std::string& bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8 | uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | (two ? uint32_t(uint8_t(bytes[i + 1])) << 8 : 0);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += two ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string render_report(const std::vector<RunRecord>& runs, const std::optional<LiveStatus>& live,
                          const ReportOptions& options) {
  std::map<std::string, std::string> defaults;
  for (auto& [key, value] : default_config()) defaults[key] = value;
  json data = {{"generated", utc_now()}, {"runs", json::array()}};
  for (size_t i = 0; i < runs.size(); ++i)
    data["runs"].push_back(run_json(runs[i], i == 0 ? live : std::nullopt, options, defaults));
  std::string title = runs.size() == 1 ? "dcgan run " + runs[0].name : "dcgan: " + std::to_string(runs.size()) + " runs";
  std::string page;
  page += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  for (char c : title) page += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  page += "</title>\n<style>\n" + std::string(assets::kUplotCss) + "\n" + assets::kReportCss + "\n</style>\n</head>\n";
  page += "<body>\n<noscript>This report draws its charts with JavaScript: allow scripts for this file.</noscript>\n";
  page += "<div id=\"app\"></div>\n<!-- The charts are drawn by uPlot 1.6.32 (https://github.com/leeoniya/uPlot):\n" +
          std::string(assets::kUplotLicense) + "-->\n<script type=\"application/json\" id=\"dcgan-data\">";
  // A path or log line that is not UTF-8 (a Latin-1 folder name) becomes U+FFFD rather than an exception.
  page += script_safe(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  page += "</script>\n<script>\n" + std::string(assets::kUplotJs) + "\n</script>\n<script>\n" + assets::kReportJs +
          "\n</script>\n</body></html>\n";
  return page;
}

}  // namespace dcgan
