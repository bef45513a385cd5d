// Stop requests: SIGINT/SIGTERM ask the training loop to finish its step, checkpoint and exit. No torch here.
#pragma once

namespace dcgan {

// Installs handlers for SIGINT and SIGTERM. The first signal is recorded (see stop_signal) and a one-line notice is
// written to stderr; a second SIGINT exits at once with status 130, leaving files as they are (every checkpoint
// write is atomic, so the last complete one stays intact). Also ignores SIGXFSZ, so that exceeding a file-size
// limit makes write() fail with EFBIG (reported as an error) instead of killing the process.
void install_stop_handlers();

// The signal number of a pending stop request, or 0.
int stop_signal();

// The exit status for a run stopped by `signal`: 128 + signal (130 for SIGINT, 143 for SIGTERM).
inline int exit_status_for_signal(int signal) { return 128 + signal; }

}  // namespace dcgan
