#include "storage/open_driver.hpp"

#include <artifact_store/errc.hpp>

#include "storage/dsn.hpp"
#include "storage/fs/fs_driver.hpp"
#include "storage/memory_driver.hpp"
#include "storage/postgres/postgres_driver.hpp"
#include "storage/sqlite/sqlite_driver.hpp"
#include "storage/standby_reads.hpp"

namespace artifacts {

namespace {

std::shared_ptr<driver> open_primary(const storage_options& options) {
  auto target = parse_dsn(options.dsn);
  switch (target.kind) {
    case driver_kind::memory:
      return make_memory_driver(options);
    case driver_kind::postgres:
      return make_postgres_driver(options, target.location);
    case driver_kind::sqlite:
      return make_sqlite_driver(options, target.location);
    case driver_kind::fs:
      return make_fs_driver(options, target.location);
  }
  throw store_error(errc::unknown_driver, "open: this build has no driver for the DSN's scheme");
}

}  // namespace

std::shared_ptr<driver> open_driver(const storage_options& options) {
  if (options.read_dsn.empty()) {
    return open_primary(options);
  }
  // Checked before the store's database is opened (and migrated): a read
  // DSN beside a store that is not PostgreSQL is a mistake in the
  // configuration, not something to serve around.
  auto read_target = parse_dsn(options.read_dsn);
  if (parse_dsn(options.dsn).kind != driver_kind::postgres ||
      read_target.kind != driver_kind::postgres) {
    throw store_error(errc::invalid_argument,
                      "open: a read DSN names a PostgreSQL server, beside a PostgreSQL store");
  }
  auto primary = open_primary(options);
  return make_standby_reads_driver(std::move(primary),
                                   make_postgres_read_driver(options, read_target.location));
}

schema_status read_schema_status(const storage_options& options) {
  auto target = parse_dsn(options.dsn);
  std::set<int> recorded;
  if (target.kind == driver_kind::postgres) {
    recorded = recorded_postgres_versions(options, target.location);
  } else if (target.kind == driver_kind::sqlite) {
    recorded = recorded_sqlite_versions(options, target.location);
  }
  schema_status status;
  status.driver = std::string(driver_kind_name(target.kind));
  status.versions = compare_versions(status.driver, recorded);
  return status;
}

}  // namespace artifacts
