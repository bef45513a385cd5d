// Restricted unpickler for torch archives' data.pkl: a value tree, tensors as references to their storage records.
#include "dcgan/plain/pickle.h"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <unordered_map>

namespace dcgan::pickle {

const Value* Value::get(std::string_view name) const {
  if (kind != Kind::Dict && kind != Kind::Object) return nullptr;
  for (const auto& [k, v] : dict)
    if (k->kind == Kind::Str && k->s == name) return v.get();
  return nullptr;
}

namespace {

ValuePtr make(Kind k) {
  auto o = std::make_shared<Value>();
  o->kind = k;
  return o;
}

class Machine {
 public:
  explicit Machine(std::string_view data) : data_(data) {}

  ValuePtr run() {
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
          std::vector<ValuePtr> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
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
          const ValuePtr name = pop(), module = pop();
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
          const std::string_view b = take(n);
          uint64_t v = 0;
          for (std::size_t k = 0; k < n; ++k) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[k])) << (8 * k);
          if (n > 0 && n < 8 && (static_cast<unsigned char>(b[n - 1]) & 0x80)) v |= ~uint64_t(0) << (8 * n);
          push(integer(static_cast<int64_t>(v)));
          break;
        }
        case 'G': {                                                  // BINFLOAT, big-endian
          const std::string_view b = take(8);
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
          const ValuePtr v = pop(), k = pop();
          dict_top()->dict.emplace_back(k, v);
          break;
        }
        case 'u': {                                                  // SETITEMS
          std::vector<ValuePtr> kv = pop_mark();
          if (kv.size() % 2) fail("SETITEMS with an odd count");
          ValuePtr d = dict_top();
          for (std::size_t k = 0; k < kv.size(); k += 2) d->dict.emplace_back(kv[k], kv[k + 1]);
          break;
        }
        case 'a': {                                                  // APPEND
          const ValuePtr v = pop();
          list_top()->items.push_back(v);
          break;
        }
        case 'e': {                                                  // APPENDS
          std::vector<ValuePtr> vs = pop_mark();
          ValuePtr l = list_top();
          l->items.insert(l->items.end(), vs.begin(), vs.end());
          break;
        }
        case 'Q': push(storage(pop())); break;                       // BINPERSID
        case 'R': {                                                  // REDUCE
          const ValuePtr args = pop(), callable = pop();
          push(call(callable, args));
          break;
        }
        case 0x81: {                                                 // NEWOBJ
          const ValuePtr args = pop(), cls = pop();
          push(new_object(cls, args));
          break;
        }
        case 'b': {                                                  // BUILD
          const ValuePtr state = pop();
          const ValuePtr target = top();
          // An Object takes its attributes; a dict's state (a state dict's _metadata) is not needed.
          if (target->kind == Kind::Object) {
            if (state->kind != Kind::Dict) fail("BUILD of an object without a state dict");
            target->dict = state->dict;
          }
          break;
        }
        case '.': need(1); return pop();  // STOP
        default: fail(fmt::format("unsupported pickle opcode 0x{:02x}", code));
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw PickleError(fmt::format("{} at byte {} of data.pkl", what, pos_));
  }
  char byte() {
    if (pos_ >= data_.size()) fail("unexpected end");
    return data_[pos_++];
  }
  std::string_view take(std::size_t n) {
    if (n > data_.size() - pos_) fail("unexpected end");
    std::string_view s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  uint64_t u(int n) {
    const std::string_view b = take(static_cast<std::size_t>(n));
    uint64_t v = 0;
    for (int k = 0; k < n; ++k) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[k])) << (8 * k);
    return v;
  }
  std::string line() {
    const auto end = data_.find('\n', pos_);
    if (end == std::string_view::npos) fail("unterminated GLOBAL");
    std::string s(data_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  void need(std::size_t n) const {
    if (stack_.size() < n) fail("stack underflow");
  }
  void push(ValuePtr o) { stack_.push_back(std::move(o)); }
  ValuePtr pop() {
    need(1);
    ValuePtr o = stack_.back();
    stack_.pop_back();
    return o;
  }
  ValuePtr top() const {
    need(1);
    return stack_.back();
  }
  std::vector<ValuePtr> pop_mark() {
    if (marks_.empty()) fail("no MARK");
    const std::size_t m = marks_.back();
    marks_.pop_back();
    if (m > stack_.size()) fail("bad MARK");
    std::vector<ValuePtr> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return items;
  }
  ValuePtr memo(uint64_t key) const {
    const auto it = memo_.find(key);
    if (it == memo_.end()) fail("unknown memo key");
    return it->second;
  }
  ValuePtr dict_top() const {
    ValuePtr d = top();
    if (d->kind != Kind::Dict) fail("SETITEM on a non-dict");
    return d;
  }
  ValuePtr list_top() const {
    ValuePtr l = top();
    if (l->kind != Kind::List) fail("APPEND on a non-list");
    return l;
  }
  static ValuePtr sequence(Kind k, std::vector<ValuePtr> items) {
    ValuePtr o = make(k);
    o->items = std::move(items);
    return o;
  }
  static ValuePtr str(std::string_view s) {
    ValuePtr o = make(Kind::Str);
    o->s = std::string(s);
    return o;
  }
  static ValuePtr global(std::string name) {
    ValuePtr o = make(Kind::Global);
    o->s = std::move(name);
    return o;
  }
  static ValuePtr integer(int64_t v) {
    ValuePtr o = make(Kind::Int);
    o->i = v;
    return o;
  }
  int64_t as_int(const ValuePtr& o) const {
    if (o->kind != Kind::Int && o->kind != Kind::Bool) fail("expected an integer");
    return o->i;
  }
  std::vector<int64_t> as_ints(const ValuePtr& o) const {
    if (o->kind != Kind::Tuple && o->kind != Kind::List) fail("expected a tuple of integers");
    std::vector<int64_t> out;
    for (const auto& x : o->items) out.push_back(as_int(x));
    return out;
  }

  // ('storage', torch.<T>Storage, key, location, numel) -> Storage; one Value per key.
  ValuePtr storage(const ValuePtr& pid) {
    if (pid->kind != Kind::Tuple || pid->items.size() < 5 || pid->items[0]->kind != Kind::Str ||
        pid->items[0]->s != "storage" || pid->items[1]->kind != Kind::Global || pid->items[2]->kind != Kind::Str)
      fail("unsupported persistent id");
    const std::string& key = pid->items[2]->s;
    if (auto it = storages_.find(key); it != storages_.end()) return it->second;
    ValuePtr o = make(Kind::Storage);
    o->tensor.storage_type = pid->items[1]->s;
    o->tensor.key = key;
    o->tensor.storage_numel = as_int(pid->items[4]);
    if (o->tensor.storage_numel < 0) fail("negative storage size");
    storages_[key] = o;
    return o;
  }

  ValuePtr rebuild_tensor(const std::string& f, const std::vector<ValuePtr>& a) const {
    if (a.size() < 4 || a[0]->kind != Kind::Storage) fail("malformed " + f);
    ValuePtr o = make(Kind::Tensor);
    TensorRef& t = o->tensor;
    t = a[0]->tensor;
    t.offset = as_int(a[1]);
    t.sizes = as_ints(a[2]);
    t.strides = as_ints(a[3]);
    if (t.sizes.size() != t.strides.size()) fail("size and stride differ in length");
    int64_t last = t.offset;
    bool empty = false;
    for (std::size_t k = 0; k < t.sizes.size(); ++k) {
      if (t.sizes[k] < 0 || t.strides[k] < 0) fail("negative size or stride");
      if (t.sizes[k] == 0) empty = true;
      else last += (t.sizes[k] - 1) * t.strides[k];
    }
    if (t.offset < 0 || (!empty && last >= t.storage_numel)) fail("tensor outside its storage");
    return o;
  }

  ValuePtr call(const ValuePtr& callable, const ValuePtr& args) const {
    if (callable->kind != Kind::Global) fail("REDUCE of a non-global");
    if (args->kind != Kind::Tuple) fail("REDUCE without an argument tuple");
    const std::string& f = callable->s;
    const auto& a = args->items;
    if (f == "collections.OrderedDict" || f == "builtins.dict") {
      if (!a.empty()) fail(f + " with arguments");
      return make(Kind::Dict);
    }
    if (f == "torch._utils._rebuild_tensor_v2" || f == "torch._utils._rebuild_tensor") return rebuild_tensor(f, a);
    if (f == "torch._utils._rebuild_parameter" || f == "torch._utils._rebuild_parameter_with_state") {
      if (a.empty() || a[0]->kind != Kind::Tensor) fail("malformed " + f);
      return a[0];
    }
    fail("the file holds a Python object of type " + f +
         " (only state dicts and tensors are read: save module.state_dict(), not the module)");
  }

  ValuePtr new_object(const ValuePtr& cls, const ValuePtr& args) const {
    if (cls->kind != Kind::Global) fail("NEWOBJ of a non-global");
    if (cls->s.rfind("__torch__.", 0) != 0)
      fail("the file holds a Python object of type " + cls->s +
           " (only state dicts and tensors are read: save module.state_dict(), not the module)");
    if (args->kind != Kind::Tuple || !args->items.empty()) fail("NEWOBJ of " + cls->s + " with arguments");
    ValuePtr o = make(Kind::Object);
    o->s = cls->s;
    return o;
  }

  std::string_view data_;
  std::size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<uint64_t, ValuePtr> memo_;
  std::map<std::string, ValuePtr> storages_;
};

}  // namespace

ValuePtr unpickle(std::string_view data) { return Machine(data).run(); }

}  // namespace dcgan::pickle
