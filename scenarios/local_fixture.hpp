// The standard in-process store fixture.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include <artifact_store/store_config.hpp>

#include "scenarios/store_fixture.hpp"

namespace artifacts::scenarios {

// A store inside its own caf::actor_system (configured with
// configure_actor_system), opened with open_store(config), and a client of it.
//
// `count_connections` reports the live backend connections of this store
// (null: the driver has none). `resources` is kept alive until the store is
// closed and the actor system is gone: a temporary schema or directory the
// DSN points into.
//
// Throws std::runtime_error, naming the cause, when the store cannot be
// opened.
std::unique_ptr<store_fixture> make_local_fixture(const store_config& config,
                                                  std::function<size_t()> count_connections = {},
                                                  std::shared_ptr<void> resources = {});

}  // namespace artifacts::scenarios
