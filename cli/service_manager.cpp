#include "cli/service_manager.hpp"

#include <systemd/sd-daemon.h>

namespace artifacts::cli {

// A failed notification is not the node's failure: the service manager
// sees the node by other means (its process, its port), so errors are
// ignored here.

void notify_ready(const std::string& status) {
  (void)sd_notify(0, ("READY=1\nSTATUS=" + status).c_str());
}

void notify_stopping(const std::string& status) {
  (void)sd_notify(0, ("STOPPING=1\nSTATUS=" + status).c_str());
}

}  // namespace artifacts::cli
