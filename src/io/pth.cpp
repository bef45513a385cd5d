// .pth files: torch.save's zip archive with a pickled state dict or tensor, written and read without Python.
#include "dcgan/io/pth.h"

#include "dcgan/plain/archive_check.h"
#include "dcgan/io/files.h"
#include "dcgan/plain/pickle.h"

#include <caffe2/serialize/inline_container.h>
#include <fmt/format.h>

#include <cstring>
#include <map>
#include <memory>

namespace dcgan {
namespace {

// ---- writing ----------------------------------------------------------------------------------------------------

// Pickle protocol 2, the opcodes torch.save itself emits for a state dict.
class PickleWriter {
 public:
  std::string bytes;
  void op(char c) { bytes.push_back(c); }
  void proto() { bytes += "\x80\x02"; }
  void global(const char* module, const char* name) { bytes += fmt::format("c{}\n{}\n", module, name); }
  void str(const std::string& s) {
    op('X');
    le32(static_cast<uint32_t>(s.size()));
    bytes += s;
  }
  void integer(int64_t v) {
    if (v >= INT32_MIN && v <= INT32_MAX) {
      op('J');
      le32(static_cast<uint32_t>(static_cast<int32_t>(v)));
    } else {
      bytes += "\x8a\x08";  // LONG1, 8 bytes, little-endian two's complement
      for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
    }
  }
  void int_tuple(c10::IntArrayRef values) {
    op('(');
    for (int64_t v : values) integer(v);
    op('t');
  }
  void empty_ordered_dict() {
    global("collections", "OrderedDict");
    op(')');
    op('R');
  }

