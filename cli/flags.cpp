#include "cli/flags.hpp"

#include <CLI/CLI.hpp>

#include "cli/store_address.hpp"

namespace artifacts::cli {

namespace {

constexpr int64_t max_timeout_ms = int64_t{24} * 60 * 60 * 1000;

CLI::Option* add_dsn(CLI::App& command, std::optional<std::string>& dsn) {
  return command.add_option_function<std::string>(
      "--dsn", [&dsn](const std::string& value) { dsn = value; },
      std::string("store to open in-process (env ") + dsn_variable + "; default " + default_dsn +
          ", or in $STATE_DIRECTORY under systemd)");
}

}  // namespace

v1::Scope scope_flags::to_scope() const {
  v1::Scope scope;
  scope.set_tenant(tenant);
  scope.set_user(user);
  scope.set_session(session);
  scope.set_task(task);
  return scope;
}

void add_scope_flags(CLI::App& command, scope_flags& scope, bool wildcards) {
  const std::string all = wildcards ? " (empty or absent: any)" : "";
  command.add_option("--tenant", scope.tenant, "the owning tenant" + all)->group("Scope");
  command.add_option("--user", scope.user, "the owning user" + all)->group("Scope");
  command.add_option("--session", scope.session, "the owning session" + all)->group("Scope");
  command
      .add_option("--task", scope.task,
                  wildcards ? "the owning task" + all : "the owning task (may be empty)")
      ->group("Scope");
}

void add_client_flags(CLI::App& command, client_flags& flags) {
  auto* dsn = add_dsn(command, flags.dsn)->group("Store");
  auto* node =
      command
          .add_option_function<std::string>(
              "--node", [&flags](const std::string& value) { flags.node = value; },
              std::string("a running node to talk to, HOST:PORT, or several nodes of one database, "
                          "HOST:PORT,HOST:PORT,... (env ") +
                  node_variable + ")")
          ->group("Store");
  dsn->excludes(node);
  add_request_bounds(command, flags);
}

void add_request_bounds(CLI::App& command, client_flags& flags) {
  command.add_option("--timeout", flags.timeout_ms, "bound on each request, in milliseconds")
      ->check(CLI::Range(int64_t{1}, max_timeout_ms))
      ->capture_default_str()
      ->group("Store");
  command
      .add_option("--connect-timeout", flags.connect_timeout_ms,
                  "bound on connecting to the node or database, in milliseconds")
      ->check(CLI::Range(int64_t{1}, max_timeout_ms))
      ->capture_default_str()
      ->group("Store");
  add_tls_flags(command, flags.tls);
}

void add_dsn_flag(CLI::App& command, std::optional<std::string>& dsn) {
  add_dsn(command, dsn)->group("Store");
}

void add_tls_flags(CLI::App& command, tls_options& tls) {
  command.add_option("--tls-cert", tls.certificate, "PEM certificate of this side (mutual TLS)")
      ->group("TLS");
  command.add_option("--tls-key", tls.key, "PEM private key of that certificate")->group("TLS");
  command.add_option("--tls-ca", tls.ca_file, "PEM certificate of the CA that signs every peer")
      ->group("TLS");
  // A passphrase on the command line is visible to every local user (ps), so
  // it can come from the environment instead.
  command.add_option("--tls-passphrase", tls.passphrase, "passphrase of an encrypted key")
      ->envname(passphrase_variable)
      ->group("TLS");
}

}  // namespace artifacts::cli
