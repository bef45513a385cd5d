// Crash report for dcgan_tests: on SIGSEGV, SIGBUS, SIGILL or SIGFPE, prints the running test's name and a
// backtrace (libraries and symbols) to stderr, then dies of the same signal. For machines without gdb (the GPU
// machine's test run: scripts/gpu-check.sh keeps the lines in tests.log). Under ASan, ASan's own report is kept.
#include <gtest/gtest.h>

#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

namespace {

#if !defined(__SANITIZE_ADDRESS__)
void write_str(const char* s) {
  if (::write(STDERR_FILENO, s, std::strlen(s)) < 0) return;
}

void on_fatal_signal(int sig) {
  // Best effort: gtest's lookup is not async-signal-safe, but the process is dying either way.
  write_str("\ndcgan_tests: fatal signal ");
  write_str(strsignal(sig));
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    write_str(" in ");
    write_str(info->test_suite_name());
    write_str(".");
    write_str(info->name());
  }
  write_str("; backtrace:\n");
  void* frames[64];
  backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

const bool installed = [] {
  void* warm[1];
  backtrace(warm, 1);  // loads libgcc's unwinder now, not inside the handler
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE}) ::signal(sig, on_fatal_signal);
  return true;
}();
#endif

}  // namespace
