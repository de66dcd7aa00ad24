// A client call in flight: the request a client's bridge sends to the store
// and the promise the calling thread waits on.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>
#include <caf/node_id.hpp>

#include <artifact_store/store.hpp>
#include <artifact_store/store_actor.hpp>

namespace artifacts {

// Where a client's calls go and how long each may take.
struct call_destination {
  store_actor store;
  std::chrono::milliseconds timeout;
  // Null when no local close can be observed (a remote store).
  closed_flag closed;
  // When not null, set once the store has gone away (stopped, or the
  // connection to its node lost) as its bridge observed.
  std::shared_ptr<std::atomic<bool>> gone;

  bool closed_now() const noexcept { return closed != nullptr && closed->load(); }
};

// The error a caller sees for a call that failed with `err`: store errors
// unchanged; a timeout as unavailable ("<op>: request timed out after N ms");
// a vanished store as store_gone_error; anything else as code_of(err).
caf::error call_error(std::string_view op, const caf::error& err,
                      const call_destination& destination);

// The error for a call whose store went away (`reason`, may be empty):
// store_closed when the local store was closed or `reason` is store_closed
// (a closed store's supervisor exits with it, so remote clients learn it
// too), unavailable otherwise.
caf::error store_gone_error(std::string_view op, const call_destination& destination,
                            const caf::error& reason);

// Whether a call to `destination` that failed with `err` should wait for the
// destination's down message before it fails. A remote store that has just
// closed bounces the requests that reach it after its supervisor quit, and
// the down message that says it closed follows them on the same connection:
// waiting for it lets the caller see store_closed rather than unavailable.
// True only for a vanished receiver on another node than `here`.
bool awaits_down_notice(const caf::error& err, const call_destination& destination,
                        const caf::node_id& here);

// How long such a call waits for the down message before it fails anyway
// (as a vanished store): at most a second, never longer than the request
// timeout.
std::chrono::milliseconds down_notice_grace(const call_destination& destination);

class pending_call;

// Tells a bridge that a call waiting for the down message has waited long
// enough. Never leaves the process.
struct down_notice_expired {
  std::shared_ptr<pending_call> call;
};

class call_book;

// One call. Completes exactly once: with the store's answer, or with an
// error when the store goes away or the bridge stops first.
class pending_call : public std::enable_shared_from_this<pending_call> {
 public:
  // `op` must name a string literal ("put", "get", ...).
  explicit pending_call(std::string_view op) : op_(op) {}
  virtual ~pending_call() = default;
  pending_call(const pending_call&) = delete;
  pending_call& operator=(const pending_call&) = delete;

  std::string_view op() const noexcept { return op_; }

  // Sends the request from the bridge `self` and records the call in `book`
  // until the answer arrives. `destination` and `book` must outlive the bridge's
  // pending responses (they live in its state).
  virtual void issue(caf::event_based_actor* self, const call_destination& destination,
                     call_book& book) = 0;

  // Completes the call with `err`; ignored when it completed already.
  virtual void fail(caf::error err) = 0;

 private:
  std::string_view op_;
};

// The calls a bridge has sent and not yet seen answered. Destroying the book
// (when the bridge exits) fails every call still in it with unavailable.
class call_book {
 public:
  call_book() = default;
  ~call_book();
  call_book(const call_book&) = delete;
  call_book& operator=(const call_book&) = delete;

  void add(std::shared_ptr<pending_call> call);
  void remove(const pending_call* call) { calls_.erase(call); }
  bool contains(const pending_call* call) const { return calls_.count(call) != 0; }

  // Fails and forgets every recorded call, each with make_error(op).
  template <class MakeError>
  void fail_all(MakeError&& make_error) {
    auto calls = std::move(calls_);
    calls_.clear();
    for (auto& entry : calls) {
      entry.second->fail(make_error(entry.second->op()));
    }
  }

 private:
  std::unordered_map<const pending_call*, std::shared_ptr<pending_call>> calls_;
};

// A call of operation Atom with a Request, answered by a Result.
template <class Atom, class Request, class Result>
class typed_call final : public pending_call {
 public:
  typed_call(std::string_view op, Request request)
      : pending_call(op), request_(std::move(request)) {}

  std::future<caf::expected<Result>> answer() { return promise_.get_future(); }

  void issue(caf::event_based_actor* self, const call_destination& destination,
             call_book& book) override {
    auto me = std::static_pointer_cast<typed_call>(shared_from_this());
    book.add(me);
    // Through the full interface: a node of an earlier version answers the
    // operations it does not know with an error.
    self->request(caf::actor_cast<full_store_actor>(destination.store), destination.timeout,
                  Atom::value, std::move(request_))
        .then(
            [me, book_ptr = &book](Result& value) {
              book_ptr->remove(me.get());
              me->settle(std::move(value));
            },
            [me, self, book_ptr = &book, destination_ptr = &destination](caf::error& err) {
              if (awaits_down_notice(err, *destination_ptr, self->node())) {
                // Stays in the book: the down handler fails it with the
                // store's reason, or the bridge does when the grace ends.
                self->delayed_send(caf::actor_cast<caf::actor>(self),
                                   down_notice_grace(*destination_ptr), down_notice_expired{me});
                return;
              }
              book_ptr->remove(me.get());
              me->settle(call_error(me->op(), err, *destination_ptr));
            });
  }

  void fail(caf::error err) override { settle(std::move(err)); }

 private:
  void settle(caf::expected<Result> outcome) {
    if (!settled_) {
      settled_ = true;
      promise_.set_value(std::move(outcome));
    }
  }

  Request request_;
  std::promise<caf::expected<Result>> promise_;
  // Touched by the bridge only: no lock needed.
  bool settled_ = false;
};

}  // namespace artifacts

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(artifacts::down_notice_expired)
