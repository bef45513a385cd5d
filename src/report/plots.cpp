// Plots drawn with OpenCV: line plots from metrics.csv, real vs fake, the progress strip.
#include "dcgan/report/plots.h"

#include "dcgan/io/files.h"
#include "dcgan/report/image_io.h"
#include "dcgan/report/run_record.h"

#include <fmt/format.h>

#if DCGAN_WITH_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#endif

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <tuple>

namespace dcgan {
namespace {

#if DCGAN_WITH_OPENCV
void write_mat(const std::string& path, const cv::Mat& bgr) {
  std::vector<uchar> png;
  if (!cv::imencode(".png", bgr, png)) throw FileError(path + ": PNG encoding failed");
  write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

cv::Mat grid_mat(const torch::Tensor& images) {
  const GridImage g = make_grid(images, GridOptions{8, 2});
  cv::Mat view(g.height, g.width, g.channels == 1 ? CV_8UC1 : CV_8UC3, const_cast<std::uint8_t*>(g.pixels.data()));
  cv::Mat bgr;
  if (g.channels == 3) cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
  else cv::cvtColor(view, bgr, cv::COLOR_GRAY2BGR);
  return bgr;
}

// "Nice" tick spacing for a range: 1, 2 or 5 times a power of ten, about `count` ticks.
double tick_step(double span, int count) {
  const double raw = span / std::max(1, count);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * p) return m * p;
  return 10 * p;
}

std::string tick_label(double v) {
  if (std::abs(v) >= 1e4 || (std::abs(v) < 1e-3 && v != 0)) return fmt::format("{:.0e}", v);
  std::string s = fmt::format("{:.3f}", v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}
#endif

#if !DCGAN_WITH_OPENCV
[[noreturn]] void no_opencv(const std::string& path) {
  throw FileError(path + ": cannot draw plots: this dcgan was built without OpenCV (DCGAN_WITH_OPENCV=OFF)");
}
#endif

}  // namespace

void write_line_plot(const std::string& path, const std::string& title, const std::string& x_label,
                     const std::string& y_label, const std::vector<PlotSeries>& series) {
#if !DCGAN_WITH_OPENCV
  (void)title, (void)x_label, (void)y_label, (void)series;
  no_opencv(path);
#else
  const int width = 1000, height = 500, left = 80, right = 20, top = 40, bottom = 60;
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto& s : series)
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]), y0 = std::min(y0, s.y[i]), y1 = std::max(y1, s.y[i]);
    }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  const double pad = 0.05 * (y1 - y0);
  y0 -= pad, y1 += pad;
  const int pw = width - left - right, ph = height - top - bottom;
  auto px = [&](double x) { return left + static_cast<int>(std::lround((x - x0) / (x1 - x0) * pw)); };
  auto py = [&](double y) { return top + ph - static_cast<int>(std::lround((y - y0) / (y1 - y0) * ph)); };
  const cv::Scalar axis(0, 0, 0), grid(225, 225, 225);
  const auto font = cv::FONT_HERSHEY_SIMPLEX;
  for (int k = 0; k < 2; ++k) {  // ticks and grid lines on both axes
    const double lo = k == 0 ? x0 : y0, hi = k == 0 ? x1 : y1, step = tick_step(hi - lo, k == 0 ? 8 : 6);
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
      if (std::abs(v) < 1e-9 * step) v = 0;  // no "-0" label
      if (k == 0) {
        cv::line(img, {px(v), top}, {px(v), top + ph}, grid, 1);
        cv::putText(img, tick_label(v), {px(v) - 15, top + ph + 20}, font, 0.45, axis, 1, cv::LINE_AA);
      } else {
        cv::line(img, {left, py(v)}, {left + pw, py(v)}, grid, 1);
        cv::putText(img, tick_label(v), {5, py(v) + 5}, font, 0.45, axis, 1, cv::LINE_AA);
      }
    }
  }
  cv::rectangle(img, {left, top}, {left + pw, top + ph}, axis, 1);
  for (const auto& s : series) {
    std::vector<cv::Point> pts;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      if (std::isfinite(s.y[i])) pts.emplace_back(px(s.x[i]), py(s.y[i]));
    if (!pts.empty()) cv::polylines(img, pts, false, cv::Scalar(s.b, s.g, s.r), 2, cv::LINE_AA);
  }
  int ly = top + 20;  // legend, top right
  for (const auto& s : series) {
    cv::line(img, {left + pw - 150, ly - 5}, {left + pw - 120, ly - 5}, cv::Scalar(s.b, s.g, s.r), 3, cv::LINE_AA);
    cv::putText(img, s.name, {left + pw - 112, ly}, font, 0.5, axis, 1, cv::LINE_AA);
    ly += 22;
  }
  cv::putText(img, title, {left, 25}, font, 0.7, axis, 2, cv::LINE_AA);
  cv::putText(img, x_label, {left + pw / 2 - 30, height - 15}, font, 0.55, axis, 1, cv::LINE_AA);
  cv::putText(img, y_label, {5, top - 10}, font, 0.5, axis, 1, cv::LINE_AA);
  write_mat(path, img);
#endif
}

