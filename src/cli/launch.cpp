// The local launcher: fork/exec of N ranks with torchrun's environment, signal forwarding, no orphans.
#include "launch.h"

#include "dcgan/run/signals.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace dcgan::cli {
namespace {

// A port the kernel considers free on 127.0.0.1 now (rank 0 binds it a moment later; torchrun does the same).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(fmt::format("--nproc: socket(): {}", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("--nproc: cannot find a free port on 127.0.0.1: " + why);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool is_dist_variable(const char* entry) {
  for (const char* name : {"RANK=", "LOCAL_RANK=", "WORLD_SIZE=", "LOCAL_WORLD_SIZE=", "MASTER_ADDR=", "MASTER_PORT=",
                           "TORCHELASTIC_USE_AGENT_STORE=", "TORCHELASTIC_RESTART_COUNT="})
    if (std::strncmp(entry, name, std::strlen(name)) == 0) return true;
  return false;
}

int status_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {}", WTERMSIG(status));
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

}  // namespace

int launch_local_ranks(const LaunchOptions& options) {
  const int n = options.nproc;
  const char* env_port = std::getenv("MASTER_PORT");
  const int port = env_port != nullptr && *env_port != '\0' ? std::atoi(env_port) : free_port();

  // Everything the children need is built before the first fork: between fork and exec only async-signal-safe
  // calls are made.
  std::vector<std::string> base_env;
  for (char** e = environ; *e != nullptr; ++e)
    if (!is_dist_variable(*e)) base_env.emplace_back(*e);
  std::vector<std::vector<std::string>> envs(static_cast<std::size_t>(n), base_env);
  for (int r = 0; r < n; ++r) {
    auto& env = envs[static_cast<std::size_t>(r)];
    env.push_back(fmt::format("RANK={}", r));
    env.push_back(fmt::format("LOCAL_RANK={}", r));
    env.push_back(fmt::format("WORLD_SIZE={}", n));
    env.push_back(fmt::format("LOCAL_WORLD_SIZE={}", n));
    env.push_back("MASTER_ADDR=127.0.0.1");
    env.push_back(fmt::format("MASTER_PORT={}", port));
  }
  std::vector<std::string> args{"dcgan"};
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::vector<char*>> envps(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) {
    for (auto& e : envs[static_cast<std::size_t>(r)]) envps[static_cast<std::size_t>(r)].push_back(e.data());
    envps[static_cast<std::size_t>(r)].push_back(nullptr);
  }

  install_stop_handlers();  // the launcher records SIGINT/SIGTERM and forwards them below
  spdlog::info("launching {} ranks on 127.0.0.1:{}", n, port);
  const pid_t launcher = ::getpid();
  std::vector<pid_t> pids(static_cast<std::size_t>(n), -1);
  std::vector<bool> running(static_cast<std::size_t>(n), false);
  auto signal_all = [&](int sig) {
    for (int r = 0; r < n; ++r)
      if (running[static_cast<std::size_t>(r)]) ::kill(pids[static_cast<std::size_t>(r)], sig);
  };
  for (int r = 0; r < n; ++r) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      const std::string why = std::strerror(errno);
      signal_all(SIGKILL);
      while (::wait(nullptr) > 0) {
      }
      throw std::runtime_error(fmt::format("--nproc: cannot start rank {}: fork(): {}", r, why));
    }
    if (pid == 0) {
      ::setpgid(0, 0);  // the terminal's Ctrl-C reaches the launcher only, which forwards it once
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != launcher) ::_exit(1);  // the launcher died before prctl
      ::execve("/proc/self/exe", argv.data(), envps[static_cast<std::size_t>(r)].data());
      static const char msg[] = "dcgan: error: --nproc: cannot execute /proc/self/exe\n";
      (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
      ::_exit(127);
    }
    pids[static_cast<std::size_t>(r)] = pid;
    running[static_cast<std::size_t>(r)] = true;
  }

  int result = 0;
  int live = n;
  bool forwarded = false;
  bool failing = false;
  auto kill_at = std::chrono::steady_clock::time_point::max();
  while (live > 0) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (int r = 0; r < n; ++r) {
        if (pids[static_cast<std::size_t>(r)] != pid || !running[static_cast<std::size_t>(r)]) continue;
        running[static_cast<std::size_t>(r)] = false;
        --live;
        const int code = status_code(status);
        if (code != 0 && result == 0) result = code;
        if (code != 0 && !failing && !forwarded) {
          failing = true;
          spdlog::error("rank {} {}; stopping the other ranks", r, describe_status(status));
          signal_all(SIGTERM);
          kill_at = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(static_cast<int64_t>(1e3 * options.grace_s));
        }
      }
      continue;
    }
    if (pid < 0 && errno != EINTR) break;
    if (stop_signal() != 0 && !forwarded) {
      forwarded = true;
      signal_all(stop_signal());
    }
    if (std::chrono::steady_clock::now() > kill_at) {
      spdlog::error("ranks still running {:.0f}s after a failure: killing them", options.grace_s);
      signal_all(SIGKILL);
      kill_at = std::chrono::steady_clock::time_point::max();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return result;
}

}  // namespace dcgan::cli
