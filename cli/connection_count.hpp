// How many peers a node is connected to, from the kernel's own table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace artifacts::cli {

// The TCP connections in state ESTABLISHED whose local port is `port`, over
// IPv4 and IPv6 (/proc/net/tcp and /proc/net/tcp6): the peers connected to
// a node listening there. nullopt when neither table can be read.
std::optional<size_t> established_connections(uint16_t port);

}  // namespace artifacts::cli
