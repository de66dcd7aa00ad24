// Running a workload with caller actors instead of caller threads.
#pragma once

#include <chrono>

#include <artifact_store/store.hpp>
#include <artifact_store/store_actor.hpp>

#include "bench/runner.hpp"

namespace caf {
class actor_system;
}

namespace artifacts::bench {

// Runs `settings` against `store` with settings.concurrency event-based
// caller actors spawned in `sys`, each keeping one request in flight and
// sending the next from the previous one's reply, as an actor application
// would. No thread is parked and woken per call, so on a cheap driver the
// figure is the actor layer's own ceiling. Puts are hashed on the caller
// actor, as the client does. With `local` (the in-process store behind
// `store`), the callers send as a local actor application would, straight
// to the workers (request_direct); without, through `store`, as to a node.
//
// `loader` (a subject on the same store) stores the artifacts gets read,
// unmeasured; its failures throw as run() does. The call returns when every
// caller actor has stopped, at the latest `request_timeout` plus a grace
// after the planned end, when callers still running are stopped and
// std::runtime_error is thrown.
run_result run_caller_actors(caf::actor_system& sys, const store_actor& store,
                             const artifacts::store* local, subject& loader, const run_scope& where,
                             const run_settings& settings,
                             std::chrono::milliseconds request_timeout);

}  // namespace artifacts::bench
