#include "storage/open_driver.hpp"

#include <artifact_store/errc.hpp>

#include "storage/dsn.hpp"
#include "storage/fs/fs_driver.hpp"
#include "storage/memory_driver.hpp"
#include "storage/postgres/postgres_driver.hpp"
#include "storage/sqlite/sqlite_driver.hpp"

namespace artifacts {

std::shared_ptr<driver> open_driver(const storage_options& options) {
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
