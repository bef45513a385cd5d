// Helpers for end-to-end tests: run the built binary with real arguments and read what a run wrote.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_util.h"

namespace dcgan::test {

struct CliRun {
  int status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the binary (or `binary`) with `args` in `cwd`: by default the source tree, so that configs' relative data
// paths resolve.
inline CliRun dcgan_cli(const std::string& args, const std::string& binary = test::dcgan_binary(),
                        const std::string& cwd = test::source_dir()) {
  ScratchDir capture;
  const std::string cmd = "cd '" + cwd + "' && '" + binary + "' " + args + " >'" +
                          (capture / "out") + "' 2>'" + (capture / "err") + "'";
  const int raw = std::system(cmd.c_str());
  CliRun r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  r.out = slurp(capture / "out");
  r.err = slurp(capture / "err");
  return r;
}

// The run of configs/tiny.yaml as it ships (12 steps of 256 MNIST images at 32x32: checkpoints at steps 6 and 12,
// samples, pictures, g.pt), trained once per build of the binary and shared by the tests that only read a run. The
// first test process to ask trains it while holding a lock; the others wait for the lock, then read. A test must
// not write into it. Throws std::runtime_error with the binary's stderr when the training fails.
inline std::string shared_tiny_run() {
  struct stat st {};
  ::stat(test::torch_binary(), &st);
  const std::string root = test::runs_dir();
  const std::string dir = root + "/tiny-" + std::to_string(st.st_mtim.tv_sec) + "." +
                          std::to_string(st.st_mtim.tv_nsec) + "-" + std::to_string(st.st_size);
  std::filesystem::create_directories(root);
  const int lock = ::open((root + "/lock").c_str(), O_CREAT | O_RDWR, 0644);
  ::flock(lock, LOCK_EX);
  std::string error;
  if (!std::filesystem::exists(dir + "/.complete")) {
    std::filesystem::remove_all(dir);
    const CliRun r = dcgan_cli("train --config configs/tiny.yaml --set output.dir=" + dir);
    if (r.status == 0)
      std::ofstream(dir + "/.complete") << "trained by " << test::torch_binary() << "\n";
    else
      error = r.err;
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  if (!error.empty()) throw std::runtime_error("the shared tiny run failed to train: " + error);
  return dir;
}

// Starts the binary in the background (stdout and stderr to files under `capture_dir`); returns its pid.
inline pid_t spawn_cli(const std::string& args, const std::string& capture_dir) {
  const std::string cmd = "cd '" + std::string(test::source_dir()) + "' && exec '" + test::dcgan_binary() + "' " +
                          args +
                          " >'" + capture_dir + "/out' 2>'" + capture_dir + "/err'";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Waits for `pid`; returns its exit status, or 128 + signal when a signal ended it.
inline int wait_status(pid_t pid) {
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
}

inline std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// metrics.csv without its last column (images_per_s, a timing).
inline std::vector<std::string> metrics_without_timing(const std::string& path) {
  auto lines = lines_of(path);
  for (auto& l : lines) l = l.substr(0, l.rfind(','));
  return lines;
}

// The cells of one csv row (no quoting), empty ones included.
inline std::vector<std::string> csv_cells(const std::string& row) {
  std::vector<std::string> out(1);
  for (char c : row) {
    if (c == ',') out.emplace_back();
    else out.back() += c;
  }
  return out;
}

// The number after the first `key=` in a command's output (a line such as swd_mean=12.345), or -1 if none.
inline double figure(const std::string& out, const std::string& key) {
  std::smatch m;
  const std::regex re(key + "=([0-9.]+)");
  if (!std::regex_search(out, m, re)) return -1;
  return std::stod(m[1]);
}

inline int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace dcgan::test
