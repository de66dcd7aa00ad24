#include "actors/bridge.hpp"

#include <utility>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>


namespace artifacts {

namespace {

struct bridge_state {
  call_destination destination;
  bool destination_gone = false;
  caf::error gone_reason;
  // The state is destroyed when the bridge exits; the book then fails every
  // call still waiting, so no caller waits for an answer that cannot come.
  call_book book;

  static inline const char* name = "artifacts.client";
};

using bridge_pointer = caf::stateful_actor<bridge_state>*;

caf::behavior bridge_behavior(bridge_pointer self, call_destination destination) {
  auto& st = self->state;
  st.destination = std::move(destination);
  if (st.destination.store != nullptr) {
    self->monitor(st.destination.store);
  } else {
    st.destination_gone = true;
    if (st.destination.gone) {
      st.destination.gone->store(true);
    }
  }
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.destination_gone || msg.source != st.destination.store.address()) {
      return;
    }
    st.destination_gone = true;
    st.gone_reason = msg.reason;
    if (st.destination.gone) {
      st.destination.gone->store(true);
    }
    st.book.fail_all(
        [&](std::string_view op) { return store_gone_error(op, st.destination, st.gone_reason); });
  });
  return {
      [self](call_message& msg) {
        auto& st = self->state;
        if (st.destination_gone) {
          msg.call->fail(store_gone_error(msg.call->op(), st.destination, st.gone_reason));
          return;
        }
        msg.call->issue(self, st.destination, st.book);
      },
      [self](down_notice_expired& msg) {
        auto& st = self->state;
        // Gone from the book: the down message came and settled the call.
        if (!st.book.contains(msg.call.get())) {
          return;
        }
        st.book.remove(msg.call.get());
        msg.call->fail(store_gone_error(msg.call->op(), st.destination, caf::error{}));
      },
  };
}

}  // namespace

caf::actor spawn_bridge(caf::actor_system& sys, call_destination destination) {
  return sys.spawn(bridge_behavior, std::move(destination));
}

}  // namespace artifacts
