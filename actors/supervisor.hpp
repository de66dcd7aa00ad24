// The supervisor: the actor a store handle points to. It owns the pool of
// workers and routes every request to one of them.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include <artifact_store/store.hpp>
#include <artifact_store/store_actor.hpp>
#include <artifact_store/store_config.hpp>

#include "storage/driver.hpp"

namespace artifacts {

class worker_routes;

// Spawns the supervisor, which spawns config.pool_size workers over `store_driver`
// and monitors them, and publishes their arrangement in `routes` (see
// worker_routes.hpp): when the pool starts, each time it replaces a worker,
// and an empty table once close begins.
//
// Routing: every keyed request goes to the worker its route (routing.hpp)
// selects, so one key always meets one worker (a local client applying the
// published table chooses the same one); list goes to the workers in
// turn; a put without a digest goes to any worker, which hashes it and hands
// it back. Requests are delegated, never copied or answered by the
// supervisor, so its work per message does not depend on the payload.
//
// Overload: whoever routes a request counts it on its worker
// (worker_load::try_admit) and the worker counts what it finished. A request that would take the
// store past config.max_in_flight requests (or config.max_in_flight_bytes of payload) is answered
// unavailable at once, its message saying "overloaded", so memory stays bounded however fast
// callers send.
//
// A worker that goes down while the store is open is replaced at the same
// index. Once `closed` is set, or close has begun, every request is answered
// store_closed.
//
// close and route answer only senders on this node (internal otherwise).
// close sets `closed`, asks every worker to quit after the requests queued
// before it, and once the last worker is down answers true to the first
// caller, false to every other, and quits with a store_closed error as its
// exit reason (what monitors, remote ones included, see).
//
// Precondition: config.pool_size > 0.
store_supervisor_actor spawn_supervisor(caf::actor_system& sys,
                                        std::shared_ptr<driver> store_driver, closed_flag closed,
                                        const store_config& config,
                                        std::shared_ptr<worker_routes> routes);

// A store over `store_driver`, already open: spawns its supervisor (above)
// with a fresh closed flag and routing table. What open_store does once it
// has opened the driver; tests use it to run a store over a driver of their
// own.
store start_store(caf::actor_system& sys, std::shared_ptr<driver> store_driver,
                  const store_config& config);

}  // namespace artifacts
