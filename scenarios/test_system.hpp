// An actor system prepared for the store, one per test.
#pragma once

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <artifact_store/configure.hpp>

namespace artifacts::scenarios {

// The store's message types and error category registered
// (configure_actor_system), then the system started.
struct test_system {
  caf::actor_system_config cfg;
  caf::actor_system sys{configured(cfg)};

 private:
  static caf::actor_system_config& configured(caf::actor_system_config& config) {
    configure_actor_system(config);
    return config;
  }
};

}  // namespace artifacts::scenarios
