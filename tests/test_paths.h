// Where the tests find the source tree and the built binaries. No torch here.
#pragma once

namespace dcgan::test {

// Only test_paths.cpp is compiled with these absolute paths (CMake definitions): every other test unit's compile line
// is the same in any clone, so ccache serves it to a fresh clone of CI's.
const char* source_dir();    // the repository root (configs' relative data paths resolve from here)
const char* dcgan_binary();  // build/dcgan
const char* torch_binary();  // build/dcgan-torch (or build/dcgan in builds without the plain sample path)
const char* runs_dir();      // where shared_tiny_run() keeps its run

}  // namespace dcgan::test
