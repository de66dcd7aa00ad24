// The libpq handle beneath a libpqxx connection, and what code that speaks
// libpq on it directly needs: owned results, libpqxx's exceptions for
// libpq's failures, and a way out of pipeline mode.
#pragma once

#include <cstddef>
#include <memory>

#include <libpq-fe.h>
#include <pqxx/connection>

namespace artifacts::postgres {

// The connection's current libpq handle (libpqxx replaces it when it
// reconnects, so read it afresh for every call); null when it is closed.
PGconn* handle_of(const pqxx::connection& conn);

struct result_deleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

// Returns when `result` succeeded (a command or rows); otherwise throws what
// libpqxx would: pqxx::broken_connection when the connection is gone,
// pqxx::sql_error with the SQLSTATE otherwise. `query` names the statement
// in the exception.
void check(PGconn* pg, const result_ptr& result, const char* query);

// Whether `result` failed because the prepared statement it named does not
// exist in this session (libpqxx reconnected, so it must be prepared again).
bool is_missing_statement(const result_ptr& result);

// Reads and discards what is left of a pipeline of `queries` queries up to
// its sync point and leaves pipeline mode, so that the connection serves
// libpqxx again. False when it cannot: the connection is lost, or more
// results keep coming than the queries could have produced.
bool leave_pipeline(PGconn* pg, size_t queries);

}  // namespace artifacts::postgres
