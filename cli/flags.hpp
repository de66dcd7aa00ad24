// The options the subcommands share, and how they appear on the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/remoting.hpp>

namespace CLI {
class App;
}

namespace artifacts::cli {

// Who owns an artifact: --tenant, --user, --session, --task. The store
// checks them (tenant, user and session are required wherever one artifact is
// addressed); for ls, empty fields are wildcards.
struct scope_flags {
  std::string tenant;
  std::string user;
  std::string session;
  std::string task;

  v1::Scope to_scope() const;
};

// Where a client command sends its requests, and how long it waits.
struct client_flags {
  std::optional<std::string> dsn;     // --dsn, when given
  std::optional<std::string> node;    // --node, when given
  tls_options tls;                    // used only against a node
  int64_t timeout_ms = 30000;         // bound on each request
  int64_t connect_timeout_ms = 5000;  // bound on reaching the node or database server
};

// Adds --tenant, --user, --session and --task. `wildcards` words the help for
// a filter (ls) rather than an owner.
void add_scope_flags(CLI::App& command, scope_flags& scope, bool wildcards = false);

// Adds --dsn, --node (see resolve_store_address), --timeout, --connect-timeout and the
// TLS flags.
void add_client_flags(CLI::App& command, client_flags& flags);

// Adds what add_client_flags adds but --dsn and --node: --timeout,
// --connect-timeout and the TLS flags, for a command that names its stores
// otherwise (copy).
void add_request_bounds(CLI::App& command, client_flags& flags);

// Adds --dsn alone, for the subcommands that only ever run in-process.
void add_dsn_flag(CLI::App& command, std::optional<std::string>& dsn);

// Adds --tls-cert, --tls-key, --tls-ca and --tls-passphrase.
void add_tls_flags(CLI::App& command, tls_options& tls);

}  // namespace artifacts::cli
