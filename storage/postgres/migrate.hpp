// Bringing a PostgreSQL database to the store's schema.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>

#include <pqxx/connection>

namespace artifacts::postgres {

// The session advisory lock held while migrating: the FNV-1a 64-bit hash of
// "harbor-artifacts-migrations" as a signed int64, shared with the Go driver
// so that nodes of either kind migrate one at a time.
inline constexpr int64_t migration_lock_key = 7550528845383515585;

// Applies every embedded "postgres" migration that schema_migrations does not
// list yet, in version order: each in its own transaction together with the
// row recording it, or, for a migration marked to run outside a transaction
// (an index built CONCURRENTLY, so that writers go on meanwhile), statement
// by statement, recorded once its indexes are valid. Holds the migration
// lock on `conn` for the whole run and releases it before returning, also on
// failure. Applying nothing is success. `bound` bounds the wait for the lock
// and each statement; the session's statement timeout is restored after.
//
// Throws store_error: internal, "open: migration 0001_init.sql failed: …",
// when a migration's SQL fails; unavailable when the connection is lost, a
// statement times out or the lock stays taken past `bound` (retrying the
// open is safe: a migration is recorded only once it took effect, and an
// index whose build stopped part way is dropped and built again).
//
// Throws store_error(internal) before applying anything when
// schema_migrations records a version this binary does not know
// (refuse_newer_schema).
void migrate(pqxx::connection& conn, std::chrono::milliseconds bound);

// The versions schema_migrations records; none when the table is missing.
// Changes nothing. Throws store_error as migrate.
std::set<int> recorded_versions(pqxx::connection& conn);

}  // namespace artifacts::postgres
