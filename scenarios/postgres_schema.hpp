// A throw-away PostgreSQL schema for tests that need a real server.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
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

  // Waits, polling, until at least `at_least` server connections carry
  // `application_name`, or 15 s have passed, and returns the last count. A
  // store's workers connect on threads of their own, shortly after it
  // opened: this is that wait.
  size_t connections_reaching(const std::string& application_name, size_t at_least) const;

  // Waits, polling, until a statement of a session of `application_name`
  // waits for a lock, or `bound` has passed. Returns the server process
  // that runs it, or 0 when none was seen.
  int statement_waiting_for_lock(const std::string& application_name,
                                 std::chrono::milliseconds bound) const;

 private:
  std::string name_;
};

// A session of the test's own that holds an exclusive lock on `table` of the
// schema, inside an open transaction, until release() or destruction: the
// store's statements on that table wait for it, as a statement that the
// server has begun and not finished.
class table_lock {
 public:
  table_lock(const temporary_schema& schema, const std::string& table);
  ~table_lock();
  table_lock(const table_lock&) = delete;
  table_lock& operator=(const table_lock&) = delete;

  // Ends the transaction, and the lock with it. Idempotent.
  void release();

 private:
  struct session;
  std::unique_ptr<session> session_;
};

}  // namespace artifacts::testing
