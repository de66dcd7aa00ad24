// `artifact-store migrate`: bring a store's schema up to date and exit.
#pragma once

#include <optional>
#include <string>

namespace artifacts::cli {

// Opens the driver for the DSN (--dsn, else ARTIFACT_STORE_DSN, else the
// embedded default), which applies every pending migration, each in its own
// transaction and, on PostgreSQL, under the migration lock, so running it
// while nodes serve is safe. Prints the schema version the store is at.
// Returns exit_ok, or exit_error after printing the error (an unreachable
// server, a failed migration, a malformed DSN).
int run_migrate(const std::optional<std::string>& dsn_flag);

// `artifact-store migrate --status`: prints, without changing anything,
// "driver: NAME", "applied: 1, 2, …" and "pending: …" ("none" when there
// are none), and, when the database records versions this binary does not
// know, "newer than this artifact-store: …". Returns exit_ok, or exit_error
// after printing the error (an unreachable server, a malformed DSN).
int run_migrate_status(const std::optional<std::string>& dsn_flag);

}  // namespace artifacts::cli
