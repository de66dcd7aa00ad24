// A worker: the actor that owns one storage backend (one connection) of a
// store and serves the requests the supervisor routes to it.
#pragma once

#include <memory>

#include <caf/actor_addr.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>

#include <artifact_store/store.hpp>
#include <artifact_store/store_actor.hpp>

#include "actors/answer_record.hpp"
#include "actors/in_flight.hpp"
#include "storage/driver.hpp"

namespace artifacts {

// The data operations, one batch of a sweep, and close, which makes the worker quit once the
// requests queued before it have been answered (with store_closed, since the
// store's closed flag is set by then).
// sweep_one deletes one batch of expired artifacts (operations::sweep_batch);
// purge_one one batch of a purge (operations::purge_batch), answering with
// whether it was the last.
using sweep_one_atom = caf::atom_constant<caf::atom("sweep_one")>;
using purge_one_atom = caf::atom_constant<caf::atom("purge_one")>;

using worker_actor =
    store_actor::extend<caf::replies_to<put_atom, verified_put>::with<v1::ArtifactRef>,
                        caf::replies_to<sweep_one_atom>::with<v1::Removed>,
                        caf::replies_to<purge_one_atom, v1::PurgeRequest>::with<v1::Removed, bool>,
                        caf::replies_to<usage_atom, v1::UsageRequest>::with<v1::Usage>,
                        caf::replies_to<get_range_atom, v1::RangeRequest>::with<v1::BlobRange>,
                        caf::reacts_to<close_atom>>::extend_with<upload_actor>;

// Spawns a worker on its own thread (it blocks in backend calls), or, when
// the driver's calls never wait (driver::calls_may_wait), on the scheduler. It opens
// its backend from `store_driver` on that thread, and again after a failure, with
// capped backoff; while it cannot reach the backend it answers unavailable
// at once. `closed` is checked where a request would reach the backend: once
// it is set, every request still queued or batched is answered store_closed.
// A put without a digest is hashed here and handed back to `supervisor`, as
// a verified_put, to be routed by its digest; a put that claims a digest is
// hashed here to check the claim; a verified put is stored without hashing
// its data again. Nothing a backend throws escapes
// a handler. Each request is subtracted from `load` when it is answered, and
// reported to `observers` (answer_record.hpp) with its outcome and duration.
//
// Puts are stored in batches: the puts that reach the worker together (taken
// from its mailbox one after another until it holds no more, up to a bound)
// are handed to the backend as one batch, which a driver may commit as one transaction,
// and each is answered with its own outcome. Any other request first stores
// the batch, so a worker serves the requests it is sent in their order.
//
// When a call fails because the connection ended before its outcome was
// known (retry_advice::on_new_connection), the worker opens a new backend at
// once and repeats the call there, once, for every operation but delete: a
// put is idempotent (the repeat finds its own row, or stores it), reads are
// harmless, and a repeated delete would answer false for a row it removed.
//
// The worker quits on close or when the supervisor goes down, and destroys
// its backend before its down message is sent.
worker_actor spawn_worker(caf::actor_system& sys, std::shared_ptr<driver> store_driver,
                          closed_flag closed, caf::actor_addr supervisor, shared_worker_load load,
                          worker_observers observers);

}  // namespace artifacts
