// Opening, using and closing stores over and over: what a process that
// embeds the store does across its life, and what must not leave threads,
// descriptors, connections or memory behind.
#pragma once

#include <caf/fwd.hpp>

#include "actors/store_config.hpp"

namespace artifacts::scenarios {

// `cycles` times in `sys`: opens a store on `config` with open_store, puts
// bytes that differ from cycle to cycle through a client, gets them back,
// destroys the client and closes the store. Checks, as Catch2 assertions,
// that every open, put, get and close succeeds and that each get returns its
// put's bytes; ends the scenario at the first failure. `sys` must have been
// configured with configure_actor_system.
void open_use_close(caf::actor_system& sys, const store_config& config, int cycles);

}  // namespace artifacts::scenarios
