// .pth files: torch.save's zip archive with a pickled state dict or tensor, written and read without Python.
#include "dcgan/pth.h"

#include "dcgan/archive_check.h"
#include "dcgan/files.h"

#include <caffe2/serialize/inline_container.h>
#include <fmt/format.h>

#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>

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

enum class Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Storage, Tensor };

struct Obj;
using P = std::shared_ptr<Obj>;
struct Obj {
  Kind kind = Kind::None;
  int64_t i = 0;  // Int, Bool
  double f = 0;
  std::string s;  // Str; Global: "module.name"
  std::vector<P> items;  // Tuple, List
  std::vector<std::pair<P, P>> dict;
  torch::Tensor t;  // Storage (1-d), Tensor
};

P make(Kind k) {
  auto o = std::make_shared<Obj>();
  o->kind = k;
  return o;
}

torch::ScalarType storage_dtype(const std::string& global) {
  static const std::map<std::string, torch::ScalarType> types = {
      {"torch.FloatStorage", torch::kFloat}, {"torch.DoubleStorage", torch::kDouble},
      {"torch.HalfStorage", torch::kHalf},   {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kLong},   {"torch.IntStorage", torch::kInt},
      {"torch.ShortStorage", torch::kShort}, {"torch.CharStorage", torch::kChar},
      {"torch.ByteStorage", torch::kByte},   {"torch.BoolStorage", torch::kBool}};
  const auto it = types.find(global);
  if (it == types.end()) throw std::runtime_error("unsupported storage type " + global);
  return it->second;
}

class PickleReader {
 public:
  PickleReader(const std::string& data, caffe2::serialize::PyTorchStreamReader& zip) : data_(data), zip_(zip) {}

