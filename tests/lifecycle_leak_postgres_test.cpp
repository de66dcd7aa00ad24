// lifecycle_leak_test.cpp for PostgreSQL: 100 stores opened, used and
// closed in one actor system leave no thread, descriptor or server
// connection behind. The stores' connections carry an application_name of
// their own, so that the server can count exactly theirs.
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

#include "actors/configure.hpp"
#include "actors/store_config.hpp"
#include "scenarios/load_scale.hpp"
#include "scenarios/postgres_schema.hpp"
#include "scenarios/process_counts.hpp"
#include "scenarios/store_cycles.hpp"

namespace {

using namespace artifacts;
using namespace artifacts::scenarios;
using namespace std::chrono_literals;

// Enough that anything a cycle leaves behind adds up to a clear excess.
constexpr int cycles = load_volume(100, 20);

// Waits (boundedly) until the server counts no more than `expected`
// connections named `name`: a backend leaves pg_stat_activity shortly after
// its client disconnects, not at once.
size_t connections_settled(const testing::temporary_schema& schema, const std::string& name,
                           size_t expected) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  for (;;) {
    const auto count = schema.connections_named(name);
    if (count <= expected || std::chrono::steady_clock::now() > deadline) {
      return count;
    }
    std::this_thread::sleep_for(50ms);
  }
}

}  // namespace

TEST_CASE("postgres: 100 stores opened, used and closed leave nothing behind",
          "[postgres][lifecycle]") {
  testing::temporary_schema schema;
  const std::string name = "leaktest-" + std::to_string(::getpid());
  const auto backends_before = schema.connections_named(name);

  caf::actor_system_config cfg;
  configure_actor_system(cfg);
  caf::actor_system sys{cfg};
  // Taken once the actor system runs: only what the stores add is theirs.
  const auto actors_before = sys.registry().running();
  const auto before = current_footprint();
  store_config config;
  config.storage.dsn = schema.dsn(name);
  open_use_close(sys, config, cycles);

  const auto after = footprint_back_to(before);
  INFO("before: " << to_string(before) << "; after: " << to_string(after));
  CHECK(excess(after.threads, before.threads) == 0);
  CHECK(excess(after.descriptors, before.descriptors) == 0);
  CHECK(sys.registry().running() == actors_before);
  CHECK(connections_settled(schema, name, backends_before) == backends_before);
}
