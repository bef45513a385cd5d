// CPU features by CPUID and XGETBV, limited by oneDNN's ISA cap.
#include "dcgan/runtime/cpu_features.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define DCGAN_X86 1
#endif

namespace dcgan {
namespace {

#ifdef DCGAN_X86
bool bit(uint32_t reg, int n) { return (reg >> n) & 1u; }

uint64_t xcr0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

// Intel SDM vol. 2A, CPUID: leaf 1 ECX.27 OSXSAVE; leaf 7.0 EBX.5 AVX2, EBX.16 AVX512F, EDX.22 AMX-BF16,
// EDX.24 AMX-TILE; leaf 7.1 EAX.5 AVX512_BF16. XCR0 bits 1-2 SSE/AVX state, 5-7 AVX-512 state, 17-18 tile state.
CpuFeatures probe() {
  CpuFeatures f;
  uint32_t a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !bit(c, 27)) return f;
  const uint64_t xcr = xcr0();
  const bool os_avx = (xcr & 0x6) == 0x6, os_avx512 = os_avx && (xcr & 0xe0) == 0xe0;
  const bool os_amx = ((xcr >> 17) & 3) == 3;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  const uint32_t max_sub = a;
  f.avx2 = os_avx && bit(b, 5);
  f.avx512f = os_avx512 && bit(b, 16);
  f.amx_bf16 = os_amx && bit(d, 22) && bit(d, 24);
  if (max_sub >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avx512_bf16 = f.avx512f && bit(a, 5);
  return f;
}
#else
CpuFeatures probe() { return {}; }
#endif

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return s;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

CpuFeatures apply_isa_cap(CpuFeatures f, const std::string& cap) {
  if (cap.empty()) return f;
  f.isa_cap = cap;
  const std::string u = upper(cap);
  if (u == "ALL") return f;
  const bool avx10 = contains(u, "AVX10");
  f.amx_bf16 = f.amx_bf16 && contains(u, "AMX");
  f.avx512_bf16 = f.avx512_bf16 && (contains(u, "BF16") || contains(u, "FP16") || contains(u, "AMX") || avx10);
  f.avx512f = f.avx512f && (contains(u, "AVX512") || avx10);
  f.avx2 = f.avx2 && (contains(u, "AVX2") || f.avx512f);
  return f;
}

std::string CpuFeatures::describe() const {
  std::string s;
  auto add = [&s](bool on, const char* name) {
    if (on) s += (s.empty() ? "" : " ") + std::string(name);
  };
  add(avx2, "avx2");
  add(avx512f, "avx512f");
  add(avx512_bf16, "avx512_bf16");
  add(amx_bf16, "amx_bf16");
  if (s.empty()) s = "none";
  if (!isa_cap.empty()) s += " (oneDNN capped at " + isa_cap + ")";
  return s;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = [] {
    std::string cap = env("ONEDNN_MAX_CPU_ISA");
    if (cap.empty()) cap = env("DNNL_MAX_CPU_ISA");
    return apply_isa_cap(probe(), cap);
  }();
  return features;
}

}  // namespace dcgan
