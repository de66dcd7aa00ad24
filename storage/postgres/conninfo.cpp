#include "storage/postgres/conninfo.hpp"

#include <libpq-fe.h>
#include <pqxx/connection>
#include <pqxx/except>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <artifact_store/errc.hpp>

#include "storage/postgres/pg_errors.hpp"

namespace artifacts::postgres {

namespace {

// Frees what PQconninfoParse allocates, whichever way we leave.
struct parsed_options {
  PQconninfoOption* options = nullptr;
  char* error = nullptr;
  ~parsed_options() {
    if (options != nullptr) {
      PQconninfoFree(options);
    }
    if (error != nullptr) {
      PQfreemem(error);
    }
  }
};

// A keyword string value in single quotes, with \ and ' escaped, as libpq
// reads it.
std::string quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') {
      out += '\\';
    }
    out += c;
  }
  out += '\'';
  return out;
}

std::string whole_seconds_at_least_one(std::chrono::milliseconds timeout) {
  auto seconds = (timeout.count() + 999) / 1000;
  return std::to_string(seconds < 1 ? 1 : seconds);
}

// Whether `ports` is what libpq accepts at connect time: a comma-separated
// list (one per host), each entry empty (the default port) or a number from
// 1 to 65535, spaces around it allowed. libpq parses anything as a port and
// refuses it only when connecting, which would make a typo look like an
// unreachable server.
bool is_port_list(std::string_view ports) {
  for (;;) {
    auto comma = ports.find(',');
    auto entry = ports.substr(0, comma);
    auto first = entry.find_first_not_of(' ');
    if (first != std::string_view::npos) {
      entry = entry.substr(first, entry.find_last_not_of(' ') - first + 1);
      if (entry.size() > 5 || entry.find_first_not_of("0123456789") != std::string_view::npos) {
        return false;
      }
      auto number = std::stoul(std::string(entry));
      if (number < 1 || number > 65535) {
        return false;
      }
    }
    if (comma == std::string_view::npos) {
      return true;
    }
    ports.remove_prefix(comma + 1);
  }
}

// Asks the server to compress the payloads this connection stores with lz4
// rather than its default, pglz: on text lz4 compresses as well in a fifth
// of the server's time, and on incompressible bytes it costs no more
// (docs/performance.md). Only values written through this connection are
// affected; any PostgreSQL reads them. A server without lz4 (older than 14,
// or built without it) refuses the setting and keeps its default, which is
// not an error.
void prefer_lz4_compression(pqxx::connection& conn) {
  try {
    conn.set_variable("default_toast_compression", "lz4");
  } catch (const pqxx::sql_error&) {
  }
}

}  // namespace

conninfo make_conninfo(std::string_view dsn, const storage_options& options,
                       std::string_view session_attrs) {
  parsed_options parsed;
  parsed.options = PQconninfoParse(std::string(dsn).c_str(), &parsed.error);
  if (parsed.options == nullptr) {
    // libpq's parse message quotes pieces of the DSN, which may be the
    // password; only the fact is reported.
    throw store_error(errc::invalid_argument,
                      parsed.error == nullptr
                          ? "open: out of memory while parsing the PostgreSQL DSN"
                          : "open: the PostgreSQL DSN is malformed (libpq cannot parse it; "
                            "it is not shown because it may hold a password)");
  }

  std::map<std::string, std::string> settings;
  for (auto* option = parsed.options; option->keyword != nullptr; ++option) {
    if (option->val != nullptr) {
      settings[option->keyword] = option->val;
    }
  }
  if (auto port = settings.find("port"); port != settings.end() && !is_port_list(port->second)) {
    throw store_error(errc::invalid_argument,
                      "open: the PostgreSQL DSN names a port that is not a number from 1 to 65535");
  }
  const std::map<std::string, std::string> defaults = {
      {"application_name", "artifact-store"},
      {"connect_timeout", whole_seconds_at_least_one(options.connect_timeout)},
      {"keepalives", "1"},
      {"keepalives_idle", "10"},
      {"keepalives_interval", "5"},
      {"keepalives_count", "3"},
      // For the store's own DSN "read-write": with several hosts (host=a,b)
      // libpq skips a standby and connects to whichever accepts writes,
      // which is how a worker finds a promoted standby after a failover;
      // with one host that is a standby, the connection fails as
      // unavailable rather than each write later.
      {"target_session_attrs", std::string(session_attrs)},
  };
  for (const auto& [keyword, value] : defaults) {
    settings.try_emplace(keyword, value);
  }

  conninfo out;
  for (const auto& [keyword, value] : settings) {
    if (!out.keywords.empty()) {
      out.keywords += ' ';
    }
    out.keywords += keyword + '=' + quoted(value);
  }
  if (auto pos = settings.find("password"); pos != settings.end()) {
    out.password = pos->second;
  }
  return out;
}

std::chrono::milliseconds call_bound(const storage_options& options) {
  return options.statement_timeout + std::chrono::milliseconds{1000};
}

std::unique_ptr<pqxx::connection> connect(std::string_view op, const conninfo& info,
                                          const storage_options& options, call_watchdog* watchdog) {
  try {
    auto conn = std::make_unique<pqxx::connection>(info.keywords);
    std::optional<call_watchdog::armed> armed;
    if (watchdog != nullptr) {
      armed.emplace(watchdog->arm(conn->sock(), call_watchdog::clock::now() + call_bound(options)));
    }
    conn->set_variable("statement_timeout", std::to_string(options.statement_timeout.count()));
    // The store's statements count their own writes in artifacts_usage
    // (migration 6), so the table's trigger must not count them again.
    conn->set_variable("artifact_store.own_counts", "on");
    prefer_lz4_compression(*conn);
    return conn;
  } catch (...) {
    rethrow_as_connect_error(op, info.password);
  }
}

}  // namespace artifacts::postgres