  P run() {
    while (true) {
      const auto code = static_cast<unsigned char>(byte());
      switch (code) {
        case 0x80: byte(); break;                            // PROTO
        case 0x95: take(8); break;                           // FRAME
        case '}': push(make(Kind::Dict)); break;             // EMPTY_DICT
        case ']': push(make(Kind::List)); break;             // EMPTY_LIST
        case ')': push(make(Kind::Tuple)); break;            // EMPTY_TUPLE
        case '(': marks_.push_back(stack_.size()); break;   // MARK
        case 't': push(sequence(Kind::Tuple, pop_mark())); break;
        case 'l': push(sequence(Kind::List, pop_mark())); break;
        case 0x85: case 0x86: case 0x87: {                   // TUPLE1..3
          const std::size_t n = code - 0x84;
          need(n);
          std::vector<P> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
          stack_.resize(stack_.size() - n);
          push(sequence(Kind::Tuple, std::move(items)));
          break;
        }
        case 'q': memo_[u(1)] = top(); break;                // BINPUT
        case 'r': memo_[u(4)] = top(); break;                // LONG_BINPUT
        case 0x94: memo_[memo_.size()] = top(); break;       // MEMOIZE
        case 'h': push(memo(u(1))); break;                   // BINGET
        case 'j': push(memo(u(4))); break;                   // LONG_BINGET
        case 'X': push(str(take(u(4)))); break;              // BINUNICODE
        case 0x8c: push(str(take(u(1)))); break;             // SHORT_BINUNICODE
        case 0x8d: push(str(take(u(8)))); break;             // BINUNICODE8
        case 'c': {                                          // GLOBAL
          const std::string module = line(), name = line();
          push(global(module + "." + name));
          break;
        }
        case 0x93: {                                         // STACK_GLOBAL
          const P name = pop(), module = pop();
          if (name->kind != Kind::Str || module->kind != Kind::Str) fail("STACK_GLOBAL of non-strings");
          push(global(module->s + "." + name->s));
          break;
        }
        case 'J': push(integer(static_cast<int32_t>(u(4)))); break;  // BININT
        case 'K': push(integer(static_cast<int64_t>(u(1)))); break;  // BININT1
        case 'M': push(integer(static_cast<int64_t>(u(2)))); break;  // BININT2
        case 0x8a: {                                                 // LONG1
          const auto n = u(1);
          if (n > 8) fail("integer wider than 64 bits");
          const std::string b = take(n);
          uint64_t v = 0;
          for (std::size_t k = 0; k < n; ++k) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[k])) << (8 * k);
          if (n > 0 && n < 8 && (static_cast<unsigned char>(b[n - 1]) & 0x80)) v |= ~uint64_t(0) << (8 * n);
          push(integer(static_cast<int64_t>(v)));
          break;
        }
        case 'G': {                                                  // BINFLOAT, big-endian
          const std::string b = take(8);
          uint64_t bits = 0;
          for (int k = 0; k < 8; ++k) bits = (bits << 8) | static_cast<unsigned char>(b[k]);
          auto o = make(Kind::Float);
          std::memcpy(&o->f, &bits, 8);
          push(o);
          break;
        }
        case 'N': push(make(Kind::None)); break;
        case 0x88: case 0x89: {                                      // NEWTRUE, NEWFALSE
          auto o = make(Kind::Bool);
          o->i = code == 0x88;
          push(o);
          break;
        }
        case 's': {                                                  // SETITEM
          const P v = pop(), k = pop();
          dict_top()->dict.emplace_back(k, v);
          break;
        }
        case 'u': {                                                  // SETITEMS
          std::vector<P> kv = pop_mark();
          if (kv.size() % 2) fail("SETITEMS with an odd count");
          P d = dict_top();
          for (std::size_t k = 0; k < kv.size(); k += 2) d->dict.emplace_back(kv[k], kv[k + 1]);
          break;
        }
        case 'a': {                                                  // APPEND
          const P v = pop();
          list_top()->items.push_back(v);
          break;
        }
        case 'e': {                                                  // APPENDS
          std::vector<P> vs = pop_mark();
          P l = list_top();
          l->items.insert(l->items.end(), vs.begin(), vs.end());
          break;
        }
        case 'Q': push(storage(pop())); break;                       // BINPERSID
        case 'R': {                                                  // REDUCE
          const P args = pop(), callable = pop();
          push(call(callable, args));
          break;
        }
        case 'b': pop(); need(1); break;  // BUILD: the state (a state dict's _metadata) is not needed
        case '.': need(1); return pop();  // STOP
        default: fail(fmt::format("unsupported pickle opcode 0x{:02x}", code));
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(fmt::format("{} at byte {} of data.pkl", what, pos_));
  }
  char byte() {
    if (pos_ >= data_.size()) fail("unexpected end");
    return data_[pos_++];
  }
  std::string take(std::size_t n) {
    if (n > data_.size() - pos_) fail("unexpected end");
    std::string s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  uint64_t u(int n) {
    const std::string b = take(static_cast<std::size_t>(n));
    uint64_t v = 0;
    for (int k = 0; k < n; ++k) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[k])) << (8 * k);
    return v;
  }
  std::string line() {
    const auto end = data_.find('\n', pos_);
    if (end == std::string::npos) fail("unterminated GLOBAL");
    std::string s = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  void need(std::size_t n) const {
    if (stack_.size() < n) fail("stack underflow");
  }
  void push(P o) { stack_.push_back(std::move(o)); }
  P pop() {
    need(1);
    P o = stack_.back();
    stack_.pop_back();
    return o;
  }
  P top() const {
    need(1);
    return stack_.back();
  }
  std::vector<P> pop_mark() {
    if (marks_.empty()) fail("no MARK");
    const std::size_t m = marks_.back();
    marks_.pop_back();
    if (m > stack_.size()) fail("bad MARK");
    std::vector<P> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return items;
  }
  P memo(uint64_t key) const {
    const auto it = memo_.find(key);
    if (it == memo_.end()) fail("unknown memo key");
    return it->second;
  }
  P dict_top() const {
    P d = top();
    if (d->kind != Kind::Dict) fail("SETITEM on a non-dict");
    return d;
  }
  P list_top() const {
    P l = top();
    if (l->kind != Kind::List) fail("APPEND on a non-list");
    return l;
  }
  static P sequence(Kind k, std::vector<P> items) {
    P o = make(k);
    o->items = std::move(items);
    return o;
  }
  static P str(std::string s) {
    P o = make(Kind::Str);
    o->s = std::move(s);
    return o;
  }
  static P global(std::string name) {
    P o = make(Kind::Global);
    o->s = std::move(name);
    return o;
  }
  static P integer(int64_t v) {
    P o = make(Kind::Int);
    o->i = v;
    return o;
  }
  int64_t as_int(const P& o) const {
    if (o->kind != Kind::Int && o->kind != Kind::Bool) fail("expected an integer");
    return o->i;
  }
  std::vector<int64_t> as_ints(const P& o) const {
    if (o->kind != Kind::Tuple && o->kind != Kind::List) fail("expected a tuple of integers");
    std::vector<int64_t> out;
    for (const auto& x : o->items) out.push_back(as_int(x));
    return out;
  }

  // ('storage', torch.<T>Storage, key, location, numel) -> the storage as a 1-d tensor, read from data/<key>.
  P storage(const P& pid) {
    if (pid->kind != Kind::Tuple || pid->items.size() < 5 || pid->items[0]->kind != Kind::Str ||
        pid->items[0]->s != "storage" || pid->items[1]->kind != Kind::Global || pid->items[2]->kind != Kind::Str)
      fail("unsupported persistent id");
    const std::string& key = pid->items[2]->s;
    if (auto it = storages_.find(key); it != storages_.end()) return it->second;
    const torch::ScalarType dtype = storage_dtype(pid->items[1]->s);
    const int64_t numel = as_int(pid->items[4]);
    const std::string record = "data/" + key;
    if (!zip_.hasRecord(record)) fail("missing record " + record);
    auto [ptr, size] = zip_.getRecord(record);
    const auto elem = static_cast<size_t>(c10::elementSize(dtype));
    if (numel < 0 || size != static_cast<size_t>(numel) * elem) fail("record " + record + " has the wrong size");
    P o = make(Kind::Storage);
    o->t = torch::empty({numel}, torch::TensorOptions().dtype(dtype));
    if (size) std::memcpy(o->t.data_ptr(), ptr.get(), size);
    storages_[key] = o;
    return o;
  }

  P call(const P& callable, const P& args) {
    if (callable->kind != Kind::Global) fail("REDUCE of a non-global");
    if (args->kind != Kind::Tuple) fail("REDUCE without an argument tuple");
    const std::string& f = callable->s;
    const auto& a = args->items;
    if (f == "collections.OrderedDict" || f == "builtins.dict") {
      if (!a.empty()) fail(f + " with arguments");
      return make(Kind::Dict);
    }
    if (f == "torch._utils._rebuild_tensor_v2" || f == "torch._utils._rebuild_tensor") {
      if (a.size() < 4 || a[0]->kind != Kind::Storage) fail("malformed " + f);
      const torch::Tensor& s = a[0]->t;
      const int64_t offset = as_int(a[1]);
      const std::vector<int64_t> size = as_ints(a[2]), stride = as_ints(a[3]);
      if (size.size() != stride.size()) fail("size and stride differ in length");
      int64_t last = offset;
      bool empty = false;
      for (std::size_t k = 0; k < size.size(); ++k) {
        if (size[k] < 0 || stride[k] < 0) fail("negative size or stride");
        if (size[k] == 0) empty = true;
        else last += (size[k] - 1) * stride[k];
      }
      if (offset < 0 || (!empty && last >= s.numel())) fail("tensor outside its storage");
      P o = make(Kind::Tensor);
      o->t = empty ? torch::empty(size, s.options()) : s.as_strided(size, stride, offset).clone();
      return o;
    }
    if (f == "torch._utils._rebuild_parameter" || f == "torch._utils._rebuild_parameter_with_state") {
      if (a.empty() || a[0]->kind != Kind::Tensor) fail("malformed " + f);
      return a[0];
    }
    fail("the file holds a Python object of type " + f +
         " (only state dicts and tensors are read: save module.state_dict(), not the module)");
  }

  const std::string& data_;
  caffe2::serialize::PyTorchStreamReader& zip_;
  std::size_t pos_ = 0;
  std::vector<P> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<uint64_t, P> memo_;
  std::map<std::string, P> storages_;
};

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
    PickleReader reader(pickle, *zip);
    const P root = reader.run();
    PthContent out;
    if (root->kind == Kind::Tensor) {
      out.tensor = root->t;
      return out;
    }
    if (root->kind != Kind::Dict) throw std::runtime_error("holds neither a state dict nor a tensor");
    for (const auto& [k, v] : root->dict) {
      if (k->kind != Kind::Str || v->kind != Kind::Tensor)
        throw std::runtime_error("a dict that is not a state dict (names to tensors)");
      out.state_dict.emplace_back(k->s, v->t);
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
