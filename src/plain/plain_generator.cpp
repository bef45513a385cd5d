// The generator's inference forward in plain C++ over CBLAS, reading weights from torch archives without LibTorch.
#include "dcgan/plain/plain_generator.h"

#include "dcgan/plain/archive_check.h"
#include "dcgan/plain/pickle.h"

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>

namespace dcgan {
namespace {

using pickle::Kind;
using pickle::Value;

constexpr int64_t kKernel = 4;             // the tutorial's ConvTranspose2d kernel size
constexpr double kBatchNormEps = 1e-5;     // torch::nn::BatchNorm2d's default eps
constexpr std::size_t kColsBytes = 8 << 20;  // sgemm output per chunk of images: stays near the caches
constexpr int64_t kImagesPerPass = 64;     // images through the whole network at once (64 x 64 px: ~70 MB peak)

// The float32 values of `ref` in row-major order of its sizes (strides honoured), from its record data/<key>.
std::vector<float> read_floats(const ArchiveReader& zip, const pickle::TensorRef& ref) {
  if (ref.storage_type != "torch.FloatStorage")
    throw PlainUnsupported(fmt::format("{}: weights of type {}, not float32", zip.path(), ref.storage_type));
  const std::string_view bytes = zip.record("data/" + ref.key);
  if (bytes.size() != static_cast<std::size_t>(ref.storage_numel) * sizeof(float))
    throw ArchiveError(fmt::format("{}: record data/{} has the wrong size", zip.path(), ref.key));
  if (ref.sizes.size() > 4)
    throw PlainUnsupported(fmt::format("{}: a tensor of {} dimensions", zip.path(), ref.sizes.size()));
  // torch aligns records to 64 bytes; a file that does not is read through a copy.
  std::vector<float> aligned;
  const float* storage = reinterpret_cast<const float*>(bytes.data());
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(float) != 0) {
    aligned.resize(static_cast<std::size_t>(ref.storage_numel));
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    storage = aligned.data();
  }
  // As 4-d sizes and strides (leading 1s), walked with the innermost index fastest.
  int64_t size[4] = {1, 1, 1, 1}, stride[4] = {0, 0, 0, 0};
  const std::size_t lead = 4 - ref.sizes.size();
  for (std::size_t d = 0; d < ref.sizes.size(); ++d) {
    size[lead + d] = ref.sizes[d];
    stride[lead + d] = ref.strides[d];
  }
  std::vector<float> out(static_cast<std::size_t>(size[0] * size[1] * size[2] * size[3]));
  float* o = out.data();
  for (int64_t a = 0; a < size[0]; ++a)
    for (int64_t b = 0; b < size[1]; ++b)
      for (int64_t c = 0; c < size[2]; ++c) {
        const float* row = storage + ref.offset + a * stride[0] + b * stride[1] + c * stride[2];
        if (stride[3] == 1) {
          std::memcpy(o, row, static_cast<std::size_t>(size[3]) * sizeof(float));
          o += size[3];
        } else {
          for (int64_t d = 0; d < size[3]; ++d) *o++ = row[d * stride[3]];
        }
      }
  return out;
}

// Finds the tensors of layer `index` of the Sequential "main": in a dcgan archive, generator.main.<index>.<name>;
// in a Python state dict, the key "main.<index>.<name>".
class Source {
 public:
  Source(const Value& root, const Value* module) : root_(root), main_(module ? module->get("main") : nullptr) {}

  const pickle::TensorRef* tensor(int64_t index, const std::string& name) {
    const Value* v = nullptr;
    if (main_) {
      if (const Value* layer = main_->get(std::to_string(index))) v = layer->get(name);
    } else {
      const std::string key = fmt::format("main.{}.{}", index, name);
      v = root_.get(key);
      if (v) used_.push_back(key);
    }
    return v && v->kind == Kind::Tensor ? &v->tensor : nullptr;
  }
  // For a state dict: whether every key was used (load_state_dict(strict=True) refuses others).
  bool all_used() const { return main_ || used_.size() == root_.dict.size(); }

 private:
  const Value& root_;
  const Value* main_;
  std::vector<std::string> used_;
};

}  // namespace

