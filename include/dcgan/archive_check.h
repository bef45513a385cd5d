// Integrity check of torch archives (the zip container of g.pt and checkpoints). No torch here.
#pragma once

#include <string>

namespace dcgan {

// Checks, before LibTorch parses `path`: the zip directory is in bounds and its entry counts (including the zip64
// record LibTorch writes and trusts) agree with the entries present; every entry's local name equals the directory's;
// every entry's bytes, inflated where deflated, match its CRC-32. Returns "" when sound, else the problem.
// Why: LibTorch 1.13's reader checks no CRC, and its TorchScript importer crashes (SIGSEGV) on some damaged entries;
// scripts/fuzz.sh found two such files (tests/fuzz/checkpoint/crash-*), which this check now refuses.
std::string torch_archive_problem(const std::string& path);

}  // namespace dcgan
