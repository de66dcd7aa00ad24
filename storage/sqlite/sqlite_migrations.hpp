// Applying the embedded SQLite migrations (migrations/sqlite/NNNN_slug.sql).
#pragma once

#include <set>

#include "storage/sqlite/sqlite_connection.hpp"

namespace artifacts::sqlite {

// Applies every embedded migration whose version schema_migrations does not
// record yet, in ascending order, each in its own BEGIN IMMEDIATE transaction
// together with its version row. The check and the apply happen under the
// database's write lock, so connections and processes opening the same file
// at once apply each migration exactly once; the others find it recorded.
// Re-running on a migrated database changes nothing.
//
// Throws sqlite_failure; a failing migration's message names its file. Lock
// conflicts are the caller's to retry (the run is safe to repeat). Throws
// store_error(internal) before applying anything when the database records
// a version this binary does not know (refuse_newer_schema).
void apply_migrations(connection& conn);

// The versions schema_migrations records; none when the table is missing.
// Changes nothing. Throws sqlite_failure.
std::set<int> recorded_versions(connection& conn);

}  // namespace artifacts::sqlite
