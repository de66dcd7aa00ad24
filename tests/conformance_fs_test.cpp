// The conformance suite against the filesystem driver, on a fresh root per
// store.
#include <memory>

#include "scenarios/conformance.hpp"
#include "scenarios/driver_test_support.hpp"

namespace {

using artifacts::testing::open_files_under;
using artifacts::testing::temp_folder;

// A store rooted in a fresh folder, removed once the store is gone. What it
// holds open there (its lock, files being written) counts as connections.
std::unique_ptr<artifacts::scenarios::store_fixture> make_fs_fixture(
    const artifacts::store_config& tweaks) {
  auto folder = std::make_shared<temp_folder>("conformance-fs");
  auto config = tweaks;
  config.storage.dsn = "fs:" + (folder->path() / "root").string();
  auto count_connections = [path = folder->path()] { return open_files_under(path); };
  return artifacts::scenarios::make_local_fixture(config, count_connections, folder);
}

[[maybe_unused]] const bool registered =
    artifacts::scenarios::register_conformance_suite("fs", make_fs_fixture);

}  // namespace
