// The generator's inference forward without LibTorch, for `dcgan sample` on the CPU (start-up: docs/performance.md).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace dcgan {

// The dcgan checkpoint format PlainGenerator reads: kCheckpointFormat of checkpoint.h (a test keeps them equal).
inline constexpr int64_t kPlainCheckpointFormat = 1;

// Thrown by PlainGenerator::load for a file it does not handle: another layout, dtype or architecture, a missing
// moving average, a newer format, a class-conditional G. The caller then runs the LibTorch path, which handles such
// files or explains what is wrong with them. Damaged files raise ArchiveError or pickle::PickleError instead.
struct PlainUnsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The Generator of generator.h in eval mode: ConvTranspose2d (kernel 4, no bias; the first stride 1 padding 0, the
// others stride 2 padding 1), BatchNorm2d from its running statistics (eps 1e-5) and ReLU, then Tanh.
// Each transposed convolution is one sgemm (CBLAS) of the NHWC input with the weight laid out [Cin, kh, kw, Cout],
// followed by a gather of the 4 taps each output pixel receives, fused with BatchNorm and the activation.
// Output agrees with Generator::forward in eval mode to float rounding (tests/test_plain_generator.cpp).
class PlainGenerator {
 public:
  // Reads G (or, when `ema`, its moving average) from a dcgan g.pt or checkpoint (format 1) or from a state dict
  // saved by Python's torch.save(netG.state_dict(), path) with exactly the tutorial's keys. The weights must be
  // float32. Throws PlainUnsupported, ArchiveError or pickle::PickleError (see above).
  static PlainGenerator load(const std::string& path, bool ema);

  int64_t nz() const { return nz_; }
  int64_t channels() const { return channels_; }
  int64_t image_size() const { return image_size_; }
  int64_t step() const { return step_; }  // completed training steps of the file; 0 for a state dict

  // z: n x nz floats (row-major) -> n x channels x image_size x image_size floats (NCHW) in [-1, 1].
  std::vector<float> forward(const float* z, int64_t n) const;

 private:
  struct Layer {
    int64_t in = 0, out = 0;
    std::vector<float> weight;      // [in, 4, 4, out]
    std::vector<float> scale, shift;  // BatchNorm folded (empty on the last layer)
  };
  std::vector<float> forward_pass(const float* z, int64_t n) const;

  std::vector<Layer> layers_;
  int64_t nz_ = 0, channels_ = 0, image_size_ = 0, step_ = 0;
};

}  // namespace dcgan
