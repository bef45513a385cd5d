// The CPU features that decide whether bf16 training runs natively on this processor (x86-64 CPUID).
#pragma once

#include <string>

namespace dcgan {

// What this processor (and its operating system) can run, as oneDNN, LibTorch's CPU convolution library, sees it.
// Each flag needs both the CPUID bit and the OS's support for the register state (XCR0), as oneDNN checks.
struct CpuFeatures {
  bool avx2 = false;
  bool avx512f = false;      // AVX-512 Foundation
  bool avx512_bf16 = false;  // AVX512_BF16: bf16 dot products (Intel Cooper Lake on, AMD Zen 4 on)
  bool amx_bf16 = false;     // AMX-BF16 tiles (Intel Sapphire Rapids on)
  // Set when ONEDNN_MAX_CPU_ISA (or DNNL_MAX_CPU_ISA) caps oneDNN below what the CPU has: the cap's value.
  std::string isa_cap;

  /// Whether bf16 matrix products run natively: AVX512_BF16 or AMX-BF16 present and not capped off. Without either,
  /// oneDNN emulates bf16 in fp32, which is slower than fp32 itself.
  bool native_bf16() const { return avx512_bf16 || amx_bf16; }

  /// The flags found, e.g. "avx2 avx512f avx512_bf16 amx_bf16", "none" when none is; with the cap when one is set.
  std::string describe() const;
};

/// This machine's features, read once (CPUID and XGETBV on x86-64; all false elsewhere), then limited by
/// ONEDNN_MAX_CPU_ISA / DNNL_MAX_CPU_ISA where the environment sets them (see apply_isa_cap).
const CpuFeatures& cpu_features();

/// `found` limited by a oneDNN ISA cap (case-insensitive, oneDNN's names): AVX512_BF16 survives caps naming
/// AVX512_CORE_BF16 or a later ISA (…_FP16, …_AMX…, AVX10…, ALL), AMX-BF16 only caps naming AMX (or ALL),
/// AVX-512 any AVX512 or AVX10 cap. An empty cap changes nothing.
CpuFeatures apply_isa_cap(CpuFeatures found, const std::string& cap);

}  // namespace dcgan