PlainGenerator PlainGenerator::load(const std::string& path, bool ema) {
  ArchiveReader zip(path);
  if (!zip.has("data.pkl")) throw PlainUnsupported(path + ": no data.pkl");
  const pickle::ValuePtr root = pickle::unpickle(zip.record("data.pkl"));
  PlainGenerator g;
  const Value* module = nullptr;
  if (root->kind == Kind::Object) {
    const Value* kind = root->get("kind");
    const Value* format = root->get("format");
    const Value* step = root->get("step");
    if (!kind || kind->kind != Kind::Str || (kind->s != "generator" && kind->s != "checkpoint"))
      throw PlainUnsupported(path + ": not a dcgan g.pt or checkpoint");
    if (!format || format->kind != Kind::Int || format->i != kPlainCheckpointFormat)
      throw PlainUnsupported(path + ": another checkpoint format");
    if (step && step->kind == Kind::Int) g.step_ = step->i;
    module = root->get(ema ? "generator_ema" : "generator");
    if (!module || module->kind != Kind::Object || !module->get("main"))
      throw PlainUnsupported(path + ": no such generator in the file");
    if (module->get("embed")) throw PlainUnsupported(path + ": a class-conditional generator");
  } else if (root->kind != Kind::Dict || ema) {
    throw PlainUnsupported(path + ": neither a dcgan archive nor a state dict");
  }
  Source source(*root, module);

  // main.0, main.3, ...: ConvTranspose2d; main.1, main.4, ...: its BatchNorm2d; after the last one, Tanh.
  for (int64_t index = 0;; index += 3) {
    const pickle::TensorRef* w = source.tensor(index, "weight");
    if (!w || w->sizes.size() != 4 || w->sizes[2] != kKernel || w->sizes[3] != kKernel)
      throw PlainUnsupported(fmt::format("{}: main.{} is not a 4x4 transposed convolution", path, index));
    if (source.tensor(index, "bias")) throw PlainUnsupported(path + ": a transposed convolution with a bias");
    Layer layer;
    layer.in = w->sizes[0];
    layer.out = w->sizes[1];
    if (!g.layers_.empty() && g.layers_.back().out != layer.in)
      throw PlainUnsupported(fmt::format("{}: main.{} does not fit the layer before it", path, index));
    const std::vector<float> raw = read_floats(zip, *w);  // [in, out, 4, 4]
    layer.weight.resize(raw.size());
    for (int64_t i = 0; i < layer.in; ++i)
      for (int64_t o = 0; o < layer.out; ++o)
        for (int64_t k = 0; k < kKernel * kKernel; ++k)
          layer.weight[static_cast<std::size_t>((i * kKernel * kKernel + k) * layer.out + o)] =
              raw[static_cast<std::size_t>((i * layer.out + o) * kKernel * kKernel + k)];
    const pickle::TensorRef* mean = source.tensor(index + 1, "running_mean");
    if (mean) {
      const pickle::TensorRef* var = source.tensor(index + 1, "running_var");
      const pickle::TensorRef* gamma = source.tensor(index + 1, "weight");
      const pickle::TensorRef* beta = source.tensor(index + 1, "bias");
      source.tensor(index + 1, "num_batches_tracked");  // not needed in eval mode
      for (const pickle::TensorRef* t : {mean, var, gamma, beta})
        if (!t || t->sizes != std::vector<int64_t>{layer.out})
          throw PlainUnsupported(fmt::format("{}: main.{} is not a BatchNorm2d of {}", path, index + 1, layer.out));
      const std::vector<float> m = read_floats(zip, *mean), v = read_floats(zip, *var);
      const std::vector<float> ga = read_floats(zip, *gamma), be = read_floats(zip, *beta);
      for (int64_t c = 0; c < layer.out; ++c) {
        const double s = ga[c] / std::sqrt(static_cast<double>(v[c]) + kBatchNormEps);
        layer.scale.push_back(static_cast<float>(s));
        layer.shift.push_back(static_cast<float>(be[c] - m[c] * s));
      }
      g.layers_.push_back(std::move(layer));
      continue;
    }
    g.layers_.push_back(std::move(layer));
    break;
  }
  const int64_t blocks = static_cast<int64_t>(g.layers_.size()) - 2;  // stride-2 blocks with BatchNorm
  g.nz_ = g.layers_.front().in;
  g.channels_ = g.layers_.back().out;
  g.image_size_ = int64_t{4} << (blocks + 1);
  if (blocks < 2 || blocks > 4 || (g.channels_ != 1 && g.channels_ != 3))
    throw PlainUnsupported(path + ": not a generator for 32, 64 or 128 pixels with 1 or 3 channels");
  if (!source.all_used()) throw PlainUnsupported(path + ": the state dict holds other keys");
  return g;
}

