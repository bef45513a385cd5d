// .pth files: the zip + pickle format of Python's torch.save, for state dicts and single tensors.
#pragma once

#include <torch/torch.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dcgan {

// Thrown for a file that is not a readable .pth of the kinds below; what() names the file and the problem.
struct PthError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A state dict: names and tensors in order (what Python's module.state_dict() holds).
using StateDict = std::vector<std::pair<std::string, torch::Tensor>>;

// Writes `entries` as Python's torch.save(OrderedDict) writes a state dict (pickle protocol 2 in a zip archive;
// tensors contiguous, on the CPU). Python reads it with torch.load(path) and, from torch 2.6 on, with the default
// weights_only=True: only collections.OrderedDict, torch._utils._rebuild_tensor_v2 and torch.*Storage appear.
// Written atomically. Throws FileError naming the path.
void save_state_dict(const std::string& path, const StateDict& entries);
// Writes one tensor as torch.save(tensor) does.
void save_tensor(const std::string& path, const torch::Tensor& tensor);

// What a .pth file holds: a state dict, or a single tensor.
struct PthContent {
  StateDict state_dict;  // filled for a dict (OrderedDict or dict) of tensors
  torch::Tensor tensor;  // defined for a single tensor
};
// Reads a file written by Python's torch.save of a state dict or a tensor (any pickle protocol torch.save uses),
// or by the functions above. Only the pickle opcodes and globals such files use are accepted: nothing in the file
// is executed. Throws PthError for anything else (a full module, other Python objects, a damaged archive).
PthContent load_pth(const std::string& path);

// Whether `path` is a torch.save-style zip archive (data.pkl, no TorchScript code) rather than a dcgan checkpoint.
bool is_pth_file(const std::string& path);

}  // namespace dcgan
