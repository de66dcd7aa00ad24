// Actors whose hand-overs ThreadSanitizer can see.
#pragma once

#ifdef ARTIFACTS_THREAD_SANITIZER

#include <utility>

#include <sanitizer/tsan_interface.h>

#include <caf/execution_unit.hpp>
#include <caf/invoke_message_result.hpp>
#include <caf/mailbox_element.hpp>

#endif

namespace artifacts {

#ifdef ARTIFACTS_THREAD_SANITIZER

// The actor type Base (a scheduled actor of CAF's), telling ThreadSanitizer
// how CAF orders its work. CAF hands a message from its sender to its
// receiver, and an actor from one thread to the next, through atomics
// inside libcaf, which is not built with ThreadSanitizer: unseen, every
// message and every move of an actor to another thread looks like a race,
// and a report that CAF's suppressions cannot match (its earlier stack long
// gone) fails the run. Here, on the actor's own address: enqueue releases,
// so what the sender wrote (the message included) happens before the
// receiver handles it; consume acquires before each message and releases
// after it, so each message's handling happens before the next one's,
// whichever threads run them; launch and initialize do the same for what
// the spawning thread set up. CAF orders all of these the same way, so no
// ordering is claimed that CAF does not give.
template <class Base>
class with_visible_handoffs : public Base {
 public:
  using Base::Base;
  using Base::consume;
  using Base::enqueue;

  void enqueue(caf::mailbox_element_ptr what, caf::execution_unit* host) override {
    __tsan_release(this);
    Base::enqueue(std::move(what), host);
  }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    __tsan_acquire(this);
    auto result = Base::consume(x);
    __tsan_release(this);
    return result;
  }

  void launch(caf::execution_unit* host, bool lazy, bool hide) override {
    __tsan_release(this);
    Base::launch(host, lazy, hide);
  }

  void initialize() override {
    __tsan_acquire(this);
    Base::initialize();
    __tsan_release(this);
  }
};

#else

// Without ThreadSanitizer, Base itself.
template <class Base>
using with_visible_handoffs = Base;

#endif

}  // namespace artifacts
