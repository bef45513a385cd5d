// `dcgan prepare`: decode, resize and crop a data set once, on all cores, into a memory-mapped cache file.
#include "common.h"

#include "dcgan/config/config.h"
#include "dcgan/data/cache.h"
#include "dcgan/data/dataset.h"
#include "dcgan/eval/mirror_check.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

namespace dcgan::cli {

struct PrepareOptions {
  DataSourceOptions source;       // a config (its data.cache is the default output) or --data with size/channels
  std::string out;                // the cache to write; default data.cache
  int threads = 0;                // 0 = all cores
  bool strict = false;
};

int run_prepare(const PrepareOptions& opts) {
  Config config = config_from(opts.source);
  if (opts.strict) config.data.strict = true;
  DataConfig source = config.data;
  const std::string out = opts.out.empty() ? source.cache : opts.out;
  if (out.empty()) throw ConfigError("dcgan prepare: name the cache with --out, or set data.cache in the config");
  source.cache.clear();  // read the original images, not an older cache
  if (!cache_path(source).empty())
    throw DataError(source.path + ": is already a prepared cache");
  validate(config);
  // The cache keeps the source's labels whenever it has sound ones; a conditional config insists on them.
  const LabelMode labels = config.model.num_classes != "0" ? LabelMode::Required : LabelMode::IfPresent;
  const auto data = open_dataset(source, static_cast<uint64_t>(config.train.seed), labels);
  spdlog::info("preparing {} -> {} at {}x{}x{}", data->describe(), out, source.image_size, source.image_size,
               source.channels);
  if (data->labels())
    spdlog::info("keeping the labels of {} classes ({}) for class-conditional runs", data->labels()->count(),
                 fmt::join(data->labels()->names, ", "));
  const PrepareResult r = prepare_cache(*data, source.path, out, opts.threads, source.strict);
  spdlog::info("wrote {} images to {} in {:.1f}s ({:.0f} images/s); skipped {} unreadable file(s)", r.written, out,
               r.seconds, r.written / std::max(r.seconds, 1e-9), r.skipped);
  // data.mirror=auto's figures, measured once here on the cache's images and kept in its header.
  const auto cache = open_cache(out, data->shape(), source.path);
  const MirrorCheck m = check_mirror(*cache, config.data.mirror_max_ratio);
  if (m.images > 0) {
    record_cache_mirror_check(out, {m.images, m.side, m.halves, m.flipped});
    spdlog::info("data.mirror=auto: flips {} (SWD ratio {:.2f}: x1e3 {:.2f} between the two halves of {} images at "
                 "{}x{}, {:.2f} with one half flipped; {:.1f}s), kept in the cache",
                 m.mirror ? "on, flipped images look like the set" : "off, flipped images differ from the set",
                 m.ratio, m.halves, m.images, m.side, m.side, m.flipped, m.seconds);
  }
  spdlog::info("train from it with --set data.cache={}", out);
  return 0;
}

Command add_prepare(CLI::App& root) {
  auto opts = std::make_shared<PrepareOptions>();
  CLI::App* app = root.add_subcommand(
      "prepare", "Decode, resize and crop a data set once, on all cores, into a cache that training memory-maps");
  add_data_source_options(app, opts->source, "Source: image folder, idx file or CIFAR-10 batches");
  app->add_option("-o,--out", opts->out, "Cache file to write (default: data.cache of the config)");
  app->add_option("--threads", opts->threads, "Decoding threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app->add_flag("--strict", opts->strict, "Stop at the first unreadable image instead of skipping it");
  return {app, [opts] { return run_prepare(*opts); }};
}

}  // namespace dcgan::cli
