// Profile: LibTorch's Kineto profiler around a stretch of work, summed per kernel or per operator.
#include "dcgan/runtime/profile.h"

#include "dcgan/runtime/compat.h"

#include <torch/csrc/autograd/profiler_kineto.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

namespace dcgan {
namespace {

namespace kineto = torch::autograd::profiler;
namespace impl = torch::profiler::impl;

struct Span {
  std::string name;
  uint64_t start, end;  // ns
};

// Adds each span's own time to rows[name]: its length less that of the spans nested directly inside it. Spans of
// one thread (or one stream) nest or follow each other: an operator's calls lie inside it, kernels do not overlap.
void add_self_times(std::vector<Span>& spans, std::unordered_map<std::string, ProfileRow>& rows) {
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;
  });
  std::vector<double> self_ns(spans.size());
  std::vector<std::size_t> open;  // indices of the spans that enclose the current one, innermost last
  for (std::size_t i = 0; i < spans.size(); ++i) {
    while (!open.empty() && spans[open.back()].end <= spans[i].start) open.pop_back();
    self_ns[i] = static_cast<double>(spans[i].end - spans[i].start);
    if (!open.empty()) {
      const Span& parent = spans[open.back()];
      self_ns[open.back()] -= static_cast<double>(std::min(spans[i].end, parent.end) - spans[i].start);
    }
    open.push_back(i);
  }
  for (std::size_t i = 0; i < spans.size(); ++i) {
    ProfileRow& row = rows[spans[i].name];
    row.calls += 1;
    row.self_ms += std::max(0.0, self_ns[i]) / 1e6;
  }
}

}  // namespace

Profiler::Profiler(bool cuda) : cuda_(cuda) {
  std::set<impl::ActivityType> activities{impl::ActivityType::CPU};
  if (cuda_) activities.insert(impl::ActivityType::CUDA);
  const impl::ProfilerConfig config(impl::ProfilerState::KINETO);
  try {
    kineto::prepareProfiler(config, activities);
    kineto::enableProfiler(config, activities);
  } catch (const c10::Error& e) {
    throw std::runtime_error(std::string("profiler: ") + e.what_without_backtrace());
  }
  active_ = true;
}

Profiler::~Profiler() {
  if (!active_) return;
  try {
    kineto::disableProfiler();
  } catch (...) {
  }
}

Profile Profiler::stop() {
  if (!active_) throw std::logic_error("Profiler::stop: not recording");
  active_ = false;
  const std::unique_ptr<kineto::ProfilerResult> result = kineto::disableProfiler();
  const c10::DeviceType wanted = cuda_ ? c10::DeviceType::CUDA : c10::DeviceType::CPU;
  std::map<std::pair<int64_t, uint64_t>, std::vector<Span>> lanes;  // (device index, thread or stream) -> spans
  for (const auto& e : result->events()) {
    if (e.deviceType() != wanted || e.isAsync()) continue;
    const auto [start, length] = compat::event_span_ns(e, 0);
    const uint64_t lane = cuda_ ? static_cast<uint64_t>(e.deviceResourceId()) : e.startThreadId();
    lanes[{static_cast<int64_t>(e.deviceIndex()), lane}].push_back(Span{e.name(), start, start + length});
  }
  std::unordered_map<std::string, ProfileRow> by_name;
  for (auto& [lane, spans] : lanes) add_self_times(spans, by_name);

  Profile p;
  p.cuda = cuda_;
  for (auto& [name, row] : by_name) {
    row.name = name;
    p.calls += row.calls;
    p.total_ms += row.self_ms;
    p.rows.push_back(std::move(row));
  }
  std::sort(p.rows.begin(), p.rows.end(), [](const ProfileRow& a, const ProfileRow& b) {
    return a.self_ms != b.self_ms ? a.self_ms > b.self_ms : a.name < b.name;
  });
  return p;
}

std::string format_profile(const Profile& profile, int steps, int top) {
  if (steps < 1) throw std::invalid_argument("format_profile: steps must be >= 1");
  const double per = 1.0 / steps;
  std::string out = fmt::format("{:>6}  {:>9}  {:>10}  {}\n", "share", "ms/step", "calls/step",
                                profile.cuda ? "CUDA kernel, copy or fill" : "CPU operator (self time)");
  const std::size_t shown = std::min<std::size_t>(profile.rows.size(), static_cast<std::size_t>(std::max(top, 0)));
  for (std::size_t i = 0; i < shown; ++i) {
    const ProfileRow& r = profile.rows[i];
    const double share = profile.total_ms > 0 ? 100.0 * r.self_ms / profile.total_ms : 0.0;
    std::string name = r.name.size() > 100 ? r.name.substr(0, 97) + "..." : r.name;
    out += fmt::format("{:>5.1f}%  {:>9.3f}  {:>10.1f}  {}\n", share, r.self_ms * per, r.calls * per, name);
  }
  out += fmt::format("{:>6}  {:>9.3f}  {:>10.1f}  all {} names{}\n", "100%", profile.total_ms * per,
                     profile.calls * per, profile.rows.size(),
                     shown < profile.rows.size() ? fmt::format(" ({} not shown)", profile.rows.size() - shown) : "");
  return out;
}

}  // namespace dcgan
