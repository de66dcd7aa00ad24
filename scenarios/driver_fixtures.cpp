#include "scenarios/driver_fixtures.hpp"

#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "scenarios/driver_test_support.hpp"
#include "scenarios/local_fixture.hpp"
#include "scenarios/postgres_schema.hpp"
#include "scenarios/remote_fixture.hpp"

namespace artifacts::scenarios {

namespace {

using testing::open_files_under;
using testing::temp_folder;

// Opens `config` the way `access` says. `resources` outlives the store;
// `count_connections` (may be null) serves in-process stores only: a node's
// client sees no connections.
std::unique_ptr<store_fixture> open_fixture(store_access access, const store_config& config,
                                            std::function<size_t()> count_connections,
                                            std::shared_ptr<void> resources) {
  if (access == store_access::node) {
    remote_fixture_options options;
    options.resources = std::move(resources);
    return make_remote_fixture(config, options);
  }
  return make_local_fixture(config, std::move(count_connections), std::move(resources));
}

}  // namespace

const char* to_string(store_access access) noexcept {
  return access == store_access::node ? "node" : "in-process";
}

store_factory memory_store_factory(store_access access) {
  return [access](const store_config& tweaks) {
    auto config = tweaks;
    config.storage.dsn = "memory:";
    return open_fixture(access, config, {}, {});
  };
}

store_factory sqlite_store_factory(store_access access) {
  return [access](const store_config& tweaks) {
    auto folder = std::make_shared<temp_folder>("store-sqlite");
    auto config = tweaks;
    config.storage.dsn = "sqlite:" + (folder->path() / "artifacts.db").string();
    auto count_connections = [path = folder->path()] { return open_files_under(path); };
    return open_fixture(access, config, count_connections, folder);
  };
}

store_factory sqlite_memory_store_factory(store_access access) {
  return [access](const store_config& tweaks) {
    auto config = tweaks;
    config.storage.dsn = "sqlite::memory:";
    return open_fixture(access, config, {}, {});
  };
}

store_factory fs_store_factory(store_access access, std::filesystem::path parent) {
  return [access, parent = std::move(parent)](const store_config& tweaks) {
    auto folder = std::make_shared<temp_folder>("store-fs", parent);
    auto config = tweaks;
    config.storage.dsn = "fs:" + (folder->path() / "root").string();
    // What the store holds open there (its lock, files being written).
    auto count_connections = [path = folder->path()] { return open_files_under(path); };
    return open_fixture(access, config, count_connections, folder);
  };
}

store_factory postgres_store_factory(store_access access) {
  return [access](const store_config& tweaks) {
    static std::atomic<unsigned> stores{0};
    auto schema = std::make_shared<testing::temporary_schema>();
    const auto application_name =
        "store-" + std::to_string(::getpid()) + "-" + std::to_string(stores++);
    auto config = tweaks;
    config.storage.dsn = schema->dsn(application_name);
    auto count_connections = [schema, application_name] {
      return schema->connections_named(application_name);
    };
    return open_fixture(access, config, count_connections, schema);
  };
}

}  // namespace artifacts::scenarios
