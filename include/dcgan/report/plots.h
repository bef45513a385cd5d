// Plots a user looks at after a run, drawn with OpenCV into the run folder: losses, D's outputs, real vs fake, and
// the fixed-noise grids over time (the figures of the PyTorch DCGAN tutorial).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace dcgan {

// One line of a plot: y against x, in an RGB colour.
struct PlotSeries {
  std::string name;
  std::vector<double> x, y;
  int r = 0, g = 0, b = 0;
};

// A line plot with axes, ticks, labels and a legend, as PNG (written atomically). Throws FileError naming the path
// (also when this build has no OpenCV).
void write_line_plot(const std::string& path, const std::string& title, const std::string& x_label,
                     const std::string& y_label, const std::vector<PlotSeries>& series);

// From <run_dir>/metrics.csv: losses.png (Loss_G and Loss_D against iteration, the tutorial's figure) and
// d_outputs.png (D(x), D(G(z)) before and after D's update); swd.png where evaluated, overfitting.png (r_t, D on
// training and held-back images) where logged. Returns the files written (none for an empty csv).
std::vector<std::string> write_metric_plots(const std::string& run_dir);

// A real batch beside a fake one (each an 8-column grid, [N, C, H, W] in [-1, 1]) under "Real Images" and
// "Fake Images", as the tutorial's last figure.
void write_real_vs_fake(const std::string& path, const torch::Tensor& real, const torch::Tensor& fake);

// The fixed-noise grids of <run_dir>/samples/step-*.png side by side, at most `max_frames` of them evenly spaced
// (the last always included), each labelled with its step: the tutorial's progress animation as one strip.
// Returns false when there are no sample grids yet.
bool write_progress_strip(const std::string& run_dir, const std::string& path, int max_frames = 8);

}  // namespace dcgan
