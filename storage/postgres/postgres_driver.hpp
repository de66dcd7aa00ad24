// The PostgreSQL driver (libpqxx): "postgres://…", "postgresql://…" or a
// libpq keyword string.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "storage/driver.hpp"

namespace artifacts {

// Connects once to verify the server is reachable, runs the pending
// migrations under the migration advisory lock, and returns the driver. Each
// backend it opens is one connection with application_name=artifact-store,
// the options' connect timeout and statement timeout.
//
// Throws store_error: unavailable when the server cannot be reached (the
// message names the cause, never the password), internal when a migration
// fails.
std::shared_ptr<driver> make_postgres_driver(const storage_options& options,
                                             const std::string& conninfo);

// A driver whose backends only read, from the server at `conninfo`: a
// streaming standby of the store's database, or any server holding its
// tables (the store's read DSN; see storage_options::read_dsn). Connects
// once to verify the server is reachable and holds the store's table; runs
// no migration. Among several hosts it prefers a standby
// (target_session_attrs=prefer-standby unless the DSN says otherwise).
//
// Throws store_error: unavailable when the server cannot be reached,
// invalid_argument when it holds no artifacts table.
std::shared_ptr<driver> make_postgres_read_driver(const storage_options& options,
                                                  const std::string& conninfo);

// The migrations the database at `conninfo` records, without changing it.
// Throws store_error as make_postgres_driver.
std::set<int> recorded_postgres_versions(const storage_options& options,
                                         const std::string& conninfo);

}  // namespace artifacts
