// Blocking actors through which a client's threads wait for their answers,
// kept for the next call rather than spawned for each.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include <caf/blocking_actor.hpp>
#include <caf/fwd.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/brief_watch.hpp"

namespace artifacts {

class caller_pool {
 public:
  explicit caller_pool(caf::actor_system& sys) : sys_(sys) {}
  // Destroys the idle callers. No lease may be left.
  ~caller_pool();
  caller_pool(const caller_pool&) = delete;
  caller_pool& operator=(const caller_pool&) = delete;

  using deadline = caf::blocking_actor::timeout_type;

  // Calls whose answers take about as long as each other, so that how long
  // one took tells how long the next will: writes wait for a commit, reads
  // do not.
  enum class answer_kind { read, write };

  // The longest a call waits for its answer without parking its thread.
  static constexpr std::chrono::microseconds spin_limit{250};

  // One caller, for one call at a time on one thread. Back in the pool when
  // the lease ends, unless spoiled.
  class lease {
   public:
    lease(caller_pool& pool, std::unique_ptr<caf::scoped_actor> caller, bool alone);
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease();

    caf::scoped_actor& operator*() const noexcept { return *caller_; }

    // Waits until a message (the answer) is in the caller's mailbox: true,
    // or false once `until` has passed.
    //
    // Parking the thread and waking it again costs tens of microseconds on
    // a virtual machine, more than a read from the memory driver takes and
    // a large part of one from PostgreSQL. So a call first watches its
    // mailbox without parking, for at most spin_limit, when both hold: it
    // was the only call of its pool in flight when it began (no other
    // caller of this client needs the core), and the answers to calls of
    // its kind have lately come within spin_limit (a call that would park
    // anyway does not spin first). Otherwise it parks at once. It never
    // spins without a call outstanding.
    bool await_answer(deadline until, answer_kind kind);

    // Keeps the caller out of the pool: a call that stopped waiting may still
    // be answered, and that late answer must not reach the next call. The
    // caller is destroyed, so the late answer is dropped.
    void spoil() { pool_->discard(std::move(caller_)); }

   private:
    caller_pool* pool_;
    std::unique_ptr<caf::scoped_actor> caller_;
    bool alone_;
  };

  // An idle caller, or a new one. Never fails.
  lease take();

 private:
  void give_back(std::unique_ptr<caf::scoped_actor> caller);
  void discard(std::unique_ptr<caf::scoped_actor> caller);

  caf::actor_system& sys_;
  std::mutex lock_;
  std::vector<std::unique_ptr<caf::scoped_actor>> idle_;
  // Leases not yet ended.
  std::atomic<int> out_{0};
  // How long answers of each kind have lately taken.
  typical_wait typical_wait_[2];
};

}  // namespace artifacts