 private:
  void le32(uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
};

const char* storage_name(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat: return "FloatStorage";
    case torch::kDouble: return "DoubleStorage";
    case torch::kHalf: return "HalfStorage";
    case torch::kBFloat16: return "BFloat16Storage";
    case torch::kLong: return "LongStorage";
    case torch::kInt: return "IntStorage";
    case torch::kShort: return "ShortStorage";
    case torch::kChar: return "CharStorage";
    case torch::kByte: return "ByteStorage";
    case torch::kBool: return "BoolStorage";
    default: throw std::invalid_argument(std::string("save_state_dict: unsupported dtype ") + c10::toString(t));
  }
}

// Pushes torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()) and records the storage.
void write_tensor(PickleWriter& w, const torch::Tensor& t, const std::string& key) {
  w.global("torch._utils", "_rebuild_tensor_v2");
  w.op('(');
  w.op('(');  // persistent id: ('storage', torch.<T>Storage, key, 'cpu', numel)
  w.str("storage");
  w.global("torch", storage_name(t.scalar_type()));
  w.str(key);
  w.str("cpu");
  w.integer(t.numel());
  w.op('t');
  w.op('Q');  // BINPERSID
  w.integer(0);
  w.int_tuple(t.sizes());
  w.int_tuple(t.strides());
  w.op('\x89');  // False: requires_grad
  w.empty_ordered_dict();  // backward hooks
  w.op('t');
  w.op('R');
}

void write_archive(const std::string& path, const std::string& pickle, const std::vector<torch::Tensor>& storages) {
  std::string out;
  {
    caffe2::serialize::PyTorchStreamWriter writer([&out](const void* data, size_t size) {
      out.append(static_cast<const char*>(data), size);
      return size;
    });
    writer.writeRecord("data.pkl", pickle.data(), pickle.size());
    writer.writeRecord("byteorder", "little", 6);
    for (std::size_t i = 0; i < storages.size(); ++i)
      writer.writeRecord("data/" + std::to_string(i), storages[i].data_ptr(),
                         static_cast<size_t>(storages[i].numel()) * storages[i].element_size());
    writer.writeEndOfFile();
  }
  write_file_atomic(path, out);
}

torch::Tensor cpu_contiguous(const torch::Tensor& t) { return t.detach().to(torch::kCPU).contiguous(); }

// ---- reading ----------------------------------------------------------------------------------------------------

torch::ScalarType storage_dtype(const std::string& storage_type) {
  static const std::map<std::string, torch::ScalarType> types = {
      {"torch.FloatStorage", torch::kFloat}, {"torch.DoubleStorage", torch::kDouble},
      {"torch.HalfStorage", torch::kHalf},   {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kLong},   {"torch.IntStorage", torch::kInt},
      {"torch.ShortStorage", torch::kShort}, {"torch.CharStorage", torch::kChar},
      {"torch.ByteStorage", torch::kByte},   {"torch.BoolStorage", torch::kBool}};
  const auto it = types.find(storage_type);
  if (it == types.end()) throw std::runtime_error("unsupported storage type " + storage_type);
  return it->second;
}

// The tensor `ref` describes, copied out of its record data/<key> (each storage read once, in `storages`).
torch::Tensor materialize(const pickle::TensorRef& ref, caffe2::serialize::PyTorchStreamReader& zip,
                          std::map<std::string, torch::Tensor>& storages) {
  const torch::ScalarType dtype = storage_dtype(ref.storage_type);
  auto it = storages.find(ref.key);
  if (it == storages.end()) {
    const std::string record = "data/" + ref.key;
    if (!zip.hasRecord(record)) throw std::runtime_error("missing record " + record);
    auto [ptr, size] = zip.getRecord(record);
    const auto elem = static_cast<size_t>(c10::elementSize(dtype));
    if (size != static_cast<size_t>(ref.storage_numel) * elem)
      throw std::runtime_error("record " + record + " has the wrong size");
    torch::Tensor s = torch::empty({ref.storage_numel}, torch::TensorOptions().dtype(dtype));
    if (size) std::memcpy(s.data_ptr(), ptr.get(), size);
    it = storages.emplace(ref.key, s).first;
  }
  const torch::Tensor& s = it->second;
  if (s.scalar_type() != dtype) throw std::runtime_error("storage " + ref.key + " read with two types");
  for (const int64_t d : ref.sizes)
    if (d == 0) return torch::empty(ref.sizes, s.options());
  return s.as_strided(ref.sizes, ref.strides, ref.offset).clone();
}

}  // namespace

void save_state_dict(const std::string& path, const StateDict& entries) {
  PickleWriter w;
  std::vector<torch::Tensor> storages;
  w.proto();
  w.empty_ordered_dict();
  w.op('(');
  for (const auto& [name, tensor] : entries) {
    storages.push_back(cpu_contiguous(tensor));
    w.str(name);
    write_tensor(w, storages.back(), std::to_string(storages.size() - 1));
  }
  w.op('u');
  w.op('.');
  write_archive(path, w.bytes, storages);
}

void save_tensor(const std::string& path, const torch::Tensor& tensor) {
  PickleWriter w;
  const torch::Tensor t = cpu_contiguous(tensor);
  w.proto();
  write_tensor(w, t, "0");
  w.op('.');
  write_archive(path, w.bytes, {t});
}

bool is_pth_file(const std::string& path) {
  if (!torch_archive_problem(path).empty()) return false;  // LibTorch's zip reader is not safe on damaged files
  try {
    caffe2::serialize::PyTorchStreamReader zip(path);
    return zip.hasRecord("data.pkl") && !zip.hasRecord("constants.pkl");
  } catch (const std::exception&) {
    return false;
  }
}

PthContent load_pth(const std::string& path) {
  if (const std::string problem = torch_archive_problem(path); !problem.empty())
    throw PthError(fmt::format("{}: not a torch.save archive ({})", path, problem));
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> zip;
  try {
    zip = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw PthError(fmt::format("{}: not a torch.save archive ({})", path, what.substr(0, what.find('\n'))));
  }
  try {
    if (!zip->hasRecord("data.pkl")) throw std::runtime_error("no data.pkl record");
    auto [ptr, size] = zip->getRecord("data.pkl");
    const std::string pickle(static_cast<const char*>(ptr.get()), size);
    const pickle::ValuePtr root = pickle::unpickle(pickle);
    std::map<std::string, torch::Tensor> storages;
    PthContent out;
    if (root->kind == pickle::Kind::Tensor) {
      out.tensor = materialize(root->tensor, *zip, storages);
      return out;
    }
    if (root->kind != pickle::Kind::Dict) throw std::runtime_error("holds neither a state dict nor a tensor");
    for (const auto& [k, v] : root->dict) {
      if (k->kind != pickle::Kind::Str || v->kind != pickle::Kind::Tensor)
        throw std::runtime_error("a dict that is not a state dict (names to tensors)");
      out.state_dict.emplace_back(k->s, materialize(v->tensor, *zip, storages));
    }
    return out;
  } catch (const PthError&) {
    throw;
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw PthError(fmt::format("{}: {}", path, what.substr(0, what.find('\n'))));
  }
}

}  // namespace dcgan
