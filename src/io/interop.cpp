// Python interop: generator state dicts with the tutorial's names.
#include "dcgan/io/interop.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <regex>

namespace dcgan {

StateDict generator_state_dict(Generator& generator) {
  StateDict out;
  for (const auto& child : generator->main->named_children()) {
    const std::string prefix = "main." + child.key() + ".";
    for (const auto& p : child.value()->named_parameters(/*recurse=*/false))
      out.emplace_back(prefix + p.key(), p.value().detach().to(torch::kCPU).contiguous());
    for (const auto& b : child.value()->named_buffers(/*recurse=*/false))
      out.emplace_back(prefix + b.key(), b.value().detach().to(torch::kCPU).contiguous());
  }
  if (generator->embed) out.emplace_back("embed.weight", generator->embed->weight.detach().to(torch::kCPU).contiguous());
  return out;
}

LoadedGenerator generator_from_state_dict(const StateDict& state, const std::string& origin) {
  // The transposed convolutions are the 4-d main.<i>.weight tensors, in layer order.
  std::map<int, torch::Tensor> convs;
  const std::regex weight(R"(main\.(\d+)\.weight)");
  for (const auto& [name, t] : state) {
    std::smatch m;
    if (std::regex_match(name, m, weight) && t.dim() == 4) convs[std::stoi(m[1])] = t;
  }
  if (convs.size() < 2)
    throw CheckpointError(fmt::format("{}: not a DCGAN generator state dict (no main.<i>.weight convolutions)", origin));
  const torch::Tensor& first = convs.begin()->second;
  const torch::Tensor& last = convs.rbegin()->second;
  LoadedGenerator out;
  out.kind = "state_dict";
  out.config.model.nz = static_cast<int>(first.size(0));
  int64_t classes = 0;
  for (const auto& [name, t] : state)
    if (name == "embed.weight" && t.dim() == 2) {  // a conditional G: z and the class's embedding, nz each
      classes = t.size(0);
      out.config.model.nz = static_cast<int>(t.size(1));
      out.config.model.num_classes = std::to_string(classes);
    }
  out.config.model.ngf = static_cast<int>(last.size(0));
  out.config.data.channels = static_cast<int>(last.size(1));
  out.config.data.image_size = 1 << (convs.size() + 1);  // 4x4 from the first layer, doubled by each later one
  const int size = out.config.data.image_size;
  if (size != 32 && size != 64 && size != 128)
    throw CheckpointError(fmt::format("{}: {} transposed convolutions make {}x{} images; dcgan builds 32, 64 or 128",
                                      origin, convs.size(), size, size));
  out.generator = Generator(GeneratorOptions()
                                .transpose_via_conv(true)
                                .nz(out.config.model.nz)
                                .num_classes(classes)
                                .ngf(out.config.model.ngf)
                                .channels(out.config.data.channels)
                                .image_size(size));
  std::map<std::string, torch::Tensor> given(state.begin(), state.end());
  std::vector<std::string> missing, mismatched;
  torch::NoGradGuard no_grad;
  // Held here: find() points into these dicts (their tensors share storage with the module's).
  auto params = out.generator->named_parameters();
  auto buffers = out.generator->named_buffers();
  for (auto& [name, target] : generator_state_dict(out.generator)) {
    (void)target;
    const auto it = given.find(name);
    if (it == given.end()) {
      missing.push_back(name);
      continue;
    }
    // Copy into the module's own tensor (the state dict above holds copies).
    torch::Tensor* dst = params.find(name);
    if (!dst) dst = buffers.find(name);
    if (!dst || dst->sizes() != it->second.sizes()) {
      mismatched.push_back(dst ? c10::str(name, " ", it->second.sizes(), " vs ", dst->sizes()) : name);
    } else {
      dst->copy_(it->second.to(dst->dtype()));
    }
    given.erase(it);
  }
  std::vector<std::string> unexpected;
  for (const auto& kv : given) unexpected.push_back(kv.first);
  if (!missing.empty() || !mismatched.empty() || !unexpected.empty())
    throw CheckpointError(fmt::format("{}: does not fit a {}x{} DCGAN generator (nz {}, ngf {}, {} channel(s)): "
                                      "missing [{}], unexpected [{}], wrong shape [{}]",
                                      origin, size, size, out.config.model.nz, out.config.model.ngf,
                                      out.config.data.channels, fmt::join(missing, ", "), fmt::join(unexpected, ", "),
                                      fmt::join(mismatched, "; ")));
  out.generator->eval();
  return out;
}

}  // namespace dcgan
