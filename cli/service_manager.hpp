// Telling a service manager how the node is doing (systemd's sd_notify
// protocol). Outside one (no NOTIFY_SOCKET) every call does nothing.
#pragma once

#include <string>

namespace artifacts::cli {

// The node listens and serves: READY=1, with `status` shown by
// `systemctl status`. A unit of Type=notify counts as started only now.
void notify_ready(const std::string& status);

// The node has begun to stop: STOPPING=1, with `status`.
void notify_stopping(const std::string& status);

}  // namespace artifacts::cli
