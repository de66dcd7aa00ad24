// Opening and closing a store inside an actor system.
#pragma once

#include <atomic>
#include <memory>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include <artifact_store/store_actor.hpp>
#include <artifact_store/store_config.hpp>

namespace artifacts {

class client;
class worker_routes;

// The state a store shares with every local handle and client: set once, when
// close begins, before any worker stops.
using closed_flag = std::shared_ptr<std::atomic<bool>>;

// A local store: the supervisor and its closed flag. Copies share the same
// store. Destroying a handle does not close the store; close does.
class store {
 public:
  // `routes`, when not null, is where the supervisor publishes its routing
  // table for the clients of this store (open_store sets it up).
  store(store_supervisor_actor supervisor, closed_flag closed, store_config config,
        std::shared_ptr<worker_routes> routes = nullptr);

  // The data interface, to hand to local actors, to a client, or to publish.
  store_actor actor() const;

  // The full local interface, including close and route.
  const store_supervisor_actor& supervisor() const noexcept { return supervisor_; }

  // Where a local actor sends one request for `key` (get, get_ref, exists
  // or delete) to have it served without a stop at the supervisor: the
  // worker that serves `key` by the supervisor's published routing table,
  // with the request already counted against the in-flight bound; or else
  // the supervisor (no table in force, the store at its bound, or that
  // worker just died), which routes or refuses the request as it would any.
  // The request must be sent there at once and exactly once: the worker
  // gives the count back when it answers. request_direct
  // (<artifact_store/direct_request.hpp>) does both. Safe from any thread.
  caf::actor admit(const v1::Key& key) const;

  // admit for a put this process hashed, routed by its digest.
  caf::actor admit(const verified_put& put) const;

  const closed_flag& closed() const noexcept { return closed_; }
  bool is_closed() const noexcept { return closed_->load(); }
  const store_config& config() const noexcept { return config_; }

  // Marks the store closed, then stops the workers and waits until each has
  // stopped and released its backend (bounded by config.close_timeout).
  // Requests racing with close finish or fail with store_closed; every later
  // request fails with store_closed. Idempotent; safe from any thread that is
  // not one of the store's own actors. Returns an error only when the workers
  // did not stop within the bound.
  caf::error close(caf::actor_system& sys) const;

 private:
  // A client of a local store sends its calls to the workers itself.
  friend class client;

  store_supervisor_actor supervisor_;
  closed_flag closed_;
  store_config config_;
  std::shared_ptr<worker_routes> routes_;
};

// Opens the driver for config.storage.dsn (checking connectivity and applying
// migrations), then spawns the supervisor and its pool of workers. Fails at
// open time, never at the first put: invalid_argument for an empty or
// malformed DSN, unknown_driver for an unsupported scheme, unavailable for an
// unreachable server, internal for a failed migration or a pool size of 0.
// `sys` must have been configured with configure_actor_system.
caf::expected<store> open_store(caf::actor_system& sys, const store_config& config);

}  // namespace artifacts
