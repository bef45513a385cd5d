// Restricted unpickler for the data.pkl of torch archives (torch.save files, torch::serialize archives). No torch.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dcgan::pickle {

// Thrown for pickle data outside the subset below; what() says what and at which byte of data.pkl.
struct PickleError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Storage, Tensor, Object };

// A tensor as the pickle describes it; its bytes are the archive record data/<key>. Checked when unpickled: sizes
// and strides are non-negative, of equal length, and every element lies inside the storage's `storage_numel`.
struct TensorRef {
  std::string storage_type;  // "torch.FloatStorage", "torch.LongStorage", ...
  std::string key;           // record data/<key>
  int64_t storage_numel = 0;
  int64_t offset = 0;
  std::vector<int64_t> sizes, strides;
};

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  Kind kind = Kind::None;
  int64_t i = 0;   // Int, Bool
  double f = 0;    // Float
  std::string s;   // Str; Global: "module.name"; Object: its class ("__torch__.Module", ...)
  std::vector<ValuePtr> items;                      // Tuple, List
  std::vector<std::pair<ValuePtr, ValuePtr>> dict;  // Dict; Object: its attributes
  TensorRef tensor;                                 // Tensor; Storage (storage_type, key, storage_numel)

  // The value under string key `name` of a Dict or an Object; nullptr when absent or when this is neither.
  const Value* get(std::string_view name) const;
};

// Runs `data` (a data.pkl) on a pickle machine that knows only what torch archives use:
// - containers, strings, integers, floats, booleans, None, memo and frame opcodes of protocols 2 to 5;
// - persistent ids ('storage', torch.<T>Storage, key, location, numel) -> Storage;
// - torch._utils._rebuild_tensor(_v2) -> Tensor; _rebuild_parameter(_with_state) -> its tensor;
// - collections.OrderedDict() and dict() -> Dict;
// - NEWOBJ of a TorchScript class (a global under "__torch__.") -> Object, whose BUILD state dict becomes its
//   attributes (how torch::serialize::OutputArchive and torch.jit.save store modules).
// Nothing in the data is executed. Any other global raises PickleError naming it ("the file holds a Python object of
// type X ..."), as do malformed data and tensors outside their storage.
ValuePtr unpickle(std::string_view data);

}  // namespace dcgan::pickle
