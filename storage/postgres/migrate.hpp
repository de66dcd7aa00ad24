// Bringing a PostgreSQL database to the store's schema.
#pragma once

#include <cstdint>

#include <pqxx/connection>

namespace artifacts::postgres {

// The session advisory lock held while migrating: the FNV-1a 64-bit hash of
// "harbor-artifacts-migrations" as a signed int64, shared with the Go driver
// so that nodes of either kind migrate one at a time.
inline constexpr int64_t migration_lock_key = 7550528845383515585;

// Applies every embedded "postgres" migration that schema_migrations does not
// list yet, in version order, each in its own transaction together with the
// row recording it. Holds the migration lock on `conn` for the whole run and
// releases it before returning, also on failure. Applying nothing is
// success. Every wait, the one for the lock included, is bounded by the
// connection's statement timeout.
//
// Throws store_error: internal, "open: migration 0001_init.sql failed: …",
// when a migration's SQL fails; unavailable when the connection is lost or a
// statement times out (retrying the open is safe, since a migration is
// recorded in the transaction that applies it).
void migrate(pqxx::connection& conn);

}  // namespace artifacts::postgres
