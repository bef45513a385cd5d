// One run per folder: flock on dcgan.lock, the run files a folder holds, and their removal for --overwrite.
#include "dcgan/run/run_folder.h"

#include "dcgan/io/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace dcgan {
namespace {

constexpr const char* kLockName = "dcgan.lock";

/// What a run writes at the top of its folder (docs/running.md's table); a folder holding any of them holds a run.
const std::vector<std::string>& run_file_names() {
  static const std::vector<std::string> names = {
      "config.yaml", "train.log",  "metrics.csv",   "g.pt",         "g-best.pt",    "checkpoints",
      "samples",     "losses.png", "d_outputs.png", "swd.png",      "overfitting.png", "real_vs_fake.png",
      "progress.png", "progress.gif", "report.html"};
  return names;
}

bool is_event_file(const std::string& name) { return name.rfind("events.out.tfevents.", 0) == 0; }

std::string holder_line() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::time_t now = std::time(nullptr);
  char when[32] = {};
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  return fmt::format("pid {} on {}, started {}\n", ::getpid(), host, when);
}

std::string read_holder(int fd) {
  char buf[256] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s.empty() ? std::string("a process that has not written its name yet") : s;
}

}  // namespace

RunFolderLock& RunFolderLock::operator=(RunFolderLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

RunFolderLock::~RunFolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

std::vector<std::string> run_files_in(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const std::string& name : run_file_names())
    if (fs::exists(fs::path(dir) / name, ec)) found.push_back(name);
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (is_event_file(entry.path().filename().string())) found.push_back(entry.path().filename().string());
  return found;
}

namespace {

[[noreturn]] void refuse_in_use(const std::string& dir, int fd) {
  throw RunFolderError(fmt::format(
      "{}: in use by another dcgan run ({}); one run per folder: wait for it to end, or choose another output.dir", dir,
      read_holder(fd)));
}

void refuse_a_run_there(const std::string& dir, const FolderClaim& claim) {
  if (claim.resuming || claim.overwrite) return;
  const std::vector<std::string> files = run_files_in(dir);
  if (!files.empty())
    throw RunFolderError(fmt::format(
        "{} holds a run already ({}): continue it with `dcgan train --resume {}`, start a new one in another "
        "output.dir, or replace it with --overwrite",
        dir, fmt::join(files, ", "), dir));
}

}  // namespace

void check_run_folder(const std::string& dir, const FolderClaim& claim) {
  const std::string path = (fs::path(dir) / kLockName).string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    const RunFolderLock probe(fd);
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) refuse_in_use(dir, fd);
  }
  refuse_a_run_there(dir, claim);
}

RunFolderLock claim_run_folder(const std::string& dir, const FolderClaim& claim) {
  ensure_writable_dir(dir);
  const std::string path = (fs::path(dir) / kLockName).string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw FileError(fmt::format("{}: cannot open the run folder's lock: {}", path, std::strerror(errno)));
  RunFolderLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK)
      throw FileError(fmt::format("{}: cannot lock the run folder: {}", path, std::strerror(errno)));
    refuse_in_use(dir, fd);
  }
  const std::string me = holder_line();
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size()))
    throw FileError(fmt::format("{}: cannot write the run folder's lock: {}", path, std::strerror(errno)));
  refuse_a_run_there(dir, claim);
  return lock;
}

void remove_run_files(const std::string& dir) {
  for (const std::string& name : run_files_in(dir)) {
    std::error_code ec;
    fs::remove_all(fs::path(dir) / name, ec);
    if (ec) throw FileError(fmt::format("{}/{}: cannot remove it to overwrite the run: {}", dir, name, ec.message()));
  }
}

}  // namespace dcgan
