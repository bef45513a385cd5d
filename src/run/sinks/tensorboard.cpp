// TensorBoardSink: a TensorBoard event file in the run folder, with the log's scalars and the sample grids.
#include "dcgan/run/sinks/tensorboard.h"

#include "dcgan/io/files.h"
#include "dcgan/report/image_io.h"
#include "dcgan/run/run.h"
#include "dcgan/run/throughput.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <numeric>

namespace dcgan {
namespace {

namespace fs = std::filesystem;

double now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 && name[0] ? name : "localhost";
}

bool is_event_file(const fs::path& p) { return p.filename().string().rfind("events.out.tfevents.", 0) == 0; }

// A new file name: events.out.tfevents.<unix time>.<host>, the time moved on by a second while the name is taken
// (a resume within the second of the run it continues).
std::string new_event_path(const std::string& dir) {
  const std::string host = host_name();
  for (auto t = static_cast<int64_t>(now());; ++t) {
    const std::string path = fmt::format("{}/events.out.tfevents.{}.{}", dir, t, host);
    if (!fs::exists(path)) return path;
  }
}

// Width and height of a PNG from its IHDR chunk (bytes 16-23, big-endian); 0, 0 if `png` is too short.
std::pair<int, int> png_size(const std::string& png) {
  if (png.size() < 24) return {0, 0};
  auto be = [&png](std::size_t at) {
    int v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(png[at + i]);
    return v;
  };
  return {be(16), be(20)};
}

// 30 equal buckets from the tensor's min to its max (one bucket when they are equal).
Histogram histogram_of(const torch::Tensor& tensor) {
  constexpr int kBuckets = 30;
  const torch::Tensor v = tensor.detach().to(torch::kCPU, torch::kDouble).flatten();
  Histogram h;
  h.min = v.min().item<double>();
  h.max = v.max().item<double>();
  h.num = static_cast<double>(v.numel());
  h.sum = v.sum().item<double>();
  h.sum_squares = (v * v).sum().item<double>();
  const int buckets = h.max > h.min ? kBuckets : 1;
  const torch::Tensor counts = torch::histc(v, buckets, h.min, h.max).contiguous();
  for (int i = 0; i < buckets; ++i) {
    h.bucket_limit.push_back(i + 1 == buckets ? h.max : h.min + (h.max - h.min) * (i + 1) / buckets);
    h.bucket.push_back(counts[i].item<double>());
  }
  return h;
}

}  // namespace

int64_t truncate_event_files(const std::string& dir, int64_t step) {
  int64_t dropped = 0;
  if (!fs::is_directory(dir)) return 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || !is_event_file(entry.path())) continue;
    const std::string path = entry.path().string();
    const EventRecords r = read_event_file(path);
    std::string kept;
    int64_t here = 0;
    for (const std::string& rec : r.records) {
      if (event_step(rec) > step) {
        ++here;
        continue;
      }
      kept += tfrecord(rec);
    }
    if (here > 0 || !r.complete) write_file_atomic(path, kept);
    dropped += here;
  }
  return dropped;
}

TensorBoardSink::TensorBoardSink(const Run& run)
    : log_every_(run.config.output.log_every),
      sample_every_(png_supported() ? run.config.output.sample_every : 0),
      checkpoint_every_(run.config.output.checkpoint_every),
      total_(run.total) {
  if (!run.config.output.tensorboard) return;
  int64_t every = sample_every_ > 0 ? std::gcd(log_every_, sample_every_) : log_every_;
  if (checkpoint_every_ > 0) every = std::gcd(every, checkpoint_every_);
  schedule_ = {every, true};
}

void TensorBoardSink::on_start(Run& run) {
  if (!run.config.output.tensorboard) return;
  if (run.resuming()) {
    const int64_t dropped = truncate_event_files(run.dir(), run.start_step);
    if (dropped > 0)
      spdlog::info("tensorboard: dropped {} record(s) after step {} from the earlier event files", dropped,
                   run.start_step);
  }
  writer_ = std::make_unique<EventFileWriter>(new_event_path(run.dir()));
  writer_->write(event_file_version(now()));
}

void TensorBoardSink::scalar(int64_t step, const char* tag, double value) {
  writer_->write(event_scalar(now(), step, tag, static_cast<float>(value)));
}

void TensorBoardSink::image(int64_t step, const char* tag, const std::string& png_path) {
  const std::string png = read_file(png_path);
  const auto [width, height] = png_size(png);
  if (width == 0) throw FileError(png_path + ": not a PNG (TensorBoard's image of step " + std::to_string(step) + ")");
  const int colorspace = static_cast<unsigned char>(png[25]) == 0 ? 1 : 3;  // IHDR colour type 0: grey
  writer_->write(event_image(now(), step, tag, height, width, colorspace, png));
}

void TensorBoardSink::histograms(int64_t step, const std::string& prefix, const torch::nn::Module& module) {
  for (const auto& p : module.named_parameters())
    writer_->write(event_histogram(now(), step, prefix + p.key(), histogram_of(p.value())));
}

void TensorBoardSink::on_step(Run& run, StepEvent& e) {
  const bool log = due({log_every_, true}, e.step, total_);
  if (log) {
    const StepStats& s = *e.stats;
    scalar(e.step, "loss/d", s.loss_d.item<double>());
    scalar(e.step, "loss/g", s.loss_g.item<double>());
    scalar(e.step, "d/x", s.d_x.item<double>());
    scalar(e.step, "d/g_z1", s.d_g_z1.item<double>());
    scalar(e.step, "d/g_z2", s.d_g_z2.item<double>());
    scalar(e.step, "speed/images_per_s", e.throughput->at(e.step).images_per_s);
    if (e.r_t) scalar(e.step, "d/r_t", *e.r_t);
    if (e.d_train) scalar(e.step, "overfitting/d_train", *e.d_train);
    if (e.d_holdout) scalar(e.step, "overfitting/d_holdout", *e.d_holdout);
    if (e.augment_p) scalar(e.step, "augment/p", *e.augment_p);
    if (e.swd) scalar(e.step, "eval/swd", *e.swd);
    if (e.swd_ema) scalar(e.step, "eval/swd_ema", *e.swd_ema);
  }
  if (sample_every_ > 0 && due({sample_every_, true}, e.step, total_)) {
    image(e.step, "samples/g", run.last_sample);
    const std::string ema = fmt::format("{}/samples/ema/step-{:06d}.png", run.dir(), e.step);
    if (fs::exists(ema)) image(e.step, "samples/ema", ema);
  }
  if (due({checkpoint_every_, true}, e.step, total_)) {
    histograms(e.step, "weights/G/", *run.trainer->generator());
    histograms(e.step, "weights/D/", *run.trainer->discriminator());
  }
}

}  // namespace dcgan
