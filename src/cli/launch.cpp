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

namespace {

// The local ranks: their command lines and environments, built before the first fork (between fork and exec only
// async-signal-safe calls are made), and their processes.
class LocalRanks {
 public:
  LocalRanks(const LaunchOptions& options, int port) : n_(options.nproc) {
    std::vector<std::string> base;
    for (char** e = environ; *e != nullptr; ++e)
      if (!is_dist_variable(*e)) base.emplace_back(*e);
    envs_.assign(static_cast<std::size_t>(n_), base);
    for (int r = 0; r < n_; ++r) {
      auto& env = envs_[idx(r)];
      env.push_back(fmt::format("RANK={}", r));
      env.push_back(fmt::format("LOCAL_RANK={}", r));
      env.push_back(fmt::format("WORLD_SIZE={}", n_));
      env.push_back(fmt::format("LOCAL_WORLD_SIZE={}", n_));
      env.push_back("MASTER_ADDR=127.0.0.1");
      env.push_back(fmt::format("MASTER_PORT={}", port));
    }
    args_ = {"dcgan"};
    args_.insert(args_.end(), options.args.begin(), options.args.end());
    for (auto& a : args_) argv_.push_back(a.data());
    argv_.push_back(nullptr);
    envps_.resize(static_cast<std::size_t>(n_));
    for (int r = 0; r < n_; ++r) {
      for (auto& e : envs_[idx(r)]) envps_[idx(r)].push_back(e.data());
      envps_[idx(r)].push_back(nullptr);
    }
    pids_.assign(static_cast<std::size_t>(n_), -1);
    running_.assign(static_cast<std::size_t>(n_), false);
  }

  // Forks and execs every rank. Throws std::runtime_error (after killing the ranks started) when a fork fails.
  void start() {
    const pid_t launcher = ::getpid();
    for (int r = 0; r < n_; ++r) {
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
        ::execve("/proc/self/exe", argv_.data(), envps_[idx(r)].data());
        static const char msg[] = "dcgan: error: --nproc: cannot execute /proc/self/exe\n";
        (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(127);
      }
      pids_[idx(r)] = pid;
      running_[idx(r)] = true;
    }
  }

  void signal_all(int sig) {
    for (int r = 0; r < n_; ++r)
      if (running_[idx(r)]) ::kill(pids_[idx(r)], sig);
  }

  // The rank that `pid` was, now ended, or -1 when `pid` is none of the running ranks.
  int ended(pid_t pid) {
    for (int r = 0; r < n_; ++r)
      if (pids_[idx(r)] == pid && running_[idx(r)]) {
        running_[idx(r)] = false;
        return r;
      }
    return -1;
  }

  int size() const { return n_; }

 private:
  static std::size_t idx(int r) { return static_cast<std::size_t>(r); }
  int n_;
  std::vector<std::vector<std::string>> envs_;
  std::vector<std::string> args_;
  std::vector<char*> argv_;
  std::vector<std::vector<char*>> envps_;
  std::vector<pid_t> pids_;
  std::vector<bool> running_;
};

// Waits for every rank. The first failure stops the others (SIGTERM, then SIGKILL after grace_s); a stop signal
// to the launcher is forwarded once. Returns the first non-zero exit status, or 0.
int supervise(LocalRanks& ranks, double grace_s) {
  int result = 0;
  int live = ranks.size();
  bool forwarded = false;
  bool failing = false;
  auto kill_at = std::chrono::steady_clock::time_point::max();
  while (live > 0) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      const int r = ranks.ended(pid);
      if (r < 0) continue;
      --live;
      const int code = status_code(status);
      if (code != 0 && result == 0) result = code;
      if (code != 0 && !failing && !forwarded) {
        failing = true;
        spdlog::error("rank {} {}; stopping the other ranks", r, describe_status(status));
        ranks.signal_all(SIGTERM);
        kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(1e3 * grace_s));
      }
      continue;
    }
    if (pid < 0 && errno != EINTR) break;
    if (stop_signal() != 0 && !forwarded) {
      forwarded = true;
      ranks.signal_all(stop_signal());
    }
    if (std::chrono::steady_clock::now() > kill_at) {
      spdlog::error("ranks still running {:.0f}s after a failure: killing them", grace_s);
      ranks.signal_all(SIGKILL);
      kill_at = std::chrono::steady_clock::time_point::max();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return result;
}

}  // namespace

int launch_local_ranks(const LaunchOptions& options) {
  const char* env_port = std::getenv("MASTER_PORT");
  const int port = env_port != nullptr && *env_port != '\0' ? std::atoi(env_port) : free_port();
  LocalRanks ranks(options, port);
  install_stop_handlers();  // the launcher records SIGINT/SIGTERM and forwards them
  spdlog::info("launching {} ranks on 127.0.0.1:{}", options.nproc, port);
  ranks.start();
  return supervise(ranks, options.grace_s);
}

}  // namespace dcgan::cli
