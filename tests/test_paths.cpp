// Where the tests find the source tree and the built binaries: the paths CMake passes to this unit alone.
#include "test_paths.h"

namespace dcgan::test {

const char* source_dir() { return DCGAN_SOURCE_DIR; }
const char* dcgan_binary() { return DCGAN_BINARY; }
const char* torch_binary() { return DCGAN_TORCH_BINARY; }
const char* runs_dir() { return DCGAN_TEST_RUNS_DIR; }

}  // namespace dcgan::test
