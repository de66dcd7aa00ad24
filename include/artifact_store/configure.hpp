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

// Makes the scheduler's idle threads sleep until work arrives instead of
// polling their queues at short intervals, which is what a process that
// mostly waits for requests wants: each hop of a request is picked up at
// once rather than at the next poll. Costs a wake-up per hop when the
// process was idle. The command applies it to every actor system it starts;
// a program that embeds the store may call it on its own config, or not.
void tune_scheduler_for_request_latency(caf::actor_system_config& cfg);

}  // namespace artifacts
