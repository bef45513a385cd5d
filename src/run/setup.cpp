// Setting a run up: device, threads, process group, trainer, resume, data; then the run folder and the batches.
#include "dcgan/run/run.h"

#include "dcgan/data/cache.h"
#include "dcgan/data/labels.h"
#include "dcgan/data/resident.h"
#include "dcgan/data/splitmix.h"
#include "dcgan/data/subset.h"
#include "dcgan/dist/distributed.h"
#include "dcgan/eval/mirror_check.h"
#include "dcgan/io/files.h"
#include "dcgan/report/image_io.h"
#include "dcgan/run/throughput.h"
#include "dcgan/runtime/cpu_features.h"
#include "dcgan/runtime/runtime.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace dcgan {
namespace {

// Image folders at least this large get a hint to prepare a cache.
constexpr int64_t kSuggestCacheAbove = 20000;

// Distributed runs: ranks other than 0 log warnings and errors only (rank 0 speaks for the run); restored after.
std::shared_ptr<void> quiet_rank(bool quiet) {
  if (!quiet) return nullptr;
  const auto level = spdlog::default_logger()->level();
  spdlog::default_logger()->set_level(spdlog::level::warn);
  return std::shared_ptr<void>(nullptr, [level](void*) { spdlog::default_logger()->set_level(level); });
}

// A file sink on the default logger for the lifetime of the returned holder.
std::shared_ptr<void> log_to_file(const std::string& path, bool truncate) {
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, truncate);
  sink->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
  spdlog::default_logger()->sinks().push_back(sink);
  return std::shared_ptr<void>(nullptr, [sink](void*) {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
  });
}

// The seed of rank r's random stream after the shared initialisation (r > 0; rank 0 keeps the single-process
// stream): draw r of the SplitMix64 stream seeded with train.seed, so that ranks draw different noise.
uint64_t rank_seed(uint64_t seed, int rank) {
  return splitmix64(seed + 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(rank)) & 0x7fffffffffffffffULL;
}

// Device and threads: LOCAL_WORLD_SIZE ranks share this machine's cores (train.threads = 0 gives each its share),
// and device auto/cuda is cuda:LOCAL_RANK, one GPU per local rank as torchrun's users expect.
void choose_device(Run& run, const DistEnv* dist) {
  const Config& c = run.config;
  const bool distributed = run.world > 1;
  run.threads = configure_threads(c.train.threads);
  if (distributed && c.train.threads == 0 && dist->local_world_size > 1)
    run.threads = configure_threads(std::max(1, run.threads / dist->local_world_size));
  std::string spec = c.train.device;
  if (distributed && (spec == "cuda" || (spec == "auto" && cuda_available())))
    spec = fmt::format("cuda:{}", dist->local_rank);
  run.device = resolve_device(spec);
  configure_device(c, run.device);
}

void join_group(Run& run, const DistEnv& dist) {
  ProcessGroupOptions po;
  po.backend = run.config.dist.backend != "auto" ? run.config.dist.backend
                                                 : (run.device.is_cuda() && has_nccl() ? "nccl" : "gloo");
  po.timeout = std::chrono::seconds(run.config.dist.timeout_s);
  po.device = run.device;
  run.group = std::make_unique<ProcessGroup>(dist, po);
}

// The seeded trainer and fixed noise; in a distributed run every rank starts from rank 0's weights (as
// DistributedDataParallel's constructor does), then draws noise from a stream of its own.
void build_trainer(Run& run) {
  const Config& c = run.config;
  seed_everything(static_cast<uint64_t>(c.train.seed));
  run.trainer = std::make_unique<Trainer>(c, run.device);  // right after seeding, G then D, as the tutorial does
  run.fixed_noise = torch::randn({kSampleCount, c.model.nz, 1, 1}).to(run.device);
  if (!run.group) return;
  ProcessGroup* group = run.group.get();
  group->broadcast(run.trainer->generator()->parameters());
  group->broadcast(run.trainer->discriminator()->parameters());
  run.trainer->reset_ema();
  if (run.rank > 0) seed_everything(rank_seed(static_cast<uint64_t>(c.train.seed), run.rank));
  run.trainer->set_gradient_hook([group](const std::vector<torch::Tensor>& p) { group->average_gradients(p); });
  run.trainer->set_rank_mean_hook([group](const torch::Tensor& s) { return group->all_reduce_mean(s); });
}

