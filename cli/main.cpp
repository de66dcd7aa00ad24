// artifact-store: the command line of the artifact store (see the README).
#include <csignal>
#include <exception>
#include <functional>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include <artifact_store/version.hpp>

#include "cli/bench_command.hpp"
#include "cli/client_session.hpp"
#include "cli/data_commands.hpp"
#include "cli/durations.hpp"
#include "cli/exit_status.hpp"
#include "cli/flags.hpp"
#include "cli/migrate_command.hpp"
#include "cli/node_log.hpp"
#include "cli/option_sources.hpp"
#include "cli/payload_allocator.hpp"
#include "cli/report.hpp"
#include "cli/serve_command.hpp"
#include "cli/store_address.hpp"
#include "cli/transfer_commands.hpp"

namespace artifacts::cli {
namespace {

constexpr const char* footer =
    "Exit status: 0 success (found, exists, existed); 1 not found; 2 usage error; 3 error,\n"
    "printed as \"error: <code>: <message>\".\n"
    "Without --dsn or --node, client commands use ARTIFACT_STORE_DSN or ARTIFACT_STORE_NODE,\n"
    "else the embedded store sqlite:artifacts.db in the current directory.\n"
    "DSNs: postgresql://…, a libpq keyword string (host=… dbname=…), sqlite:PATH, fs:DIR,\n"
    "memory:.";

// copy's options: its two stores, what to copy and how.
struct copy_flags {
  std::optional<std::string> from_dsn, from_node, to_dsn, to_node;
  client_flags bounds;  // timeouts and TLS, for both sides
  std::vector<std::string> tenants;
  size_t part_bytes = size_t{4} << 20;

