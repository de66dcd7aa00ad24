// The bridge: the actor through which a blocking client talks to a store.
#pragma once

#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "actors/pending_call.hpp"

namespace artifacts {

// Asks a bridge to send one call. Never leaves the process.
struct call_message {
  std::shared_ptr<pending_call> call;
};

// Spawns a bridge for `destination`. The bridge sends each call it receives as a
// request bounded by destination.timeout and completes the call with the answer.
// It monitors destination.store: when the store goes away (stopped, or its node
// lost) every outstanding call fails at once, and so does every later one,
// with store_gone_error. A call that a remote store bounced waits briefly
// for the down message that follows (see awaits_down_notice), so that it
// fails with the store's reason. When the bridge exits, calls still
// outstanding fail with unavailable. A null destination.store counts as gone from the start.
caf::actor spawn_bridge(caf::actor_system& sys, call_destination destination);

}  // namespace artifacts

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(artifacts::call_message)
