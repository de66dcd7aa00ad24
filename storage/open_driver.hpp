// Choosing and opening the driver for a DSN.
#pragma once

#include <memory>
#include <string>

#include <artifact_store/storage_options.hpp>

#include "storage/driver.hpp"
#include "storage/migrations.hpp"

namespace artifacts {

// Parses options.dsn, opens the matching driver, checks that its backend is
// reachable and applies pending migrations. On success the store is ready to
// serve. Throws store_error: invalid_argument (empty or malformed DSN),
// unknown_driver (unsupported scheme), unavailable (server unreachable),
// internal (a failed migration). With options.read_dsn set, the driver also
// reads from that server (standby_reads.hpp), reached once here: a read DSN
// beside a store that is not PostgreSQL, or one that is not PostgreSQL, is
// invalid_argument.
std::shared_ptr<driver> open_driver(const storage_options& options);

// Where the schema of the store options.dsn names stands, read without
// changing anything (artifact-store migrate --status): its driver's name,
// and the versions applied, pending and newer than this binary. Drivers
// without migrations (memory, fs) have none of either. Throws store_error
// as open_driver, but never for a newer schema.
struct schema_status {
  std::string driver;
  schema_versions versions;
};
schema_status read_schema_status(const storage_options& options);

}  // namespace artifacts
