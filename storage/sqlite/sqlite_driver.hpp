// The SQLite driver: "sqlite:PATH" (the embedded default) and
// "sqlite::memory:".
#pragma once

#include <memory>
#include <set>
#include <string>

#include "storage/driver.hpp"

namespace artifacts {

// Opens the database at `location` and applies its pending migrations.
//
// A path names a database file, relative to the working directory unless
// absolute; the file and its parent folders are created when missing. The
// file runs in WAL mode with synchronous=FULL, so an acknowledged put survives
// a crash of the process and of the machine. Several drivers, in one process
// or in several, may open the same file at once: migrations are applied
// exactly once and every opener succeeds.
//
// ":memory:" opens a private in-memory database, shared by every backend this
// driver opens and by nothing else; it lives as long as the driver or one of
// its backends.
//
// Each backend is one connection. Writers wait for each other (busy timeout,
// then a bounded retry), so lock contention never reaches a caller unless it
// outlasts options.statement_timeout, which is unavailable.
//
// Throws store_error: unavailable when the file cannot be created or opened,
// internal when it is not a SQLite database, is corrupt, or a migration fails.
std::shared_ptr<driver> make_sqlite_driver(const storage_options& options,
                                           const std::string& location);

// The migrations the database at `location` records, opened read-only and
// left unchanged: none for a file that does not exist or an in-memory
// database. Throws store_error as make_sqlite_driver.
std::set<int> recorded_sqlite_versions(const storage_options& options, const std::string& location);

}  // namespace artifacts
