// Stop requests from SIGINT/SIGTERM.
#include "dcgan/run/signals.h"

#include <csignal>
#include <unistd.h>

namespace dcgan {
namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

void on_signal(int sig) {
  if (g_stop_signal != 0 && sig == SIGINT) {
    static const char msg[] = "\ndcgan: second interrupt, exiting now\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(128 + SIGINT);
  }
  if (g_stop_signal == 0) {
    static const char msg[] =
        "\ndcgan: stopping after this step to write a checkpoint (Ctrl-C again to quit at once)\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    g_stop_signal = sig;
  }
}

}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGXFSZ, SIG_IGN);
}

int stop_signal() { return g_stop_signal; }

}  // namespace dcgan
