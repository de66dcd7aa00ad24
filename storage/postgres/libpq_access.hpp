// The libpq handle beneath a libpqxx connection, and what code that speaks
// libpq on it directly needs: owned results, libpqxx's exceptions for
// libpq's failures, and a way out of pipeline mode.
#pragma once

#include <cstddef>
#include <functional>
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

// Runs `queries` queries as one libpq pipeline, in one round trip: enters
// pipeline mode, calls `send(i)` for each i in order (it queues query i and
// returns what PQsendQueryPrepared returned), marks the sync point, then
// hands each query's result to `read(i, result)` in the same order. `read`
// owns the result it is given; it calls `check` (and may look at the result
// before, say for is_missing_statement) and throws to stop. Outside an
// explicit transaction the queries share one implicit transaction, which
// commits at the sync point; a failed commit throws like `check`.
//
// On return the connection has left pipeline mode and serves libpqxx again,
// also when `send`, `read` or the commit threw: that exception then
// propagates, unless the connection was lost on the way out, which throws
// pqxx::broken_connection instead. Failing to enter pipeline mode throws
// pqxx::broken_connection before anything is sent.
void run_pipeline(PGconn* pg, size_t queries, const char* query,
                  const std::function<int(size_t)>& send,
                  const std::function<void(size_t, result_ptr)>& read);

}  // namespace artifacts::postgres
