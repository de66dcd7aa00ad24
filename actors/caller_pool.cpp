#include "actors/caller_pool.hpp"

#include <utility>

#include "actors/brief_watch.hpp"

namespace artifacts {

caller_pool::lease::lease(caller_pool& pool, std::unique_ptr<caf::scoped_actor> caller, bool alone)
    : pool_(&pool), caller_(std::move(caller)), alone_(alone) {}

caller_pool::lease::~lease() {
  if (caller_ != nullptr) {
    pool_->give_back(std::move(caller_));
  }
  pool_->out_.fetch_sub(1, std::memory_order_relaxed);
}

bool caller_pool::lease::await_answer(deadline until, answer_kind kind) {
  auto& self = *caller_;
  auto& typical = pool_->typical_wait_[kind == answer_kind::read ? 0 : 1];
  const auto asked = deadline::clock::now();
  bool answered = alone_ && typical.within(spin_limit) &&
                  watch_briefly([&] { return self->has_next_message(); }, spin_limit);
  if (!answered) {
    answered = self->has_next_message() || self->await_data(until);
  }
  typical.add(deadline::clock::now() - asked);
  return answered;
}

caller_pool::lease caller_pool::take() {
  const bool alone = out_.fetch_add(1, std::memory_order_relaxed) == 0;
  std::lock_guard<std::mutex> guard{lock_};
  if (!idle_.empty()) {
    auto caller = std::move(idle_.back());
    idle_.pop_back();
    return lease{*this, std::move(caller), alone};
  }
  // Made under the lock, as callers are destroyed (discard): CAF records
  // each actor made or destroyed on a thread in a map behind a spinlock, and
  // a burst of threads doing so at once (a new client under 128 callers)
  // spun on it for minutes under ThreadSanitizer on 2 cores. Hidden: a
  // caller is not an actor of the application's, and the system does not
  // wait for it at shutdown (the client goes first).
  return lease{*this, std::make_unique<caf::scoped_actor>(sys_, true), alone};
}

void caller_pool::give_back(std::unique_ptr<caf::scoped_actor> caller) {
  std::lock_guard<std::mutex> guard{lock_};
  idle_.push_back(std::move(caller));
}

void caller_pool::discard(std::unique_ptr<caf::scoped_actor> caller) {
  std::lock_guard<std::mutex> guard{lock_};
  caller.reset();
}

caller_pool::~caller_pool() {
  std::lock_guard<std::mutex> guard{lock_};
  idle_.clear();
}

}  // namespace artifacts