void resume(Run& run) {
  const std::string& from = run.resume_from;
  LoadedCheckpoint ckpt = load_checkpoint(from, *run.trainer);
  const auto diffs = differing_identity_keys(ckpt.config, run.config);
  if (!diffs.empty())
    throw CheckpointError(
        fmt::format("{}: cannot resume with a different model, data or optimiser ({})", from, fmt::join(diffs, "; ")));
  if (ckpt.world_size != run.world)
    throw CheckpointError(fmt::format("{}: written by a run of {} rank(s), and this run has {}; resume with the same "
                                      "number of ranks (WORLD_SIZE, or --nproc)",
                                      from, ckpt.world_size, run.world));
  run.start_step = ckpt.at.step;
  run.best = ckpt.best;
  if (run.trainer->has_ema() && !ckpt.had_ema)
    spdlog::warn("{}: holds no moving average of G; it starts again from the checkpoint's G", from);
  run.fixed_noise = ckpt.fixed_noise.to(run.device);
  restore_rng(run.rank == 0 ? ckpt.rng : ckpt.other_ranks[static_cast<std::size_t>(run.rank - 1)]);
  run.last_checkpoint = from;
}

// A conditional run's model.num_classes "auto" becomes the data's number of classes and data.class_names the
// data's names (numbers for classes past them), so that config.yaml, checkpoints and g.pt say what was trained.
void resolve_classes(Config& c, const Dataset& data) {
  if (c.model.num_classes == "0") return;
  const ClassLabels& labels = *data.labels();  // LabelMode::Required: present
  if (c.model.num_classes == "auto") c.model.num_classes = std::to_string(labels.count());
  const int classes = class_count(c.model);
  if (classes < labels.count())
    throw DataError(fmt::format("model.num_classes is {}, but {} has {} classes (labels up to {}); set "
                                "model.num_classes={} or auto",
                                classes, data.describe(), labels.count(), labels.count() - 1, labels.count()));
  std::vector<std::string> names = labels.names;
  while (static_cast<int>(names.size()) < classes) names.push_back(std::to_string(names.size()));
  c.data.class_names = fmt::format("{}", fmt::join(names, ","));
}

// data.mirror=auto, measured on the training images (eval/mirror_check.h), becomes true or false in the run's
// config (config.yaml, checkpoints: a resume keeps it); the figures are logged once the log is open.
// A prepared cache keeps the figures `dcgan prepare` measured on all its images; they decide without measuring.
void resolve_mirror(Run& run) {
  DataConfig& d = run.config.data;
  if (d.mirror != "auto") return;
  const std::string cache = cache_path(d);
  const CacheMirrorCheck kept = cache.empty() ? CacheMirrorCheck{} : read_cache_info(cache).mirror;
  MirrorCheck m;
  std::string source = "this run's training images";
  if (kept.images > 0) {
    m = decide_mirror({kept.images, kept.side, kept.halves, kept.flipped}, d.mirror_max_ratio);
    source = "measured by dcgan prepare, kept in " + cache;
  } else {
    m = check_mirror(*run.data, d.mirror_max_ratio);
  }
  d.mirror = m.mirror ? "true" : "false";
  if (m.images == 0) {
    run.mirror_decision = fmt::format("mirror: off, {} training images are too few to measure whether flips belong "
                                      "(data.mirror=auto needs {})",
                                      run.data->size(), kMirrorCheckMinImages);
    return;
  }
  run.mirror_decision = fmt::format(
      "mirror: {}, flipped images {} the set (SWD ratio {:.2f}, {} data.mirror_max_ratio {}: x1e3 {:.2f} between "
      "the two halves of {} images at {}x{}, {:.2f} with one half flipped; {}, {:.1f}s)",
      m.mirror ? "on" : "off", m.mirror ? "look like" : "differ from", m.ratio, m.mirror ? "within" : "over",
      d.mirror_max_ratio, m.halves, m.images, m.side, m.side, m.flipped, source, m.seconds);
}

