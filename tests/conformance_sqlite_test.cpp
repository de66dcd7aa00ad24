// The conformance suite against the SQLite driver: a database file of its
// own per store, and a private in-memory database.
#include <memory>

#include "scenarios/conformance.hpp"
#include "scenarios/driver_test_support.hpp"

namespace {

using artifacts::testing::open_files_under;
using artifacts::testing::temp_folder;

// A store on a fresh database file in a fresh folder, removed once the
// store is gone. Its connections are the descriptors open on that folder.
std::unique_ptr<artifacts::scenarios::store_fixture> make_sqlite_file_fixture(
    const artifacts::store_config& tweaks) {
  auto folder = std::make_shared<temp_folder>("conformance-sqlite");
  auto config = tweaks;
  config.storage.dsn = "sqlite:" + (folder->path() / "artifacts.db").string();
  auto count_connections = [path = folder->path()] { return open_files_under(path); };
  return artifacts::scenarios::make_local_fixture(config, count_connections, folder);
}

std::unique_ptr<artifacts::scenarios::store_fixture> make_sqlite_memory_fixture(
    const artifacts::store_config& tweaks) {
  auto config = tweaks;
  config.storage.dsn = "sqlite::memory:";
  return artifacts::scenarios::make_local_fixture(config);
}

[[maybe_unused]] const bool file_registered =
    artifacts::scenarios::register_conformance_suite("sqlite", make_sqlite_file_fixture);

[[maybe_unused]] const bool memory_registered =
    artifacts::scenarios::register_conformance_suite("sqlite-memory", make_sqlite_memory_fixture);

}  // namespace
