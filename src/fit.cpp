// fit: the training loop and its sinks.
#include "dcgan/fit.h"

#include "dcgan/checkpoint.h"
#include "dcgan/config.h"
#include "dcgan/data/dataset.h"
#include "dcgan/data/loader.h"
#include "dcgan/data/resident.h"
#include "dcgan/data/splitmix.h"
#include "dcgan/distributed.h"
#include "dcgan/files.h"
#include "dcgan/image_io.h"
#include "dcgan/metrics.h"
#include "dcgan/plots.h"
#include "dcgan/runtime.h"
#include "dcgan/signals.h"
#include "dcgan/step_runner.h"
#include "dcgan/trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <csignal>
#include <fstream>
#include <unistd.h>

namespace dcgan {
namespace {

// The sample grid is 8x8, as the tutorial's fixed_noise of 64 vectors.
constexpr int kSampleCount = 64;
constexpr int kSampleRows = 8;
// Image folders at least this large get a hint to prepare a cache.
constexpr int64_t kSuggestCacheAbove = 20000;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string format_duration(double s) {
  const auto total = static_cast<int64_t>(s + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total / 60) % 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

// Adds a file sink to the default logger for the lifetime of the object.
class LogFile {
 public:
  LogFile(const std::string& path, bool truncate) {
    sink_ = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, truncate);
    sink_->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogFile() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

 private:
  std::shared_ptr<spdlog::sinks::sink> sink_;
};

// A one-line progress display on stderr, only when stderr is a terminal.
class Progress {
 public:
  Progress(int64_t total, int64_t first)
      : total_(total), first_(first), tty_(::isatty(STDERR_FILENO) == 1), start_(Clock::now()) {}
  void update(int64_t step) {
    if (!tty_) return;
    const double elapsed = seconds_since(start_);
    const double rate = elapsed > 0 ? (step - first_) / elapsed : 0;
    const double eta = rate > 0 ? (total_ - step) / rate : 0;
    std::fprintf(stderr, "\r\033[Kstep %lld/%lld (%.0f%%)  %.2f steps/s  ETA %s", static_cast<long long>(step),
                 static_cast<long long>(total_), 100.0 * step / total_, rate, format_duration(eta).c_str());
    std::fflush(stderr);
  }
  void clear() {
    if (!tty_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }

 private:
  int64_t total_;
  int64_t first_;
  bool tty_;
  Clock::time_point start_;
};

void write_samples(Generator& g, const torch::Tensor& fixed_noise, const std::string& path) {
  if (!png_supported()) return;  // fit() warned once
  torch::NoGradGuard no_grad;
  g->eval();
  const torch::Tensor images = g->forward(fixed_noise);
  g->train();
  write_png(path, make_grid(images, GridOptions{kSampleRows, 2}));
}

// output.eval_images real images of `data` (a seeded choice, unreadable ones passed over), in [-1, 1] on the CPU.
torch::Tensor eval_set(const Dataset& data, int64_t wanted, uint64_t seed) {
  const auto order = epoch_permutation(data.size(), seed ^ 0x5eedULL, 0);
  const ImageShape s = data.shape();
  torch::Tensor u8 = torch::empty({std::min<int64_t>(wanted, data.size()), s.channels, s.height, s.width}, torch::kUInt8);
  int64_t have = 0, skipped = 0;
  for (int64_t i = 0; i < data.size() && have < u8.size(0); ++i) {
    try {
      data.read(order[static_cast<std::size_t>(i)], u8.data_ptr<uint8_t>() + have * s.bytes());
      ++have;
    } catch (const UnreadableImage&) {
      ++skipped;  // the loader warns about each file once
    }
  }
  if (skipped > 0) spdlog::warn("evaluation set: passed over {} unreadable image(s)", skipped);
  if (have < wanted) spdlog::info("evaluation set: {} real images (output.eval_images is {})", have, wanted);
  return u8.slice(0, 0, have).to(torch::kFloat).div_(127.5).sub_(1.0);
}

// The pictures of the run folder (losses.png, d_outputs.png, real_vs_fake.png, progress.png), redrawn at each
// sample step. They are conveniences: a failure to draw one is a warning, not the end of the run.
void write_pictures(const std::string& dir, Generator& g, const torch::Tensor& fixed_noise, const torch::Tensor& real) {
  try {
    write_metric_plots(dir);
    write_progress_strip(dir, dir + "/progress.png");
    torch::NoGradGuard no_grad;
    g->eval();
    const torch::Tensor fake = g->forward(fixed_noise);
    g->train();
    const int64_t n = std::min<int64_t>(real.size(0), fake.size(0));
    write_real_vs_fake(dir + "/real_vs_fake.png", real.slice(0, 0, n), fake.slice(0, 0, n));
  } catch (const std::exception& e) {
    spdlog::warn("plots not updated: {}", e.what());
  }
}

}  // namespace

namespace {

// metrics.csv of a resumed run: the rows up to `step` (those the checkpoint accounts for) are kept, later rows
// (written after the checkpoint by the run that stopped) are dropped.
void truncate_metrics(const std::string& path, int64_t step) {
  std::ifstream in(path);
  std::string kept, line;
  if (!std::getline(in, line)) return;
  kept += line + "\n";
  while (std::getline(in, line)) {
    if (std::stoll(line.substr(0, line.find(','))) > step) break;
    kept += line + "\n";
  }
  write_file_atomic(path, kept);
}

// Distributed runs: ranks other than 0 log warnings and errors only (rank 0 speaks for the run); restored after.
class RankLogging {
 public:
  explicit RankLogging(bool quiet) : level_(spdlog::default_logger()->level()), quiet_(quiet) {
    if (quiet_) spdlog::default_logger()->set_level(spdlog::level::warn);
  }
  ~RankLogging() {
    if (quiet_) spdlog::default_logger()->set_level(level_);
  }
  RankLogging(const RankLogging&) = delete;
  RankLogging& operator=(const RankLogging&) = delete;

 private:
  spdlog::level::level_enum level_;
  bool quiet_;
};

// The seed of rank r's random stream after the shared initialisation (r > 0; rank 0 keeps the single-process
// stream): draw r of the SplitMix64 stream seeded with train.seed, so that ranks draw different noise.
uint64_t rank_seed(uint64_t seed, int rank) {
  return splitmix64(seed + 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(rank)) & 0x7fffffffffffffffULL;
}

// dist.check_every: every rank hashes its G and D weights; all ranks compare all hashes, so all stop together when
// they differ.
void check_identical_weights(ProcessGroup& group, Trainer& trainer, int64_t step) {
  const auto g = group.all_gather(static_cast<int64_t>(hash_tensors(trainer.generator()->parameters())));
  const auto d = group.all_gather(static_cast<int64_t>(hash_tensors(trainer.discriminator()->parameters())));
  const auto hex = [](const std::vector<int64_t>& v) {
    std::vector<std::string> out;
    for (int64_t x : v) out.push_back(fmt::format("{:016x}", static_cast<uint64_t>(x)));
    return out;
  };
  for (std::size_t r = 1; r < g.size(); ++r)
    if (g[r] != g[0] || d[r] != d[0])
      throw TrainingError(fmt::format("step {}: the ranks hold different weights (G: {}; D: {}); the gradient "
                                      "averaging is broken",
                                      step, fmt::join(hex(g), " "), fmt::join(hex(d), " ")));
  spdlog::info("step {}: G and D weights identical on {} ranks (G {}, D {})", step, g.size(), hex(g)[0], hex(d)[0]);
}

}  // namespace

FitResult fit(const Config& config, const std::string& resume_from, const DistEnv* dist) {
  validate(config);
  const bool distributed = dist != nullptr && dist->distributed();
  const int rank = distributed ? dist->rank : 0;
  const int world = distributed ? dist->world_size : 1;
  const bool leader = rank == 0;
  const RankLogging rank_logging(!leader);
  // LOCAL_WORLD_SIZE ranks share this machine's cores: train.threads = 0 gives each its share.
  int threads = configure_threads(config.train.threads);
  if (distributed && config.train.threads == 0 && dist->local_world_size > 1)
    threads = configure_threads(std::max(1, threads / dist->local_world_size));
  std::string device_spec = config.train.device;
  if (distributed && (device_spec == "cuda" || (device_spec == "auto" && cuda_available())))
    device_spec = fmt::format("cuda:{}", dist->local_rank);  // one GPU per local rank, as torchrun's users expect
  const torch::Device device = resolve_device(device_spec);
  configure_device(config, device);

  // Everything that can reject the input happens before the first write. A distributed run meets first, so that a
  // bad launch (port, address, world size) fails before anything else is done.
  std::unique_ptr<ProcessGroup> group;
  if (distributed) {
    ProcessGroupOptions po;
    po.backend = config.dist.backend != "auto" ? config.dist.backend
                                               : (device.is_cuda() && has_nccl() ? "nccl" : "gloo");
    po.timeout = std::chrono::seconds(config.dist.timeout_s);
    po.device = device;
    group = std::make_unique<ProcessGroup>(*dist, po);
  }
  seed_everything(static_cast<uint64_t>(config.train.seed));
  Trainer trainer(config, device);  // built right after seeding, G then D, as the tutorial does
  torch::Tensor fixed_noise = torch::randn({kSampleCount, config.model.nz, 1, 1}).to(device);
  if (group) {
    // Every rank starts from rank 0's weights (as DistributedDataParallel's constructor does), then draws noise
    // from a stream of its own.
    group->broadcast(trainer.generator()->parameters());
    group->broadcast(trainer.discriminator()->parameters());
    trainer.reset_ema();
    if (rank > 0) seed_everything(rank_seed(static_cast<uint64_t>(config.train.seed), rank));
    trainer.set_gradient_hook([g = group.get()](const std::vector<torch::Tensor>& p) { g->average_gradients(p); });
  }
  int64_t start_step = 0;
  BestEval best;
  if (!resume_from.empty()) {
    LoadedCheckpoint ckpt = load_checkpoint(resume_from, trainer);
    const auto diffs = differing_identity_keys(ckpt.config, config);
    if (!diffs.empty())
      throw CheckpointError(fmt::format("{}: cannot resume with a different model, data or optimiser ({})",
                                        resume_from, fmt::join(diffs, "; ")));
    if (ckpt.world_size != world)
      throw CheckpointError(fmt::format("{}: written by a run of {} rank(s), and this run has {}; resume with the "
                                        "same number of ranks (WORLD_SIZE, or --nproc)",
                                        resume_from, ckpt.world_size, world));
    start_step = ckpt.at.step;
    best = ckpt.best;
    if (trainer.has_ema() && !ckpt.had_ema)
      spdlog::warn("{}: holds no moving average of G; it starts again from the checkpoint's G", resume_from);
    fixed_noise = ckpt.fixed_noise.to(device);
    restore_rng(rank == 0 ? ckpt.rng : ckpt.other_ranks[static_cast<std::size_t>(rank - 1)]);
  }
  const auto data = open_dataset(config.data, static_cast<uint64_t>(config.train.seed));
  const ImageShape shape = data->shape();
  const int64_t per_epoch = Loader::batches_per_epoch(*data, config.train.batch_size, world);  // throws when < 1
  const int64_t total = config.train.steps > 0 ? config.train.steps : config.train.epochs * per_epoch;
  const int64_t epochs = (total + per_epoch - 1) / per_epoch;

  // The fixed evaluation set: real images chosen once, and noise from a generator of its own (the training run's
  // random stream is the same with evaluation on or off).
  torch::Tensor eval_real, eval_noise;
  SwdOptions swd_options;
  swd_options.seed = static_cast<uint64_t>(config.train.seed);
  if (leader && config.output.eval_every > 0 && total >= config.output.eval_every) {
    // On the training device: the distance is computed there (sorting is its cost; GPUs sort fast).
    eval_real = eval_set(*data, config.output.eval_images, static_cast<uint64_t>(config.train.seed)).to(device);
    at::Generator gen = at::detail::createCPUGenerator(static_cast<uint64_t>(config.train.seed) + 1);
    eval_noise = torch::randn({eval_real.size(0), config.model.nz, 1, 1}, gen, torch::kFloat);
  }

  const std::string& dir = config.output.dir;
  const bool resuming = !resume_from.empty();
  std::unique_ptr<LogFile> log_file;
  if (leader) {  // the only rank that writes
    ensure_writable_dir(dir);
    ensure_writable_dir(dir + "/samples");
    if (trainer.has_ema()) ensure_writable_dir(dir + "/samples/ema");
    ensure_writable_dir(dir + "/checkpoints");
    write_file_atomic(dir + "/config.yaml", to_yaml(config));
    if (resuming) truncate_metrics(dir + "/metrics.csv", start_step);
    log_file = std::make_unique<LogFile>(dir + "/train.log", /*truncate=*/!resuming);
  }
  // The data path: resident on the device (decoded once, gathered there) or the Loader's background thread.
  // Constructed after the log file, so destroyed (the worker joined) before the worker's warnings lose their sink.
  const int64_t data_bytes = ResidentBatches::bytes_for(*data);
  const bool on_device = resolve_switch(
      config.train.data_on_device,
      device.is_cuda() && data_bytes <= static_cast<int64_t>(config.train.data_on_device_max_mib) * (1 << 20));
  std::unique_ptr<ResidentBatches> resident;
  std::unique_ptr<Loader> loader;
  if (on_device) {
    const auto t0 = Clock::now();
    resident = std::make_unique<ResidentBatches>(*data, loader_options_for(config, start_step, rank, world), device);
    spdlog::info("data: {} images ({:.1f} MiB) resident on {} as uint8, decoded in {:.1f}s", data->size(),
                 data_bytes / 1048576.0, device.str(), seconds_since(t0));
  } else {
    loader = std::make_unique<Loader>(*data, loader_options_for(config, start_step, rank, world));  // a batch a step
  }
  auto data_wait = [&] { return loader ? loader->wait_seconds() : 0.0; };
  auto data_skipped = [&] { return loader ? loader->skipped() : resident->skipped(); };
  std::ofstream csv;
  if (leader) {
    csv.open(dir + "/metrics.csv", resuming ? std::ios::app : std::ios::trunc);
    if (!csv) throw FileError(dir + "/metrics.csv: cannot open for writing");
    if (!resuming) csv << "step,epoch,loss_d,loss_g,d_x,d_g_z1,d_g_z2,swd,swd_ema,images_per_s\n";
  }

  spdlog::info("dcgan: LibTorch {} on {}, {} CPU thread(s)", torch_version(), device.str(), threads);
  if (group)
    spdlog::info("distributed: {} ranks ({} backend, timeout {}s), {} per rank, global batch {}; this is rank 0 on "
                 "{}:{}",
                 world, group->backend(), config.dist.timeout_s, config.train.batch_size,
                 static_cast<int64_t>(config.train.batch_size) * world, dist->master_addr, dist->master_port);
  // CUDA graphs are not used with a process group: a Gloo collective cannot be captured.
  const bool graphs = resolve_switch(config.train.cuda_graphs, device.is_cuda()) && !group;
  if (group && leader && config.train.cuda_graphs == "true")
    spdlog::warn("train.cuda_graphs: off in distributed runs (the gradient all-reduce is not captured)");
  StepRunner runner(trainer, StepRunnerOptions{graphs, 3});
  const TrainerSettings& ts = trainer.settings();
  spdlog::info("speed settings: precision {}, channels_last {}, fused_adam {}, cuda_graphs {}, data_on_device {}, "
               "transpose_via_conv {}",
               ts.bf16 ? "bf16" : "fp32", ts.channels_last, ts.fused_adam,
               graphs && runner.eager_reason().empty(), on_device,
               ts.transpose_via_conv);
  if (leader && !png_supported())
    spdlog::warn("this dcgan was built without libpng or OpenCV: sample grids and plots are not written");
  else if (leader && !DCGAN_WITH_OPENCV)
    spdlog::warn("this dcgan was built without OpenCV (DCGAN_WITH_OPENCV=OFF): plots are not drawn");
  if (group)
    spdlog::info("data: {}; {} global batches of {} ({} per rank) per epoch", data->describe(), per_epoch,
                 static_cast<int64_t>(config.train.batch_size) * world, config.train.batch_size);
  else
    spdlog::info("data: {}; {} batches of {} per epoch", data->describe(), per_epoch, config.train.batch_size);
  if (config.data.cache.empty() && data->size() >= kSuggestCacheAbove && detect_format(config.data.path) == "folder")
    spdlog::info("tip: decoding {} images every epoch costs CPU time the training step could use; decode them once "
                 "with: dcgan prepare --data {} --image-size {} --channels {} --out CACHE, then set data.cache=CACHE",
                 data->size(), config.data.path, config.data.image_size, config.data.channels);
  if (resuming)
    spdlog::info("resuming from {} at step {} of {}", resume_from, start_step, total);
  else
    spdlog::info("training {} steps ({} epoch(s)) into {}", total, epochs, dir);

  FitResult result;
  result.run_dir = dir;
  result.steps = start_step;
  std::string last_checkpoint = resume_from;
  TrainingPosition at{start_step, start_step / per_epoch};
  auto write_checkpoint = [&] {
    const RngState rng = capture_rng();
    std::vector<RngState> others;
    if (group) {  // every rank's state, for an exact resume
      const auto all = group->all_gather(rng_to_bytes(rng));
      for (std::size_t r = 1; r < all.size(); ++r) others.push_back(rng_from_bytes(all[r], rng));
    }
    if (!leader) return;
    const std::string path = checkpoint_path(dir, at.step);
    save_checkpoint(path, trainer, config, at, fixed_noise, rng, best, others);
    publish_checkpoint(dir, at.step, config.output.keep_checkpoints);
    last_checkpoint = path;
  };

  Progress progress(total, start_step);
  const auto start = Clock::now();
  auto interval_start = start;
  int64_t interval_steps = 0;
  int64_t checked_step = start_step;
  double last_wait = 0;

  for (int64_t step = start_step + 1; step <= total; ++step) {
    torch::Tensor real;
    int64_t batch_epoch = 0, batch_index = 0;
    if (resident) {
      ResidentBatches::Next next = resident->next();
      real = normalize_batch(next.u8);
      batch_epoch = next.epoch;
      batch_index = next.index;
    } else {
      const Batch batch = loader->next();
      real = to_training_batch(batch, shape, device);
      batch_epoch = batch.epoch;
      batch_index = batch.index;
    }
    const StepStats stats = runner.step(real);
    ++interval_steps;
    at.step = step;
    at.epoch = step / per_epoch;
    result.steps = step;

    const bool log_now = step % config.output.log_every == 0 || step == total;
    bool stopping = stop_signal() != 0;
    if (group) {
      // The ranks agree before acting on a signal: every step with Gloo (a host-side all-reduce), at log steps with
      // NCCL (reading the result syncs with the device).
      const bool agree_now = group->backend() == "gloo" || log_now;
      stopping = agree_now && group->all_reduce_sum(stopping ? 1 : 0) > 0;
    }
    const bool sample_now = step % config.output.sample_every == 0 || step == total;
    const bool checkpoint_now = step % config.output.checkpoint_every == 0 || step == total || stopping;
    // The step counts non-finite losses on the device; reading the count syncs, so it is read only where the
    // host needs the step's results anyway (before logging, samples and checkpoints).
    if (log_now || sample_now || checkpoint_now) {
      int64_t bad = trainer.nonfinite_steps().item<int64_t>();
      if (group) bad = group->all_reduce_sum(bad);  // every rank stops when one diverged
      if (bad > 0) {
        progress.clear();
        throw TrainingError(fmt::format(
            "step {}: the loss is not finite (in {} step(s) since step {}, the last check; Loss_D {}, Loss_G {}); "
            "training diverged and stopped. Last good checkpoint: {} (try a lower train.lr)",
            step, bad, checked_step, stats.loss_d.item<double>(), stats.loss_g.item<double>(),
            last_checkpoint.empty() ? std::string("none yet") : last_checkpoint));
      }
      checked_step = step;
    }
    if (group && config.dist.check_every > 0 && step % config.dist.check_every == 0)
      check_identical_weights(*group, trainer, step);
    std::string swd_cells = ",";
    double eval_seconds = 0;
    if (eval_real.defined() && step % config.output.eval_every == 0) {  // a log step too (validate)
      const auto eval_start = Clock::now();
      Generator* ema = trainer.has_ema() ? &trainer.ema() : nullptr;
      const double swd = sliced_wasserstein(eval_real, generate_images(trainer.generator(), eval_noise, device), swd_options).mean;
      const double swd_ema =
          ema ? sliced_wasserstein(eval_real, generate_images(*ema, eval_noise, device), swd_options).mean : NAN;
      swd_cells = ema ? fmt::format("{:.3f},{:.3f}", swd, swd_ema) : fmt::format("{:.3f},", swd);
      // The better of the two: early in a run the average lags behind G, later it is usually ahead.
      const bool ema_better = ema && swd_ema < swd;
      const double figure = ema_better ? swd_ema : swd;
      const bool better = figure < best.swd;
      if (better) {
        best = {figure, step};
        save_generator(dir + "/g-best.pt", trainer.generator(), config, at, ema);
      }
      eval_seconds = seconds_since(eval_start);
      progress.clear();
      spdlog::info("eval at step {}: SWD x1e3 of G {:.3f}{} on {} images in {:.1f}s; best {:.3f} at step {}{}", step,
                   swd, ema ? fmt::format(", of its EMA {:.3f}", swd_ema) : std::string(), eval_real.size(0),
                   eval_seconds, best.swd, best.step,
                   better ? fmt::format(" (saved g-best.pt; the better there is {})", ema_better ? "the EMA: sample it "
                                                                                                  "with --ema"
                                                                                                : "G")
                          : "");
    }
    if (log_now && leader) {
      const double elapsed = seconds_since(interval_start) - eval_seconds;  // training time only
      // All ranks' images: each trained interval_steps batches of train.batch_size in the same time.
      const double ips = elapsed > 0 ? static_cast<double>(interval_steps) * config.train.batch_size * world / elapsed
                                     : 0.0;
      const double wait = data_wait() - last_wait;
      const double loss_d = stats.loss_d.item<double>(), loss_g = stats.loss_g.item<double>();
      const double d_x = stats.d_x.item<double>(), z1 = stats.d_g_z1.item<double>(), z2 = stats.d_g_z2.item<double>();
      progress.clear();
      spdlog::info("[{}/{}][{}/{}]\tLoss_D: {:.4f}\tLoss_G: {:.4f}\tD(x): {:.4f}\tD(G(z)): {:.4f} / {:.4f}\t"
                   "images/s: {:.1f}\tdata wait: {:.2f}s",
                   batch_epoch, epochs, batch_index, per_epoch, loss_d, loss_g, d_x, z1, z2, ips, wait);
      csv << fmt::format("{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{},{:.1f}\n", step, batch_epoch, loss_d, loss_g,
                         d_x, z1, z2, swd_cells, ips);
      csv.flush();
      if (!csv) throw FileError(dir + "/metrics.csv: write failed");
      interval_start = Clock::now();
      interval_steps = 0;
      last_wait = data_wait();
    }
    if (leader && sample_now && png_supported()) {
      result.last_sample = fmt::format("{}/samples/step-{:06d}.png", dir, step);
      write_samples(trainer.generator(), fixed_noise, result.last_sample);
      if (trainer.has_ema()) write_samples(trainer.ema(), fixed_noise, fmt::format("{}/samples/ema/step-{:06d}.png", dir, step));
      if (DCGAN_WITH_OPENCV) write_pictures(dir, trainer.generator(), fixed_noise, real);
    }
    if (checkpoint_now) write_checkpoint();
    if (stopping) {
      progress.clear();
      if (leader)
        save_generator(dir + "/g.pt", trainer.generator(), config, at, trainer.has_ema() ? &trainer.ema() : nullptr);
      // A rank told to stop by the others (the signal reached another rank) reports SIGTERM's status.
      result.stopped_by_signal = stop_signal() != 0 ? stop_signal() : SIGTERM;
      spdlog::warn("stopped by signal {} after step {} of {}; checkpoint {}", result.stopped_by_signal, step, total,
                   last_checkpoint);
      spdlog::warn("resume with: dcgan train --resume {}", dir);
      result.seconds = seconds_since(start);
      return result;
    }
    progress.update(step);
  }
  progress.clear();
  if (start_step >= total) spdlog::info("nothing to do: the checkpoint is at step {}, train.steps is {}", start_step, total);

  if (group) {
    group->barrier();  // no rank leaves (closing its connections) while another still reduces
    const AllReduceStats& ar = group->gradient_stats();
    const int64_t steps_run = result.steps - start_step;
    if (steps_run > 0)
      spdlog::info("gradient all-reduce ({}): {} calls, {} bytes ({:.2f} MiB) and {:.1f} ms per step, {:.1f}% of the "
                   "loop's time",
                   group->backend(), ar.calls, ar.bytes / steps_run, ar.bytes / 1048576.0 / steps_run,
                   1e3 * ar.seconds / steps_run, 100.0 * ar.seconds / std::max(1e-9, seconds_since(start)));
  }
  if (leader)
    save_generator(dir + "/g.pt", trainer.generator(), config, at, trainer.has_ema() ? &trainer.ema() : nullptr);
  result.seconds = seconds_since(start);
  spdlog::info("data: skipped {} unreadable image(s); waited {:.1f}s for data in all", data_skipped(), data_wait());
  spdlog::info("done: {} steps in {}; generator in {}/g.pt, last samples in {}", result.steps,
               format_duration(result.seconds), dir,
               result.last_sample.empty() ? std::string("(none written)") : result.last_sample);
  return result;
}

}  // namespace dcgan
