// The schedules a config names: DiffAugment's policies and probability, data.mirror, the moving average of G.
#include "dcgan/config/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace dcgan {

AugmentPolicy parse_augment(const std::string& value) {
  AugmentPolicy p;
  if (value == "none") return p;
  std::stringstream ss(value);
  for (std::string name; std::getline(ss, name, ',');) {
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    bool* flag = name == "color" ? &p.color : name == "translation" ? &p.translation : name == "cutout" ? &p.cutout
                                                                                                          : nullptr;
    if (!flag)
      throw ConfigError(fmt::format("train.augment: unknown policy '{}' (known: color, translation, cutout; or none)", name));
    if (*flag) throw ConfigError(fmt::format("train.augment: '{}' named twice", name));
    *flag = true;
  }
  return p;
}

EmaSchedule ema_schedule(const TrainConfig& t) {
  EmaSchedule s;
  if (t.ema_decay != "auto") {
    s.fixed_decay = std::strtod(t.ema_decay.c_str(), nullptr);
    s.on = s.fixed_decay > 0;
  } else {
    s.on = t.ema_halflife_images > 0;
    s.halflife_images = t.ema_halflife_images;
    s.rampup = t.ema_rampup;
  }
  s.standing_statistics = s.on && t.ema_bn_images > 0;
  return s;
}

double ema_new_weight(const EmaSchedule& s, double seen, double batch) {
  if (s.fixed_decay >= 0) return 1.0 - s.fixed_decay;
  double h = s.halflife_images;
  if (s.rampup > 0) h = std::min(h, seen * s.rampup);
  return 1.0 - std::pow(0.5, batch / std::max(h, 1e-8));
}

std::optional<double> parse_augment_p(const std::string& value) {
  if (value == "adaptive") return std::nullopt;
  char* end = nullptr;
  const double p = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !(p >= 0 && p <= 1))
    throw ConfigError(fmt::format("train.augment_p: must be a probability in [0, 1] or adaptive, got '{}'", value));
  return p;
}

bool mirror_on(const DataConfig& data) {
  if (data.mirror == "true" || data.mirror == "false") return data.mirror == "true";
  throw ConfigError(fmt::format("data.mirror: '{}' is not decided yet (auto is measured when a run opens its data)",
                                data.mirror));
}

}  // namespace dcgan
