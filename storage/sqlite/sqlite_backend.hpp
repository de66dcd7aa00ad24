// The backend of the SQLite driver: one connection and its cached statements.
#pragma once

#include <chrono>
#include <memory>

#include <artifact_store/storage_options.hpp>

#include "storage/backend.hpp"
#include "storage/sqlite/sqlite_connection.hpp"

namespace artifacts::sqlite {

// Serves the backend contract over `conn`, which must hold a migrated
// database. Statements are prepared on first use and kept for the
// connection's life. Puts, deletes and the upload calls that write run in
// BEGIN IMMEDIATE transactions; reads run in autocommit and, in WAL mode,
// never wait for writers. A commit of an upload copies its parts into the
// artifact's row inside its transaction, holding the write lock for as long
// as the copy takes. Each
// call, retries included, is bounded by `timeout` (see sqlite_guard.hpp).
// `clock` tells the current instant, which decides what has expired.
std::unique_ptr<backend> make_sqlite_backend(std::unique_ptr<connection> conn,
                                             std::chrono::milliseconds timeout, wall_clock clock);

}  // namespace artifacts::sqlite
