// progress.gif from a run's sample grids (OpenCV reads them and draws the step), latent-walk frames.
#include "dcgan/report/animation.h"

#include "dcgan/io/files.h"
#include "dcgan/report/html_report.h"
#include "dcgan/report/run_record.h"

#include <stdexcept>

#if DCGAN_WITH_OPENCV
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#endif

namespace dcgan {
namespace {

constexpr int kBand = 18;  // pixels of the band under each frame that carries its step

#if DCGAN_WITH_OPENCV
cv::Mat read_grid(const GridFrame& grid) {
  cv::Mat bgr = cv::imread(grid.path, cv::IMREAD_COLOR);
  if (bgr.empty()) throw FileError(grid.path + ": cannot read this sample grid");
  return bgr;
}

GridImage labelled_frame(cv::Mat bgr, int64_t step, int width, int height) {
  if (bgr.cols != width || bgr.rows != height) cv::resize(bgr, bgr, cv::Size(width, height), 0, 0, cv::INTER_NEAREST);
  cv::Mat frame(height + kBand, width, CV_8UC3, cv::Scalar(0, 0, 0));
  bgr.copyTo(frame(cv::Rect(0, 0, width, height)));
  cv::putText(frame, "step " + std::to_string(step), cv::Point(4, height + kBand - 5), cv::FONT_HERSHEY_SIMPLEX,
              0.45, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
  cv::cvtColor(frame, frame, cv::COLOR_BGR2RGB);
  GridImage out;
  out.height = frame.rows, out.width = frame.cols, out.channels = 3;
  out.pixels.assign(frame.data, frame.data + frame.total() * 3);
  return out;
}
#endif

}  // namespace

bool write_progress_gif(const std::string& run_dir, const std::string& path, int max_frames) {
#if DCGAN_WITH_OPENCV
  const std::vector<GridFrame> grids = list_grids(run_dir + "/samples");
  if (grids.empty()) return false;
  const cv::Mat last = read_grid(grids.back());  // every frame takes its size (spread_indices ends with it)
  std::vector<GridImage> frames;
  for (size_t i : spread_indices(grids.size(), static_cast<size_t>(std::max(1, max_frames))))
    frames.push_back(labelled_frame(i + 1 == grids.size() ? last : read_grid(grids[i]), grids[i].step, last.cols, last.rows));
  write_file_atomic(path, encode_gif(frames));
  return true;
#else
  (void)run_dir, (void)path, (void)max_frames;
  throw std::runtime_error("this dcgan was built without OpenCV: it cannot write progress.gif");
#endif
}

std::vector<GridImage> walk_frames(const float* images, int64_t walks, int64_t steps, int64_t c, int64_t h, int64_t w,
                                   int nrow) {
  const int64_t per_image = c * h * w;
  std::vector<int64_t> order;
  for (int64_t k = 0; k < steps; ++k) order.push_back(k);
  for (int64_t k = steps - 2; k >= 1; --k) order.push_back(k);
  std::vector<GridImage> frames;
  std::vector<float> batch(static_cast<size_t>(walks * per_image));
  for (int64_t k : order) {
    for (int64_t i = 0; i < walks; ++i)
      std::copy_n(images + (i * steps + k) * per_image, per_image, batch.begin() + i * per_image);
    frames.push_back(tile_grid(batch.data(), walks, c, h, w, GridOptions{nrow, 2}));
  }
  return frames;
}

}  // namespace dcgan