void open_data(Run& run) {
  const Config& config = run.config;
  const LabelMode labels = config.model.num_classes == "0" ? LabelMode::None : LabelMode::Required;
  run.data = open_dataset(config.data, static_cast<uint64_t>(config.train.seed), labels);
  resolve_classes(run.config, *run.data);
  if (config.data.holdout > 0) {
    HoldoutSplit split = split_holdout(std::move(run.data), config.data.holdout,
                                       static_cast<uint64_t>(config.train.seed),
                                       static_cast<int64_t>(config.train.batch_size) * run.world);
    run.data = std::move(split.training);
    run.holdout = std::move(split.held_back);
  }
  resolve_mirror(run);
}

void log_settings(const Run& run, bool graphs, bool on_device) {
  const Config& c = run.config;
  const int64_t global_batch = static_cast<int64_t>(c.train.batch_size) * run.world;
  spdlog::info("dcgan: LibTorch {} on {}, {} CPU thread(s); CPU features: {} (native bf16: {})", torch_version(),
               run.device.str(), run.threads, cpu_features().describe(), cpu_features().native_bf16() ? "yes" : "no");
  if (run.group)
    spdlog::info("distributed: {} ranks ({} backend, timeout {}s), {} per rank, global batch {}; this is rank 0 on {}",
                 run.world, run.group->backend(), c.dist.timeout_s, c.train.batch_size, global_batch, run.master);
  if (run.group && run.leader() && c.train.cuda_graphs == "true")
    spdlog::warn("train.cuda_graphs: off in distributed runs (the gradient all-reduce is not captured)");
  const TrainerSettings& ts = run.trainer->settings();
  spdlog::info("speed settings: precision {}, channels_last {}, fused_adam {}, cuda_graphs {}, data_on_device {}, "
               "transpose_via_conv {}",
               ts.bf16 ? "bf16" : "fp32", ts.channels_last, ts.fused_adam,
               graphs && run.runner->eager_reason().empty(), on_device, ts.transpose_via_conv);
  if (run.leader() && !png_supported())
    spdlog::warn("this dcgan was built without libpng or OpenCV: sample grids and plots are not written");
  else if (run.leader() && !DCGAN_WITH_OPENCV)
    spdlog::warn("this dcgan was built without OpenCV (DCGAN_WITH_OPENCV=OFF): plots are not drawn");
  if (run.group)
    spdlog::info("data: {}; {} global batches of {} ({} per rank) per epoch", run.data->describe(), run.per_epoch,
                 global_batch, c.train.batch_size);
  else
    spdlog::info("data: {}; {} batches of {} per epoch", run.data->describe(), run.per_epoch, c.train.batch_size);
  if (!run.mirror_decision.empty()) spdlog::info("{}", run.mirror_decision);
  if (c.data.cache.empty() && run.data->size() >= kSuggestCacheAbove && detect_format(c.data.path) == "folder")
    spdlog::info("tip: decoding {} images every epoch costs CPU time the training step could use; decode them once "
                 "with: dcgan prepare --data {} --image-size {} --channels {} --out CACHE, then set data.cache=CACHE",
                 run.data->size(), c.data.path, c.data.image_size, c.data.channels);
  if (run.resuming())
    spdlog::info("resuming from {} at step {} of {}", run.resume_from, run.start_step, run.total);
  else
    spdlog::info("training {} steps ({} epoch(s)) into {}", run.total, run.epochs, run.dir());
}

}  // namespace

Run::Run() = default;
Run::~Run() = default;

GridInput sample_grid_input(const Run& run) {
  GridInput in;
  const int64_t classes = std::min<int64_t>(run.trainer->num_classes(), kMaxGridClasses);
  if (classes == 0) {
    in.noise = run.fixed_noise;
    return in;
  }
  const torch::Tensor row = run.fixed_noise.slice(0, 0, kSampleRows);
  in.noise = row.repeat({classes, 1, 1, 1});
  in.labels = labels_per_class(classes, kSampleRows).to(run.device);
  return in;
}