std::vector<float> PlainGenerator::forward(const float* z, int64_t n) const {
  // Images are independent in eval mode: passes of at most kImagesPerPass bound the activations' memory.
  const int64_t image_floats = channels_ * image_size_ * image_size_;
  std::vector<float> out(static_cast<std::size_t>(n * image_floats));
  for (int64_t n0 = 0; n0 < n; n0 += kImagesPerPass) {
    const int64_t nb = std::min(kImagesPerPass, n - n0);
    const std::vector<float> part = forward_pass(z + n0 * nz_, nb);
    std::copy(part.begin(), part.end(), out.begin() + n0 * image_floats);
  }
  return out;
}

std::vector<float> PlainGenerator::forward_pass(const float* z, int64_t n) const {
  // Layer 0 on a 1x1 input (stride 1, padding 0): output pixel (kh, kw) is x . W[:, kh, kw, :], so the sgemm's
  // [n, 4 * 4 * out] result is already the NHWC output.
  const Layer& first = layers_.front();
  std::vector<float> x(static_cast<std::size_t>(n * 16 * first.out));
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(n), static_cast<int>(16 * first.out),
              static_cast<int>(first.in), 1.0f, z, static_cast<int>(first.in), first.weight.data(),
              static_cast<int>(16 * first.out), 0.0f, x.data(), static_cast<int>(16 * first.out));
  {
    const int64_t c = first.out, pixels = n * 16;
#pragma omp parallel for
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t k = 0; k < c; ++k) {
        float& v = x[static_cast<std::size_t>(p * c + k)];
        v = std::max(0.0f, v * first.scale[k] + first.shift[k]);
      }
  }
  int64_t h = 4;
  std::vector<float> cols, y;
  for (std::size_t l = 1; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    const bool last = l + 1 == layers_.size();
    const int64_t cin = layer.in, cout = layer.out, oh_size = 2 * h, ncols = 16 * cout;
    const int64_t per_image = h * h * ncols;
    const int64_t chunk = std::min(n, std::max<int64_t>(2, static_cast<int64_t>(kColsBytes / sizeof(float)) / per_image));
    cols.resize(static_cast<std::size_t>(chunk * per_image));
    y.resize(static_cast<std::size_t>(n * oh_size * oh_size * cout));
    for (int64_t n0 = 0; n0 < n; n0 += chunk) {
      const int64_t nb = std::min(chunk, n - n0);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(nb * h * h), static_cast<int>(ncols),
                  static_cast<int>(cin), 1.0f, x.data() + n0 * h * h * cin, static_cast<int>(cin),
                  layer.weight.data(), static_cast<int>(ncols), 0.0f, cols.data(), static_cast<int>(ncols));
      // Stride 2, padding 1, kernel 4: output row oh takes input rows ih = (oh + 1 - kh) / 2 for the two kh of
      // oh + 1's parity; likewise for columns. Each output pixel is the sum of those 2 x 2 taps.
#pragma omp parallel for collapse(2)
      for (int64_t i = 0; i < nb; ++i)
        for (int64_t oh = 0; oh < oh_size; ++oh) {
          std::vector<float> acc(static_cast<std::size_t>(cout));
          for (int64_t ow = 0; ow < oh_size; ++ow) {
            std::fill(acc.begin(), acc.end(), 0.0f);
            for (int64_t kh = (oh + 1) % 2; kh < kKernel; kh += 2) {
              const int64_t ih = (oh + 1 - kh) / 2;
              if (ih < 0 || ih >= h) continue;
              for (int64_t kw = (ow + 1) % 2; kw < kKernel; kw += 2) {
                const int64_t iw = (ow + 1 - kw) / 2;
                if (iw < 0 || iw >= h) continue;
                const float* tap = cols.data() + ((i * h + ih) * h + iw) * ncols + (kh * kKernel + kw) * cout;
                for (int64_t c = 0; c < cout; ++c) acc[c] += tap[c];
              }
            }
            const int64_t img = n0 + i;
            if (last) {  // Tanh, written NCHW
              for (int64_t c = 0; c < cout; ++c)
                y[static_cast<std::size_t>(((img * cout + c) * oh_size + oh) * oh_size + ow)] = std::tanh(acc[c]);
            } else {  // BatchNorm + ReLU, NHWC
              float* out = y.data() + ((img * oh_size + oh) * oh_size + ow) * cout;
              for (int64_t c = 0; c < cout; ++c) out[c] = std::max(0.0f, acc[c] * layer.scale[c] + layer.shift[c]);
            }
          }
        }
    }
    x.swap(y);
    h = oh_size;
  }
  return x;
}

}  // namespace dcgan
