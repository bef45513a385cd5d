// The local launcher of `dcgan train --nproc N`: starts N ranks of this program with torchrun's environment.
#pragma once

#include <string>
#include <vector>

namespace dcgan::cli {

struct LaunchOptions {
  int nproc = 2;                  // local ranks (WORLD_SIZE = LOCAL_WORLD_SIZE = nproc)
  std::vector<std::string> args;  // each rank's arguments after the program name (e.g. {"train", "--config", "x"})
  double grace_s = 30;            // after one rank fails, how long the others get to exit before SIGKILL
};

// Runs options.args as ranks 0..nproc-1 of this executable (/proc/self/exe), each with RANK, LOCAL_RANK,
// WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1 and MASTER_PORT (the environment's MASTER_PORT, else a free
// port) set, as torchrun sets them. The ranks run in a process group of their own and die with the launcher
// (PR_SET_PDEATHSIG); SIGINT/SIGTERM to the launcher are forwarded to them once. When a rank fails, the others are
// sent SIGTERM and, after grace_s, SIGKILL: no rank outlives the launcher. Returns 0 when every rank exited 0, else
// the first failing rank's status (128 + signal for a signal). Throws std::runtime_error when a rank cannot start.
int launch_local_ranks(const LaunchOptions& options);

}  // namespace dcgan::cli
