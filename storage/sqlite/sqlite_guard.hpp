// The SQLite driver's error boundary: retrying lock conflicts and mapping
// every other failure to store_error, in one place.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "storage/sqlite/sqlite_connection.hpp"

namespace artifacts::sqlite {

// Runs `attempt` and returns when it succeeds. `attempt` must be safe to run
// again from the start after it failed: it runs inside no transaction of the
// caller's, and any transaction it opened is rolled back before a retry.
//
// Lock conflicts (SQLITE_BUSY after the busy timeout, SQLITE_LOCKED from
// shared-cache table locks) are retried with a capped, jittered backoff until
// `timeout` has passed since the call; statements still running at that point
// are interrupted. `conn` may be null when there is no connection yet.
//
// Throws store_error naming `op`, and nothing else:
// - unavailable: lock conflicts outlasting `timeout`, the timeout itself,
//   SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL, and folders
//   that cannot be created;
// - internal: SQLITE_CORRUPT and SQLITE_NOTADB ("not a usable SQLite
//   database"), and any other failure, with SQLite's message;
// - a store_error thrown by `attempt` passes through unchanged.
void guarded(std::string_view op, connection* conn, std::chrono::milliseconds timeout,
             const std::function<void()>& attempt);

}  // namespace artifacts::sqlite
