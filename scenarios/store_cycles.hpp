// Opening, using and closing stores over and over: what a process that
// embeds the store does across its life, and what must not leave threads,
// descriptors, connections or memory behind.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <caf/fwd.hpp>

#include <artifact_store/store_config.hpp>

#include "scenarios/load_scale.hpp"

namespace artifacts::scenarios {

// `cycles` times in `sys`: opens a store on `config` with open_store, puts
// bytes that differ from cycle to cycle through a client, gets them back,
// calls `while_open` (when given) while the store is still open, destroys
// the client and closes the store. Checks, as Catch2 assertions, that every
// open, put, get and close succeeds and that each get returns its put's
// bytes; ends the scenario at the first failure. `sys` must have been
// configured with configure_actor_system.
void open_use_close(caf::actor_system& sys, const store_config& config, int cycles,
                    const std::function<void(const store_config&)>& while_open = {});

// How many cycles a leak check runs: enough that anything one cycle leaves
// behind adds up to a clear excess.
constexpr int leak_check_cycles = load_volume(100, 20);

// Something an open store holds outside this process's threads and
// descriptors, which a closed one must give back: its server connections,
// its open files under its folder.
struct held_resource {
  // What `count` counts, for messages.
  std::string what;
  // How many there are right now.
  std::function<size_t()> count;
  // An open store holds one per worker of its pool; otherwise at least one.
  bool one_per_worker = false;
};

// Runs open_use_close on a store at `dsn` (default settings otherwise) for
// leak_check_cycles cycles in an actor system of its own, and checks, as
// Catch2 assertions, that they leave no thread, descriptor or actor behind
// (threads and descriptors compared with the moment the actor system ran,
// waiting boundedly for them to wind down), nor any of `held` when given.
//
// Each count is first shown to see the stores: while each store is open,
// the actor system runs its supervisor and workers, the process has a
// thread more per worker (for every driver but memory:, whose workers share
// the scheduler's threads), and `held` counts at least one (or one per
// worker). A count that cannot see what a store holds would
// report nothing left after close, whatever the store left.
void check_cycles_leave_nothing(const std::string& dsn, const held_resource& held = {});

}  // namespace artifacts::scenarios
