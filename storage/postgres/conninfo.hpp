// Turning a DSN into a libpq connection, with the store's connection settings.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <pqxx/connection>

#include <artifact_store/storage_options.hpp>

#include "storage/postgres/call_watchdog.hpp"

namespace artifacts::postgres {

// A DSN rewritten as a libpq keyword/value string, plus what is needed to keep
// its secret out of error messages.
struct conninfo {
  // Every setting of the DSN, and the store's defaults for those it left out.
  std::string keywords;
  // The DSN's password ("" when it named none); used only to scrub messages.
  std::string password;
};

// Parses `dsn` (a postgres:// or postgresql:// URI, or a keyword string) with
// libpq and rebuilds it as a keyword string, adding only where the DSN did
// not set them: application_name=artifact-store, connect_timeout (the
// options' connect timeout in whole seconds, at least 1), TCP keepalives
// (idle 10 s, interval 5 s, 3 probes) and `session_attrs` as
// target_session_attrs (which of several hosts libpq connects to: the one
// that accepts writes for the store's own DSN; a standby if there is one
// for its read DSN). Settings the DSN leaves out entirely
// (host, user, ...) are still taken from the PG* environment at connect time.
//
// Throws store_error(invalid_argument) when libpq rejects the DSN or its
// port is not a number from 1 to 65535 (libpq itself would only refuse it
// when connecting); the message never repeats the DSN or any part of it.
conninfo make_conninfo(std::string_view dsn, const storage_options& options,
                       std::string_view session_attrs = "read-write");

// Opens one connection and sets its statement timeout from the options,
// artifact_store.own_counts (the session counts its own writes in
// artifacts_usage, which the table's trigger then leaves alone; session
// settings that survive libpqxx's reactivation of the connection), and lz4
// as its compression of large stored values where the server has lz4 (a
// server without it keeps its default).
// The caller owns the connection; destroying it closes it. libpq bounds the
// connection attempt by connect_timeout; the SET that follows is armed on
// `watchdog` when one is given (see call_watchdog.hpp), for the call bound.
//
// Throws store_error(unavailable), "<op>: cannot connect to PostgreSQL:
// <libpq's reason>", when the server cannot be reached or refuses the
// session within the connect timeout; the message never holds the password.
std::unique_ptr<pqxx::connection> connect(std::string_view op, const conninfo& info,
                                          const storage_options& options,
                                          call_watchdog* watchdog = nullptr);

// How long one call may wait for the server before the watchdog drops its
// connection: the statement timeout, which the server enforces itself when
// it is alive, plus a second of grace for the answer to arrive.
std::chrono::milliseconds call_bound(const storage_options& options);

}  // namespace artifacts::postgres