  // The client flags of one side: exactly one of `dsn` and `node`.
  client_flags side(const std::optional<std::string>& dsn, const std::optional<std::string>& node,
                    const char* from_or_to) const {
    if (dsn.has_value() == node.has_value()) {
      throw CLI::ValidationError(std::string("copy takes one of --") + from_or_to + " and --" +
                                 from_or_to + "-node");
    }
    client_flags flags = bounds;
    flags.dsn = dsn;
    flags.node = node;
    return flags;
  }
};

CLI::App* add_copy(CLI::App& app, copy_flags& flags) {
  auto* copy = app.add_subcommand(
      "copy", "copy every artifact from one store to another, skipping what is there; resumable");
  copy->add_option("--from", flags.from_dsn, "the source store's DSN")->group("Stores");
  copy->add_option("--from-node", flags.from_node, "the source node, HOST:PORT")->group("Stores");
  copy->add_option("--to", flags.to_dsn, "the destination store's DSN")->group("Stores");
  copy->add_option("--to-node", flags.to_node, "the destination node, HOST:PORT")->group("Stores");
  copy->add_option("--tenant", flags.tenants,
                   "copy this tenant's artifacts (repeatable; "
                   "default: every tenant)");
  copy->add_option("--part-size", flags.part_bytes,
                   "a larger artifact streams as an upload of parts this large (bytes, or "
                   "with KiB, MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30))
      ->capture_default_str();
  add_request_bounds(*copy, flags.bounds);
  return copy;
}

// Every option of every subcommand, bound before parsing.
struct command_line {
  serve_flags serve;
  client_flags put_client, get_client, stat_client, exists_client, rm_client, ls_client,
      sweep_client, purge_client, du_client, ping_client, verify_client;
  std::vector<std::string> verify_tenants;
  copy_flags copy;
  put_flags put;
  key_flags get, stat, exists, rm;
  std::string get_output;
  range_flags get_range;
  list_flags ls;
  scope_flags purge, du;
  std::optional<std::string> migrate_dsn;
  bool migrate_status = false;
  caf_settings caf;
};

void add_key_command_flags(CLI::App& command, client_flags& client, key_flags& key) {
  add_client_flags(command, client);
  add_scope_flags(command, key.scope);
  command.add_option("--id", key.id, "the artifact's id, as put printed it")->required();
}

CLI::App* add_serve(CLI::App& app, serve_flags& flags) {
  auto* serve = app.add_subcommand("serve", "run a node: publish the store over CAF remoting");
  add_dsn_flag(*serve, flags.dsn);
  serve
      ->add_option("--read-dsn", flags.read_dsn,
                   "a PostgreSQL server to read from as well, usually a streaming standby of "
                   "--dsn's: get, get_ref, get_range and exists ask it first and ask --dsn for "
                   "what it does not hold (docs/scaling.md)")
      ->group("Store");
  serve->add_option("--bind", flags.publish.bind, "address to listen on")
      ->capture_default_str()
      ->group("Node");
  serve->add_option("--port", flags.publish.port, "port to listen on; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str()
      ->group("Node");
  serve->add_option("--pool", flags.pool_size, "workers, each with its own backend connection")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str()
      ->group("Node");
  serve
      ->add_flag("--insecure", flags.publish.insecure,
                 "allow a non-loopback bind without TLS (trusted networks only)")
      ->group("Node");
  serve
      ->add_option("--timeout", flags.timeout_ms,
                   "bound on each request and on shutdown, in milliseconds")
      ->check(CLI::Range(int64_t{1}, int64_t{24} * 60 * 60 * 1000))
      ->capture_default_str()
      ->group("Node");
  serve
      ->add_option("--statement-timeout", flags.statement_timeout_ms,
                   "bound on each database statement, in milliseconds (PostgreSQL's "
                   "statement_timeout, SQLite's busy wait)")
      ->check(CLI::Range(int64_t{1}, int64_t{24} * 60 * 60 * 1000))
      ->capture_default_str()
      ->group("Node");
  serve
      ->add_option("--connect-timeout", flags.connect_timeout_ms,
                   "bound on each connection attempt to the database server, in milliseconds")
      ->check(CLI::Range(int64_t{1}, int64_t{24} * 60 * 60 * 1000))
      ->capture_default_str()
      ->group("Node");
  serve
      ->add_option("--max-in-flight", flags.max_in_flight,
                   "requests accepted and not yet answered; beyond them a request fails at "
                   "once as overloaded")
      ->check(CLI::Range(size_t{1}, size_t{1} << 24))
      ->capture_default_str()
      ->group("Limits");
  serve
      ->add_option("--max-in-flight-bytes", flags.max_in_flight_bytes,
                   "payload bytes of accepted, unanswered puts (bytes, or with KiB, MiB, GiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(size_t{1}, size_t{1} << 40))
      ->capture_default_str()
      ->group("Limits");
  serve
      ->add_option("--max-payload", flags.max_payload_bytes,
                   "the largest payload one message carries: a put's, or a range's answer "
                   "(bytes, or with KiB, MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str()
      ->group("Limits");
  serve
      ->add_option("--sweep-interval", flags.sweep_interval,
                   "how often to delete expired artifacts (90s, 10m, 1h; 0 never)")
      ->check([](const std::string& text) { return text == "0" ? "" : check_duration(text); })
      ->capture_default_str()
      ->group("Lifecycle");
  serve
      ->add_option("--upload-ttl", flags.upload_ttl,
                   "how long an upload stays open without a chunk before it is removed "
                   "(90s, 10m, 1h, 1d)")
      ->check(check_duration, "DURATION")
      ->capture_default_str()
      ->group("Lifecycle");
  serve
      ->add_option("--default-ttl", flags.default_ttls,
                   "NAMESPACE=DURATION: the time to live of puts into NAMESPACE that name no "
                   "expiry (repeatable)")
      ->check(check_namespace_ttl, "NAMESPACE=DURATION")
      ->group("Lifecycle");
  serve
      ->add_option("--quota-bytes", flags.default_quota.max_bytes,
                   "the live bytes a tenant may hold (0: no limit)")
      ->capture_default_str()
      ->group("Lifecycle");
  serve
      ->add_option("--quota-count", flags.default_quota.max_count,
                   "the live artifacts a tenant may hold (0: no limit)")
      ->capture_default_str()
      ->group("Lifecycle");
  serve
      ->add_option("--quota-file", flags.quota_file,
                   "JSON quotas of particular tenants, replacing the default for each: "
                   "{\"acme\": {\"bytes\": 1073741824, \"count\": 10000}}")
      ->check(CLI::ExistingFile)
      ->group("Lifecycle");
  serve
      ->add_option("--metrics-address", flags.metrics_address,
                   "serve Prometheus metrics (/metrics) and health checks (/healthz, /readyz) "
                   "over HTTP on HOST:PORT (default: none)")
      ->check(
          [](const std::string& text) {
            parse_node_address(text, "--metrics-address", true);
            return std::string{};
          },
          "HOST:PORT")
      ->group("Monitoring");
  serve->add_option("--log-level", flags.log_level, "error, warn, info or debug")
      ->check(check_log_level, "LEVEL")
      ->capture_default_str()
      ->group("Monitoring");
  serve->add_option("--log-format", flags.log_format, "text or json (one object per line)")
      ->check(check_log_format, "FORMAT")
      ->capture_default_str()
      ->group("Monitoring");
  serve
      ->add_flag("--access-log", flags.access_log,
                 "log one line per request: operation, scope, id, bytes, duration, outcome")
      ->group("Monitoring");
  add_tls_flags(*serve, flags.tls);
  serve->add_flag("--dump-config", flags.dump_config,
                  "print the effective configuration as a --config file (without secrets) "
                  "and exit");
  serve->footer(
      "Every option can also come from ARTIFACT_STORE_<OPTION> (shown as Env) or from the\n"
      "file of --config FILE; a flag wins over the environment, which wins over the file.\n"
      "CAF's own settings: --caf.NAME=VALUE (--caf.scheduler.max-threads=2), or caf.NAME keys\n"
      "of the file.");
  return serve;
}

CLI::App* add_put(CLI::App& app, client_flags& client, put_flags& flags) {
  auto* put = app.add_subcommand("put", "store a file or standard input; prints the ref as JSON");
  add_client_flags(*put, client);
  add_scope_flags(*put, flags.scope);
  put->add_option("--namespace", flags.name_space, "logical bucket (default: \"default\")");
  put->add_option("--mime", flags.mime_type,
                  "MIME type (default: application/octet-stream, or text/plain with --text)");
  put->add_option("--filename", flags.filename,
                  "file name to record (default: the name of FILE); metadata only");
  put->add_option("--source", flags.source, "caller metadata, a JSON object")
      ->check(check_source_json, "JSON object");
  put->add_flag("--text", flags.text, "store as text (default MIME text/plain; charset=utf-8)");
  auto* ttl =
      put->add_option("--ttl", flags.ttl, "expire this long after the put (90s, 10m, 2h, 7d)")
          ->check(check_duration, "DURATION");
  put->add_option("--expires-at", flags.expires_at,
                  "expire at this RFC 3339 instant (2026-12-31T23:59:59Z)")
      ->check(check_instant, "RFC3339")
      ->excludes(ttl);
  put->add_option("--part-size", flags.part_bytes,
                  "a larger input streams as an upload of chunks this large, resumed after a "
                  "lost connection; a smaller one travels in one message (bytes, or with KiB, "
                  "MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30))
      ->capture_default_str();
  put->add_option("--upload-id", flags.upload_id,
                  "continue this upload (a failed streamed put names it) from the same input");
  put->add_option("file", flags.input, "the file to store; - or absent: standard input");
  return put;
}

int run_client(const client_flags& client_options, const std::function<int(client&)>& command) {
  auto session = client_session::open(resolve_store_address(client_options), client_options);
  if (!session) {
    return report_error(session.error());
  }
  return command((*session)->client());
}

int run(int argc, char** argv) {
  CLI::App app{"artifact-store: a content-addressed artifact store", "artifact-store"};
  app.require_subcommand(1);
  app.footer(footer);
  app.set_version_flag("--version", std::string{"artifact-store "} + library_version(),
                       "print the version and exit");
  command_line line;

  auto* serve = add_serve(app, line.serve);
  auto* put = add_put(app, line.put_client, line.put);

  auto* get = app.add_subcommand("get", "write an artifact's bytes to stdout or a file");
  add_key_command_flags(*get, line.get_client, line.get);
  get->add_option("-o,--output", line.get_output, "write to this file instead of stdout");
  auto* get_offset =
      get->add_option("--offset", line.get_range.offset,
                      "write the bytes from this offset on (bytes; past the end: none)")
          ->check(CLI::NonNegativeNumber);
  auto* get_length =
      get->add_option("--length", line.get_range.length, "write at most this many bytes")
          ->check(CLI::NonNegativeNumber);

  auto* stat = app.add_subcommand("stat", "print an artifact's ref as JSON");
  add_key_command_flags(*stat, line.stat_client, line.stat);

  auto* exists = app.add_subcommand("exists", "print true or false");
  add_key_command_flags(*exists, line.exists_client, line.exists);

  auto* rm = app.add_subcommand("rm", "delete an artifact");
  add_key_command_flags(*rm, line.rm_client, line.rm);

  auto* ls = app.add_subcommand("ls", "list refs as JSON, one per line, in a stable order");
  add_client_flags(*ls, line.ls_client);
  add_scope_flags(*ls, line.ls.filter, true);
  ls->add_option("--limit", line.ls.limit, "print at most this many refs (default: all)")
      ->check(CLI::Range(uint64_t{1}, UINT64_MAX));

  auto* sweep = app.add_subcommand("sweep", "delete expired artifacts now; prints what it removed");
  add_client_flags(*sweep, line.sweep_client);

  auto* purge = app.add_subcommand(
      "purge", "delete every artifact of a tenant, user, session or task; prints what it removed");
  add_client_flags(*purge, line.purge_client);
  add_scope_flags(*purge, line.purge, true);

  auto* du = app.add_subcommand("du", "print the count and bytes of a scope's live artifacts");
  add_client_flags(*du, line.du_client);
  add_scope_flags(*du, line.du, true);

  auto* verify = app.add_subcommand(
      "verify", "re-hash every stored payload and report those that do not match their ref");
  add_client_flags(*verify, line.verify_client);
  verify->add_option("--tenant", line.verify_tenants,
                     "check this tenant's artifacts (repeatable; default: every tenant)");

  auto* copy = add_copy(app, line.copy);

  auto* ping = app.add_subcommand(
      "ping", "check that the store answers, through a worker and its backend; exit 0 or 3");
  add_client_flags(*ping, line.ping_client);

  auto* migrate = app.add_subcommand("migrate", "apply pending schema migrations and exit");
  add_dsn_flag(*migrate, line.migrate_dsn);
  migrate->add_flag("--status", line.migrate_status,
                    "print the applied and pending versions, and apply nothing");

  bench_command bench{app};
  add_option_sources(app, line.caf);
  app.allow_extras();  // --caf.NAME=VALUE for serve, checked below

  try {
    app.parse(argc, argv);
    if (serve->parsed()) {
      take_caf_flags(app, line.caf);
      line.serve.caf_flags = line.caf.flags;
      if (line.serve.dump_config) {
        std::cout << effective_configuration(*serve, line.caf, resolve_dsn(line.serve.dsn))
                  << std::flush;
        return exit_ok;
      }
      return run_serve(line.serve);
    }
    if (!app.remaining().empty()) {
      throw CLI::ExtrasError(app.remaining());
    }
    if (put->parsed()) {
      return run_client(line.put_client, [&](client& c) { return run_put(c, line.put); });
    }
    if (get->parsed()) {
      return run_client(line.get_client, [&](client& c) {
        if (get_offset->count() > 0 || get_length->count() > 0) {
          line.get_range.has_length = get_length->count() > 0;
          return run_get_range(c, line.get, line.get_range, line.get_output);
        }
        return run_get(c, line.get, line.get_output);
      });
    }
    if (stat->parsed()) {
      return run_client(line.stat_client, [&](client& c) { return run_stat(c, line.stat); });
    }
    if (exists->parsed()) {
      return run_client(line.exists_client, [&](client& c) { return run_exists(c, line.exists); });
    }
    if (rm->parsed()) {
      return run_client(line.rm_client, [&](client& c) { return run_rm(c, line.rm); });
    }
    if (ls->parsed()) {
      return run_client(line.ls_client, [&](client& c) { return run_ls(c, line.ls); });
    }
    if (sweep->parsed()) {
      return run_client(line.sweep_client, [&](client& c) { return run_sweep(c); });
    }
    if (purge->parsed()) {
      return run_client(line.purge_client, [&](client& c) { return run_purge(c, line.purge); });
    }
    if (du->parsed()) {
      return run_client(line.du_client, [&](client& c) { return run_du(c, line.du); });
    }
    if (verify->parsed()) {
      return run_client(line.verify_client,
                        [&](client& c) { return run_verify(c, line.verify_tenants); });
    }
    if (copy->parsed()) {
      const auto from = line.copy.side(line.copy.from_dsn, line.copy.from_node, "from");
      const auto to = line.copy.side(line.copy.to_dsn, line.copy.to_node, "to");
      return run_client(from, [&](client& source) {
        return run_client(to, [&](client& destination) {
          return run_copy(source, destination, line.copy.tenants, line.copy.part_bytes);
        });
      });
    }
    if (ping->parsed()) {
      return run_client(line.ping_client, [&](client& c) { return run_ping(c); });
    }
    if (migrate->parsed()) {
      return line.migrate_status ? run_migrate_status(line.migrate_dsn)
                                 : run_migrate(line.migrate_dsn);
    }
    if (bench.parsed()) {
      return bench.run();
    }
    throw CLI::RequiredError("a subcommand");
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help: the usage text on stdout
  } catch (const CLI::ParseError& e) {
    std::cerr << "artifact-store: " << e.what() << "\n\n" << app.help() << std::flush;
    return exit_usage;
  }
}

}  // namespace
}  // namespace artifacts::cli

int main(int argc, char** argv) {
  artifacts::cli::keep_freed_payload_memory();
  // A node or a client that loses a peer must see an error, not die.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return artifacts::cli::run(argc, argv);
  } catch (const std::exception& e) {
    return artifacts::cli::report_error(artifacts::errc::internal, e.what());
  }
}
