// SIGINT and SIGTERM as a request to stop, taken synchronously.
#pragma once

#include <csignal>

namespace artifacts::cli {

// Blocks SIGINT and SIGTERM in the calling thread. Threads started afterwards
// inherit the mask, so construct it before any other thread exists (before
// the actor system): then no thread is interrupted by the signals, and they
// stay pending until wait() takes one. The mask is left in place on
// destruction, so a second signal during shutdown cannot cut it short.
class shutdown_signals {
 public:
  shutdown_signals();

  // Waits for SIGINT or SIGTERM (also one that arrived before the call) and
  // returns its number.
  int wait();

 private:
  sigset_t signals_;
};

// "SIGINT", "SIGTERM", or "another signal".
const char* signal_name(int signal_number);

}  // namespace artifacts::cli
