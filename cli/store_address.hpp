// Where a command finds its store: a DSN opened in-process, or a node.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/flags.hpp"

namespace artifacts::cli {

inline constexpr const char* dsn_variable = "ARTIFACT_STORE_DSN";
inline constexpr const char* node_variable = "ARTIFACT_STORE_NODE";
inline constexpr const char* passphrase_variable = "ARTIFACT_STORE_TLS_PASSPHRASE";

// The embedded default: a SQLite file in the current directory.
inline constexpr const char* default_dsn = "sqlite:artifacts.db";

// The DSN used when none is given: default_dsn, except under a service
// manager that names a state directory (systemd's StateDirectory= sets
// STATE_DIRECTORY), where it is artifacts.db in that directory's first entry.
std::string default_store_dsn();

struct node_address {
  std::string host;
  uint16_t port = 0;
};

// A client command's store: `nodes` when it talks to nodes (one, or a fleet
// of nodes serving one database), else `dsn`.
struct store_address {
  std::vector<node_address> nodes;
  std::string dsn;
};

// Parses "HOST:PORT" or "[IPv6]:PORT" with a port from 1 to 65535, or from
// 0 when `port_zero` (an address to listen on, where 0 picks a free port).
// `origin` names where the text came from (a flag or a variable) for the
// message. Throws CLI::ValidationError (a usage error) when malformed.
node_address parse_node_address(const std::string& text, const std::string& origin,
                                bool port_zero = false);

// parse_node_address for each entry of a comma-separated list
// ("a:1,b:2,[::1]:3"), in order. An empty entry is a usage error.
std::vector<node_address> parse_node_list(const std::string& text, const std::string& origin);

// "host:port", with the host in brackets when it is an IPv6 address.
std::string format_address(const std::string& host, uint16_t port);

// The flags win over the environment, and the environment over the default:
// --dsn or --node; else ARTIFACT_STORE_DSN or ARTIFACT_STORE_NODE; else
// default_store_dsn(). Throws CLI::ValidationError (a usage error) when both flags
// are given, when both variables are set and no flag decides, or when the
// node address is malformed.
store_address resolve_store_address(const client_flags& flags);

// The DSN for the subcommands that only run in-process (serve, migrate):
// --dsn, else ARTIFACT_STORE_DSN, else default_store_dsn().
std::string resolve_dsn(const std::optional<std::string>& dsn_flag);

}  // namespace artifacts::cli
