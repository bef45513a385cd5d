// libFuzzer entry point; DCGAN_FUZZ_TARGET names the target (see fuzz_targets.h).
#include "fuzz_targets.h"

#include <spdlog/spdlog.h>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // the cache reader warns about a missing source on every input
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (const auto& t : dcgan::fuzz::targets())
    if (t.name == DCGAN_FUZZ_TARGET) t.run(data, size);
  return 0;
}
