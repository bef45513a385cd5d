// Files: atomic writes and directory creation with errors that name the path. No torch here.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace dcgan {

// Thrown when the file system refuses; what() names the path and the system's reason.
struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes `bytes` to `path` so that `path` is either its old self or the complete new content, never partial:
// a temporary file in the same directory, fsync, rename, fsync of the directory.
void write_file_atomic(const std::string& path, std::string_view bytes);

// The whole content of `path`; throws FileError naming the path and the system's reason when it cannot be read.
std::string read_file(const std::string& path);

// Creates `dir` and its parents if missing; throws FileError when it cannot, or when it exists and is not writable.
void ensure_writable_dir(const std::string& dir);

}  // namespace dcgan
