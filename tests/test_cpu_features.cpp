// Tests of the CPU feature probe: oneDNN's ISA cap, the description, and what native bf16 means.
#include "dcgan/runtime/cpu_features.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>

namespace dcgan {
namespace {

CpuFeatures all_features() {
  CpuFeatures f;
  f.avx2 = f.avx512f = f.avx512_bf16 = f.amx_bf16 = true;
  return f;
}

TEST(CpuFeatures, NativeBf16NeedsAvx512Bf16OrAmx) {
  CpuFeatures f;
  EXPECT_FALSE(f.native_bf16());
  EXPECT_EQ(f.describe(), "none");
  f.avx2 = f.avx512f = true;
  EXPECT_FALSE(f.native_bf16());
  f.avx512_bf16 = true;
  EXPECT_TRUE(f.native_bf16());
  EXPECT_EQ(f.describe(), "avx2 avx512f avx512_bf16");
  f.avx512_bf16 = false;
  f.amx_bf16 = true;
  EXPECT_TRUE(f.native_bf16());
}

TEST(CpuFeatures, OneDnnIsaCapsTurnOffWhatOneDnnWillNotUse) {
  EXPECT_TRUE(apply_isa_cap(all_features(), "").native_bf16());
  EXPECT_TRUE(apply_isa_cap(all_features(), "").isa_cap.empty());
  EXPECT_TRUE(apply_isa_cap(all_features(), "all").amx_bf16);

  const CpuFeatures avx2 = apply_isa_cap(all_features(), "AVX2");
  EXPECT_TRUE(avx2.avx2);
  EXPECT_FALSE(avx2.avx512f || avx2.native_bf16());
  EXPECT_EQ(avx2.describe(), "avx2 (oneDNN capped at AVX2)");

  const CpuFeatures core = apply_isa_cap(all_features(), "avx512_core_vnni");
  EXPECT_TRUE(core.avx512f);
  EXPECT_FALSE(core.native_bf16());

  const CpuFeatures bf16 = apply_isa_cap(all_features(), "AVX512_CORE_BF16");
  EXPECT_TRUE(bf16.avx512_bf16);
  EXPECT_FALSE(bf16.amx_bf16);
  EXPECT_TRUE(bf16.native_bf16());

  EXPECT_TRUE(apply_isa_cap(all_features(), "AVX512_CORE_AMX").amx_bf16);
  // A cap never adds what the CPU lacks.
  EXPECT_FALSE(apply_isa_cap(CpuFeatures{}, "ALL").native_bf16());
}

// The kernel's view of this CPU: the flags of /proc/cpuinfo's first processor (it lists AVX-512 and AMX only where
// XSAVE enables their state, as the probe's XGETBV check requires), capped as the probe is capped.
std::optional<CpuFeatures> from_proc_cpuinfo() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    std::set<std::string> flags;
    std::istringstream words(line.substr(line.find(':') + 1));
    for (std::string w; words >> w;) flags.insert(w);
    CpuFeatures f;
    f.avx2 = flags.count("avx2") > 0;
    f.avx512f = flags.count("avx512f") > 0;
    f.avx512_bf16 = flags.count("avx512_bf16") > 0;
    f.amx_bf16 = flags.count("amx_bf16") > 0 && flags.count("amx_tile") > 0;
    const char* cap = std::getenv("ONEDNN_MAX_CPU_ISA");
    if (!cap) cap = std::getenv("DNNL_MAX_CPU_ISA");
    return apply_isa_cap(f, cap ? cap : "");
  }
  return std::nullopt;
}

TEST(CpuFeatures, ThisMachineIsProbedOnceAndAgreesWithTheKernel) {
  const CpuFeatures& f = cpu_features();
  EXPECT_EQ(&f, &cpu_features());
#if defined(__x86_64__)
  // An independent source: a probe that regressed to "none" would make every bf16 test skip with the suite green.
  const std::optional<CpuFeatures> kernel = from_proc_cpuinfo();
  ASSERT_TRUE(kernel.has_value()) << "/proc/cpuinfo has no flags line";
  EXPECT_EQ(f.avx2, kernel->avx2);
  EXPECT_EQ(f.avx512f, kernel->avx512f);
  EXPECT_EQ(f.avx512_bf16, kernel->avx512_bf16);
  EXPECT_EQ(f.amx_bf16, kernel->amx_bf16);
  EXPECT_EQ(f.describe(), kernel->describe());
#endif
  // The flags imply one another as the ISA does: AVX512_BF16 is an AVX-512 extension.
  if (f.avx512_bf16) {
    EXPECT_TRUE(f.avx512f);
  }
  EXPECT_FALSE(f.describe().empty());
}

}  // namespace
}  // namespace dcgan
