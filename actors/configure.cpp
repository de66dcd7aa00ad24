#include <artifact_store/configure.hpp>

#include <caf/actor_system_config.hpp>

#include <artifact_store/error.hpp>
#include <artifact_store/message_types.hpp>

namespace artifacts {

namespace {

// Spin this many times on an empty queue before sleeping on it.
constexpr size_t spins_before_sleep = 10;

}  // namespace

void configure_actor_system(caf::actor_system_config& cfg) {
  add_message_types(cfg);
  add_error_category(cfg);
}

void tune_scheduler_for_request_latency(caf::actor_system_config& cfg) {
  // CAF's work-stealing scheduler, once its queue has been empty for a
  // moment, polls it every 50 us for 25 ms before it sleeps on a condition
  // variable. A request crosses the scheduler several times (caller, store,
  // reply), and each crossing that lands in that polling phase waits out a
  // sleep: at one caller that is most of a memory get's 0.3 ms. Sleeping on
  // the condition variable instead is woken by the enqueue itself.
  cfg.set("work-stealing.aggressive-poll-attempts", spins_before_sleep);
  cfg.set("work-stealing.moderate-poll-attempts", size_t{0});
}

}  // namespace artifacts