Generator* Run::average() {
  if (!trainer->has_ema()) return nullptr;
  trainer->refresh_ema_statistics(at.step);
  return &trainer->ema();
}

std::unique_ptr<Run> open_run(const Config& config, const std::string& resume_from, const DistEnv* dist,
                              bool overwrite) {
  validate(config);
  auto run = std::make_unique<Run>();
  run->config = config;
  run->resume_from = resume_from;
  run->overwrite = overwrite;
  if (dist != nullptr && dist->distributed()) {
    run->rank = dist->rank;
    run->world = dist->world_size;
    run->master = fmt::format("{}:{}", dist->master_addr, dist->master_port);
  }
  // One run per folder (rank 0 writes it; the ranks of one run share it): checked first, before anything slow;
  // claimed (the folder made, locked) once the run is set up, so that a refused or failed set-up leaves nothing.
  if (run->leader()) check_run_folder(config.output.dir, {run->resuming(), overwrite});
  run->quiet_rank = quiet_rank(!run->leader());
  choose_device(*run, dist);
  if (run->world > 1) join_group(*run, *dist);
  open_data(*run);  // before the trainer: a conditional run's number of classes comes from the data
  build_trainer(*run);
  if (run->resuming()) resume(*run);
  run->per_epoch = Loader::batches_per_epoch(*run->data, config.train.batch_size, run->world);  // throws when < 1
  run->total = config.train.steps > 0 ? config.train.steps : config.train.epochs * run->per_epoch;
  run->epochs = (run->total + run->per_epoch - 1) / run->per_epoch;
  run->at = {run->start_step, run->start_step / run->per_epoch};
  const double global_batch = static_cast<double>(config.train.batch_size) * run->world;
  run->trainer->set_ema_position(static_cast<double>(run->start_step) * global_batch, global_batch);
  run->trainer->augment_probability().set_global_batch(global_batch);
  if (run->leader()) run->folder = claim_run_folder(config.output.dir, {run->resuming(), overwrite});
  return run;
}

void start_run(Run& run) {
  const Config& c = run.config;
  if (run.leader()) {  // the only rank that writes
    ensure_writable_dir(run.dir());
    if (run.overwrite && !run.resuming()) {
      const std::vector<std::string> old = run_files_in(run.dir());
      remove_run_files(run.dir());
      if (!old.empty()) spdlog::info("--overwrite: removed the earlier run's {} from {}", fmt::join(old, ", "), run.dir());
    }
    write_file_atomic(run.dir() + "/config.yaml", to_yaml(c));
    run.log_file = log_to_file(run.dir() + "/train.log", /*truncate=*/!run.resuming());
  }
  // Resident on the device (decoded once, gathered there) or the Loader's background thread. Opened after the log
  // file, so closed (the worker joined) before the worker's warnings lose their sink.
  const Dataset& data = *run.data;
  const int64_t bytes = ResidentBatches::bytes_for(data);
  const bool on_device = resolve_switch(
      c.train.data_on_device,
      run.device.is_cuda() && bytes <= static_cast<int64_t>(c.train.data_on_device_max_mib) * (1 << 20));
  const LoaderOptions lo = loader_options_for(c, run.start_step, run.rank, run.world);
  if (on_device) {
    const auto t0 = Clock::now();
    run.source = resident_source(data, lo, run.device);
    spdlog::info("data: {} images ({:.1f} MiB) resident on {} as uint8, decoded in {:.1f}s", data.size(),
                 bytes / 1048576.0, run.device.str(), seconds_since(t0));
  } else {
    run.source = loader_source(data, lo, run.device);  // a batch a step
  }
  // CUDA graphs are not used with a process group: a Gloo collective cannot be captured.
  const bool graphs = resolve_switch(c.train.cuda_graphs, run.device.is_cuda()) && !run.group;
  run.runner = std::make_unique<StepRunner>(*run.trainer, StepRunnerOptions{graphs, 3});
  log_settings(run, graphs, on_device);
}

}  // namespace dcgan
