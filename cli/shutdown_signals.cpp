#include "cli/shutdown_signals.hpp"

#include <pthread.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace artifacts::cli {

shutdown_signals::shutdown_signals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  if (int rc = pthread_sigmask(SIG_BLOCK, &signals_, nullptr); rc != 0) {
    throw std::runtime_error(std::string("cannot block SIGINT and SIGTERM: ") + std::strerror(rc));
  }
}

int shutdown_signals::wait() {
  int signal_number = 0;
  // sigwait fails only for an invalid set, which this one is not; stopping
  // is the safe reading of the impossible.
  if (sigwait(&signals_, &signal_number) != 0) {
    return SIGTERM;
  }
  return signal_number;
}

const char* signal_name(int signal_number) {
  switch (signal_number) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "another signal";
  }
}

}  // namespace artifacts::cli
