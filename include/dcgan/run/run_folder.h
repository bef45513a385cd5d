// One run per folder: a lock held for the run's life, and a folder that holds another run refused. No torch here.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace dcgan {

/// Thrown when a run may not use its folder; what() names the folder, what holds it and the ways on.
struct RunFolderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// How a run means to use its folder.
struct FolderClaim {
  bool resuming = false;  // train --resume: the folder's run continues
  bool overwrite = false; // train --overwrite: the folder's old run may be replaced (remove_run_files)
};

/// An exclusive lock on a run folder (flock on <dir>/dcgan.lock), released when the object goes or the process
/// dies: a SIGKILL leaves no stale lock. The file carries the holder's pid, host and start time, which a refused
/// process names.
class RunFolderLock {
 public:
  RunFolderLock() = default;
  explicit RunFolderLock(int fd) : fd_(fd) {}
  RunFolderLock(RunFolderLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RunFolderLock& operator=(RunFolderLock&& other) noexcept;
  RunFolderLock(const RunFolderLock&) = delete;
  RunFolderLock& operator=(const RunFolderLock&) = delete;
  ~RunFolderLock();
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// The files of a run that `dir` holds (config.yaml, train.log, metrics.csv, g.pt, checkpoints/, samples/, ...),
/// by name; none for a folder that holds no run or does not exist.
std::vector<std::string> run_files_in(const std::string& dir);

/// What claim_run_folder would refuse, checked without creating or changing anything: a run's first step, so that
/// a refused run neither waits for its set-up nor leaves a folder behind. Throws RunFolderError.
void check_run_folder(const std::string& dir, const FolderClaim& claim);

/// Claims `dir` for a run: creates it, takes its lock (refused, naming the holder's pid and host, when another
/// process holds it: another train, a --resume of a running run, rank 0 of another run), then refuses a folder that
/// holds a run unless the claim resumes or overwrites it, naming what is there and the ways on. Nothing in the
/// folder is changed but the lock file. Throws RunFolderError; FileError when the folder cannot be created.
RunFolderLock claim_run_folder(const std::string& dir, const FolderClaim& claim);

/// Removes what a run writes in `dir` (run_files_in's list) and nothing else; for --overwrite, once the new run has
/// its lock and has been set up.
void remove_run_files(const std::string& dir);

}  // namespace dcgan
