#include "cli/connection_count.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace artifacts::cli {

namespace {

// The state column's value for an established connection (include/net/tcp_states.h).
constexpr const char* established = "01";

// Counts the rows of one /proc/net table ("sl local_address rem_address st
// …", addresses as HEXADDR:HEXPORT) for `port`; false when unreadable.
bool count_in(const char* table, uint16_t port, size_t& count) {
  std::ifstream in{table};
  if (!in) {
    return false;
  }
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream fields{line};
    std::string slot, local, remote, state;
    if (!(fields >> slot >> local >> remote >> state)) {
      continue;
    }
    const auto colon = local.rfind(':');
    if (colon == std::string::npos || state != established) {
      continue;
    }
    try {
      if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) {
        ++count;
      }
    } catch (const std::exception&) {
      // A row this parser does not understand is not a connection to count.
    }
  }
  return true;
}

}  // namespace

std::optional<size_t> established_connections(uint16_t port) {
  size_t count = 0;
  const bool v4 = count_in("/proc/net/tcp", port, count);
  const bool v6 = count_in("/proc/net/tcp6", port, count);
  if (!v4 && !v6) {
    return std::nullopt;
  }
  return count;
}

}  // namespace artifacts::cli
