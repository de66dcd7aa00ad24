// Preparing an actor system for the store.
#pragma once

namespace caf {
class actor_system_config;
}

namespace artifacts {

// Announces the wire messages and registers the error category. Call it on
// every actor_system_config that will host a store or talk to one, before the
// actor_system is constructed.
void configure_actor_system(caf::actor_system_config& cfg);

}  // namespace artifacts