// For each of `columns`, the (step, value) pairs of the rows where it has a value, into a copy of the matching
// `styles` entry (name and colour); columns without any value are left out.
static std::vector<PlotSeries> rows_with_values(std::map<std::string, std::vector<double>>& cols,
                                                std::vector<PlotSeries> styles,
                                                const std::vector<std::string>& columns) {
  std::vector<PlotSeries> out;
  const auto& step = cols["step"];
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (!cols.count(columns[c])) continue;
    PlotSeries s = styles[c];
    const auto& values = cols[columns[c]];
    for (std::size_t i = 0; i < step.size() && i < values.size(); ++i)
      if (std::isfinite(values[i])) s.x.push_back(step[i]), s.y.push_back(values[i]);
    if (!s.x.empty()) out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> write_metric_plots(const std::string& run_dir) {
  const std::string csv = run_dir + "/metrics.csv";
  std::error_code ec;
  if (!std::filesystem::exists(csv, ec)) return {};
  const MetricsTable table = parse_metrics(read_file(csv));  // the report's reader: damaged lines skipped
  std::map<std::string, std::vector<double>> cols;  // by header name, NaN for an empty cell
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    std::vector<double>& col = cols[table.columns[c]];
    for (const auto& row : table.rows) col.push_back(row[c] ? *row[c] : NAN);
  }
  for (const char* need : {"step", "loss_d", "loss_g", "d_x", "d_g_z1", "d_g_z2"})
    if (!cols.count(need) || cols[need].empty()) return {};
  const auto& step = cols["step"];
  const std::string losses = run_dir + "/losses.png", d_out = run_dir + "/d_outputs.png";
  write_line_plot(losses, "Generator and Discriminator Loss During Training", "iterations", "Loss",
                  {{"G", step, cols["loss_g"], 31, 119, 180}, {"D", step, cols["loss_d"], 255, 127, 14}});
  write_line_plot(d_out, "Discriminator outputs: D(x) on real, D(G(z)) before / after D's update", "iterations",
                  "probability",
                  {{"D(x)", step, cols["d_x"], 44, 160, 44},
                   {"D(G(z)) before", step, cols["d_g_z1"], 214, 39, 40},
                   {"D(G(z)) after", step, cols["d_g_z2"], 148, 103, 189}});
  std::vector<std::string> out = {losses, d_out};
  // SWD at the evaluated rows only.
  const auto swd = rows_with_values(cols, {{"G", {}, {}, 31, 119, 180}, {"EMA of G", {}, {}, 214, 39, 40}},
                                    {"swd", "swd_ema"});
  if (!swd.empty()) {
    out.push_back(run_dir + "/swd.png");
    write_line_plot(out.back(), "Sliced Wasserstein distance to real images (x 1e3, lower is better)", "iterations",
                    "SWD", swd);
  }
  // Is D winning: r_t, and D on training vs held-back images, where logged.
  const auto watch = rows_with_values(
      cols, {{"r_t", {}, {}, 31, 119, 180}, {"D(x) train", {}, {}, 44, 160, 44},
             {"D(x) held back", {}, {}, 214, 39, 40}, {"augmentation p", {}, {}, 148, 103, 189}},
      {"r_t", "d_train", "d_holdout", "augment_p"});
  if (!watch.empty()) {
    out.push_back(run_dir + "/overfitting.png");
    write_line_plot(out.back(), "Is D memorising? r_t, D(x) on training vs held-back images, augmentation p",
                    "iterations", "", watch);
  }
  return out;
}

void write_real_vs_fake(const std::string& path, const torch::Tensor& real, const torch::Tensor& fake) {
#if !DCGAN_WITH_OPENCV
  (void)real, (void)fake;
  no_opencv(path);
#else
  const cv::Mat a = grid_mat(real), b = grid_mat(fake);
  const int title = 40, gap = 20;
  cv::Mat canvas(std::max(a.rows, b.rows) + title, a.cols + gap + b.cols, CV_8UC3, cv::Scalar(255, 255, 255));
  a.copyTo(canvas(cv::Rect(0, title, a.cols, a.rows)));
  b.copyTo(canvas(cv::Rect(a.cols + gap, title, b.cols, b.rows)));
  cv::putText(canvas, "Real Images", {10, 28}, cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(0, 0, 0), 2, cv::LINE_AA);
  cv::putText(canvas, "Fake Images", {a.cols + gap + 10, 28}, cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(0, 0, 0), 2,
              cv::LINE_AA);
  write_mat(path, canvas);
#endif
}

bool write_progress_strip(const std::string& run_dir, const std::string& path, int max_frames) {
  namespace fs = std::filesystem;
  std::vector<fs::path> frames;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(run_dir) / "samples", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("step-", 0) == 0 && e.path().extension() == ".png") frames.push_back(e.path());
  }
  if (frames.empty()) return false;
#if !DCGAN_WITH_OPENCV
  (void)max_frames;
  no_opencv(path);
#else
  std::sort(frames.begin(), frames.end());  // zero-padded steps sort in order
  std::vector<fs::path> chosen;
  const int n = static_cast<int>(frames.size()), k = std::min(n, std::max(1, max_frames));
  for (int i = 0; i < k; ++i) chosen.push_back(frames[static_cast<std::size_t>(k == 1 ? n - 1 : i * (n - 1) / (k - 1))]);
  std::vector<cv::Mat> tiles;
  const int side = 256, label = 30;
  for (const auto& f : chosen) {
    cv::Mat img = cv::imread(f.string(), cv::IMREAD_COLOR);
    if (img.empty()) continue;
    cv::Mat tile(side + label, side, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::Mat scaled;
    cv::resize(img, scaled, cv::Size(side, side), 0, 0, cv::INTER_AREA);
    scaled.copyTo(tile(cv::Rect(0, label, side, side)));
    const std::string stem = f.stem().string();  // step-NNNNNN
    const std::string text = "step " + std::to_string(std::stoll(stem.substr(5)));
    cv::putText(tile, text, {8, 21}, cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    tiles.push_back(tile);
  }
  if (tiles.empty()) return false;
  cv::Mat strip;
  cv::hconcat(tiles, strip);
  write_mat(path, strip);
  return true;
#endif
}

}  // namespace dcgan
