// A throw-away PostgreSQL schema for tests that need a real server.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace artifacts::testing {

// A fresh, uniquely named schema on the server named by the PG* environment
// variables (pg_virtualenv sets them). Throws std::runtime_error when PGHOST
// is unset, so a test without a server fails instead of being skipped, and
// when the server cannot be reached or the schema cannot be created.
// Drops the schema (CASCADE) on destruction; a failure to drop is ignored so
// that destruction never throws.
//
// Also ignores SIGPIPE for the whole process, once: a process that talks to
// PostgreSQL must not die when the server closes a socket under it.
class temporary_schema {
 public:
  temporary_schema();
  ~temporary_schema();
  temporary_schema(const temporary_schema&) = delete;
  temporary_schema& operator=(const temporary_schema&) = delete;

  // The schema's name: lowercase letters, digits and underscores only.
  const std::string& name() const;

  // A libpq keyword DSN selecting this schema through
  // options='-c search_path=<name>', with the given application_name. Host,
  // port, user, password and database come from the PG* environment.
  std::string dsn(const std::string& application_name = "artifact-store") const;

  // Runs a fixed test query (with the schema as search_path) and returns
  // every row as strings (NULL as "<null>"). Throws whatever libpqxx throws:
  // a failing query is a failing test.
  std::vector<std::vector<std::string>> query(const std::string& sql) const;

  // The number of artifacts stored in this schema (rows of artifacts_blobs),
  // counted behind the driver's back. Throws when the table is missing.
  size_t stored_artifacts() const;

  // Number of server connections whose application_name is `name`.
  size_t connections_named(const std::string& application_name) const;

  // Waits, polling, until at most `at_most` server connections carry
  // `application_name`, or 15 s have passed, and returns the last count. A
  // backend leaves pg_stat_activity shortly after its client disconnects,
  // not at once: this is that wait, not a tolerance.
  size_t connections_settled(const std::string& application_name, size_t at_most = 0) const;

 private:
  std::string name_;
};

}  // namespace artifacts::testing
